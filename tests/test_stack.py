"""Networks moved into a stack for a slice and back give the bits of their own uninterrupted runs."""

import pickle

import numpy as np
import pytest

from engine import NetworkConfig, Trainer
from engine.stack import absorb, run_slice, take_states
from tests.test_sweep import SETTINGS, table


def same_network(a, b):
    """Weights, biases, history, step count and divergence of two one-network trainers are bit-identical."""
    return (all(np.array_equal(x, y) for x, y in zip(a.W + a.b, b.W + b.b, strict=True))
            and np.array_equal(a.mean_abs_error, b.mean_abs_error) and np.array_equal(a.loss_history, b.loss_history)
            and a.steps == b.steps and a.diverged_at[0] == b.diverged_at[0])


def in_slices(trainers, config, X, Y, slices):
    """Train the one-network trainers together, slice by slice, through pickled states (as across processes)."""
    for n_steps in slices:
        states = pickle.loads(pickle.dumps([take_states(t)[0] for t in trainers]))
        results = pickle.loads(pickle.dumps(run_slice(config, X, Y, states, n_steps)))
        for trainer, result in zip(trainers, results, strict=True):
            absorb(trainer, [result])


@pytest.mark.parametrize("name", SETTINGS)
def test_learners_trained_together_match_their_own_runs(name):
    X, Y = table()
    config = NetworkConfig(**{"layer_sizes": (3, 4, 1), **SETTINGS[name]})
    rates = (config.learning_rate, config.learning_rate * 0.5, config.learning_rate)
    learners = [Trainer(config.replace(seed=seed, learning_rate=rate), X, Y) for seed, rate in zip((1, 7, 42), rates)]
    learners[2].run(13)  # one learner is ahead, in the middle of a shuffled pass
    in_slices(learners, config, X, Y, [50, 1, 149, 200])
    for seed, rate, learner in zip((1, 7, 42), rates, learners):
        alone = Trainer(config.replace(seed=seed, learning_rate=rate), X, Y)
        alone.run(learner.steps)
        assert same_network(learner, alone)


def test_a_learner_that_diverges_in_a_stack_stops_where_it_would_alone():
    X, Y = table()
    config = NetworkConfig(layer_sizes=(3, 4, 1), hidden_activation="relu", output_activation="linear")
    rates = (0.05, 500.0, 0.05)
    learners = [Trainer(config.replace(seed=s, learning_rate=r), X, Y) for s, r in zip((1, 2, 3), rates)]
    in_slices(learners, config, X, Y, [300])
    for seed, rate, learner in zip((1, 2, 3), rates, learners):
        alone = Trainer(config.replace(seed=seed, learning_rate=rate), X, Y)
        alone.run(300)
        assert same_network(learner, alone)
    assert learners[1].diverged_at[0] > 0 and learners[1].steps < 300 and learners[0].steps == 300


def test_a_sweep_trained_in_slices_matches_its_own_run():
    X, Y = table()
    config = NetworkConfig(layer_sizes=(3, 4, 1), hidden_activation="relu", output_activation="linear",
                           batch_size=5)
    rates = [0.05, 300.0, 0.02, 0.05]
    whole = Trainer(config, X, Y, seeds=[1, 2, 3, 4], learning_rates=rates)
    whole.run(400)
    sliced = Trainer(config, X, Y, seeds=[1, 2, 3, 4], learning_rates=rates)
    for n_steps in (120, 3, 277):
        absorb(sliced, run_slice(config, X, Y, take_states(sliced), n_steps, alone_on_divergence=False))
    assert (whole.diverged_at >= 0).any()
    assert np.array_equal(sliced.diverged_at, whole.diverged_at)
    for a, b in zip(sliced.W + sliced.b, whole.W + whole.b, strict=True):
        assert np.array_equal(a, b)
    assert np.array_equal(sliced.mean_abs_error, whole.mean_abs_error, equal_nan=True)


def test_snapshots_hold_the_network_after_their_step():
    X, Y = table()
    config = NetworkConfig(layer_sizes=(3, 4, 1), bias=True)
    learner = Trainer(config, X, Y)
    [result] = run_slice(config, X, Y, take_states(learner), 100, snapshot_every=30)
    assert [s.steps for s in result.snapshots] == [30, 60, 90, 100]
    alone = Trainer(config, X, Y)
    alone.run(60)
    snap = result.snapshots[1]
    assert all(np.array_equal(a, b[0]) for a, b in zip(snap.W + snap.b, alone.W + [b[:, 0] for b in alone.b],
                                                       strict=True))


def test_a_kept_stack_trains_as_a_new_one():
    """The second slice from the same states runs in the first slice's Trainer, made ready again."""
    from engine import stack

    X, Y = table()
    config = NetworkConfig(layer_sizes=(3, 4, 1), bias=True, batch_size=3)
    trainers = [Trainer(config.replace(seed=seed), X[:6], Y[:6], X_test=X[6:], Y_test=Y[6:]) for seed in (5, 6)]
    trainers[1].run(7)
    states = [take_states(t)[0] for t in trainers]
    first = run_slice(config, X[:6], Y[:6], states, 40, X_test=X[6:], Y_test=Y[6:])
    kept = [key for key in stack._KEPT._trainers if key[4] == (5, 6)]
    assert kept, "the slice's Trainer was not kept"
    again = run_slice(config, X[:6], Y[:6], states, 40, X_test=X[6:], Y_test=Y[6:])
    for a, b in zip(first, again, strict=True):
        assert all(np.array_equal(x, y) for x, y in zip(a.state.W + a.state.b, b.state.W + b.state.b, strict=True))
        assert np.array_equal(a.state.pending, b.state.pending) and a.steps_done == b.steps_done
        for x, y in zip((a.mean_abs_error, a.loss, a.test_mean_abs_error, a.test_loss),
                        (b.mean_abs_error, b.loss, b.test_mean_abs_error, b.test_loss), strict=True):
            assert np.array_equal(x, y)
