"""ui.mathpage: what the Math page writes is true for every loss, activation, bias and batch size."""

import re

import numpy as np
import pytest

import engine
from engine import ACTIVATIONS, LOSSES, NetworkConfig, Trainer
from engine.explain import trace_row
from engine.export import export_script
from engine.presets import PRESETS, build_trainer
from tests import registry_support
from ui import mathpage
from ui.mathtext import factor, matrix, num, variable

GATE_X = np.array([[0, 0, 1], [0, 1, 1], [1, 0, 1], [1, 1, 1]], dtype=float)
XOR_Y = np.array([[0], [1], [1], [0]], dtype=float)
NAMES = ["inputs", "hidden", "outputs"]


def labels(trainer, inputs=("x1", "x2", "x3"), outputs=("y",)):
    hidden = [[f"l{i + 1}[{j}]" for j in range(n)] for i, n in enumerate(trainer.config.layer_sizes[1:-1])]
    return [list(inputs), *hidden, list(outputs)]


def names(trainer):
    return ["inputs", *["hidden"] * (len(trainer.config.layer_sizes) - 2), "outputs"]


def page(trainer, row=0, **kwargs):
    return mathpage.training_step(trainer, row, labels(trainer, **kwargs), names(trainer))


def texts(blocks, kind):
    return [b.text for b in blocks if b.kind == kind]


def delta_lines(blocks, symbol="y"):
    return [t for t in texts(blocks, "latex") if t.startswith(f"\\delta_{{{variable(symbol)}}}")]


def trainer_for(loss="tutorial", output="sigmoid", hidden="sigmoid", bias=False, batch_size=0, learning_rate=1.0):
    output = engine.LOSSES[loss].needs_output or output  # read when called: a test may add a loss
    config = NetworkConfig(layer_sizes=(3, 4, 1), hidden_activation=hidden, output_activation=output, loss=loss,
                           bias=bias, batch_size=batch_size, learning_rate=learning_rate, seed=1)
    return Trainer(config, GATE_X, XOR_Y)


def test_tutorial_delta_is_written_with_its_own_factors():
    trainer = trainer_for("tutorial")
    trace = trace_row(trainer, GATE_X[1], XOR_Y[1])
    [line] = delta_lines(page(trainer, 1))
    assert line.startswith(f"\\delta_{{\\text{{y}}}} = (y - a) \\cdot a\\,(1 - a) = {num(trace.error[0])} \\times "
                           f"{num(trace.slopes[-1][0])} = {num(trace.deltas[-1][0])}")
    assert "l2_delta = l2_error * sigmoid_slope(l2)" in texts(page(trainer, 1), "code")


def test_mse_delta_carries_two_over_n_and_its_code_line():
    trainer = trainer_for("mse")
    blocks = page(trainer)
    [line] = delta_lines(blocks)
    assert line.startswith("\\delta_{\\text{y}} = \\tfrac{2}{N}\\,(y - a) \\cdot a\\,(1 - a) = \\tfrac{2}{4} \\times ")
    assert "loss_scale = 2 / 4  # mean squared error over n = 4 numbers: dL/da = -2 (y - a) / n\n" \
           "l2_delta = l2_error * sigmoid_slope(l2) * loss_scale" in texts(blocks, "code")
    assert any("N = 4 rows × 1 output = 4 numbers" in t for t in texts(blocks, "markdown"))
    assert any("\\tfrac{2}{N} \\sum_{r=1}^{4}" in t for t in texts(blocks, "latex"))


def test_bce_delta_has_no_slope_and_one_over_n():
    trainer = trainer_for("bce")
    trace = trace_row(trainer, GATE_X[0], XOR_Y[0])
    blocks = page(trainer)
    [line] = delta_lines(blocks)
    assert line.startswith(f"\\delta_{{\\text{{y}}}} = \\tfrac{{1}}{{N}}\\,(y - a) = \\tfrac{{1}}{{4}} \\times "
                           f"{factor(trace.error[0])} = {num(trace.deltas[-1][0])}")
    assert "l2_delta = l2_error * loss_scale" in "\n".join(texts(blocks, "code"))
    assert any("cancels" in t for t in texts(blocks, "caption"))


def test_hidden_delta_is_the_weighted_sum_times_the_slope():
    trainer = trainer_for("tutorial", hidden="tanh")
    trace = trace_row(trainer, GATE_X[2], XOR_Y[2])
    latex = texts(page(trainer, 2), "latex")
    sums = [t for t in latex if t.startswith("\\textstyle\\sum_k")]
    deltas = [t for t in latex if t.startswith("\\delta_{\\text{l1[")]
    assert len(sums) == len(deltas) == 4
    for j, (total, line) in enumerate(zip(sums, deltas)):
        assert latex.index(total) + 1 == latex.index(line)  # each neuron's sum, then its delta
        assert line.startswith(f"\\delta_{{\\text{{l1[{j}]}}}} = \\big(\\textstyle\\sum_k \\delta_k\\, w_{{jk}}\\big) "
                               "\\cdot (1 - a^2)")
        assert total.endswith(f"= {num(trace.back_errors[0][j])}") and f"= {num(trace.deltas[0][j])} \\qquad" in line


def test_wide_layers_keep_every_formula_narrow_enough_to_wrap():
    """Formulas wrap at their signs, but a matrix cannot: wide ones are cut to MAX_NEURONS columns and dots."""
    config = NetworkConfig(layer_sizes=(3, 16, 16, 1), bias=True, seed=1)
    blocks = page(Trainer(config, GATE_X, XOR_Y))
    matrices = re.findall(r"\\begin\{bmatrix\}(.*?)\\end\{bmatrix\}", "\n".join(texts(blocks, "latex")))
    assert len(matrices) == 6  # a weight change and a bias change per layer
    for body in matrices:
        assert all(row.count("&") <= mathpage.MAX_NEURONS for row in body.split("\\\\"))
    assert any("\\cdots" in body for body in matrices)
    assert not any("\\begin{gathered}" in t or "\n" in t for t in texts(blocks, "latex"))


def test_bias_changes_are_shown_where_bias_is_on():
    with_bias, without = page(trainer_for(bias=True)), page(trainer_for(bias=False))
    assert any(t.startswith("\\Delta\\text{bias1}") for t in texts(with_bias, "latex"))
    assert "syn0 += l0.T.dot(l1_delta)\nbias0 += l1_delta.sum(axis=0, keepdims=True)" in texts(with_bias, "code")
    assert not any("bias" in t for t in texts(without, "latex") + texts(without, "code"))


def assert_page_is_the_trace_and_the_sum_is_the_step(trainer, row=0):
    """The page shows the trace's numbers and says a step is their plain sum over the batch: check both."""
    blocks = page(trainer, row)
    latex = texts(blocks, "latex")
    trace = trace_row(trainer, trainer.X[row], trainer.Y[row])
    for l, change in enumerate(trace.weight_changes):
        assert f"\\Delta\\text{{syn{l}}} = \\eta\\; a^{{\\top}} \\delta = {matrix(change)}" in latex
    B = trainer.batch_rows
    assert any(t.startswith(f"\\Delta\\text{{syn}} = \\sum_{{r=1}}^{{{B}}} \\Delta\\text{{syn}}^{{(r)}}")
               for t in latex)
    rows = range(B)  # full batch here; test_explain covers batches drawn from a larger table
    summed = [sum(trace_row(trainer, trainer.X[r], trainer.Y[r]).weight_changes[l] for r in rows)
              for l in range(len(trace.weights))]
    before = trainer.weights()
    trainer.step()
    for l, (after, was) in enumerate(zip(trainer.weights(), before, strict=True)):
        np.testing.assert_allclose(summed[l], after - was, rtol=1e-9, atol=1e-13)


@pytest.mark.parametrize("loss", list(LOSSES))
def test_each_loss_page_sums_to_one_engine_step(loss):
    for activation in ACTIVATIONS:
        for bias in (False, True):
            assert_page_is_the_trace_and_the_sum_is_the_step(trainer_for(loss, activation, activation, bias,
                                                                         learning_rate=0.5))


@pytest.mark.parametrize("activation", list(ACTIVATIONS))
def test_each_activation_page_sums_to_one_engine_step(activation):
    for loss in LOSSES:
        assert_page_is_the_trace_and_the_sum_is_the_step(trainer_for(loss, activation, activation, bias=True))
        assert_page_is_the_trace_and_the_sum_is_the_step(trainer_for(loss, "sigmoid", activation))


@pytest.mark.parametrize("loss", list(LOSSES))
@pytest.mark.parametrize("batch_size", [0, 1, 3])
def test_every_code_line_on_the_page_is_a_line_of_the_exported_script(loss, batch_size):
    for activation in ACTIVATIONS:
        for bias in (False, True):
            trainer = trainer_for(loss, activation, activation, bias, batch_size, learning_rate=0.5)
            script = {line.strip() for line in export_script(trainer.config, GATE_X, XOR_Y, 5).splitlines()}
            for block in texts(page(trainer), "code"):
                for line in block.splitlines():
                    assert line in script, (line, trainer.config)


def test_a_batch_says_how_many_rows_it_adds():
    blocks = page(trainer_for("mse", batch_size=3))
    assert any("the 3 rows of its batch" in t for t in texts(blocks, "markdown"))
    assert any("N = 3 rows × 1 output = 3 numbers" in t for t in texts(blocks, "markdown"))
    assert "l2_error = y_batch - l2" in texts(blocks, "code")


def test_a_new_registry_entry_reaches_the_page(monkeypatch):
    registry_support.add_entries(monkeypatch)
    trainer = trainer_for("half-mean", "softsign", "softsign", bias=True)
    blocks = page(trainer)
    markdown = "\n".join(texts(blocks, "markdown"))
    assert registry_support.SOFTSIGN.formula in markdown and registry_support.SOFTSIGN.derivative_formula in markdown
    [line] = delta_lines(blocks)
    assert line.startswith("\\delta_{\\text{y}} = \\tfrac{1}{N}\\,(y - a) \\cdot (1 - |a|)^2 = \\tfrac{1}{4} \\times ")
    code = "\n".join(texts(blocks, "code"))
    assert "l1 = softsign(np.dot(l0, syn0) + bias0)" in code
    assert "loss_scale = 1 / 4  # half the mean squared error over n = 4 numbers" in code
    assert_page_is_the_trace_and_the_sum_is_the_step(trainer)


def test_column_names_stay_text():
    strange = ("col\\", "[x](http://e)", "$yy$")  # names no formula line contains by itself
    trainer = trainer_for()
    blocks = page(trainer, inputs=strange, outputs=("50% & _",))
    latex = "\n".join(texts(blocks, "latex"))
    for name in (*strange, "50% & _"):
        assert variable(name) in latex
    for block in blocks:
        if block.kind != "latex":
            assert not any(name in block.text for name in (*strange, "50% & _")), block


def test_numbers_are_latex_not_python():
    trainer = trainer_for("mse", "linear", "relu", bias=True)
    trainer.W[0][0] *= 1e-7  # tiny weighted sums: powers of ten and zero deltas
    for block in page(trainer):
        if block.kind == "latex":
            assert not re.search(r"\de[-+]?\d", block.text) and "-0 " not in block.text + " ", block.text


def test_worked_example_shows_the_articles_pass_and_what_it_printed():
    blocks = mathpage.worked_example(PRESETS["test-score"])
    latex = "\n".join(texts(blocks, "latex"))
    for line in ("z_{1} = \\text{studied}\\,w_{1} + \\text{slept}\\,w_{2} = {2 \\cdot 0.2} + {9 \\cdot 0.8} = 7.6",
                 "= {2 \\cdot 0.6} + {9 \\cdot 0.3} = 3.9", "= {2 \\cdot 0.1} + {9 \\cdot 0.7} = 6.5",
                 "a_{1} = S(7.6) = 0.9994997989", "o = S(1.788528703) = 0.8567467964"):
        assert line in latex
    [table] = [t for t in texts(blocks, "markdown") if t.startswith("| |")]
    assert "| output | 0.8579443067 | 0.8567467964 |" in table
    assert "| hidden sums | 7.6, 7.5, 6.5 | 7.6, 3.9, 6.5 |" in table
    assert "| hidden outputs to 4 digits | 0.9994, 1.000, 0.9984 | 0.9995, 0.9802, 0.9985 |" in table
    assert any(t.startswith("**Why they differ**") for t in texts(blocks, "markdown"))
    assert mathpage.worked_example(PRESETS["trask-3-layer"]) == () and mathpage.worked_example(None) == ()


def test_preset_pages_build_for_every_row():
    for preset in PRESETS.values():
        trainer, _ = build_trainer(preset)
        for row in range(len(trainer.X)):
            assert mathpage.training_step(trainer, row, labels(trainer, preset.inputs, preset.outputs),
                                          names(trainer))


@pytest.mark.parametrize("penalty, slope", [("l1", r"\operatorname{sign}(w)"), ("l2", "w")])
def test_a_weight_penalty_is_written_into_the_backward_pass_with_its_numbers_and_code(penalty, slope):
    config = NetworkConfig(layer_sizes=(3, 4, 1), bias=True, learning_rate=0.5, regularization=penalty,
                           regularization_rate=0.02)
    trainer = Trainer(config, GATE_X, XOR_Y)
    blocks = page(trainer, row=2)
    trace = trace_row(trainer, GATE_X[2], XOR_Y[2])
    words = " ".join(texts(blocks, "markdown"))
    assert f"-\\eta\\,\\lambda\\, {slope}" in words and "biases carry no penalty" in words
    for l in range(2):
        assert f"-\\eta\\,\\lambda\\,\\partial R / \\partial \\text{{syn{l}}} = {matrix(trace.penalty_changes[l])}" \
            in texts(blocks, "latex")
    code = "\n".join(texts(blocks, "code"))
    expected = "np.sign(syn0)" if penalty == "l1" else "syn0"
    assert f"syn0 += learning_rate * (l0.T.dot(l1_delta) - regularization_rate * {expected})" in code
    assert code.count("regularization_rate") == 2  # the weights only; the bias lines carry none
    script = export_script(config, GATE_X, XOR_Y, 10)
    assert all(line in script for line in code.splitlines() if line.startswith(("syn", "bias")))
    plain = page(Trainer(config.replace(regularization_rate=0.0), GATE_X, XOR_Y))
    assert "regularization_rate" not in "\n".join(texts(plain, "code")) and "penalty" not in " ".join(
        texts(plain, "markdown"))
