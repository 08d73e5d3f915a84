"""Generated data sets, derived input features and the train/test split: shapes, ranges, seeding, exact code."""

import numpy as np
import pytest

from engine.datasets import DATASETS, MAX_NOISE, make_dataset
from engine.features import FEATURES, add_features, feature_labels, feature_problems, ordered
from engine.split import held_out_count, split_rows


@pytest.mark.parametrize("name", DATASETS)
@pytest.mark.parametrize("n", [1, 2, 7, 200, 500])
def test_every_set_has_the_asked_shape_and_finite_numbers(name, n):
    X, Y = make_dataset(name, n, 0.3, 4)
    assert X.shape == (n, 2) and Y.shape == (n, 1)
    assert X.dtype == Y.dtype == np.float64
    assert np.isfinite(X).all() and np.isfinite(Y).all()
    assert np.array_equal(X, np.round(X, 2))


@pytest.mark.parametrize("name", DATASETS)
def test_a_seed_names_one_set_and_the_global_random_state_is_untouched(name):
    before = np.random.get_state()[1].copy()
    first, again = make_dataset(name, 120, 0.2, 9), make_dataset(name, 120, 0.2, 9)
    other = make_dataset(name, 120, 0.2, 10)
    assert all(np.array_equal(a, b) for a, b in zip(first, again))
    assert not np.array_equal(first[0], other[0])
    assert np.array_equal(np.random.get_state()[1], before)


@pytest.mark.parametrize("name", DATASETS)
def test_noise_moves_the_same_points_and_keeps_their_targets(name):
    X0, Y0 = make_dataset(name, 300, 0.0, 3)
    X1, Y1 = make_dataset(name, 300, 0.1, 3)
    X2, _ = make_dataset(name, 300, 0.2, 3)
    assert np.array_equal(Y0, Y1)
    shift1, shift2 = X1 - X0, X2 - X0
    assert 0.4 < np.std(shift1) < 0.6  # a tenth of the radius 5
    np.testing.assert_allclose(shift2, 2 * shift1, atol=0.0201)  # the same draws, twice as far (2-decimal rounding)


def test_each_set_puts_its_classes_where_it_says():
    X, Y = make_dataset("circle", 400, 0.0, 1)
    r, y = np.hypot(X[:, 0], X[:, 1]), Y[:, 0]
    assert (r[y == 1] <= 2.5 + 0.01).all() and (r[y == 0] >= 3.5 - 0.01).all() and (r <= 5 + 0.01).all()
    X, Y = make_dataset("xor", 400, 0.0, 1)
    assert (np.abs(X) >= 0.5 - 0.01).all() and (np.abs(X) <= 5 + 0.01).all()
    assert np.array_equal(Y[:, 0] == 1, X[:, 0] * X[:, 1] > 0)
    X, Y = make_dataset("gaussians", 2000, 0.0, 1)
    np.testing.assert_allclose(X[Y[:, 0] == 1].mean(axis=0), [2.5, 2.5], atol=0.15)
    np.testing.assert_allclose(X[Y[:, 0] == 0].std(axis=0), [1.25, 1.25], atol=0.1)
    X, Y = make_dataset("spiral", 400, 0.0, 1)
    assert (np.hypot(X[:, 0], X[:, 1]) < 5).all()
    assert np.array_equal(X[0::2], -X[1::2])  # the two arms: each point's mirror through the centre
    X, Y = make_dataset("surface", 400, 0.0, 1)
    assert 0.1 <= Y.min() and Y.max() <= 0.9 and len(np.unique(Y)) > 100
    np.testing.assert_allclose(Y[:, 0], 0.5 + 0.4 * np.sin(0.4 * X[:, 0]) * np.cos(0.4 * X[:, 1]), atol=1e-2)
    for name in ("circle", "xor", "gaussians", "spiral"):
        Y = make_dataset(name, 201, 0.5, 2)[1]
        assert set(Y[:, 0]) == {0.0, 1.0} and abs(Y.sum() - 100.5) <= 20


@pytest.mark.parametrize("name", DATASETS)
def test_the_code_a_script_carries_draws_the_same_bits(name):
    namespace = {"np": np}
    exec(DATASETS[name].code, namespace)
    X, Y = namespace[name](np.random.RandomState(5), 77, 0.35)
    assert all(np.array_equal(a, b) for a, b in zip((X, Y), make_dataset(name, 77, 0.35, 5)))


@pytest.mark.parametrize("bad, reason", [
    (("moons", 10, 0.1, 1), "unknown data set"), (("circle", 0, 0.1, 1), "whole number"),
    (("circle", 2.5, 0.1, 1), "whole number"), (("circle", 10, -0.1, 1), "noise"),
    (("circle", 10, MAX_NOISE * 2, 1), "noise"), (("circle", 10, float("nan"), 1), "noise"),
    (("circle", 10, 0.1, 2**32), "seed"),
])
def test_bad_requests_are_refused_with_a_reason(bad, reason):
    with pytest.raises(ValueError, match=reason):
        make_dataset(*bad)


# -- features -------------------------------------------------------------------------------------------------


def test_features_are_columns_after_the_inputs_in_the_registrys_order():
    X = np.array([[0.5, -2.0, 7.0], [3.0, 0.25, 1.0]])
    grown = add_features(X, ["sin_x2", "x1_squared", "x1_x2"])
    assert grown.shape == (2, 6) and np.array_equal(grown[:, :3], X)
    assert np.array_equal(grown[:, 3], X[:, 0] * X[:, 0])
    assert np.array_equal(grown[:, 4], X[:, 0] * X[:, 1])
    assert np.array_equal(grown[:, 5], np.sin(X[:, 1]))
    assert add_features(X, []) is not None and np.array_equal(add_features(X, ()), X)
    assert ordered(["sin_x2", "x1_squared", "sin_x2"]) == ("x1_squared", "sin_x2")
    assert feature_labels(["x1_x2", "x2_squared", "sin_x1"], ["x", "y"]) == ["y²", "x·y", "sin x"]


def test_a_feature_of_x2_needs_two_inputs():
    assert feature_problems(["x1_squared", "sin_x1"], 1) == []
    assert feature_problems(["x2_squared", "x1_x2"], 1) == ["x2² needs 2 input columns; the table has 1",
                                                            "x1·x2 needs 2 input columns; the table has 1"]
    with pytest.raises(ValueError, match="needs 2 input columns"):
        add_features(np.ones((3, 1)), ["sin_x2"])
    with pytest.raises(ValueError, match="unknown feature"):
        ordered(["cos_x1"])


@pytest.mark.parametrize("name", FEATURES)
def test_each_features_code_computes_its_column_exactly(name):
    X = np.random.RandomState(0).uniform(-6, 6, (50, 2))
    assert np.array_equal(eval(FEATURES[name].code.format(X="X"), {"np": np, "X": X}), FEATURES[name].compute(X))


# -- the split ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("n_rows, share, held", [(200, 0.5, 100), (10, 0.25, 2), (3, 0.9, 2), (1, 0.5, 0),
                                                 (7, 0.0, 0), (40, 0.1, 4)])
def test_the_split_holds_out_the_share_and_leaves_rows_to_train(n_rows, share, held):
    train, test = split_rows(n_rows, share, 3)
    assert len(test) == held == held_out_count(n_rows, share)
    assert np.array_equal(np.sort(np.concatenate([train, test])), np.arange(n_rows))
    assert list(train) == sorted(train) and list(test) == sorted(test) and len(train) >= 1


def test_a_seed_names_one_split():
    first, again, other = split_rows(100, 0.3, 5), split_rows(100, 0.3, 5), split_rows(100, 0.3, 6)
    assert np.array_equal(first[1], again[1]) and not np.array_equal(first[1], other[1])
    assert np.array_equal(first[1], np.sort(np.random.RandomState(5).permutation(100)[:30]))


@pytest.mark.parametrize("share", [-0.1, 1.0, float("nan")])
def test_a_share_outside_0_to_1_is_refused(share):
    with pytest.raises(ValueError, match="test share"):
        split_rows(10, share, 1)
