"""Network k of a sweep against the same settings trained alone.

Which case holds: every setting below is bit-identical (np.array_equal), weights and
history alike. The stacked matmul and the solo `.dot` reduce over the same inner
dimension in the same order for every slice, so nothing is left to a tolerance. Each
setting runs twice: with the first layer as one product over all networks where the
engine finds that exact, and with every product taken one network at a time.
"""

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import engine.network
from engine import ACTIVATIONS, INITIALIZERS, LOSSES, NetworkConfig, Trainer

STEPS = 400


def table(n_rows=12, n_in=3, n_out=1, seed=0):
    rng = np.random.RandomState(seed)
    X = rng.uniform(-1, 1, (n_rows, n_in))
    Y = (X.sum(axis=1, keepdims=True) > 0).astype(float) if n_out == 1 else rng.uniform(0, 1, (n_rows, n_out))
    return X, Y


def tables(n_networks, n_rows=12, n_in=3, n_out=1):
    """One table per network, X (S, n_rows, n_in), Y (S, n_rows, n_out), all different."""
    pairs = [table(n_rows, n_in, n_out, seed=k) for k in range(n_networks)]
    return np.stack([X for X, _ in pairs]), np.stack([Y for _, Y in pairs])


@pytest.fixture(params=["first product as chosen", "every product per network"], autouse=True)
def first_product(request, monkeypatch):
    """Run each test with the engine's own choice, then with one product per network throughout."""
    if request.param == "every product per network":
        monkeypatch.setattr(engine.network, "_one_product_is_exact", lambda *args: False)
    return request.param


def assert_same_network(sweep, k, solo):
    for stacked, alone in zip(sweep.W + sweep.b, solo.W + solo.b):
        assert np.array_equal(stacked[k], alone[0])
    assert np.array_equal(sweep.mean_abs_error[k], solo.mean_abs_error[0], equal_nan=True)
    assert np.array_equal(sweep.loss_history[k], solo.loss_history[0], equal_nan=True)


def solo_of(sweep, k, X, Y):
    """Network k of sweep set up alone; X, Y: the shared table, or one per network (S, n_rows, ...)."""
    config = sweep.config.replace(seed=int(sweep.seeds[k]), learning_rate=float(sweep.learning_rates[k]))
    return Trainer(config, X if X.ndim == 2 else X[k], Y if Y.ndim == 2 else Y[k])


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
    "l2 penalty": dict(regularization="l2", regularization_rate=0.01, bias=True),
    "l1 penalty, mini-batch": dict(regularization="l1", regularization_rate=0.005, batch_size=5),
    "l2 penalty, learning rate": dict(regularization="l2", regularization_rate=0.02, learning_rate=0.3,
                                      layer_sizes=(3, 8, 4, 1)),
}


@pytest.mark.parametrize("tables_per", ["one table", "a table each"])
@pytest.mark.parametrize("name", SETTINGS)
def test_sweep_network_equals_its_solo_run(name, tables_per):
    X, Y = table() if tables_per == "one table" else tables(3)
    config = NetworkConfig(**{"layer_sizes": (3, 4, 1), **SETTINGS[name]})
    sweep = Trainer(config, X, Y, seeds=[1, 7, 42])
    sweep.run(STEPS)
    for k in range(sweep.n_networks):
        solo = solo_of(sweep, k, X, Y)
        solo.run(STEPS)
        assert_same_network(sweep, k, solo)


WIDTHS = {  # hidden widths whose wide product takes other BLAS paths than one network's, and some that do not
    "1 wide": (3, 1, 1), "2 wide": (3, 2, 1), "3 wide": (3, 3, 2), "4 wide": (3, 4, 1), "8 wide": (3, 8, 1),
    "16-16": (2, 16, 16, 1), "5-4": (3, 5, 4, 1), "4-3": (4, 4, 3, 2),
}


@pytest.mark.parametrize("n_rows", [1, 4, 12, 40])
@pytest.mark.parametrize("bias", [False, True])
@pytest.mark.parametrize("name", WIDTHS)
def test_every_width_and_table_length_equals_its_solo_run(name, bias, n_rows):
    sizes = WIDTHS[name]
    X, Y = table(n_rows, sizes[0], sizes[-1])
    sweep = Trainer(NetworkConfig(layer_sizes=sizes, bias=bias, learning_rate=0.5), X, Y, seeds=[3, 4, 5, 6, 7])
    sweep.run(60)
    for k in range(sweep.n_networks):
        solo = solo_of(sweep, k, X, Y)
        solo.run(60)
        assert_same_network(sweep, k, solo)


@pytest.mark.parametrize("penalty", ["l1", "l2"])
@pytest.mark.parametrize("name", WIDTHS)
def test_a_weight_penalty_keeps_every_width_equal_to_its_solo_run(name, penalty):
    sizes = WIDTHS[name]
    X, Y = table(12, sizes[0], sizes[-1])
    config = NetworkConfig(layer_sizes=sizes, bias=True, learning_rate=0.5, regularization=penalty,
                           regularization_rate=0.01)
    sweep = Trainer(config, X, Y, seeds=[3, 4, 5, 6, 7])
    sweep.run(60)
    for k in range(sweep.n_networks):
        solo = solo_of(sweep, k, X, Y)
        solo.run(60)
        assert_same_network(sweep, k, solo)


def test_the_first_product_is_one_product_where_it_is_exact(first_product):
    """The tutorial's shapes take one product on BLAS builds that allow it; either way the numbers are the solo ones."""
    X, Y = table(4)
    sweep = Trainer(NetworkConfig(layer_sizes=(3, 4, 1)), X, Y, seeds=range(64))
    if first_product == "every product per network":
        assert not sweep.one_first_product
    elif not sweep.one_first_product:
        pytest.skip("this BLAS sums X @ W[0] for 64 networks in another order than for one")
    sweep.run(100)
    for k in (0, 17, 63):
        solo = solo_of(sweep, k, X, Y)
        solo.run(100)
        assert_same_network(sweep, k, solo)
    assert not Trainer(NetworkConfig(layer_sizes=(3, 4, 1), batch_size=2), X, Y, seeds=range(4)).one_first_product
    assert not Trainer(NetworkConfig(layer_sizes=(3, 4, 1)), *tables(4, 4), seeds=range(4)).one_first_product


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


def test_per_network_tables_and_learning_rates_with_mini_batches():
    X, Y = tables(4, n_rows=40, n_in=2, n_out=2)
    config = NetworkConfig(layer_sizes=(2, 8, 2), bias=True, batch_size=8, hidden_activation="tanh")
    sweep = Trainer(config, X, Y, seeds=[3, 3, 9, 9], learning_rates=[0.1, 0.5, 0.5, 1.0])
    sweep.run(STEPS)
    for k in range(4):
        solo = solo_of(sweep, k, X, Y)
        solo.run(STEPS)
        assert_same_network(sweep, k, solo)


def test_one_table_per_network_needs_one_per_seed():
    X, Y = tables(3)
    with pytest.raises(ValueError, match="3 tables for 2 networks"):
        Trainer(NetworkConfig(), X, Y, seeds=[1, 2])
    with pytest.raises(ValueError, match="same number"):
        Trainer(NetworkConfig(), X, Y[0], seeds=[1, 2, 3])


def test_a_stopped_network_keeps_its_row_order():
    """A diverged network of a mini-batch sweep draws no more rows: taken out and slowed down, it goes on as alone."""
    X, Y = table()
    config = NetworkConfig(layer_sizes=(3, 1), hidden_activation="tanh", output_activation="tanh", batch_size=5)
    sweep = Trainer(config, X, Y, seeds=[1, 2, 3], learning_rates=[0.1, 1e308, 0.2])  # 1e308 overflows at once
    sweep.run(300)
    solo = solo_of(sweep, 1, X, Y)
    assert solo.run(300).diverged and solo.diverged_at[0] == sweep.diverged_at[1] > 0
    taken = sweep.extract(1)
    for trainer in (taken, solo):
        trainer.set_learning_rate(0.1)
        assert trainer.run(50).steps_done == 50
    for a, b in zip(taken.W + taken.b, solo.W + solo.b):
        assert np.array_equal(a, b)
    assert np.array_equal(taken.mean_abs_error[0, -50:], solo.mean_abs_error[0, -50:])


def copies(trainers):
    return [Trainer.from_state_dict(t.state_dict()) for t in trainers]


@pytest.mark.parametrize("name", ["full batch", "mini-batch", "row at a time", "bias", "two hidden layers"])
@pytest.mark.parametrize("tables_per", ["one table", "a table each"])
def test_stacked_trainers_go_on_exactly_as_they_would_alone(name, tables_per):
    config = NetworkConfig(**{"layer_sizes": (3, 4, 1), **SETTINGS[name]})
    X, Y = tables(4)
    if tables_per == "one table":
        X, Y = X[[0, 0, 0, 0]], Y[[0, 0, 0, 0]]
    learners = [Trainer(config.replace(seed=seed, learning_rate=rate), X[k], Y[k])
                for k, (seed, rate) in enumerate(zip([1, 2, 3, 4], [0.5, 1.0, 1.5, 0.7]))]
    for trainer, steps in zip(learners, (0, 7, 31, 100)):  # each at its own step, part of a pass pending
        trainer.run(steps)
    alone = copies(learners)
    stacked = Trainer.stack(learners)
    assert stacked.shared_table == (tables_per == "one table")
    stacked.run(150)
    stacked.write_back(learners)
    for trainer in alone:
        trainer.run(150)
    for trainer, by_itself in zip(learners, alone):
        assert trainer.state_dict() == by_itself.state_dict()
        assert np.array_equal(trainer.last_outputs, by_itself.last_outputs)


def test_a_network_that_diverges_in_a_stack_ends_as_it_would_alone():
    X, Y = table()
    config = NetworkConfig(layer_sizes=(3, 4, 1), hidden_activation="linear", output_activation="linear", batch_size=5)
    learners = [Trainer(config.replace(seed=seed, learning_rate=rate), X, 100 * Y)
                for seed, rate in ((1, 0.001), (2, 10.0), (3, 0.002))]
    learners[0].run(4)
    alone = copies(learners)
    stacked = Trainer.stack(learners)
    stacked.run(300)
    stacked.write_back(learners)
    reports = [trainer.run(300) for trainer in alone]
    assert [report.diverged for report in reports] == [False, True, False]
    for trainer, by_itself in zip(learners, alone):
        assert trainer.state_dict() == by_itself.state_dict()


def test_a_stack_with_its_own_tables_and_row_orders_round_trips_through_its_state():
    X, Y = tables(3)
    config = NetworkConfig(layer_sizes=(3, 4, 1), batch_size=5)
    learners = [Trainer(config.replace(seed=seed), X[k], Y[k]) for k, seed in enumerate((1, 2, 3))]
    for trainer, steps in zip(learners, (1, 2, 6)):  # 5, 10 and 30 rows used: pending rows of three lengths
        trainer.run(steps)
    stacked = Trainer.stack(learners)
    loaded = Trainer.from_state_dict(stacked.state_dict())
    for trainer in (stacked, loaded):
        trainer.run(50)
    assert loaded.state_dict() == stacked.state_dict()


def test_only_alike_healthy_single_networks_stack():
    X, Y = table()
    config = NetworkConfig(layer_sizes=(3, 4, 1))
    with pytest.raises(ValueError, match="same settings"):
        Trainer.stack([Trainer(config, X, Y), Trainer(config.replace(bias=True), X, Y)])
    with pytest.raises(ValueError, match="one shape"):
        Trainer.stack([Trainer(config, X, Y), Trainer(config, X[:5], Y[:5])])
    with pytest.raises(ValueError, match="one-network"):
        Trainer.stack([Trainer(config, X, Y, seeds=[1, 2])])
    stopped = Trainer(config.replace(hidden_activation="linear", output_activation="linear", learning_rate=10.0),
                      X, 100 * Y)
    stopped.run(100)
    with pytest.raises(ValueError, match="diverged"):
        Trainer.stack([stopped])


@st.composite
def sweeps(draw):
    """(config, X, Y, seeds, learning_rates, steps): a small random sweep, on one table or one per network."""
    depth = draw(st.integers(0, 2))
    sizes = (draw(st.integers(1, 5)), *draw(st.lists(st.integers(1, 9), min_size=depth, max_size=depth)),
             draw(st.integers(1, 3)))
    loss = draw(st.sampled_from(sorted(LOSSES)))
    n_rows = draw(st.integers(1, 30))
    config = NetworkConfig(
        layer_sizes=sizes, hidden_activation=draw(st.sampled_from(sorted(ACTIVATIONS))),
        output_activation=LOSSES[loss].needs_output or draw(st.sampled_from(sorted(ACTIVATIONS))),
        bias=draw(st.booleans()), init=draw(st.sampled_from(sorted(INITIALIZERS))), loss=loss,
        batch_size=draw(st.integers(0, n_rows + 1)),
    )
    n_networks = draw(st.integers(2, 5))
    seeds = draw(st.lists(st.integers(0, 2**32 - 1), min_size=n_networks, max_size=n_networks))
    rates = draw(st.lists(st.sampled_from([1e-3, 0.1, 0.5, 1.0, 3.0, 100.0]), min_size=n_networks,
                          max_size=n_networks))
    rng = np.random.RandomState(draw(st.integers(0, 2**32 - 1)))
    shape = (n_networks,) if draw(st.booleans()) else ()
    X = rng.uniform(-2, 2, shape + (n_rows, sizes[0]))
    Y = rng.uniform(0, 1, shape + (n_rows, sizes[-1]))
    return config, X, Y, seeds, rates, draw(st.integers(1, 60))


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(sweeps())
def test_any_sweep_network_equals_its_solo_run(run):
    config, X, Y, seeds, rates, steps = run
    sweep = Trainer(config, X, Y, seeds=seeds, learning_rates=rates)
    sweep.run(steps)
    for k in range(sweep.n_networks):
        solo = solo_of(sweep, k, X, Y)
        solo.run(steps)
        assert sweep.diverged_at[k] == solo.diverged_at[0]
        for stacked, alone in zip(sweep.W + sweep.b, solo.W + solo.b):
            assert np.array_equal(stacked[k], alone[0])
        assert np.array_equal(sweep.mean_abs_error[k, : solo.steps], solo.mean_abs_error[0])
        assert np.array_equal(sweep.loss_history[k, : solo.steps], solo.loss_history[0])
