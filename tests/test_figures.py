"""History thinning for the live charts, checked against a plain loop and hand-made cases."""

import math

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from ui import figures

# -- downsample ---------------------------------------------------------------------


def test_downsample_returns_short_histories_whole_with_steps_from_one():
    values = np.array([0.5, 0.4, 0.45, 0.2])
    x, y = figures.downsample(values, max_points=10)
    assert list(x) == [1, 2, 3, 4]
    np.testing.assert_array_equal(y, values)


def test_downsample_keeps_each_buckets_min_and_max_like_a_plain_loop():
    rng = np.random.default_rng(3)
    values = rng.random(10_000)
    max_points = 300
    x, y = figures.downsample(values, max_points)
    assert len(x) <= max_points
    assert x[0] == 1 and x[-1] == len(values)
    np.testing.assert_array_equal(y, values[x - 1])
    assert (np.diff(x) > 0).all()
    kept = set(x.tolist())
    n_buckets = (max_points - 2) // 2
    width = math.ceil((len(values) - 2) / n_buckets)
    for start in range(1, len(values) - 1, width):
        steps = range(start, min(start + width, len(values) - 1))
        lowest = min(steps, key=lambda i: values[i])
        highest = max(steps, key=lambda i: values[i])
        assert lowest + 1 in kept and highest + 1 in kept


def test_downsample_keeps_a_single_spike():
    values = np.full(50_000, 0.1)
    values[31_337] = 40.0
    x, y = figures.downsample(values, 200)
    assert 31_338 in x.tolist()
    assert y.max() == 40.0


def test_downsample_of_a_diverged_run_keeps_finite_part_then_a_gap():
    values = np.linspace(1.0, 0.5, 20_000)
    values[12_000:] = np.nan
    x, y = figures.downsample(values, 500)
    finite = np.isfinite(y)
    assert finite[0] and not finite[-1]
    assert x[finite].max() >= 11_900  # the last finite steps are not swallowed by the gap
    assert (x[~finite] > 12_000).all()
    assert np.nanmin(y) == values[11_999]


@settings(max_examples=60, deadline=None)
@given(
    n=st.integers(0, 3000),
    max_points=st.integers(4, 400),
    nan_fraction=st.sampled_from([0.0, 0.1, 0.9, 1.0]),
    seed=st.integers(0, 2**16),
)
def test_downsample_properties(n, max_points, nan_fraction, seed):
    rng = np.random.default_rng(seed)
    values = rng.normal(size=n) * 10.0 ** rng.integers(-3, 4)
    values[rng.random(n) < nan_fraction] = np.nan
    x, y = figures.downsample(values, max_points)
    assert len(x) == len(y) <= max(max_points, 4)
    np.testing.assert_array_equal(y, values[x - 1])
    if n:
        assert x[0] == 1 and x[-1] == n
        assert (np.diff(x) > 0).all()
    if np.isfinite(values).any():
        assert np.nanmax(y) == np.nanmax(values) and np.nanmin(y) == np.nanmin(values)


# -- error curve ----------------------------------------------------------------------
