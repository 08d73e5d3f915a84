"""How the live charts look, and how long histories are thinned before they are drawn.

static/liveview.js draws the charts; these are the numbers both sides agree on: colours (weights
on one diverging scale, blue negative, white zero, red positive), chart heights, and the
thinning of a history to a few points per pixel column that keeps every spike.
"""

import numpy as np

BLUE = "#2166ac"  # negative weights
RED = "#b2182b"  # positive weights
HIGHLIGHT = "#e66101"
LAYER_COLORS = ("#1b9e77", "#7570b3", "#e7298a", "#66a61e", "#e6ab02", "#a6761d", "#d95f02", "#666666")

HEIGHT_CURVE = 300  # with short heatmaps, the Train page's controls and heatmaps fit 1440x900
HEIGHT_MATRIX = 380
HEIGHT_DIAGRAM = 420
HEIGHT_MAP = 600  # the Predict page's output map: hundreds of generated points need room around them
HEIGHT_STRIP = 320
HEIGHT_SWEEP = HEIGHT_CURVE + 40  # room for the legend
MATRIX_ROW_HEIGHT = 40  # px per row of a heatmap up to HEIGHT_MATRIX: numbers at 15 px still fit a cell


def matrix_height(n_rows):
    """A heatmap's height in px for n_rows rows: a short matrix needs less than HEIGHT_MATRIX."""
    return min(HEIGHT_MATRIX, 150 + MATRIX_ROW_HEIGHT * n_rows)


def _bucket_extremes(buckets):
    """Positions of the smallest and largest value in each bucket (..., k), NaN ignored where possible."""
    low = np.argmin(buckets, axis=-1)
    high = np.argmax(buckets, axis=-1)
    # argmin points at the first NaN of a bucket that has one; only such buckets need the slower pass.
    has_nan = np.isnan(np.take_along_axis(buckets, low[..., None], axis=-1)[..., 0])
    if has_nan.any():
        some = buckets[has_nan]
        missing = np.isnan(some)
        low[has_nan] = np.argmin(np.where(missing, np.inf, some), axis=-1)
        high[has_nan] = np.argmax(np.where(missing, -np.inf, some), axis=-1)
    return low, high


def downsample_indices(values, max_points):
    """Indices (S, m) into each row of values (S, n) to draw, m <= max(max_points, 4).

    Keeps index 0, index n-1 and, per bucket of the steps between, the positions of
    the smallest and the largest value (in step order), so a spike survives. NaN
    never wins a bucket unless the whole bucket is NaN, which then stays a gap.
    """
    S, n = values.shape
    if n <= max_points:
        return np.broadcast_to(np.arange(n), (S, n))
    inner = n - 2
    bucket = -(-inner // max(1, (max_points - 2) // 2))
    n_full, rest = divmod(inner, bucket)
    n_buckets = n_full + (rest > 0)
    starts = 1 + bucket * np.arange(n_buckets)
    low = np.empty((S, n_buckets), dtype=np.intp)
    high = np.empty((S, n_buckets), dtype=np.intp)
    full = values[:, 1:1 + n_full * bucket].reshape(S, n_full, bucket)  # a view, no copy
    low[:, :n_full], high[:, :n_full] = _bucket_extremes(full)
    if rest:
        tail = values[:, 1 + n_full * bucket:n - 1][:, None, :]
        low[:, n_full:], high[:, n_full:] = _bucket_extremes(tail)
    picked = np.empty((S, 2 + 2 * n_buckets), dtype=np.intp)
    picked[:, 0], picked[:, -1] = 0, n - 1
    pairs = picked[:, 1:-1].reshape(S, n_buckets, 2)
    pairs[..., 0] = starts + np.minimum(low, high)
    pairs[..., 1] = starts + np.maximum(low, high)
    return picked


def downsample(values, max_points=1500):
    """values (n_steps,) -> (x, y) to draw: step numbers from 1 and their values, first/last and spikes kept."""
    values = np.asarray(values, dtype=np.float64).reshape(-1)
    index = np.unique(downsample_indices(values[None], max_points)[0])
    return index + 1, values[index]
