"""Every preset against the numbers its tutorial printed, and against the tutorial's own loop.

The published errors carry all 17 significant digits. Their last one or two digits
depend on the exp and BLAS builds that produced them: the tutorial's loop, run here,
differs from the printout by the same few units in the last place as the engine does.
So the errors are checked to 14 significant digits against the printout and bit for
bit against that loop run in this process.
"""

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from engine import ACTIVATIONS
from engine.presets import PRESETS, build_trainer, preset_table

ROOT = Path(__file__).resolve().parents[1]
CHECKED_KEYS = {"errors", "outputs", "starting_weights", "trained_weights", "prediction", "example_weights",
                "example_row", "example_hidden_sums", "example_hidden_activations", "example_output_sum",
                "example_output"}
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


def test_test_score_worked_example():
    published = PRESETS["test-score"].published
    trainer, _ = build_trainer(PRESETS["test-score"])
    for W, hand in zip(trainer.W, published["example_weights"]):
        W[0] = hand
    zs, activations = trainer.forward([published["example_row"]])
    np.testing.assert_allclose(zs[0][0], published["example_hidden_sums"], rtol=1e-15)
    for neuron, printed in published["example_hidden_activations"].items():
        assert round(float(activations[1][0, neuron]), decimals(printed)) == printed
    # the tutorial carried on with activations rounded to four digits, .9994, 1.000 and .9984
    rounded_hidden = np.array([[0.9994, 1.000, 0.9984]])
    output_sum = rounded_hidden.dot(trainer.W[1][0])[0, 0]
    assert round(float(output_sum), decimals(published["example_output_sum"])) == published["example_output_sum"]
    sigmoid = ACTIVATIONS["sigmoid"]
    output = float(sigmoid(published["example_output_sum"]))
    assert round(output, decimals(published["example_output"])) == published["example_output"]


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


def test_command_line_prints_the_tutorial_errors(trained):
    done = subprocess.run([sys.executable, "-m", "engine", "trask-3-layer"], cwd=ROOT, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    printed = [float(line.split()[1]) for line in done.stdout.splitlines() if line.startswith("Error: ")]
    published = PRESETS["trask-3-layer"].published["errors"]
    assert len(printed) == len(published)
    history = trained["trask-3-layer"][0].mean_abs_error[0]
    for value, (step, number) in zip(printed, published.items()):
        assert value == history[step]  # repr of a float reads back to the same float
        assert value == pytest.approx(number, rel=PUBLISHED_ERROR_RTOL, abs=0)
    assert "Output of the last training pass" in done.stdout and "Output after training" in done.stdout


@pytest.mark.parametrize("argv", [["no-such-preset"], ["trask-2-layer", "--steps", "-1"],
                                  ["trask-2-layer", "--seed", "many"], []])
def test_command_line_refuses_bad_input_in_one_line(argv):
    done = subprocess.run([sys.executable, "-m", "engine", *argv], cwd=ROOT, capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 2
    assert done.stdout == ""
    assert len(done.stderr.strip().splitlines()) == 1 and "Traceback" not in done.stderr


def test_command_line_prediction_is_in_raw_units():
    done = subprocess.run([sys.executable, "-m", "engine", "test-score"], cwd=ROOT, capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    trainer, scaler = build_trainer(PRESETS["test-score"])
    trainer.run(PRESETS["test-score"].steps)
    expected = 100 * trainer.predict([[4 / 3, 8 / 9]])[0, 0]
    line = next(line for line in done.stdout.splitlines() if line.startswith("Prediction for [4, 8]"))
    assert float(line.split("[")[-1].rstrip("]")) == pytest.approx(expected, rel=1e-8)
