"""engine.explain: one row's trace is the engine's own pass, and its per-row changes add up to one engine step."""

import numpy as np
import pytest

import engine
from engine import ACTIVATIONS, LOSSES, NetworkConfig, Trainer
from engine.explain import trace_row
from tests import registry_support

X = np.array([[0, 0, 1], [0, 1, 1], [1, 0, 1], [1, 1, 1], [0.5, 0.25, 1]], dtype=float)
Y = np.array([[0, 1], [1, 0], [1, 1], [0, 0], [1, 0]], dtype=float)
RTOL, ATOL = 1e-9, 1e-13  # the trace works a row at a time, the engine a whole batch: the order of sums differs


def configs(hidden, output, loss):
    """Two hidden layers, two outputs, a learning rate that is not 1; with and without bias."""
    output = engine.LOSSES[loss].needs_output or output  # read when called: a test may add a loss
    return [NetworkConfig(layer_sizes=(3, 4, 3, 2), hidden_activation=hidden, output_activation=output, loss=loss,
                          bias=bias, learning_rate=0.5, seed=3) for bias in (False, True)]


def assert_rows_add_up_to_one_step(config, X, Y, rows=None):
    """Per-row changes of `rows` (default: all), summed, equal one engine step on the table X[rows], Y[rows]."""
    rows = list(range(len(X))) if rows is None else rows
    traced = Trainer(config, X, Y)
    traces = [trace_row(traced, X[r], Y[r]) for r in rows]
    stepped = Trainer(config.replace(batch_size=0), X[rows], Y[rows])
    before_W, before_b = stepped.weights(), stepped.biases()
    stepped.step()
    for l, (after, before) in enumerate(zip(stepped.weights(), before_W, strict=True)):
        penalty = traces[0].penalty_changes[l] if config.penalized else 0.0  # once per step, not per row
        np.testing.assert_allclose(sum(t.weight_changes[l] for t in traces) + penalty, after - before, rtol=RTOL,
                                   atol=ATOL)
    for l, (after, before) in enumerate(zip(stepped.biases(), before_b, strict=True)):
        np.testing.assert_allclose(sum(t.bias_changes[l] for t in traces), after - before, rtol=RTOL, atol=ATOL)
    assert all(t.bias_changes == [] for t in traces) or config.bias
    return traces


@pytest.mark.parametrize("loss", list(LOSSES))
def test_each_loss_rows_add_up_to_one_step(loss):
    for activation in ACTIVATIONS:
        for config in configs(activation, activation, loss):
            traces = assert_rows_add_up_to_one_step(config, X, Y)
            assert {t.n_items for t in traces} == {len(X) * Y.shape[1]}
            assert {t.scale for t in traces} == {LOSSES[loss].scale(len(X) * Y.shape[1])}


@pytest.mark.parametrize("activation", list(ACTIVATIONS))
def test_each_activation_rows_add_up_to_one_step(activation):
    for loss in LOSSES:
        for config in configs(activation, activation, loss) + configs("sigmoid", activation, loss):
            assert_rows_add_up_to_one_step(config, X, Y)


@pytest.mark.parametrize("loss", list(LOSSES))
def test_a_batch_of_rows_adds_up_to_the_step_on_those_rows(loss):
    # each row's delta carries the factor for its batch (N = 2 rows * 2 outputs), not for the whole table
    for config in configs("tanh", "sigmoid", loss):
        traces = assert_rows_add_up_to_one_step(config.replace(batch_size=2), X, Y, rows=[1, 3])
        assert {t.batch_rows for t in traces} == {2} and {t.n_items for t in traces} == {4}


@pytest.mark.parametrize("penalty", ["l1", "l2"])
def test_a_weight_penalty_is_added_once_per_step(penalty):
    for loss in LOSSES:
        for config in configs("tanh", "sigmoid", loss):
            config = config.replace(regularization=penalty, regularization_rate=0.05)
            traces = assert_rows_add_up_to_one_step(config, X, Y)
            assert [W.shape for W in traces[0].penalty_changes] == [(3, 4), (4, 3), (3, 2)]
    traces = assert_rows_add_up_to_one_step(configs("tanh", "sigmoid", "mse")[0], X, Y)
    assert traces[0].penalty_changes == ()


def test_a_new_registry_entry_adds_up_too(monkeypatch):
    registry_support.add_entries(monkeypatch)
    for config in configs("softsign", "softsign", "half-mean"):
        traces = assert_rows_add_up_to_one_step(config, X, Y)
        assert traces[0].scale == 1 / 10


def test_trace_is_the_engines_forward_pass():
    config = NetworkConfig(layer_sizes=(3, 5, 2), hidden_activation="tanh", bias=True, seed=4)
    trainer = Trainer(config, X, Y)
    trainer.run(7)
    zs, activations = trainer.forward(X[2:3])
    trace = trace_row(trainer, X[2], Y[2])
    for mine, theirs in zip(trace.zs + trace.activations, zs + activations, strict=True):
        np.testing.assert_allclose(mine, theirs[0], rtol=1e-15, atol=1e-15)
    np.testing.assert_array_equal(trace.error, Y[2] - trace.activations[-1])
    assert trace.back_errors[-1] is None and trace.learning_rate == 1.0
    assert [W.shape for W in trace.weight_changes] == [(3, 5), (5, 2)]
    assert [b.shape for b in trace.bias_changes] == [(5,), (2,)]
