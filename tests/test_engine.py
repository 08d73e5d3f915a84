"""Saving and loading, history storage, reset and learning-rate changes."""

import ast
import json
from pathlib import Path

import numpy as np
import pytest

from engine import NetworkConfig, Trainer, fit_scaler
from engine.presets import PRESETS, build_trainer
from engine.serialize import from_json, to_json

ENGINE = Path(__file__).resolve().parents[1] / "engine"


def xor_table():
    X = np.array([[0, 0, 1], [0, 1, 1], [1, 0, 1], [1, 1, 1]], dtype=float)
    return X, np.array([[0], [1], [1], [0]], dtype=float)


def curved_trainer(**changes):
    trainer, _ = build_trainer(PRESETS["curved"])
    return Trainer(trainer.config.replace(**changes), trainer.X, trainer.Y)


def assert_same_trainer(a, b):
    assert a.config == b.config and a.steps == b.steps
    for x, y in zip(a.W + a.b, b.W + b.b):
        assert np.array_equal(x, y)
    assert np.array_equal(a.mean_abs_error, b.mean_abs_error, equal_nan=True)
    assert np.array_equal(a.loss_history, b.loss_history, equal_nan=True)
    assert np.array_equal(a.diverged_at, b.diverged_at)


# -- JSON round trips -----------------------------------------------------------------


@pytest.mark.parametrize("include_history", [False, True])
@pytest.mark.parametrize("batch_size", [0, 7, 1])
def test_round_trip_continues_bit_for_bit(include_history, batch_size):
    original = curved_trainer(batch_size=batch_size)
    original.run(333)  # mid-pass for the mini-batches: part of the shuffled order is still pending
    loaded, scaler = from_json(to_json(original, include_history=include_history))
    assert scaler is None
    for x, y in zip(original.W + original.b, loaded.W + loaded.b):
        assert np.array_equal(x, y)
    if include_history:
        assert_same_trainer(original, loaded)
    else:
        assert loaded.steps == 333 and np.isnan(loaded.mean_abs_error).all()
    original.run(500)
    loaded.run(500)
    for x, y in zip(original.W + original.b, loaded.W + loaded.b):
        assert np.array_equal(x, y)
    assert np.array_equal(original.mean_abs_error[:, 333:], loaded.mean_abs_error[:, 333:])


def test_round_trip_keeps_the_scaler():
    trainer, scaler = build_trainer(PRESETS["test-score"])
    trainer.run(50)
    loaded, loaded_scaler = from_json(to_json(trainer, scaler))
    for name in ("in_offset", "in_scale", "out_offset", "out_scale"):
        assert np.array_equal(getattr(scaler, name), getattr(loaded_scaler, name))
    assert np.array_equal(loaded_scaler.outputs_back(loaded.predict(loaded_scaler.inputs([[4, 8]]))),
                          scaler.outputs_back(trainer.predict(scaler.inputs([[4, 8]]))))


def test_round_trip_of_a_sweep_with_a_diverged_network():
    X, Y = xor_table()
    config = NetworkConfig(layer_sizes=(3, 4, 1), hidden_activation="linear", output_activation="linear")
    sweep = Trainer(config, X, 100 * Y, seeds=[1, 2, 3], learning_rates=[0.001, 10.0, 0.002])
    sweep.run(50)
    assert sweep.diverged_at[1] > 0
    text = to_json(sweep, include_history=True)
    json.loads(text, parse_constant=lambda name: pytest.fail(f"{name} written"))  # stopped history is null
    loaded, _ = from_json(text)
    assert_same_trainer(sweep, loaded)
    sweep.run(50)
    loaded.run(50)
    assert_same_trainer(sweep, loaded)  # the stopped network stays stopped, at the same step


def test_serialize_uses_only_the_json_module():
    tree = ast.parse((ENGINE / "serialize.py").read_text())
    names = {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names}
    names |= {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom) and node.level == 0}
    assert names <= {"json", "math", "numpy", "types"}  # no pickle, marshal or shelve: data only
    calls = {node.func.id for node in ast.walk(tree) if isinstance(node, ast.Call) and isinstance(node.func, ast.Name)}
    assert not calls & {"eval", "exec", "compile", "__import__"}


# -- JSON rejections ----------------------------------------------------------------


def valid_document():
    trainer, scaler = build_trainer(PRESETS["xor-bias"])
    trainer.config = trainer.config.replace(batch_size=3)
    trainer.run(10)
    return json.loads(to_json(trainer, scaler, include_history=True))


def edit(path, value):
    def change(document):
        target = document
        for key in path[:-1]:
            target = target[key]
        if value is DELETE:
            del target[path[-1]]
        else:
            target[path[-1]] = value
    return change


DELETE = object()

BROKEN = {
    "missing weights": (edit(["trainer", "weights"], DELETE), "missing weights"),
    "missing config field": (edit(["trainer", "config", "loss"], DELETE), "config is missing loss"),
    "wrong weight shape": (edit(["trainer", "weights", 0], [[[0.5, 0.5]]]), "weights of layer 1 has shape"),
    "text for a weight": (edit(["trainer", "weights", 1, 0, 0], ["0.5"]), "only numbers"),
    "true for a weight": (edit(["trainer", "weights", 1, 0, 0], [True]), "only numbers"),
    "null weight": (edit(["trainer", "weights", 1, 0, 0], [None]), "only numbers"),
    "ragged table": (edit(["trainer", "X"], [[0, 0], [1]]), "rectangular"),
    "wrong table width": (edit(["trainer", "X"], [[0, 0, 0]] * 4), "X has shape"),
    "negative steps": (edit(["trainer", "steps"], -1), "steps"),
    "fractional steps": (edit(["trainer", "steps"], 2.5), "steps"),
    "unknown activation": (edit(["trainer", "config", "hidden_activation"], "softmax"), "unknown hidden activation"),
    "unknown field": (edit(["trainer", "colour"], "red"), "unknown fields: colour"),
    "row out of range": (edit(["trainer", "pending_rows"], [[0, 9]]), "rows the table does not have"),
    "short random state": (edit(["trainer", "rng_states", 0, 1], [1, 2, 3]), "random state of network 1 keys"),
    "huge whole number": (edit(["trainer", "seeds"], [10**30]), "in range"),
    "zero scale": (edit(["scaler", "in_scale"], [0.0, 1.0]), "must not contain 0"),
    "biases against setting": (edit(["trainer", "biases"], []), "biases must be a list of 2"),
    "half a history": (edit(["trainer", "loss_history"], DELETE), "history needs both"),
    "history too short": (edit(["trainer", "mean_abs_error"], [[0.5]]), "mean_abs_error has shape"),
    "unknown penalty": (edit(["trainer", "config", "regularization"], "l3"), "unknown regularization"),
    "negative penalty rate": (edit(["trainer", "config", "regularization_rate"], -0.5), "regularization rate"),
    "penalty rate as text": (edit(["trainer", "config", "regularization_rate"], "0.1"), "wrong type"),
    "other format": (edit(["format"], "spreadsheet"), "not a saved network"),
    "newer version": (edit(["version"], 2), "version 2"),
    "trainer not an object": (edit(["trainer"], [1, 2]), "trainer must be an object"),
}


@pytest.mark.parametrize("name", BROKEN)
def test_broken_documents_are_refused_with_a_reason(name):
    change, reason = BROKEN[name]
    document = valid_document()
    change(document)
    with pytest.raises(ValueError, match=reason):
        from_json(json.dumps(document))


@pytest.mark.parametrize("literal", ["NaN", "Infinity", "-Infinity", "1e999"])
def test_non_finite_numbers_are_refused(literal):
    text = json.dumps(valid_document()).replace('"learning_rates": [1.0]', f'"learning_rates": [{literal}]')
    assert literal in text
    with pytest.raises(ValueError, match="finite"):
        from_json(text)


@pytest.mark.parametrize("text, reason", [
    ("[" * 100_000 + "]" * 100_000, "nested too deeply"),
    ('{"a":' * 40 + "1" + "}" * 40, "nested too deeply"),
    ("{not json", "not valid JSON"),
    ("", "not valid JSON"),
    ("[]", "must be an object"),
])
def test_malformed_text_is_refused(text, reason):
    with pytest.raises(ValueError, match=reason):
        from_json(text)


def test_a_file_saved_before_weight_penalties_loads_without_one():
    document = valid_document()
    for key in ("regularization", "regularization_rate"):
        del document["trainer"]["config"][key]
    trainer, _ = from_json(json.dumps(document))
    assert trainer.config.regularization == "none" and not trainer.config.penalized


def test_a_penalised_network_round_trips():
    trainer = curved_trainer(regularization="l1", regularization_rate=0.004)
    trainer.run(120)
    loaded, _ = from_json(to_json(trainer, include_history=True))
    assert_same_trainer(trainer, loaded)
    trainer.run(80)
    loaded.run(80)
    assert_same_trainer(trainer, loaded)


def test_a_valid_document_loads():
    # the rejection tests edit this document; untouched, it must load
    trainer, scaler = from_json(json.dumps(valid_document()))
    assert trainer.steps == 10 and scaler is not None


# -- history, reset, learning rate --------------------------------------------------------


def test_a_million_steps_of_history_are_two_float_arrays():
    trainer = Trainer(NetworkConfig(layer_sizes=(3, 1)), *xor_table())
    state = trainer.state_dict(include_history=False)
    state["steps"] = 1_000_000
    trainer = Trainer.from_state_dict(state)
    history = trainer.mean_abs_error
    assert isinstance(history, np.ndarray) and history.dtype == np.float64 and history.shape == (1, 1_000_000)
    assert isinstance(trainer.loss_history, np.ndarray) and trainer.loss_history.shape == (1, 1_000_000)


def test_history_grows_in_blocks_not_per_step():
    trainer = Trainer(NetworkConfig(layer_sizes=(3, 1)), *xor_table())
    buffers = set()
    for _ in range(3_000):
        trainer.step()
        buffers.add(id(trainer.mean_abs_error.base))
    assert trainer.mean_abs_error.shape == (1, 3_000)
    assert len(buffers) <= 3


def test_a_trainer_makes_its_work_buffers_on_its_first_step_not_before():
    """A Trainer that only holds networks (a seed sweep's, trained in other processes) holds no step buffers."""
    import gc
    import tracemalloc

    rng = np.random.default_rng(0)
    X, Y = rng.integers(0, 2, (500, 11)).astype(float), rng.integers(0, 2, (500, 1)).astype(float)
    config = NetworkConfig(layer_sizes=(11,) + (16,) * 6 + (1,), bias=True)
    gc.collect()
    tracemalloc.start()
    try:
        trainer = Trainer(config, X, Y, seeds=range(64))
        gc.collect()
        held = tracemalloc.get_traced_memory()[0]
    finally:
        tracemalloc.stop()
    weights = sum(W.nbytes + b.nbytes for W, b in zip(trainer.W, trainer.b))  # 0.8 MB; the buffers would be 76 MB
    assert held < 2 * weights + 1_000_000, f"{held / 1e6:.1f} MB"
    alone = Trainer(config.replace(seed=5), X, Y)
    trainer.run(3)
    alone.run(3)
    assert np.array_equal(trainer.mean_abs_error[5], alone.mean_abs_error[0])
    assert all(np.array_equal(W[5], V[0]) for W, V in zip(trainer.W + trainer.b, alone.W + alone.b))


def test_reset_returns_the_starting_weights():
    trainer = curved_trainer(batch_size=5)
    start = trainer.weights()
    trainer.run(200)
    first_run = trainer.mean_abs_error.copy()
    trainer.reset()
    assert trainer.steps == 0 and trainer.mean_abs_error.shape == (1, 0)
    for W, W0 in zip(trainer.weights(), start):
        assert np.array_equal(W, W0)
    assert all(not b.any() for b in trainer.biases())
    trainer.run(200)  # the same shuffled row order again
    assert np.array_equal(trainer.mean_abs_error, first_run)


def test_set_learning_rate_keeps_the_weights_and_history():
    X, Y = xor_table()
    config = NetworkConfig(layer_sizes=(3, 4, 1))
    trainer = Trainer(config, X, Y)
    trainer.run(100)
    before = trainer.weights()
    trainer.set_learning_rate(0.25)
    for W, W0 in zip(trainer.weights(), before):
        assert np.array_equal(W, W0)
    assert trainer.steps == 100 and trainer.config.learning_rate == 0.25
    trainer.run(100)
    # the same thing by hand: 100 steps at rate 1, then a new trainer at 0.25 from those weights
    by_hand = Trainer(config, X, Y)
    by_hand.run(100)
    state = by_hand.state_dict()
    state["config"]["learning_rate"] = 0.25
    state["learning_rates"] = [0.25]
    by_hand = Trainer.from_state_dict(state)
    by_hand.run(100)
    for W, W_hand in zip(trainer.W, by_hand.W):
        assert np.array_equal(W, W_hand)
    assert np.array_equal(trainer.mean_abs_error[:, 100:], by_hand.mean_abs_error[:, 100:])


def test_set_learning_rate_after_divergence_keeps_the_last_finite_weights():
    X, Y = xor_table()
    trainer = Trainer(NetworkConfig(layer_sizes=(3, 4, 1), hidden_activation="linear", output_activation="linear",
                                    learning_rate=10.0), X, 100 * Y)
    report = trainer.run(100)
    assert report.diverged and trainer.run(10).steps_done == 0
    kept = trainer.weights()
    trainer.set_learning_rate(1e-4)
    assert trainer.diverged_at[0] == -1  # it may try again
    for W, W0 in zip(trainer.weights(), kept):
        assert np.array_equal(W, W0) and np.isfinite(W).all()


def test_fit_scaler_scales_new_rows_with_the_training_numbers():
    X = np.array([[2.0, 9.0], [1.0, 5.0], [3.0, 6.0]])
    scaler = fit_scaler(X, [[92.0], [86.0], [89.0]], "minmax", "divide", output_divisor=100.0)
    assert np.array_equal(scaler.inputs([[2.0, 7.0]]), [[(2.0 - 1.0) / 2.0, (7.0 - 5.0) / 4.0]])
    assert np.array_equal(scaler.outputs_back(scaler.outputs([[92.0]])), [[92.0]])


def test_a_weight_typed_in_is_where_training_goes_on_from():
    trainer = curved_trainer()
    trainer.run(40)
    trainer.set_weight(0, 1, 3, 2.5)
    trainer.set_weight(1, 6, 0, -0.75)  # row 6 of a 6-neuron layer's matrix: the bias
    assert trainer.W[0][0, 1, 3] == 2.5 and trainer.b[1][0, 0, 0] == -0.75
    by_hand = curved_trainer()
    by_hand.run(40)
    by_hand.W[0][0, 1, 3], by_hand.b[1][0, 0, 0] = 2.5, -0.75
    trainer.run(60)
    by_hand.run(60)
    assert_same_trainer(trainer, by_hand)
    for bad in ((2, 0, 0, 1.0), (0, 3, 0, 1.0), (0, 0, 6, 1.0), (0, 0, 0, float("nan"))):
        with pytest.raises(ValueError):
            trainer.set_weight(*bad)
    unbiased = Trainer(NetworkConfig(layer_sizes=(3, 4, 1)), *xor_table())
    with pytest.raises(ValueError, match="no weight"):
        unbiased.set_weight(0, 3, 0, 1.0)
