"""Rows held out for testing: never trained on, their error recorded each step, exactly as a solo run records it."""

import json
import pickle

import numpy as np
import pytest

import engine.network
from engine import NetworkConfig, Trainer
from engine.serialize import from_json, to_json
from engine.stack import absorb, run_slice, take_states
from tests.test_sweep import SETTINGS, table, tables


def held_out(n_rows=12, n_test=7, n_in=3, n_out=1, seed=0):
    """(X, Y, X_test, Y_test): a table and test rows drawn the same way."""
    X, Y = table(n_rows + n_test, n_in, n_out, seed)
    return X[:n_rows], Y[:n_rows], X[n_rows:], Y[n_rows:]


def assert_same(a, k, b, j=0):
    """Network k of a and network j of b: weights, biases and every history, bit for bit."""
    for x, y in zip(a.W + a.b, b.W + b.b, strict=True):
        assert np.array_equal(x[k], y[j])
    for x, y in zip(a._histories(), b._histories(), strict=True):
        assert np.array_equal(x[k, : a.steps], y[j, : b.steps], equal_nan=True)


@pytest.fixture(params=["first product as chosen", "every product per network"])
def first_product(request, monkeypatch):
    if request.param == "every product per network":
        monkeypatch.setattr(engine.network, "_one_product_is_exact", lambda *args: False)


@pytest.mark.parametrize("name", SETTINGS)
def test_test_rows_change_no_weight_and_their_error_is_the_forward_pass(name):
    X, Y, X_test, Y_test = held_out()
    config = NetworkConfig(**{"layer_sizes": (3, 4, 1), **SETTINGS[name]})
    plain, tested = Trainer(config, X, Y), Trainer(config, X, Y, X_test=X_test, Y_test=Y_test)
    plain.run(150)
    tested.run(150)
    for x, y in zip(plain.W + plain.b + [plain.mean_abs_error, plain.loss_history],
                    tested.W + tested.b + [tested.mean_abs_error, tested.loss_history], strict=True):
        assert np.array_equal(x, y)
    assert plain.test_mean_abs_error is None and tested.test_loss_history.shape == (1, 150)
    again = Trainer(config, X, Y)
    for step in (0, 1, 77, 149):
        again.run(step - again.steps)
        _, outs = again.forward(X_test)
        error = Y_test - outs[-1]
        assert tested.test_mean_abs_error[0, step] == np.mean(np.abs(error))
        z = again.forward(X_test)[0][-1]
        assert tested.test_loss_history[0, step] == pytest.approx(float(again._loss.value(z, Y_test, error)),
                                                                 rel=1e-15)


@pytest.mark.parametrize("tables_per", ["one table", "a table each"])
@pytest.mark.parametrize("name", ["full batch", "mini-batch", "bias", "two hidden layers", "l2 penalty",
                                  "l1 penalty, mini-batch", "no hidden layer"])
def test_a_stack_records_each_networks_test_error_as_it_would_alone(name, tables_per, first_product):
    config = NetworkConfig(**{"layer_sizes": (3, 4, 1), **SETTINGS[name]})
    if tables_per == "one table":
        X, Y, X_test, Y_test = held_out(n_test=9)
    else:
        X, Y = tables(3)
        X_test, Y_test = tables(3, n_rows=5)
        X_test, Y_test = X_test[::-1].copy(), Y_test[::-1].copy()
    sweep = Trainer(config, X, Y, seeds=[1, 7, 42], X_test=X_test, Y_test=Y_test)
    sweep.run(300)
    for k in range(3):
        own = [t if X.ndim == 2 else t[k] for t in (X, Y, X_test, Y_test)]
        solo = Trainer(config.replace(seed=int(sweep.seeds[k])), own[0], own[1], X_test=own[2], Y_test=own[3])
        solo.run(300)
        assert_same(sweep, k, solo)


def test_extract_stack_and_write_back_carry_the_test_rows(first_product):
    X, Y, X_test, Y_test = held_out(n_test=5)
    config = NetworkConfig(layer_sizes=(3, 8, 1), bias=True, learning_rate=0.5)
    sweep = Trainer(config, X, Y, seeds=[3, 4, 5, 6], X_test=X_test, Y_test=Y_test)
    sweep.run(100)
    single = sweep.extract(2)
    assert single.has_test and np.array_equal(single.X_test, X_test)
    assert_same(sweep, 2, single)
    learners = [sweep.extract(k) for k in range(4)]
    stack = Trainer.stack(learners)
    stack.run(50)
    stack.write_back(learners)
    sweep.run(50)
    for k, learner in enumerate(learners):
        assert_same(sweep, k, learner)
    with pytest.raises(ValueError, match="tables of one shape"):
        Trainer.stack([learners[0], Trainer(config, X, Y)])


def test_slices_through_processes_keep_the_test_history():
    X, Y, X_test, Y_test = held_out()
    config = NetworkConfig(layer_sizes=(3, 4, 1), batch_size=5, regularization="l2", regularization_rate=0.01)
    learners = [Trainer(config.replace(seed=s), X, Y, X_test=X_test, Y_test=Y_test) for s in (1, 2)]
    for n_steps in (40, 1, 59):
        states = pickle.loads(pickle.dumps([take_states(t)[0] for t in learners]))
        results = pickle.loads(pickle.dumps(run_slice(config, X, Y, states, n_steps, X_test=X_test, Y_test=Y_test)))
        for learner, result in zip(learners, results):
            absorb(learner, [result])
    for seed, learner in zip((1, 2), learners):
        alone = Trainer(config.replace(seed=seed), X, Y, X_test=X_test, Y_test=Y_test)
        alone.run(100)
        assert_same(learner, 0, alone)


def test_a_diverged_network_of_a_sweep_has_no_test_error_after_it_stopped():
    X, Y, X_test, Y_test = held_out()
    config = NetworkConfig(layer_sizes=(3, 4, 1), hidden_activation="linear", output_activation="linear")
    sweep = Trainer(config, X, 100 * Y, seeds=[1, 2], learning_rates=[0.001, 10.0], X_test=X_test, Y_test=100 * Y_test)
    sweep.run(200)
    stopped = sweep.diverged_at[1]
    assert stopped > 0 and np.isnan(sweep.test_mean_abs_error[1, stopped:]).all()
    assert np.isfinite(sweep.test_mean_abs_error[0]).all()


def test_the_test_rows_round_trip_through_json():
    X, Y, X_test, Y_test = held_out()
    trainer = Trainer(NetworkConfig(layer_sizes=(3, 4, 1), batch_size=4), X, Y, X_test=X_test, Y_test=Y_test)
    trainer.run(77)
    loaded, _ = from_json(to_json(trainer, include_history=True))
    assert_same(trainer, 0, loaded)
    trainer.run(30)
    loaded.run(30)
    assert_same(trainer, 0, loaded)
    document = json.loads(to_json(trainer, include_history=True))
    del document["trainer"]["Y_test"]
    with pytest.raises(ValueError, match="test rows need both"):
        from_json(json.dumps(document))
    document = json.loads(to_json(trainer, include_history=True))
    document["trainer"]["X_test"] = [[0.5, 0.5]]
    with pytest.raises(ValueError, match="X_test has shape"):
        from_json(json.dumps(document))


@pytest.mark.parametrize("bad", [dict(X_test=np.zeros((3, 2)), Y_test=np.zeros((3, 1))),
                                 dict(X_test=np.zeros((3, 3)), Y_test=np.zeros((2, 1))),
                                 dict(X_test=np.zeros((0, 3)), Y_test=np.zeros((0, 1))),
                                 dict(X_test=np.zeros((3, 3)), Y_test=None)])
def test_test_rows_of_the_wrong_shape_are_refused(bad):
    X, Y = table()
    with pytest.raises(ValueError, match="test rows need shapes"):
        Trainer(NetworkConfig(layer_sizes=(3, 4, 1)), X, Y, **bad)
