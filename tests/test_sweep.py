"""Network k of a sweep against the same settings trained alone.

Which case holds: every setting below is bit-identical (np.array_equal), weights and
history alike. The stacked matmul and the solo `.dot` reduce over the same inner
dimension in the same order for every slice, so nothing is left to a tolerance.
"""

import numpy as np
import pytest

from engine import NetworkConfig, Trainer

STEPS = 400


def table(n_rows=12, n_in=3, n_out=1, seed=0):
    rng = np.random.RandomState(seed)
    X = rng.uniform(-1, 1, (n_rows, n_in))
    Y = (X.sum(axis=1, keepdims=True) > 0).astype(float) if n_out == 1 else rng.uniform(0, 1, (n_rows, n_out))
    return X, Y


def assert_same_network(sweep, k, solo):
    for stacked, alone in zip(sweep.W + sweep.b, solo.W + solo.b):
        assert np.array_equal(stacked[k], alone[0])
    assert np.array_equal(sweep.mean_abs_error[k], solo.mean_abs_error[0])
    assert np.array_equal(sweep.loss_history[k], solo.loss_history[0])


def solo_of(sweep, k, X, Y):
    config = sweep.config.replace(seed=int(sweep.seeds[k]), learning_rate=float(sweep.learning_rates[k]))
    return Trainer(config, X, Y)


SETTINGS = {
    "full batch": dict(),
    "mini-batch": dict(batch_size=5),
    "row at a time": dict(batch_size=1),
    "bias": dict(bias=True),
    "tanh": dict(hidden_activation="tanh", output_activation="tanh"),
    "relu": dict(hidden_activation="relu", output_activation="linear", learning_rate=0.05),
    "linear": dict(hidden_activation="linear", output_activation="linear", learning_rate=0.02),
    "mse": dict(loss="mse", learning_rate=2.0),
    "bce": dict(loss="bce", bias=True, batch_size=4),
    "two hidden layers": dict(layer_sizes=(3, 5, 4, 1), bias=True, init="xavier"),
    "no hidden layer": dict(layer_sizes=(3, 1)),
    "normal init": dict(init="normal"),
}


@pytest.mark.parametrize("name", SETTINGS)
def test_sweep_network_equals_its_solo_run(name):
    X, Y = table()
    config = NetworkConfig(**{"layer_sizes": (3, 4, 1), **SETTINGS[name]})
    sweep = Trainer(config, X, Y, seeds=[1, 7, 42])
    sweep.run(STEPS)
    for k in range(sweep.n_networks):
        solo = solo_of(sweep, k, X, Y)
        solo.run(STEPS)
        assert_same_network(sweep, k, solo)


def test_per_network_learning_rates():
    X, Y = table(n_rows=40, n_in=2, n_out=2)
    config = NetworkConfig(layer_sizes=(2, 16, 16, 2), bias=True, batch_size=8, hidden_activation="tanh")
    rates = [0.01, 0.1, 0.5, 1.0]
    sweep = Trainer(config, X, Y, seeds=[3, 3, 3, 3], learning_rates=rates)
    sweep.run(STEPS)
    assert not np.array_equal(sweep.W[0][0], sweep.W[0][3])  # the rates really differ
    for k, rate in enumerate(rates):
        solo = Trainer(config.replace(seed=3, learning_rate=rate), X, Y)
        solo.run(STEPS)
        assert_same_network(sweep, k, solo)


def diverging_sweep():
    X, Y = table()
    Y = 100 * Y  # linear units on large targets blow up quickly with a big step
    config = NetworkConfig(layer_sizes=(3, 4, 1), hidden_activation="linear", output_activation="linear")
    return Trainer(config, X, Y, seeds=[1, 2, 3], learning_rates=[0.001, 10.0, 0.002]), X, Y


def test_one_huge_learning_rate_stops_only_that_network():
    sweep, X, Y = diverging_sweep()
    report = sweep.run(300)
    assert report.diverged and report.steps_done == 300
    assert sweep.diverged_at[0] == -1 and sweep.diverged_at[2] == -1
    stopped = sweep.diverged_at[1]
    assert stopped > 0
    for W in sweep.W:
        assert np.isfinite(W).all()
    # the stopped network holds the weights a solo run had just before the update that overflowed
    solo = solo_of(sweep, 1, X, Y)
    solo.run(stopped - 1)
    for stacked, alone in zip(sweep.W, solo.W):
        assert np.array_equal(stacked[1], alone[0])
    assert np.isnan(sweep.mean_abs_error[1, stopped:]).all()
    assert np.isfinite(sweep.mean_abs_error[1, : stopped - 1]).all()
    for k in (0, 2):
        solo = solo_of(sweep, k, X, Y)
        solo.run(300)
        assert_same_network(sweep, k, solo)


def test_a_diverged_network_stays_frozen_while_the_others_go_on():
    sweep, X, Y = diverging_sweep()
    sweep.run(300)
    frozen = [W[1].copy() for W in sweep.W]
    stopped = sweep.diverged_at[1]
    sweep.run(100)
    assert sweep.diverged_at[1] == stopped
    for W, before in zip(sweep.W, frozen):
        assert np.array_equal(W[1], before)
    solo = solo_of(sweep, 0, X, Y)
    solo.run(400)
    assert_same_network(sweep, 0, solo)


@pytest.mark.parametrize("name", ["full batch", "mini-batch", "bias"])
def test_extract_continues_exactly_like_the_solo_run(name):
    X, Y = table()
    config = NetworkConfig(**{"layer_sizes": (3, 4, 1), **SETTINGS[name]})
    sweep = Trainer(config, X, Y, seeds=[5, 6, 7], learning_rates=[0.5, 1.0, 1.5])
    sweep.run(123)
    single = sweep.extract(1)
    single.run(200)
    solo = solo_of(sweep, 1, X, Y)
    solo.run(323)
    assert_same_network(single, 0, solo)


@pytest.mark.parametrize("name", ["full batch", "mini-batch", "row at a time"])
def test_chunked_sweep_equals_one_long_run(name):
    X, Y = table()
    config = NetworkConfig(**{"layer_sizes": (3, 4, 1), **SETTINGS[name]})
    whole = Trainer(config, X, Y, seeds=[1, 2, 3, 4])
    whole.run(500)
    pieces = Trainer(config, X, Y, seeds=[1, 2, 3, 4])
    for n in (1, 7, 250, 3, 239):
        pieces.run(n)
    assert pieces.steps == 500
    for chunked, long in zip(pieces.W + pieces.b, whole.W + whole.b):
        assert np.array_equal(chunked, long)
    assert np.array_equal(pieces.mean_abs_error, whole.mean_abs_error)
    assert np.array_equal(pieces.loss_history, whole.loss_history)
