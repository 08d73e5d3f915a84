"""Every preset against the numbers its tutorial printed, and against the tutorial's own loop.

The published errors carry all 17 significant digits. Their last one or two digits
depend on the exp and BLAS builds that produced them: the tutorial's loop, run here,
differs from the printout by the same few units in the last place as the engine does.
So the errors are checked to 14 significant digits against the printout and bit for
bit against that loop run in this process.
"""

import math
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from engine import ACTIVATIONS
from engine.__main__ import SECTIONS, main
from engine.explain import worked_example
from engine.presets import PRESETS, build_trainer, preset_table

ROOT = Path(__file__).resolve().parents[1]
CHECKED_KEYS = {"errors", "outputs", "starting_weights", "trained_weights", "prediction", "example_weights",
                "example_row", "printed_hidden_sums", "printed_hidden_activations", "printed_carried_activations",
                "printed_output_sum", "printed_output"}
PUBLISHED_ERROR_RTOL = 1e-14


def decimals(number):
    """Digits after the point in the printed form of number."""
    text = repr(float(number))
    assert "e" not in text, text
    return len(text.split(".")[1]) if "." in text else 0


def assert_as_printed(actual, printed):
    """actual, rounded like each printed number, equals it."""
    actual, printed = np.asarray(actual, dtype=np.float64), np.asarray(printed, dtype=np.float64)
    assert actual.shape == printed.shape
    for got, want in zip(actual.ravel(), printed.ravel()):
        assert round(float(got), decimals(want)) == float(want), (got, want)


@pytest.fixture(scope="module")
def trained():
    """Each preset trained for its own step count, with its scaler and starting weights."""
    runs = {}
    for key, preset in PRESETS.items():
        trainer, scaler = build_trainer(preset)
        start = trainer.weights()
        trainer.run(preset.steps)
        runs[key] = (trainer, scaler, start)
    return runs


def trask_three_layer_loop(steps):
    """Trask's 3-layer loop, typed out again: (errors (steps,), syn0 (3, 4), syn1 (4, 1))."""
    X = np.array([[0, 0, 1], [0, 1, 1], [1, 0, 1], [1, 1, 1]])
    y = np.array([[0, 1, 1, 0]]).T
    np.random.seed(1)
    syn0 = 2 * np.random.random((3, 4)) - 1
    syn1 = 2 * np.random.random((4, 1)) - 1
    errors = np.empty(steps)
    for j in range(steps):
        l1 = 1 / (1 + np.exp(-(np.dot(X, syn0))))
        l2 = 1 / (1 + np.exp(-(np.dot(l1, syn1))))
        l2_error = y - l2
        errors[j] = np.mean(np.abs(l2_error))
        l2_delta = l2_error * (l2 * (1 - l2))
        l1_delta = l2_delta.dot(syn1.T) * (l1 * (1 - l1))
        syn1 += l1.T.dot(l2_delta)
        syn0 += X.T.dot(l1_delta)
    return errors, syn0, syn1


def test_every_published_key_is_checked():
    for preset in PRESETS.values():
        assert set(preset.published) <= CHECKED_KEYS, preset.key


@pytest.mark.parametrize("key", [k for k, p in PRESETS.items() if "errors" in p.published])
def test_errors_at_print_steps(trained, key):
    trainer = trained[key][0]
    for step, printed in PRESETS[key].published["errors"].items():
        assert trainer.mean_abs_error[0, step] == pytest.approx(printed, rel=PUBLISHED_ERROR_RTOL, abs=0)


@pytest.mark.parametrize("key", [k for k, p in PRESETS.items() if "outputs" in p.published])
def test_outputs(trained, key):
    preset = PRESETS[key]
    trainer, scaler, _ = trained[key]
    if preset.published_outputs_when == "last_pass":
        outputs = trainer.last_outputs[0]
    else:
        assert preset.published_outputs_when == "after_training"
        outputs = trainer.predict(trainer.X)
    assert_as_printed(scaler.outputs_back(outputs), preset.published["outputs"])


def test_last_pass_and_after_training_differ_by_one_update(trained):
    # the two kinds of printed outputs are different numbers, so the distinction matters
    trainer = trained["video-blog"][0]
    assert not np.array_equal(trainer.last_outputs[0], trainer.predict(trainer.X))


def test_single_neuron(trained):
    preset = PRESETS["single-neuron"]
    trainer, scaler, start = trained["single-neuron"]
    assert_as_printed(start[0], preset.published["starting_weights"])
    assert_as_printed(trainer.weights()[0], preset.published["trained_weights"])
    new_row = scaler.inputs(preset.new_inputs)
    np.testing.assert_array_equal(new_row, [[1, 0, 0]])
    assert_as_printed(trainer.predict(new_row), preset.published["prediction"])


def test_trask_three_layer_equals_the_tutorial_loop_bit_for_bit(trained):
    trainer = trained["trask-3-layer"][0]
    errors, syn0, syn1 = trask_three_layer_loop(PRESETS["trask-3-layer"].steps)
    syn0_engine, syn1_engine = trainer.weights()
    assert np.array_equal(syn0_engine, syn0)
    assert np.array_equal(syn1_engine, syn1)
    assert np.array_equal(trainer.mean_abs_error[0], errors)


def test_test_score_worked_example_is_the_networks_own_pass():
    preset = PRESETS["test-score"]
    example = worked_example(preset)
    trainer, _ = build_trainer(preset)
    for W, hand in zip(trainer.W, preset.published["example_weights"]):
        W[0] = hand
    zs, activations = trainer.forward([preset.published["example_row"]])
    for mine, engine in zip(example.zs + example.activations[1:], zs + activations[1:], strict=True):
        np.testing.assert_allclose(mine, engine[0], rtol=1e-15)
    np.testing.assert_array_equal(example.row, [2, 9])  # raw, as the article used it
    np.testing.assert_allclose(example.zs[0], [7.6, 3.9, 6.5], rtol=1e-15)  # 3.9 as a reader corrected the 7.5
    assert round(float(example.activations[-1][0]), 4) == 0.8567
    assert worked_example(PRESETS["trask-3-layer"]) is None


def test_test_score_worked_example_keeps_the_articles_slips_as_printed():
    example = worked_example(PRESETS["test-score"])
    printed, hidden = example.printed, example.activations[1]
    W_out = example.weights[1][:, 0]
    sigmoid = ACTIVATIONS["sigmoid"]
    assert printed["hidden_sums"] == [7.6, 7.5, 6.5] and example.zs[0][1] != 7.5
    # the first and third sigmoids are right; the second is 1 + e^-7.5, the denominator, above any sigmoid
    for neuron in (0, 2):
        assert round(float(hidden[neuron]), decimals(printed["hidden_activations"][neuron])) == \
            printed["hidden_activations"][neuron]
    assert round(1 + math.exp(-7.5), 9) == printed["hidden_activations"][1] > 1
    assert round(float(sigmoid(7.5)), 7) == 0.9994472
    # the output sum used the printed activations cut (not rounded) to four significant digits
    shift = [10 ** (3 - math.floor(math.log10(a))) for a in printed["hidden_activations"]]
    cut = [math.floor(a * k) / k for a, k in zip(printed["hidden_activations"], shift)]
    assert cut == printed["carried_activations"] == [0.9994, 1.0, 0.9984]
    assert round(float(np.dot(cut, W_out)), 5) == printed["output_sum"]
    assert round(float(sigmoid(printed["output_sum"])), 10) == printed["output"]
    assert round(float(example.activations[-1][0]), 4) != round(printed["output"], 4)
    assert 2 * 0.6 + 9 * 0.3 == pytest.approx(3.9, abs=1e-15)
    notes = " ".join(example.notes)
    for number in ("3.9", "7.5", "1.000553084", "1 + e^{-7.5}", "0.9994472", ".9994, 1.000, .9984", "1.79832",
                   "0.8579443067", "(2/3, 1)"):
        assert number in notes


def test_test_score_scales_new_rows_by_the_training_maxima():
    preset = PRESETS["test-score"]
    trainer, scaler = build_trainer(preset)
    X, Y = preset_table(preset)
    assert np.array_equal(scaler.inputs([[4, 8]]), [[4 / 3, 8 / 9]])
    assert np.array_equal(trainer.X, X / X.max(axis=0))
    assert np.array_equal(trainer.Y, Y / 100)


def test_build_trainer_seed_replaces_the_preset_seed():
    preset = PRESETS["trask-3-layer"]
    trainer, _ = build_trainer(preset, seed=7)
    rng = np.random.RandomState(7)
    assert np.array_equal(trainer.weights()[0], 2 * rng.random_sample((3, 4)) - 1)
    assert trainer.config.seed == 7


HEADINGS = {"worked_example": "The article's worked example", "starting_weights": "Starting weights:",
            "errors": "Error: ", "last_pass": "Output of the last training pass", "last_block": "The tutorial printed",
            "after_training": "Output after training:", "trained_weights": "Trained weights:",
            "predictions": "Prediction for "}


def printed_by_the_command_line(key, capsys, *args):
    assert main([key, *args]) == 0
    return capsys.readouterr().out.splitlines()


def sections_in_order(lines):
    order = []
    for line in lines:
        section = next((name for name, heading in HEADINGS.items() if line.startswith(heading)), None)
        if section and (not order or order[-1] != section):
            order.append(section)
    return order


def matrix_after(lines, heading):
    """The NumPy matrix printed on the lines after `heading`, as a list of rows."""
    start = lines.index(heading) + 1
    end = next(i for i in range(start, len(lines)) if lines[i].rstrip().endswith("]]")) + 1
    return [[float(v) for v in line.strip(" []").split()] for line in lines[start:end]]


def test_every_section_a_preset_lists_has_a_printer():
    assert set(HEADINGS) == set(SECTIONS)
    for preset in PRESETS.values():
        assert preset.printout and set(preset.printout) <= set(SECTIONS), preset.key


@pytest.mark.parametrize("key", list(PRESETS))
def test_command_line_prints_what_the_tutorial_printed_in_its_order(key, trained, capsys):
    preset = PRESETS[key]
    lines = printed_by_the_command_line(key, capsys)
    listed = [s for s in preset.printout if s != "predictions" or preset.new_inputs]
    assert sections_in_order(lines[1:]) == listed
    trainer, scaler, start = trained[key]
    published = preset.published
    if "starting_weights" in preset.printout:
        assert_as_printed(matrix_after(lines, "Starting weights:"), published["starting_weights"])
        assert_as_printed(start[0], matrix_after(lines, "Starting weights:"))
    if "trained_weights" in preset.printout:
        assert_as_printed(matrix_after(lines, "Trained weights:"), published["trained_weights"])
    if "errors" in preset.printout:
        printed = [float(line.split()[1]) for line in lines if line.startswith("Error: ")]
        every = preset.print_every or preset.steps // 5
        assert printed == trainer.mean_abs_error[0, ::every].tolist()  # repr reads back to the same float
        by_step = dict(zip(range(0, preset.steps, every), printed, strict=True))
        for step, number in published.get("errors", {}).items():
            assert by_step[step] == pytest.approx(number, rel=PUBLISHED_ERROR_RTOL, abs=0)
    if "outputs" in published:
        heading = {"last_pass": "Output of the last training pass (before its update):",
                   "after_training": "Output after training:"}[preset.published_outputs_when]
        assert_as_printed(matrix_after(lines, heading), published["outputs"])
    if "predictions" in preset.printout and "prediction" in published:
        line = next(line for line in lines if line.startswith("Prediction for "))
        assert_as_printed([[float(v) for v in line.split(": ")[1].strip("[]").split()]], published["prediction"])


def test_command_line_test_score_prints_the_worked_example_and_the_tutorials_last_block(trained, capsys):
    lines = printed_by_the_command_line("test-score", capsys)
    text = "\n".join(lines)
    assert "hidden sums     printed [7.6, 7.5, 6.5], the network gives [7.6, 3.9, 6.5]" in text
    assert "output          printed 0.8579443067, the network gives 0.8567467964" in text
    trainer = trained["test-score"][0]
    assert np.allclose(matrix_after(lines, "Input:"), trainer.X, atol=1e-8)
    assert_as_printed(matrix_after(lines, "Predicted Output:"), np.round(trainer.last_outputs[0], 8))
    loss = float(lines[lines.index("Loss:") + 1])
    assert loss == float(np.mean(np.square(trainer.Y - trainer.last_outputs[0])))


def test_command_line_runs_as_a_module():
    done = subprocess.run([sys.executable, "-m", "engine", "trask-2-layer", "--steps", "10"], cwd=ROOT,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[1] == "Output of the last training pass (before its update):"


@pytest.mark.parametrize("argv", [["no-such-preset"], ["trask-2-layer", "--steps", "-1"],
                                  ["trask-2-layer", "--seed", "many"], []])
def test_command_line_refuses_bad_input_in_one_line(argv):
    done = subprocess.run([sys.executable, "-m", "engine", *argv], cwd=ROOT, capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 2
    assert done.stdout == ""
    assert len(done.stderr.strip().splitlines()) == 1 and "Traceback" not in done.stderr


def test_command_line_prediction_is_in_raw_units(trained, capsys):
    lines = printed_by_the_command_line("test-score", capsys)
    expected = 100 * trained["test-score"][0].predict([[4 / 3, 8 / 9]])[0, 0]
    line = next(line for line in lines if line.startswith("Prediction for [4, 8]"))
    assert float(line.split("[")[-1].rstrip("]")) == pytest.approx(expected, rel=1e-8)
