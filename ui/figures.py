"""Plotly figure builders: plain arrays in, a Figure out, nothing trained or stored.

They are redrawn several times a second while a network trains, so each builds
few traces from whole arrays (NumPy arrays serialise as compact typed arrays),
and every figure has a fixed height so the page does not jump between redraws.
Weights always use one diverging scale: blue negative, white zero, red positive.
"""

import copy
import functools
import html
from types import MappingProxyType

import numpy as np
import plotly.graph_objects as go
import plotly.io as pio

from engine.activations import ACTIVATIONS

BLUE = "#2166ac"  # negative weights
RED = "#b2182b"  # positive weights
WEIGHT_COLORSCALE = ((0.0, BLUE), (0.5, "#ffffff"), (1.0, RED))
OUTPUT_COLORSCALE = "Viridis"
HIGHLIGHT = "#e66101"
LAYER_COLORS = ("#1b9e77", "#7570b3", "#e7298a", "#66a61e", "#e6ab02", "#a6761d", "#d95f02", "#666666")
CURVE_COLORS = MappingProxyType({"sigmoid": "#263238", "tanh": "#4a148c", "relu": "#8c510a", "linear": "#01665e"})
EMPTY_HISTORY_TEXT = "No training yet: press Step or Run"

FONT_SIZE = 15  # read from the back of a classroom
CELL_TEXT_MAX_CELLS = 64  # above this, numbers in cells are too small to read
HEIGHT_CURVE = 300  # with short heatmaps (matrix_height), the Train page's controls and heatmaps fit 1440x900
HEIGHT_MATRIX = 380
HEIGHT_DIAGRAM = 420
HEIGHT_STRIP = 320
HEIGHT_SWEEP = HEIGHT_CURVE + 40  # room for the legend under the axis
MATRIX_ROW_HEIGHT = 40  # px per row of a heatmap up to HEIGHT_MATRIX: numbers at 15 px still fit a cell
MARGIN_BASE = 44  # px left of the tick labels: the y-axis title, its standoff and padding
TICK_CHAR_PX = 9.0  # px per character of a tick label at FONT_SIZE, generous for digits and lower case
RIGHT_COLORBAR = 100  # px right of the plot for a colour bar and its title
LINK_WIDTH_MIN, LINK_WIDTH_MAX = 0.5, 8.0
LINK_WIDTH_BUCKETS = 8  # links of one colour share a trace per width step
# Plotly's default log ticks label 2..9 of each decade in tiny digits; fewer, plain numbers read better.
LOG_AXIS = MappingProxyType(dict(type="log", nticks=6, tickformat="~g"))


def matrix_height(n_rows):
    """A heatmap's height in px for n_rows rows: a short matrix needs less than HEIGHT_MATRIX."""
    return min(HEIGHT_MATRIX, 150 + MATRIX_ROW_HEIGHT * n_rows)


def _escape(label):
    """User text is shown inside Plotly's HTML-like labels and templates."""
    return html.escape(str(label)).replace("%{", "%&#123;")


def margin(y_tick_chars=6, right=40):
    """Plot margins (px) wide enough for y tick labels of y_tick_chars characters and a right-hand column.

    Plotly's automargin widens a margin that is too narrow, but only by drawing the chart twice; a
    live chart redrawn several times a second would pay that on every update. Margins that already
    fit the labels avoid it, and automargin stays on as a safety net for unusually long labels.
    """
    return dict(l=int(MARGIN_BASE + TICK_CHAR_PX * y_tick_chars), r=int(right), t=56, b=64)


def _longest(labels):
    return max((len(html.unescape(str(label))) for label in labels), default=1)


def _figure(traces, title, height, x_title=None, y_title=None, showlegend=False, **layout):
    checked = go.Layout(
        title=dict(text=title, font=dict(size=FONT_SIZE + 3), x=0.01, xanchor="left"),
        font=dict(size=FONT_SIZE),
        height=height,
        margin=layout.pop("margin", margin()),
        showlegend=showlegend,
        xaxis=dict(title=dict(text=x_title)) | layout.pop("xaxis", {}),
        yaxis=dict(title=dict(text=y_title)) | layout.pop("yaxis", {}),
        **layout,
    ).to_plotly_json()
    # The template is known-good, so it skips validation (~12 ms per figure otherwise); the traces
    # and the rest of the layout are still validated.
    checked["template"] = copy.deepcopy(_white_template())
    return go.Figure(data=traces, layout=checked, _validate=False)


# What our figures read from plotly_white: flat 2-D axes and the trace types drawn here. The whole
# template styles every Plotly trace type and 3-D scene; Streamlit copies and walks it once per chart
# per redraw, which was most of a redraw's server time while training ran.
_TEMPLATE_LAYOUT_KEYS = ("autotypenumbers", "colorway", "colorscale", "coloraxis", "font", "hovermode", "hoverlabel",
                         "paper_bgcolor", "plot_bgcolor", "xaxis", "yaxis", "shapedefaults", "annotationdefaults",
                         "title")
_TEMPLATE_TRACE_TYPES = ("scatter", "heatmap")


@functools.cache
def _white_template():
    full = pio.templates["plotly_white"].to_plotly_json()
    return {"layout": {key: full["layout"][key] for key in _TEMPLATE_LAYOUT_KEYS},
            "data": {kind: full["data"][kind] for kind in _TEMPLATE_TRACE_TYPES}}


def _empty(title, height, x_title, y_title, text=EMPTY_HISTORY_TEXT):
    figure = _figure([], title, height, x_title, y_title, xaxis=dict(range=[1, 10]), yaxis=dict(range=[0, 1]))
    figure.add_annotation(text=text, x=0.5, y=0.5, xref="paper", yref="paper", showarrow=False,
                          font=dict(size=FONT_SIZE + 2, color="#555555"))
    return figure


# -- long histories -------------------------------------------------------------


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


def _downsample_indices(values, max_points):
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
    index = np.unique(_downsample_indices(values[None], max_points)[0])
    return index + 1, values[index]


def error_curve(mean_abs_error, loss=None, log_y=False, max_points=1500, loss_label="loss"):
    """Training curve from mean |error| (n_steps,) and optionally loss (n_steps,), x = step number."""
    mean_abs_error = np.asarray(mean_abs_error, dtype=np.float64).reshape(-1)
    y_title = "mean |error|" if loss is None else f"mean |error| and {_escape(loss_label)}"
    y_axis = dict(LOG_AXIS) if log_y else {}
    if len(mean_abs_error) == 0:
        return _empty("Error during training", HEIGHT_CURVE, "step", y_title)
    x, y = downsample(mean_abs_error, max_points)
    traces = [go.Scatter(x=x, y=y, mode="lines", name="mean |error|", line=dict(color=BLUE, width=2.5),
                         hovertemplate="step %{x}: mean |error| %{y:.5g}<extra></extra>")]
    if loss is not None:
        loss_x, loss_y = downsample(loss, max_points)
        label = _escape(loss_label)
        traces.append(go.Scatter(x=loss_x, y=loss_y, mode="lines", name=label, line=dict(color=RED, width=2),
                                 hovertemplate=f"step %{{x}}: {label} %{{y:.5g}}<extra></extra>"))
    latest = mean_abs_error[-1]
    state = f"{latest:.4g}" if np.isfinite(latest) else "diverged"
    title = f"Error during training (step {len(mean_abs_error)}: mean |error| {state})"
    # Inside the top right corner: a falling error curve leaves it empty, and the title keeps its room.
    return _figure(traces, title, HEIGHT_CURVE, "step", y_title, showlegend=loss is not None, yaxis=y_axis,
                   legend=dict(x=0.99, xanchor="right", y=0.99, yanchor="top", bgcolor="rgba(255,255,255,0.7)"))


# -- weights ---------------------------------------------------------------------


def _symmetric_limit(values):
    finite = np.abs(values[np.isfinite(values)])
    return max(float(finite.max()) if finite.size else 0.0, 1e-12)


def weight_heatmap(W, row_labels, col_labels, title, bias=None):
    """W (n_in, n_out) as a grid: rows are the layer's inputs, columns its neurons; bias (n_out,) as a last row."""
    values = np.asarray(W, dtype=np.float64)
    rows = [_escape(label) for label in row_labels]
    cols = [_escape(label) for label in col_labels]
    if bias is not None:
        values = np.vstack([values, np.asarray(bias, dtype=np.float64).reshape(1, -1)])
        rows.append("bias")
    limit = _symmetric_limit(values)
    n_rows, n_cols = values.shape
    # Numeric axes with tick labels: labels such as "1" or two equal names must not be merged or reordered.
    hover = np.array([[f"from {r} to {c}" for c in cols] for r in rows], dtype=object).reshape(n_rows, n_cols)
    cell_text = {"texttemplate": "%{z:.3g}", "textfont": dict(size=FONT_SIZE)} if values.size <= CELL_TEXT_MAX_CELLS \
        else {}
    heatmap = go.Heatmap(
        z=values, x=np.arange(n_cols), y=np.arange(n_rows), text=hover,
        colorscale=WEIGHT_COLORSCALE, zmid=0.0, zmin=-limit, zmax=limit, xgap=1, ygap=1,
        colorbar=dict(title=dict(text="weight"), thickness=14),
        hovertemplate="%{text}: %{z:.4g}<extra></extra>", **cell_text,
    )
    return _figure(
        [heatmap], _escape(title), HEIGHT_MATRIX, "neuron of this layer", "input to this layer",
        margin=margin(_longest(rows), right=RIGHT_COLORBAR),
        xaxis=dict(tickvals=list(range(n_cols)), ticktext=cols, showgrid=False, zeroline=False, side="bottom"),
        yaxis=dict(tickvals=list(range(n_rows)), ticktext=rows, autorange="reversed", showgrid=False,
                   zeroline=False),
    )


def _node_heights(n):
    """y of n nodes in a column, top to bottom, centred on 0 and one unit apart."""
    return (n - 1) / 2 - np.arange(n, dtype=np.float64)


def link_width(magnitude, largest):
    """Line width for |w| = magnitude when the largest |w| drawn is largest (same shape as magnitude)."""
    fraction = np.asarray(magnitude, dtype=np.float64) / max(float(largest), 1e-300)
    steps = np.rint(np.clip(np.nan_to_num(fraction), 0.0, 1.0) * (LINK_WIDTH_BUCKETS - 1))
    return LINK_WIDTH_MIN + (LINK_WIDTH_MAX - LINK_WIDTH_MIN) * steps / (LINK_WIDTH_BUCKETS - 1)


def network_diagram(weights, biases=None, layer_labels=None, neuron_labels=None):
    """Neurons in columns joined by links W[l] (n_l, n_{l+1}): red positive, blue negative, width by |w|."""
    weights = [np.asarray(W, dtype=np.float64) for W in weights]
    biases = [np.asarray(b, dtype=np.float64).reshape(-1) for b in biases] if biases else None
    sizes = [weights[0].shape[0]] + [W.shape[1] for W in weights]
    n_layers = len(sizes)
    if layer_labels is None:
        layer_labels = ["input"] + [f"hidden {l}" for l in range(1, n_layers - 1)] + ["output"]
    layer_labels = [_escape(label) for label in layer_labels]
    names = [[_escape(label) for label in neuron_labels[l]] if neuron_labels and neuron_labels[l] is not None
             else [f"neuron {j}" for j in range(size)] for l, size in enumerate(sizes)]
    heights = [_node_heights(size) for size in sizes]

    x0, y0, x1, y1, w, tags = [], [], [], [], [], []
    for l, W in enumerate(weights):
        i, j = np.divmod(np.arange(W.size), W.shape[1])
        x0.append(np.full(W.size, l, dtype=np.float64))
        x1.append(np.full(W.size, l + 1, dtype=np.float64))
        y0.append(heights[l][i])
        y1.append(heights[l + 1][j])
        w.append(W.reshape(-1))
        tags.extend(f"syn{l}[{a}, {b}] = {value:.4g}" for a, b, value in zip(i, j, W.reshape(-1)))
    x0, y0, x1, y1, w = (np.concatenate(parts) for parts in (x0, y0, x1, y1, w))
    finite = np.isfinite(w)
    largest = float(np.abs(w[finite]).max()) if finite.any() else 0.0
    widths = link_width(np.abs(w), largest)

    traces = []
    # Weak links first so strong ones are drawn on top; one trace per (colour, width) keeps 1,500 links light.
    for width in np.unique(widths):
        for colour, chosen in ((BLUE, finite & (w < 0)), (RED, finite & (w > 0)), ("#9e9e9e", ~finite | (w == 0))):
            chosen = chosen & (widths == width)
            if not chosen.any():
                continue
            count = int(chosen.sum())
            # Each link is (start, end, gap); NaN breaks the line between links.
            xs = np.column_stack([x0[chosen], x1[chosen], np.full(count, np.nan)]).reshape(-1)
            ys = np.column_stack([y0[chosen], y1[chosen], np.full(count, np.nan)]).reshape(-1)
            opacity = 0.35 + 0.65 * (width - LINK_WIDTH_MIN) / (LINK_WIDTH_MAX - LINK_WIDTH_MIN)
            traces.append(go.Scatter(x=xs, y=ys, mode="lines", line=dict(color=colour, width=float(width)),
                                     opacity=float(opacity), hoverinfo="skip", name=f"links {width:.2g}"))
    traces.append(go.Scatter(
        x=(x0 + x1) / 2, y=(y0 + y1) / 2, mode="markers", hovertext=tags, hoverinfo="text", name="weights",
        marker=dict(size=10, color="rgba(0,0,0,0)"),
    ))

    node_x = np.concatenate([np.full(size, l, dtype=np.float64) for l, size in enumerate(sizes)])
    node_y = np.concatenate(heights)
    node_hover, node_bias = [], []
    for l, size in enumerate(sizes):
        for j in range(size):
            line = f"{layer_labels[l]}, {names[l][j]}"
            value = biases[l - 1][j] if biases and l > 0 else np.nan
            if biases and l > 0:
                line += f"<br>bias {value:.4g}"
            node_hover.append(line)
            node_bias.append(value)
    if biases:
        bias_limit = _symmetric_limit(np.concatenate(biases))
        marker_colour = dict(color=np.array(node_bias), colorscale=WEIGHT_COLORSCALE, cmid=0.0, cmin=-bias_limit,
                             cmax=bias_limit, colorbar=dict(title=dict(text="bias"), thickness=14))
    else:
        marker_colour = dict(color="#ffffff")
    # Input and output nodes carry their column names; hidden ones stay bare to keep the picture calm.
    node_text = [names[l][j] if l in (0, n_layers - 1) and neuron_labels else ""
                 for l, size in enumerate(sizes) for j in range(size)]
    node_side = ["middle left" if l == 0 else "middle right" for l, size in enumerate(sizes) for _ in range(size)]
    traces.append(go.Scatter(
        x=node_x, y=node_y, mode="markers+text", text=node_text, textposition=node_side, hovertext=node_hover,
        hoverinfo="text", name="neurons",
        marker=dict(size=max(8, 22 - max(sizes)), line=dict(color="#333333", width=1.5), **marker_colour),
    ))
    tallest = max(sizes)
    return _figure(
        traces, "Network: links coloured by sign, thicker for larger |weight|", HEIGHT_DIAGRAM,
        xaxis=dict(tickvals=list(range(n_layers)), ticktext=layer_labels, showgrid=False, zeroline=False,
                   range=[-0.6, n_layers - 0.4], side="top"),
        yaxis=dict(visible=False, range=[-tallest / 2, tallest / 2]),
        margin=dict(l=90, r=90, t=70, b=20),
    )


# -- activations -------------------------------------------------------------------


def s_curve(layer_activations, zs, layer_names, row_labels=None):
    """Every neuron's pre-activation zs[l] (n_rows, n_units) placed on its curve a = f(z), beside f'(z)."""
    zs = [np.asarray(z, dtype=np.float64) for z in zs]
    finite = [z[np.isfinite(z)] for z in zs]
    z_low = min([-6.0] + [float(z.min()) for z in finite if z.size])
    z_high = max([6.0] + [float(z.max()) for z in finite if z.size])
    z_grid = np.linspace(z_low, z_high, 401)
    traces = []
    for name in dict.fromkeys(layer_activations):
        activation = ACTIVATIONS[name]
        colour = CURVE_COLORS.get(name, "#333333")
        traces.append(go.Scatter(x=z_grid, y=activation(z_grid), mode="lines", name=f"{activation.label} a = f(z)",
                                 line=dict(color=colour, width=3), hoverinfo="skip"))
        traces.append(go.Scatter(x=z_grid, y=activation.slope(z_grid), mode="lines",
                                 name=f"{activation.label} slope f'(z)", opacity=0.6,
                                 line=dict(color=colour, width=2, dash="dash"), hoverinfo="skip"))
    for l, (name, z) in enumerate(zip(layer_activations, zs)):
        activation = ACTIVATIONS[name]
        n_rows, n_units = z.shape
        a = activation(z)
        with np.errstate(invalid="ignore"):  # NaN from a diverged net stays NaN, just unplotted
            slope = activation.derivative_from_output(a)
        row, neuron = np.divmod(np.arange(z.size), n_units)
        layer = _escape(layer_names[l])
        if row_labels is not None:
            row_text = np.array([_escape(label) for label in row_labels], dtype=object)[row]
            row_part = "%{text}"
        else:
            row_text, row_part = None, "%{customdata[0]}"
        traces.append(go.Scatter(
            x=z.reshape(-1), y=a.reshape(-1), mode="markers", name=layer, text=row_text,
            customdata=np.column_stack([row, neuron, slope.reshape(-1)]),
            marker=dict(size=8, color=LAYER_COLORS[l % len(LAYER_COLORS)], opacity=0.8,
                        line=dict(color="#ffffff", width=0.5)),
            hovertemplate=f"{layer}, neuron %{{customdata[1]}}, row {row_part}: z=%{{x:.4g}}, a=%{{y:.4g}}, "
                          "slope=%{customdata[2]:.4g}<extra></extra>",
        ))
    legend_chars = _longest(trace.name for trace in traces)
    return _figure(traces, "Where each neuron sits on its activation curve", HEIGHT_DIAGRAM,
                   "z (weighted input)", "a = f(z)  and slope f'(z)", showlegend=True,
                   margin=margin(right=48 + TICK_CHAR_PX * (FONT_SIZE - 2) / FONT_SIZE * legend_chars),
                   legend=dict(x=1.02, xanchor="left", y=1, font=dict(size=FONT_SIZE - 2)))


# -- decision surface -----------------------------------------------------------------


def output_map(grid_x, grid_y, grid_out, train_X, train_Y, x_name, y_name, out_name):
    """Output grid_out (ny, nx) over grid_x (nx,) x grid_y (ny,), with the training rows train_X (n_rows, 2)."""
    grid_out = np.asarray(grid_out, dtype=np.float64)
    train_X = np.asarray(train_X, dtype=np.float64).reshape(-1, 2)
    train_Y = np.asarray(train_Y, dtype=np.float64).reshape(-1)
    x_name, y_name, out_name = _escape(x_name), _escape(y_name), _escape(out_name)
    both = np.concatenate([grid_out.reshape(-1), train_Y])
    both = both[np.isfinite(both)]
    low, high = (float(both.min()), float(both.max())) if both.size else (0.0, 1.0)
    if high - low < 1e-12:
        low, high = low - 0.5, high + 0.5
    traces = [go.Heatmap(
        x=np.asarray(grid_x, dtype=np.float64), y=np.asarray(grid_y, dtype=np.float64), z=grid_out,
        coloraxis="coloraxis", name="network output",
        hovertemplate=f"{x_name}=%{{x:.3g}}, {y_name}=%{{y:.3g}}: {out_name}=%{{z:.3g}}<extra>network</extra>",
    )]
    traces.append(go.Scatter(
        x=train_X[:, 0], y=train_X[:, 1], mode="markers", name="training rows",
        customdata=np.column_stack([np.arange(len(train_Y)), train_Y]),
        marker=dict(size=12, color=train_Y, coloraxis="coloraxis", line=dict(color="#000000", width=2)),
        hovertemplate=f"row %{{customdata[0]}}: {x_name}=%{{x:.3g}}, {y_name}=%{{y:.3g}}, "
                      f"target {out_name}=%{{customdata[1]:.3g}}<extra></extra>",
    ))
    return _figure(
        traces, f"Network output {out_name} over the input plane", HEIGHT_DIAGRAM, x_name, y_name,
        margin=margin(right=RIGHT_COLORBAR + TICK_CHAR_PX * max(0, _longest([out_name]) - 6)),
        coloraxis=dict(colorscale=OUTPUT_COLORSCALE, cmin=low, cmax=high,
                       colorbar=dict(title=dict(text=out_name), thickness=14)),
    )


# -- many seeds -------------------------------------------------------------------------


def sweep_curves(mean_abs_error, seeds, highlight=None, max_points=400, log_y=True, step_stride=1):
    """mean |error| (S, n_steps) of S networks: each faint, their median bold, one seed highlighted.

    step_stride: column i of mean_abs_error is step i * step_stride + 1 (a thinned history while running).

    The median counts a diverged network (NaN) as infinitely bad, so it vanishes once half have diverged.
    """
    errors = np.atleast_2d(np.asarray(mean_abs_error, dtype=np.float64))
    S, n = errors.shape
    seeds = [int(seed) for seed in seeds]
    y_axis = dict(LOG_AXIS) if log_y else {}
    if n == 0 or S == 0:
        figure = _empty("Error of every network", HEIGHT_SWEEP, "step", "mean |error|")
        figure.update_yaxes(**y_axis)
        return figure
    index = _downsample_indices(errors, max_points)
    gap = np.full((S, 1), np.nan)
    x = np.hstack([index * step_stride + 1.0, gap]).reshape(-1)
    y = np.hstack([np.take_along_axis(errors, np.asarray(index), axis=1), gap]).reshape(-1)
    traces = [go.Scatter(x=x, y=y, mode="lines", name="each network", hoverinfo="skip",
                         line=dict(color="rgba(120,120,120,0.25)", width=1))]
    columns = np.unique(np.linspace(0, n - 1, min(n, max_points)).round().astype(np.intp))
    median = np.median(np.where(np.isnan(errors[:, columns]), np.inf, errors[:, columns]), axis=0)
    median[~np.isfinite(median)] = np.nan
    traces.append(go.Scatter(x=columns * step_stride + 1, y=median, mode="lines", name=f"median of {S}",
                             line=dict(color="#111111", width=3.5),
                             hovertemplate="step %{x}: median %{y:.4g}<extra></extra>"))
    if highlight is not None and int(highlight) in seeds:
        k = seeds.index(int(highlight))
        hx, hy = downsample(errors[k], max_points)
        hx = (np.asarray(hx) - 1) * step_stride + 1
        traces.append(go.Scatter(x=hx, y=hy, mode="lines", name=f"seed {int(highlight)}",
                                 line=dict(color=HIGHLIGHT, width=3),
                                 hovertemplate=f"seed {int(highlight)}, step %{{x}}: %{{y:.4g}}<extra></extra>"))
    diverged = int(np.isnan(errors).any(axis=1).sum())
    title = f"Error of {_networks(S)}" + (f" ({diverged} diverged)" if diverged else "")
    # The legend goes under the axis: beside the title, in part of the page's width, the two overlap.
    return _figure(traces, title, HEIGHT_SWEEP, "step", "mean |error|", showlegend=True, yaxis=y_axis,
                   margin=dict(margin(), b=112),
                   legend=dict(orientation="h", x=0, xanchor="left", y=-0.3, yanchor="top"))


def _networks(n):
    return f"{n} network" if n == 1 else f"{n} networks"


def strip_jitter(n):
    """Deterministic vertical offsets in [-0.35, 0.35] for n markers (golden-ratio spread by index)."""
    return ((np.arange(n) * 0.6180339887498949) % 1.0 - 0.5) * 0.7


def final_error_strip(final_errors, seeds, target=None, highlight=None):
    """One marker per seed at its final mean |error| (S,) on a log axis; diverged (NaN) seeds at the right edge."""
    errors = np.asarray(final_errors, dtype=np.float64).reshape(-1)
    seeds = np.asarray([int(seed) for seed in seeds], dtype=np.int64)
    jitter = strip_jitter(len(errors))
    ok = np.isfinite(errors)
    traces = [go.Scatter(x=errors[ok], y=jitter[ok], mode="markers", name="seeds", customdata=seeds[ok],
                         marker=dict(size=10, color=BLUE, opacity=0.7, line=dict(color="#ffffff", width=1)),
                         hovertemplate="seed %{customdata}: %{x:.4g}<extra></extra>")]
    positive = errors[ok & (errors > 0)]
    reach = [float(positive.max()) if positive.size else 1.0]
    if target is not None and target > 0:
        reach.append(float(target))
    edge = max(reach) * 3
    diverged = ~ok
    if diverged.any():
        traces.append(go.Scatter(
            x=np.full(int(diverged.sum()), edge), y=jitter[diverged], mode="markers+text", name="diverged",
            customdata=seeds[diverged], text=["diverged" if k == 0 else "" for k in range(int(diverged.sum()))],
            textposition="top center", marker=dict(size=11, color="#757575", symbol="x"),
            hovertemplate="seed %{customdata}: diverged<extra></extra>",
        ))
    title = f"Final mean |error| of {_networks(len(errors))}"
    details = []
    if diverged.any():
        details.append(f"{int(diverged.sum())} diverged")
    if target is not None:
        details.append(f"{int((errors[ok] <= target).sum())} at or below {target:g}")
        traces.append(go.Scatter(
            x=[target, target], y=[-0.5, 0.5], mode="lines+text", name="target", text=["", f"target {target:g}"],
            textposition="top right", line=dict(color="#333333", width=2, dash="dash"), hoverinfo="skip",
        ))
    if details:  # a second, smaller line: the chart shares the page's width with the curves
        title += f"<br><span style='font-size:{FONT_SIZE}px'>{', '.join(details)}</span>"
    if highlight is not None and int(highlight) in seeds:
        k = int(np.flatnonzero(seeds == int(highlight))[0])
        value = errors[k] if ok[k] else edge
        label = f"{errors[k]:.4g}" if ok[k] else "diverged"
        traces.append(go.Scatter(
            x=[value], y=[jitter[k]], mode="markers", name=f"seed {int(highlight)}",
            marker=dict(size=18, color=HIGHLIGHT, symbol="diamond", line=dict(color="#000000", width=1.5)),
            hovertemplate=f"seed {int(highlight)}: {label}<extra></extra>",
        ))
    drawn = np.concatenate([errors[ok & (errors > 0)], [edge] if diverged.any() else [], reach])
    return _figure(traces, title, HEIGHT_STRIP, "final mean |error| (log scale)", None,
                   margin=dict(margin(y_tick_chars=0), t=80),
                   xaxis=dict(LOG_AXIS, dtick=log_tick_step(drawn)), yaxis=dict(visible=False, range=[-0.6, 0.7]))


def log_tick_step(values):
    """Plotly dtick for a log axis over values: 1, 2, 5 in each decade when they span little, else powers of 10.

    Plotly labels every digit of a short log range, and the labels run into each other.
    """
    values = np.asarray(values, dtype=np.float64)
    values = values[np.isfinite(values) & (values > 0)]
    if values.size == 0:
        return None
    return "D2" if np.log10(values.max() / values.min()) < 2 else 1
