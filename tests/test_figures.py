"""Figure builders checked against the data they were given and hand-written references."""

import base64
import json
import math

import numpy as np
import plotly.io as pio
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ui import figures
from ui.limits import MAX_COLUMNS, MAX_HIDDEN_LAYERS, MAX_NEURONS, MAX_ROWS


def by_name(figure, name):
    found = [trace for trace in figure.data if trace.name == name]
    assert len(found) == 1, [trace.name for trace in figure.data]
    return found[0]


def decode(value):
    """A JSON array as plotly writes it: a plain list or {"dtype", "bdata", "shape"}."""
    if isinstance(value, dict):
        flat = np.frombuffer(base64.b64decode(value["bdata"]), dtype=value["dtype"])
        return flat.reshape([int(part) for part in str(value.get("shape", len(flat))).split(",")])
    return np.asarray(value, dtype=np.float64)


def sigmoid_by_hand(z):
    return np.array([1.0 / (1.0 + math.exp(-v)) for v in np.ravel(z)])


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


def test_error_curve_draws_the_downsampled_history():
    mae = np.linspace(0.5, 0.01, 5000)
    figure = figures.error_curve(mae, max_points=100)
    (trace,) = figure.data
    assert trace.name == "mean |error|"
    x, y = figures.downsample(mae, 100)
    np.testing.assert_array_equal(trace.x, x)
    np.testing.assert_array_equal(trace.y, y)
    assert figure.layout.xaxis.title.text == "step"
    assert figure.layout.yaxis.type != "log"
    assert figure.layout.showlegend is False
    assert figure.layout.template.layout.paper_bgcolor == "white"
    assert figure.layout.height == figures.HEIGHT_CURVE
    assert "0.01" in figure.layout.title.text


def test_error_curve_with_loss_and_log_axis():
    mae = np.array([0.5, 0.25, 0.0, 0.1])
    loss = np.array([0.3, 0.1, 0.0, 0.02])
    figure = figures.error_curve(mae, loss=loss, log_y=True, loss_label="cross-entropy")
    assert [trace.name for trace in figure.data] == ["mean |error|", "cross-entropy"]
    np.testing.assert_array_equal(by_name(figure, "cross-entropy").y, loss)
    np.testing.assert_array_equal(by_name(figure, "cross-entropy").x, [1, 2, 3, 4])
    assert figure.layout.yaxis.type == "log"
    assert figure.layout.showlegend is True


def test_error_curve_without_history_says_how_to_start():
    figure = figures.error_curve(np.empty(0))
    assert len(figure.data) == 0
    assert [a.text for a in figure.layout.annotations] == ["No training yet: press Step or Run"]
    assert figure.layout.height == figures.HEIGHT_CURVE


def test_error_curve_of_a_diverged_run_says_so():
    figure = figures.error_curve(np.array([0.5, 0.7, np.nan]))
    assert "diverged" in figure.layout.title.text
    assert np.isnan(figure.data[0].y[-1])


# -- weight heatmap ---------------------------------------------------------------------


W_SMALL = np.array([[0.5, -2.0, 0.0, 1.0], [-0.25, 0.75, 1.5, -1.0], [0.1, 0.2, -0.3, 0.4]])


def test_weight_heatmap_places_inputs_on_rows_and_neurons_on_columns():
    figure = figures.weight_heatmap(W_SMALL, ["x1", "x2", "x3"], ["h1", "h2", "h3", "h4"], "syn0")
    (heatmap,) = figure.data
    np.testing.assert_array_equal(heatmap.z, W_SMALL)
    assert list(figure.layout.yaxis.ticktext) == ["x1", "x2", "x3"]
    assert list(figure.layout.xaxis.ticktext) == ["h1", "h2", "h3", "h4"]
    assert figure.layout.yaxis.autorange == "reversed"
    assert heatmap.text[1][2] == "from x2 to h3"
    assert "%{text}: %{z" in heatmap.hovertemplate
    assert figure.layout.title.text == "syn0"


def test_weight_heatmap_colour_scale_is_centred_and_symmetric():
    figure = figures.weight_heatmap(W_SMALL, ["a", "b", "c"], list("pqrs"), "W")
    heatmap = figure.data[0]
    assert heatmap.zmid == 0
    assert heatmap.zmax == 2.0 and heatmap.zmin == -2.0
    scale = [tuple(stop) for stop in heatmap.colorscale]
    assert scale == [(0.0, figures.BLUE), (0.5, "#ffffff"), (1.0, figures.RED)]


def test_weight_heatmap_of_zeros_keeps_a_valid_range():
    heatmap = figures.weight_heatmap(np.zeros((2, 2)), ["a", "b"], ["c", "d"], "W").data[0]
    assert heatmap.zmax == 1e-12 and heatmap.zmin == -1e-12


def test_weight_heatmap_bias_row_comes_last():
    bias = np.array([0.1, -3.0, 0.2, 0.3])
    figure = figures.weight_heatmap(W_SMALL, ["x1", "x2", "x3"], list("abcd"), "W", bias=bias)
    heatmap = figure.data[0]
    np.testing.assert_array_equal(heatmap.z, np.vstack([W_SMALL, bias]))
    assert list(figure.layout.yaxis.ticktext) == ["x1", "x2", "x3", "bias"]
    assert heatmap.zmax == 3.0 and heatmap.zmin == -3.0
    assert heatmap.text[3][1] == "from bias to b"


@pytest.mark.parametrize(("shape", "written"), [((8, 8), True), ((5, 13), False), ((16, 16), False)])
def test_weight_heatmap_writes_values_only_in_small_matrices(shape, written):
    W = np.arange(np.prod(shape), dtype=float).reshape(shape) - 10
    heatmap = figures.weight_heatmap(W, [str(i) for i in range(shape[0])], [str(j) for j in range(shape[1])],
                                     "W").data[0]
    assert (heatmap.texttemplate == "%{z:.3g}") is written


def test_weight_heatmap_keeps_numeric_and_repeated_labels_apart():
    figure = figures.weight_heatmap(W_SMALL[:2, :2], ["2", "1"], ["y", "y"], "W")
    assert list(figure.layout.yaxis.ticktext) == ["2", "1"]
    assert list(figure.layout.yaxis.tickvals) == [0, 1]
    assert list(figure.layout.xaxis.tickvals) == [0, 1]


def test_weight_heatmap_survives_json_as_streamlit_sends_it():
    spec = json.loads(figures.weight_heatmap(W_SMALL, ["a", "b", "c"], list("pqrs"), "W").to_json())
    np.testing.assert_array_equal(decode(spec["data"][0]["z"]), W_SMALL)


def test_weight_heatmap_left_margin_grows_with_its_longest_row_label():
    short = figures.weight_heatmap(W_SMALL, ["a", "b", "c"], list("pqrs"), "W")
    long = figures.weight_heatmap(W_SMALL, ["a", "hours studied", "c"], list("pqrs"), "W")
    assert long.layout.margin.l - short.layout.margin.l == pytest.approx(12 * figures.TICK_CHAR_PX, abs=1)
    assert short.layout.margin.r == long.layout.margin.r == figures.RIGHT_COLORBAR  # room for the colour bar


def test_figures_keep_the_white_template_look():
    white = pio.templates["plotly_white"].layout
    for figure in (figures.error_curve(np.linspace(1, 0.1, 50)), figures.weight_heatmap(W_SMALL, "abc", "pqrs", "W")):
        template = figure.layout.template.layout
        assert template.plot_bgcolor == white.plot_bgcolor
        assert template.xaxis.gridcolor == white.xaxis.gridcolor
        assert template.colorway == white.colorway


# -- network diagram -----------------------------------------------------------------------


def link_traces(figure):
    return [trace for trace in figure.data if trace.mode == "lines"]


def width_and_colour_of_each_link(figure):
    """{((x0, y0), (x1, y1)): (width, colour)} read back from the grouped line traces."""
    found = {}
    for trace in link_traces(figure):
        x, y = np.asarray(trace.x), np.asarray(trace.y)
        for k in range(0, len(x), 3):
            assert np.isnan(x[k + 2]) and np.isnan(y[k + 2])
            found[((x[k], y[k]), (x[k + 1], y[k + 1]))] = (trace.line.width, trace.line.color)
    return found


def test_network_diagram_link_widths_follow_weight_size_and_colour_follows_sign():
    W0 = np.array([[0.1, -4.0, 2.0], [-0.5, 1.0, 3.0]])
    W1 = np.array([[-1.5], [0.25], [0.0]])
    figure = figures.network_diagram([W0, W1])
    links = width_and_colour_of_each_link(figure)
    assert len(links) == W0.size + W1.size
    heights = [np.array([0.5, -0.5]), np.array([1.0, 0.0, -1.0]), np.array([0.0])]
    drawn = []
    for l, W in enumerate([W0, W1]):
        for i in range(W.shape[0]):
            for j in range(W.shape[1]):
                width, colour = links[((l, heights[l][i]), (l + 1, heights[l + 1][j]))]
                drawn.append((abs(W[i, j]), width))
                expected = figures.RED if W[i, j] > 0 else figures.BLUE if W[i, j] < 0 else colour
                assert colour == expected
    drawn.sort()
    widths = [width for _, width in drawn]
    assert widths == sorted(widths)
    assert widths[-1] == pytest.approx(figures.LINK_WIDTH_MAX)  # |w| = 4, the largest
    assert widths[0] == pytest.approx(figures.LINK_WIDTH_MIN)  # w = 0


def test_network_diagram_hover_names_each_weight():
    W0 = np.array([[0.1, -4.0], [-0.5, 1.0], [2.0, 3.0]])
    W1 = np.array([[-1.5], [0.25]])
    figure = figures.network_diagram([W0, W1])
    hover = by_name(figure, "weights")
    assert len(hover.hovertext) == W0.size + W1.size
    assert "syn0[2, 1] = 3" in hover.hovertext
    assert "syn1[0, 0] = -1.5" in hover.hovertext
    k = list(hover.hovertext).index("syn0[0, 1] = -4")
    assert (hover.x[k], hover.y[k]) == (0.5, (1.0 - 0.5) / 2)  # halfway from input 0 (top of 3) to hidden 1


def test_network_diagram_labels_layers_neurons_and_biases():
    W0, W1 = np.ones((2, 3)), -np.ones((3, 1))
    figure = figures.network_diagram([W0, W1], biases=[np.array([0.5, -0.5, 2.0]), np.array([-1.0])],
                                     neuron_labels=[["rain", "wind"], None, ["umbrella"]])
    assert list(figure.layout.xaxis.ticktext) == ["input", "hidden 1", "output"]
    nodes = by_name(figure, "neurons")
    assert len(nodes.x) == 6
    assert nodes.hovertext[0] == "input, rain"
    assert nodes.hovertext[4] == "hidden 1, neuron 2<br>bias 2"
    assert nodes.hovertext[5] == "output, umbrella<br>bias -1"
    assert "rain" in nodes.text and "umbrella" in nodes.text
    assert nodes.marker.cmid == 0


def test_network_diagram_keeps_custom_layer_labels():
    figure = figures.network_diagram([np.ones((1, 1))], layer_labels=["in", "out"])
    assert list(figure.layout.xaxis.ticktext) == ["in", "out"]


# -- s-curve ---------------------------------------------------------------------------------


def test_s_curve_points_sit_on_their_curves_with_their_slopes():
    z_hidden = np.array([[-2.0, 0.5, 9.0], [0.0, -0.25, 3.0]])
    z_out = np.array([[-1.0], [2.5]])
    figure = figures.s_curve(["tanh", "sigmoid"], [z_hidden, z_out], ["hidden 1", "output"])
    hidden, output = by_name(figure, "hidden 1"), by_name(figure, "output")
    np.testing.assert_array_equal(hidden.x, z_hidden.ravel())
    np.testing.assert_allclose(hidden.y, np.tanh(z_hidden.ravel()), rtol=0, atol=1e-15)
    np.testing.assert_allclose(hidden.customdata[:, 2], 1 - np.tanh(z_hidden.ravel()) ** 2, atol=1e-15)
    np.testing.assert_allclose(output.y, sigmoid_by_hand(z_out), rtol=1e-15)
    a = sigmoid_by_hand(z_out)
    np.testing.assert_allclose(output.customdata[:, 2], a * (1 - a), rtol=1e-14)
    # customdata carries (row, neuron) in row-major order
    np.testing.assert_array_equal(hidden.customdata[:, :2], [[0, 0], [0, 1], [0, 2], [1, 0], [1, 1], [1, 2]])
    assert "hidden 1, neuron %{customdata[1]}, row %{customdata[0]}" in hidden.hovertemplate
    assert "slope=%{customdata[2]" in hidden.hovertemplate
    assert figure.layout.showlegend is True


def test_s_curve_draws_each_activation_once_over_a_wide_enough_range():
    zs = [np.array([[-9.5, 1.0]]), np.array([[0.5, 2.0]]), np.array([[0.3]])]
    figure = figures.s_curve(["sigmoid", "sigmoid", "relu"], zs, ["h1", "h2", "out"])
    curves = [trace for trace in figure.data if trace.mode == "lines"]
    assert len(curves) == 4  # curve and slope for sigmoid, then for relu
    for curve in curves:
        assert curve.x[0] <= -9.5 and curve.x[-1] >= 6.0
    sigmoid, slope = curves[0], curves[1]
    np.testing.assert_allclose(sigmoid.y, sigmoid_by_hand(sigmoid.x), rtol=1e-15)
    np.testing.assert_allclose(slope.y, sigmoid.y * (1 - sigmoid.y), rtol=1e-14)
    assert slope.line.dash == "dash" and slope.line.color == sigmoid.line.color
    relu_slope = curves[3]
    np.testing.assert_array_equal(relu_slope.y, (relu_slope.x > 0).astype(float))


def test_s_curve_row_labels_show_in_hover():
    figure = figures.s_curve(["sigmoid"], [np.array([[0.1], [0.2]])], ["output"], row_labels=["mon", "tue"])
    trace = by_name(figure, "output")
    assert list(trace.text) == ["mon", "tue"]
    assert "row %{text}" in trace.hovertemplate


def test_s_curve_skips_nan_from_a_diverged_net():
    figure = figures.s_curve(["sigmoid"], [np.array([[np.nan], [1.0]])], ["output"])
    curve = figure.data[0]
    assert np.isfinite(curve.x).all() and curve.x[0] == -6.0 and curve.x[-1] == 6.0
    assert np.isnan(by_name(figure, "output").y[0])


# -- output map ---------------------------------------------------------------------------


def test_output_map_shows_grid_and_training_rows_on_one_colour_scale():
    grid_x, grid_y = np.linspace(0, 1, 5), np.linspace(-1, 1, 3)
    grid_out = np.outer(np.linspace(0.2, 0.8, 3), np.ones(5))
    train_X = np.array([[0.0, -1.0], [1.0, 1.0], [0.5, 0.0]])
    train_Y = np.array([0.0, 1.0, 1.0])
    figure = figures.output_map(grid_x, grid_y, grid_out, train_X, train_Y, "rain", "wind", "umbrella")
    heatmap, rows = figure.data[0], by_name(figure, "training rows")
    np.testing.assert_array_equal(heatmap.z, grid_out)
    np.testing.assert_array_equal(heatmap.x, grid_x)
    np.testing.assert_array_equal(heatmap.y, grid_y)
    np.testing.assert_array_equal(rows.x, train_X[:, 0])
    np.testing.assert_array_equal(rows.y, train_X[:, 1])
    np.testing.assert_array_equal(rows.marker.color, train_Y)
    assert rows.marker.line.color == "#000000"
    assert heatmap.coloraxis == rows.marker.coloraxis == "coloraxis"
    assert (figure.layout.coloraxis.cmin, figure.layout.coloraxis.cmax) == (0.0, 1.0)
    np.testing.assert_array_equal(rows.customdata[:, 1], train_Y)
    assert figure.layout.xaxis.title.text == "rain" and figure.layout.yaxis.title.text == "wind"
    assert "umbrella" in heatmap.hovertemplate and "target umbrella" in rows.hovertemplate


# -- sweeps ---------------------------------------------------------------------------------


def sweep_errors():
    steps = np.arange(1, 301)
    errors = np.vstack([1.0 / (steps * k) for k in (1.0, 2.0, 3.0, 4.0)])
    errors[3, 100:] = np.nan  # the fourth network diverged at update 101
    return errors


def test_sweep_curves_combines_every_network_into_one_faint_trace():
    errors = sweep_errors()
    figure = figures.sweep_curves(errors, [10, 11, 12, 13], max_points=50)
    faint = by_name(figure, "each network")
    x, y = np.asarray(faint.x), np.asarray(faint.y)
    segments = np.flatnonzero(np.isnan(x))
    assert len(segments) == len(errors)  # one gap after each network's curve
    starts = np.r_[0, segments[:-1] + 1]
    for k, (start, stop) in enumerate(zip(starts, segments)):
        np.testing.assert_array_equal(y[start:stop], errors[k, x[start:stop].astype(int) - 1])
    assert figure.layout.yaxis.type == "log"
    assert "1 diverged" in figure.layout.title.text


def test_sweep_median_counts_diverged_networks_as_worst():
    errors = sweep_errors()
    figure = figures.sweep_curves(errors, [10, 11, 12, 13], max_points=1000)
    median = by_name(figure, "median of 4")
    np.testing.assert_array_equal(median.x, np.arange(1, 301))
    before = np.median(errors[:, :100], axis=0)
    np.testing.assert_allclose(median.y[:100], before, rtol=1e-15)
    after = (errors[1, 100:] + errors[0, 100:]) / 2  # the two middle of (4, 3, 2 and a diverged one)
    np.testing.assert_allclose(median.y[100:], after, rtol=1e-15)
    errors[2, 200:] = np.nan  # with half diverged the median is unbounded and not drawn
    median = by_name(figures.sweep_curves(errors, [10, 11, 12, 13], max_points=1000), "median of 4")
    assert np.isnan(median.y[200:]).all()


def test_sweep_curves_highlights_the_chosen_seed():
    errors = sweep_errors()
    figure = figures.sweep_curves(errors, [10, 11, 12, 13], highlight=12, log_y=False)
    chosen = by_name(figure, "seed 12")
    np.testing.assert_array_equal(chosen.y, errors[2])
    assert chosen.line.color == figures.HIGHLIGHT
    assert figure.layout.yaxis.type != "log"
    unknown = figures.sweep_curves(errors, [10, 11, 12, 13], highlight=99)
    assert [trace.name for trace in unknown.data] == ["each network", "median of 4"]


def test_sweep_curves_without_history():
    figure = figures.sweep_curves(np.empty((3, 0)), [1, 2, 3])
    assert len(figure.data) == 0
    assert figure.layout.annotations[0].text == figures.EMPTY_HISTORY_TEXT
    # The same height as once drawn: the page does not jump when the first curves arrive.
    assert figure.layout.height == figures.sweep_curves(np.ones((3, 5)), [1, 2, 3]).layout.height


def test_final_error_strip_one_marker_per_seed_and_diverged_at_the_edge():
    errors = np.array([0.02, 0.5, np.nan, 0.001, np.inf])
    seeds = [7, 8, 9, 10, 11]
    figure = figures.final_error_strip(errors, seeds, target=0.05, highlight=10)
    assert figure.layout.xaxis.type == "log"
    markers = by_name(figure, "seeds")
    np.testing.assert_array_equal(markers.x, [0.02, 0.5, 0.001])
    np.testing.assert_array_equal(markers.customdata, [7, 8, 10])
    assert markers.hovertemplate.startswith("seed %{customdata}: %{x")
    diverged = by_name(figure, "diverged")
    np.testing.assert_array_equal(diverged.customdata, [9, 11])
    assert (np.asarray(diverged.x) > 0.5).all()
    target = by_name(figure, "target")
    assert list(target.x) == [0.05, 0.05] and target.line.dash == "dash"
    assert "target 0.05" in target.text
    chosen = by_name(figure, "seed 10")
    assert list(chosen.x) == [0.001]
    assert chosen.y[0] == markers.y[2]  # drawn over the seed's own marker
    assert "2 diverged" in figure.layout.title.text and "2 at or below 0.05" in figure.layout.title.text


def test_final_error_strip_labels_a_short_log_range_sparsely():
    """0.09 to 0.43 would get a label on every digit, running into each other; 1, 2, 5 per decade instead."""
    short = figures.final_error_strip(np.array([0.09, 0.1, 0.2, 0.43]), range(4), target=0.05)
    assert short.layout.xaxis.dtick == "D2"
    wide = figures.final_error_strip(np.array([1e-5, 0.3]), range(2), target=0.05)
    assert wide.layout.xaxis.dtick == 1
    assert figures.log_tick_step([np.nan, -1.0]) is None


def test_final_error_strip_puts_its_counts_on_a_second_title_line():
    figure = figures.final_error_strip(np.array([0.02, np.nan]), [1, 2], target=0.05)
    first, second = figure.layout.title.text.split("<br>")
    assert first == "Final mean |error| of 2 networks"
    assert "1 diverged, 1 at or below 0.05" in second
    assert figures.final_error_strip(np.array([0.02]), [1]).layout.title.text == "Final mean |error| of 1 network"


def test_final_error_strip_jitter_is_deterministic_and_distinct():
    errors = np.linspace(0.1, 0.2, 30)
    first = figures.final_error_strip(errors, range(30)).data[0].y
    again = figures.final_error_strip(errors, range(30)).data[0].y
    np.testing.assert_array_equal(first, again)
    assert len(set(np.round(first, 12))) == 30
    assert np.abs(first).max() <= 0.35


# -- the largest allowed network --------------------------------------------------------------------


def test_every_figure_builds_and_serialises_for_the_largest_network():
    rng = np.random.default_rng(0)
    n_in, n_out = MAX_COLUMNS - 1, 1
    sizes = [n_in] + [MAX_NEURONS] * MAX_HIDDEN_LAYERS + [n_out]
    weights = [rng.normal(size=(a, b)) for a, b in zip(sizes[:-1], sizes[1:])]
    biases = [rng.normal(size=b) for b in sizes[1:]]
    zs = [rng.normal(scale=4.0, size=(MAX_ROWS, b)) for b in sizes[1:]]
    history = rng.random(200_000)
    history[150_000:] = np.nan
    names = ["input"] + [f"hidden {l}" for l in range(1, MAX_HIDDEN_LAYERS + 1)] + ["output"]
    built = [
        figures.error_curve(history, loss=history / 2, log_y=True),
        figures.weight_heatmap(weights[1], [f"h{i}" for i in range(16)], [f"h{j}" for j in range(16)], "W1",
                               bias=biases[1]),
        figures.network_diagram(weights, biases=biases, neuron_labels=[[f"c{i}" for i in range(n_in)]]
                                + [None] * MAX_HIDDEN_LAYERS + [["y"]]),
        figures.s_curve(["tanh"] * MAX_HIDDEN_LAYERS + ["sigmoid"], zs, names[1:],
                        row_labels=[f"row {r}" for r in range(MAX_ROWS)]),
        figures.output_map(np.linspace(0, 1, 80), np.linspace(0, 1, 60), rng.random((60, 80)),
                           rng.random((MAX_ROWS, 2)), rng.integers(0, 2, MAX_ROWS), "a", "b", "y"),
        figures.sweep_curves(rng.random((64, 20_000)), list(range(64)), highlight=5),
        figures.final_error_strip(rng.random(64), list(range(64)), target=0.1, highlight=5),
    ]
    for figure in built:
        spec = json.loads(figure.to_json())
        assert spec["data"] and spec["layout"]["height"] in (figures.HEIGHT_CURVE, figures.HEIGHT_MATRIX,
                                                            figures.HEIGHT_DIAGRAM, figures.HEIGHT_STRIP,
                                                            figures.HEIGHT_SWEEP)
    diagram = built[2]
    assert len(diagram.data) <= 3 * figures.LINK_WIDTH_BUCKETS + 2  # links grouped, not one trace each
    assert len(by_name(diagram, "weights").hovertext) == sum(W.size for W in weights)
    assert len(built[0].data[0].x) <= 1500
