"""The exported script, run as its own Python process, prints the engine's numbers digit for digit."""

import ast
import contextlib
import io
import pathlib
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from engine import ACTIVATIONS, INITIALIZERS, LOSSES, NetworkConfig, Trainer
from engine.datasets import make_dataset
from engine.export import export_script, forward_code
from engine.features import FEATURES, add_features
from engine.presets import PRESETS, preset_table
from engine.regularizers import REGULARIZERS
from engine.tables import prepare_table
from tests import registry_support

ROOT = pathlib.Path(__file__).resolve().parents[1]

GATE_X = np.array([[0, 0, 1], [0, 1, 1], [1, 0, 1], [1, 1, 1]], dtype=float)
XOR_Y = np.array([[0], [1], [1], [0]], dtype=float)
CURVED_X, CURVED_Y = preset_table(PRESETS["curved"])
SCORES_X = np.array([[2, 9], [1, 5], [3, 6]], dtype=float)
SCORES_Y = np.array([[92], [86], [89]], dtype=float)
SPIRAL, CIRCLE = ("spiral", 120, 0.2, 7), ("circle", 80, 0.05, 2)
SPIRAL_X, SPIRAL_Y = make_dataset(*SPIRAL)
CIRCLE_X, CIRCLE_Y = make_dataset(*CIRCLE)


def preset_case(preset):
    X, Y = preset_table(preset)
    return dict(config=preset.config, X_raw=X, Y_raw=Y, steps=preset.steps, input_scaling=preset.input_scaling,
                output_scaling=preset.output_scaling, input_divisor=preset.input_divisor,
                output_divisor=preset.output_divisor, column_names=preset.columns, input_names=preset.inputs,
                output_names=preset.outputs, print_every=preset.print_every, new_inputs=preset.new_inputs)


def case(steps=300, X=GATE_X, Y=XOR_Y, print_every=50, **kwargs):
    settings_keys = {"input_scaling", "output_scaling", "input_divisor", "output_divisor", "new_inputs",
                     "learning_rate_changes", "features", "test_share", "split_seed", "dataset", "weight_edits"}
    config = NetworkConfig(**{k: v for k, v in kwargs.items() if k not in settings_keys})
    return dict(config=config, X_raw=X, Y_raw=Y, steps=steps, print_every=print_every,
                **{k: v for k, v in kwargs.items() if k in settings_keys})


CASES = {f"preset-{key}": preset_case(preset) for key, preset in PRESETS.items()}
CASES.update({
    "two-hidden-layers": case(layer_sizes=(3, 5, 4, 1)),
    "three-hidden-layers-bias": case(layer_sizes=(3, 4, 3, 2, 1), bias=True),
    "bias": case(layer_sizes=(3, 4, 1), bias=True),
    "tanh-linear": case(layer_sizes=(2, 3, 1), hidden_activation="tanh", output_activation="linear", bias=True,
                        learning_rate=0.05, X=SCORES_X, Y=SCORES_Y, input_scaling="max", output_scaling="divide",
                        output_divisor=100.0, new_inputs=((4, 8), (0, 0))),
    "relu": case(layer_sizes=(3, 6, 1), hidden_activation="relu", bias=True, learning_rate=0.5),
    "mini-batch-3": case(layer_sizes=(2, 6, 1), hidden_activation="tanh", bias=True, batch_size=3,
                         X=CURVED_X, Y=CURVED_Y),
    "row-at-a-time": case(layer_sizes=(3, 4, 1), batch_size=1),
    "mse": case(layer_sizes=(3, 4, 1), loss="mse", batch_size=3),
    "bce": case(layer_sizes=(2, 5, 1), loss="bce", bias=True, X=CURVED_X, Y=CURVED_Y),
    "xavier": case(layer_sizes=(3, 4, 1), init="xavier", seed=7),
    "normal": case(layer_sizes=(3, 4, 1), init="normal", seed=3),
    "learning-rate-0.5": case(layer_sizes=(3, 4, 1), learning_rate=0.5),
    "learning-rate-changes": case(layer_sizes=(3, 4, 1), learning_rate=0.5,
                                  learning_rate_changes=((100, 2.0), (200, 1.0), (250, 0.25))),
    "learning-rate-change-once": case(layer_sizes=(3, 4, 1), bias=True, learning_rate_changes=((150, 0.3),)),
    "learning-rate-change-at-start": case(layer_sizes=(3, 4, 1), learning_rate=3.0,
                                          learning_rate_changes=((0, 0.7), (120, 1.5), (999, 9.0))),
    "minmax-inputs": case(layer_sizes=(3, 4, 1), input_scaling="minmax", new_inputs=((0.5, 2, 1),)),
    "minmax-both": case(layer_sizes=(2, 4, 1), hidden_activation="tanh", output_activation="linear",
                        learning_rate=0.1, X=SCORES_X, Y=SCORES_Y, input_scaling="minmax", output_scaling="minmax",
                        new_inputs=((4, 8),)),
    "max-with-zero-column": case(layer_sizes=(3, 3, 1), X=GATE_X * [0, 2, -3], input_scaling="max",
                                 new_inputs=((1, 1, 1),)),
    "l2-penalty": case(layer_sizes=(2, 6, 1), hidden_activation="tanh", bias=True, learning_rate=0.5,
                       regularization="l2", regularization_rate=0.01, X=CURVED_X, Y=CURVED_Y),
    "l1-penalty-mini-batch": case(layer_sizes=(2, 8, 1), hidden_activation="tanh", bias=True, batch_size=7,
                                  loss="bce", regularization="l1", regularization_rate=0.002, X=CURVED_X, Y=CURVED_Y),
    "l2-penalty-rate-1-changes": case(layer_sizes=(3, 5, 4, 1), regularization="l2", regularization_rate=0.001,
                                      learning_rate_changes=((100, 0.5),)),
    "spiral-generated-split-penalty": case(
        layer_sizes=(2, 8, 8, 1), hidden_activation="tanh", bias=True, loss="bce", learning_rate=0.5, seed=4,
        regularization="l2", regularization_rate=0.001, dataset=SPIRAL, X=SPIRAL_X, Y=SPIRAL_Y, test_share=0.3,
        split_seed=3, print_every=75),
    "circle-features": case(layer_sizes=(4, 1), bias=True, loss="bce", dataset=CIRCLE, X=CIRCLE_X, Y=CIRCLE_Y,
                            features=("x1_squared", "x2_squared")),
    "every-feature-split-scaled-mini-batch": case(
        layer_sizes=(7, 3, 1), hidden_activation="tanh", learning_rate=0.1, batch_size=2, X=SCORES_X, Y=SCORES_Y,
        input_scaling="max", output_scaling="divide", output_divisor=100.0, test_share=0.34, split_seed=1,
        features=("sin_x2", "x1_squared", "x2_squared", "x1_x2", "sin_x1"), new_inputs=((4, 8), (0.5, 3))),
    "minmax-split": case(layer_sizes=(2, 5, 1), hidden_activation="tanh", output_activation="linear",
                         learning_rate=0.05, X=CURVED_X, Y=CURVED_Y, input_scaling="minmax", output_scaling="minmax",
                         test_share=0.25, split_seed=9, new_inputs=((0.3, -0.2),)),
    "weight-edits": case(layer_sizes=(3, 4, 1), bias=True,
                         weight_edits=((120, 0, 1, 2, 0.5), (120, 1, 4, 0, -2.0), (300, 0, 0, 0, 1.25))),
    "weight-edits-many-steps": case(layer_sizes=(3, 4, 1), learning_rate=0.5, batch_size=2,
                                    weight_edits=((0, 1, 3, 0, 3.0), (50, 0, 2, 1, -0.125), (51, 0, 2, 1, 0.0),
                                                  (200, 1, 0, 0, 1e-3)), learning_rate_changes=((100, 0.25),)),
    "two-outputs": case(layer_sizes=(3, 4, 2), Y=np.hstack([XOR_Y, 1 - GATE_X[:, :1]]), batch_size=2, bias=True),
})


def train_on_schedule(trainer, steps, learning_rate_changes, weight_edits=()):
    """Run `trainer` to `steps`, changing the learning rate at (step, rate) and typing in weight edits at (step,
    layer, row, column, value) like the script; False if it diverged."""
    events = [(step, 0, (rate,)) for step, rate in learning_rate_changes if step < steps]
    events += [(edit[0], 1, edit[1:]) for edit in weight_edits if edit[0] <= steps]
    for step, kind, change in sorted(events, key=lambda event: event[0]):
        if trainer.run(step - trainer.steps).diverged:
            return False
        if kind == 0:
            trainer.set_learning_rate(*change)
        else:
            trainer.set_weight(*change)
    return not trainer.run(steps - trainer.steps).diverged


def engine_numbers(config, X_raw, Y_raw, steps, input_scaling="none", output_scaling="none", input_divisor=1.0,
                   output_divisor=1.0, print_every=0, new_inputs=(), learning_rate_changes=(), features=(),
                   test_share=0.0, split_seed=0, weight_edits=(), dataset=None, **names):
    """(printed errors, outputs in raw units, predictions for new_inputs, printed test errors) from the Trainer."""
    table = prepare_table(X_raw, Y_raw, features, test_share, split_seed, input_scaling, output_scaling,
                          input_divisor, output_divisor)
    scaler = table.scaler
    trainer = Trainer(config, table.X, table.Y, X_test=table.X_test, Y_test=table.Y_test)
    assert train_on_schedule(trainer, steps, learning_rate_changes, weight_edits), \
        "choose settings that train without overflow"
    errors = [repr(float(e)) for e in trainer.mean_abs_error[0, ::print_every]] if print_every else []
    outputs = scaler.outputs_back(trainer.predict(table.X)).tolist()
    predictions = []
    if len(new_inputs):
        new_X = np.ascontiguousarray(scaler.inputs(add_features(np.asarray(new_inputs, float), features)))
        predictions = scaler.outputs_back(trainer.predict(new_X)).tolist()
    test_errors = []
    if trainer.has_test:
        test_errors = [repr(float(e)) for e in trainer.test_mean_abs_error[0, ::print_every]] if print_every else []
        test_errors.append(repr(float(np.mean(np.abs(table.Y_test - trainer.predict(table.X_test))))))
    return errors, outputs, predictions, test_errors


def parse_printout(text):
    """(error strings, output rows, prediction rows, test error strings) from what a script printed."""
    errors, outputs, predictions, test_errors, reading_outputs = [], [], [], [], False
    for line in text.splitlines():
        if line.startswith("Error: "):
            errors.append(line.removeprefix("Error: "))
        elif line.startswith("Test error: "):
            reading_outputs = False
            test_errors.append(line.removeprefix("Test error: "))
        elif line == "Output after training:":
            reading_outputs = True
        elif line.startswith("Prediction for "):
            reading_outputs = False
            predictions.append(ast.literal_eval(line.split("->")[1].strip()))
        elif reading_outputs:
            outputs.append(ast.literal_eval(line))
        else:
            raise AssertionError(f"unexpected line {line!r}")
    return errors, outputs, predictions, test_errors


def run_script(source, directory, name):
    path = pathlib.Path(directory) / f"{name}.py"
    path.write_text(source)
    done = subprocess.run([sys.executable, path.name], cwd=directory, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return done.stdout


@pytest.fixture(scope="module")
def printouts():
    """Every case's script run in its own process (two at a time), keyed like CASES."""
    with tempfile.TemporaryDirectory() as directory, ThreadPoolExecutor(max_workers=2) as pool:
        futures = {name: pool.submit(run_script, export_script(**kwargs), directory, name.replace("-", "_"))
                   for name, kwargs in CASES.items()}
        return {name: future.result() for name, future in futures.items()}


@pytest.mark.parametrize("name", list(CASES))
def test_script_prints_the_engines_numbers_exactly(name, printouts):
    kwargs = CASES[name]
    errors, outputs, predictions, test_errors = parse_printout(printouts[name])
    expected_errors, expected_outputs, expected_predictions, expected_test_errors = engine_numbers(**kwargs)
    assert errors == expected_errors
    assert outputs == expected_outputs
    assert predictions == expected_predictions
    assert test_errors == expected_test_errors
    held_out = round(kwargs.get("test_share", 0.0) * len(kwargs["X_raw"]))
    assert len(outputs) == len(kwargs["X_raw"]) - held_out
    assert len(test_errors) == (len(errors) + 1 if held_out else 0)
    assert len(predictions) == len(kwargs.get("new_inputs", ()))


def test_trask_printout_has_the_tutorial_shape(printouts):
    lines = printouts["preset-trask-3-layer"].splitlines()
    assert [line.split()[0] for line in lines[:6]] == ["Error:"] * 6
    assert lines[6] == "Output after training:"
    assert len(lines) == 11
    published = PRESETS["video-blog"].published["outputs"]
    outputs = [ast.literal_eval(line) for line in lines[7:]]
    assert np.allclose(outputs, published, atol=1e-8)


def test_single_neuron_prediction_matches_the_tutorial(printouts):
    _, _, predictions, _ = parse_printout(printouts["preset-single-neuron"])
    assert np.allclose(predictions, PRESETS["single-neuron"].published["prediction"], atol=1e-8)


def loop_body(source):
    lines = source.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("for ") and " in range(" in line)
    body = []
    for line in lines[start + 1:]:
        if not line.startswith("    "):
            break
        body.append(line)
    return body


def test_tutorial_network_loop_is_short_and_in_the_tutorials_words():
    source = export_script(**preset_case(PRESETS["trask-3-layer"]))
    body = loop_body(source)
    assert len(body) <= 15
    assert "    l1 = sigmoid(np.dot(l0, syn0))" in body
    assert "    l1_error = l2_delta.dot(syn1.T)" in body
    assert "    syn1 += l1.T.dot(l2_delta)" in body
    for unused in ("learning_rate", "bias", "batch", "loss_scale", "rng.permutation"):
        assert unused not in source
    assert "np.seterr(over=\"ignore\")" in source
    assert 'rng = np.random.RandomState(1)' in source


def test_optional_lines_appear_when_used():
    source = export_script(**CASES["mini-batch-3"])
    assert "learning_rate" not in source
    assert "    bias0 += l1_delta.sum(axis=0, keepdims=True)" in loop_body(source)
    assert "batch_size = 3" in source
    source = export_script(**CASES["learning-rate-0.5"])
    assert "learning_rate = 0.5" in source
    assert "    syn0 += learning_rate * l0.T.dot(l1_delta)" in loop_body(source)
    source = export_script(**CASES["l1-penalty-mini-batch"])
    assert "regularization_rate = 0.002  # L1 (sum of |w|) penalty on the weights; biases carry none" in source
    assert "    syn0 += l0.T.dot(l1_delta) - regularization_rate * np.sign(syn0)" in loop_body(source)
    assert "    bias0 += l1_delta.sum(axis=0, keepdims=True)" in loop_body(source)
    source = export_script(**CASES["l2-penalty-rate-1-changes"])
    assert "    syn2 += learning_rate * (l2.T.dot(l3_delta) - regularization_rate * syn2)" in loop_body(source)
    source = export_script(**CASES["tanh-linear"])
    assert "sigmoid" not in source and "seterr" not in source
    assert "X = X_raw / X_max" in source and "y = y_raw / 100" in source


def test_scripts_need_only_numpy():
    for name, kwargs in CASES.items():
        source = export_script(**kwargs)
        imports = [line for line in source.splitlines() if line.lstrip().startswith(("import ", "from "))]
        assert imports == ["import numpy as np"], name
        assert "engine" not in source


def test_generated_scripts_pass_ruff():
    with tempfile.TemporaryDirectory() as directory:
        for name, kwargs in CASES.items():
            (pathlib.Path(directory) / f"{name.replace('-', '_')}.py").write_text(export_script(**kwargs))
        done = subprocess.run([sys.executable, "-m", "ruff", "check", "--no-cache", "--config",
                               str(ROOT / "pyproject.toml"), directory], capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr


def test_long_rows_are_wrapped_and_still_exact():
    wide = np.arange(40, dtype=float).reshape(1, 40) / 7.0
    kwargs = case(steps=3, X=np.vstack([wide, -wide]), Y=XOR_Y[:2], print_every=1, layer_sizes=(40, 1))
    source = export_script(**kwargs)
    assert max(len(line) for line in source.splitlines()) <= 120
    assert parse_printout(exec_script(source))[:2] == engine_numbers(**kwargs)[:2]


@pytest.mark.parametrize("bad", [
    dict(config=NetworkConfig(layer_sizes=(3, 1), loss="bce", output_activation="tanh")),
    dict(X_raw=GATE_X[:, :2]),
    dict(Y_raw=XOR_Y[:3]),
    dict(X_raw=GATE_X * np.nan),
    dict(steps=-1),
    dict(input_scaling="log"),
    dict(output_scaling="divide", output_divisor=0.0),
    dict(learning_rate_changes=((10, -1.0),)),
    dict(new_inputs=((1, 2),)),
    dict(dataset=("xor", 4, 0.0, 1)),
    dict(features=("x1_squared",)),
    dict(config=NetworkConfig(layer_sizes=(2, 1)), X_raw=GATE_X[:, :1], features=("sin_x2",)),
    dict(config=NetworkConfig(layer_sizes=(4, 1)), features=("cos_x1",)),
    dict(test_share=1.0),
    dict(weight_edits=((5, 1, 0, 0, 1.0),)),
    dict(weight_edits=((5, 0, 4, 0, 1.0),)),
    dict(weight_edits=((5, 0, 3, 0, 1.0),)),  # the bias row of a network without biases
    dict(weight_edits=((-1, 0, 0, 0, 1.0),)),
    dict(weight_edits=((5, 0, 0, 0, float("inf")),)),
])
def test_bad_settings_are_refused(bad):
    kwargs = {**case(layer_sizes=(3, 1)), **bad}
    with pytest.raises(ValueError):
        export_script(**kwargs)


def exec_script(source):
    """What the script prints, run in this process (numpy's error settings restored afterwards)."""
    printed = io.StringIO()
    with np.errstate(all="ignore"), contextlib.redirect_stdout(printed):
        exec(compile(source, "<exported>", "exec"), {"__name__": "__main__"})
    return printed.getvalue()


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    hidden=st.lists(st.integers(1, 4), max_size=2),
    hidden_activation=st.sampled_from(sorted(ACTIVATIONS)),
    output_activation=st.sampled_from(sorted(ACTIVATIONS)),
    loss=st.sampled_from(sorted(LOSSES)),
    init=st.sampled_from(sorted(INITIALIZERS)),
    bias=st.booleans(),
    batch_size=st.integers(0, 5),
    learning_rate=st.sampled_from([1.0, 0.5, 0.1]),
    seed=st.integers(0, 2**32 - 1),
    change=st.tuples(st.integers(0, 30), st.sampled_from([0.2, 1.0, 0.05])),
    penalty=st.tuples(st.sampled_from(sorted(REGULARIZERS)), st.sampled_from([0.0, 0.001, 0.1])),
    features=st.sets(st.sampled_from(sorted(FEATURES))),
    split=st.tuples(st.sampled_from([0.0, 0.2, 0.5]), st.integers(0, 2**32 - 1)),
    edit=st.tuples(st.integers(0, 30), st.integers(0, 1), st.floats(-3, 3)),
)
def test_any_setting_matches_the_engine(hidden, hidden_activation, output_activation, loss, init, bias, batch_size,
                                        learning_rate, seed, change, penalty, features, split, edit):
    output_activation = LOSSES[loss].needs_output or output_activation
    sizes = (2 + len(features), *hidden, 1)
    config = NetworkConfig(layer_sizes=sizes, hidden_activation=hidden_activation,
                           output_activation=output_activation, loss=loss, init=init, bias=bias,
                           batch_size=batch_size, learning_rate=learning_rate, seed=seed, regularization=penalty[0],
                           regularization_rate=penalty[1])
    weight_edit = (edit[0], edit[1] * (len(sizes) - 2), 0, 0, edit[2])  # the first weight of the first or last layer
    kwargs = dict(config=config, X_raw=CURVED_X[:10], Y_raw=CURVED_Y[:10], steps=30, print_every=1,
                  learning_rate_changes=(change,), new_inputs=((0.3, -0.2),), features=features, test_share=split[0],
                  split_seed=split[1], weight_edits=(weight_edit,))
    with np.errstate(all="ignore"):
        table = prepare_table(CURVED_X[:10], CURVED_Y[:10], features, *split)
        trainer = Trainer(config, table.X, table.Y)
        # The same schedule as the script: a learning-rate change can make a net diverge.
        assume(train_on_schedule(trainer, 30, (change,), (weight_edit,)))
        new_X = add_features(np.array([(0.3, -0.2)]), features)
        assume(np.isfinite(trainer.predict(np.vstack([table.X, new_X] + ([table.X_test] if split[0] else [])))).all())
    assert parse_printout(exec_script(export_script(**kwargs))) == engine_numbers(**kwargs)


@pytest.mark.parametrize("name", list(ACTIVATIONS))
def test_each_activation_carries_code_that_computes_what_the_engine_computes(name):
    activation = ACTIVATIONS[name]
    namespace = {"np": np}
    with np.errstate(all="ignore"):
        exec("\n".join(("import numpy as np", *activation.code_preamble, *activation.code_definitions)), namespace)
        z = np.array([[-800.0, -3.5, -0.25, 0.0, 1e-9, 0.7, 4.0, 800.0]])
        a = eval(activation.code_forward.format(z="z"), namespace, {"z": z})
        assert np.array_equal(a, activation.forward(z.copy()))
        slope = eval(activation.code_slope.format(a="a"), namespace, {"a": a}) if activation.code_slope else \
            np.ones_like(a)
        assert np.array_equal(slope, activation.derivative_from_output(a.copy()))


@pytest.mark.parametrize("name", list(LOSSES))
def test_each_loss_carries_the_scale_the_script_writes(name):
    loss = LOSSES[name]
    for n_items in (1, 2, 3, 4, 40):
        assert eval(loss.scale_code(n_items)) == loss.scale(n_items)


def test_a_new_registry_entry_reaches_the_script(monkeypatch):
    registry_support.add_entries(monkeypatch)
    kwargs = case(steps=60, print_every=10, layer_sizes=(3, 4, 1), hidden_activation="softsign",
                  output_activation="softsign", loss="half-mean", bias=True, learning_rate=0.5)
    source = export_script(**kwargs)
    assert "def softsign(z):" in source and "def softsign_slope(a):" in source
    assert "loss_scale = 1 / 4  # half the mean squared error over n = 4 numbers" in source
    assert "    l2_delta = l2_error * softsign_slope(l2) * loss_scale" in loop_body(source)
    assert parse_printout(exec_script(source)) == engine_numbers(**kwargs)
    assert forward_code(kwargs["config"], "x") == \
        "softsign(np.dot(softsign(np.dot(x, syn0) + bias0), syn1) + bias1)"
