"""What the live view is sent: chart structure once, then numbers, as plain JSON-ready values.

Pure functions of a Playground (no Streamlit), so tests check every number the browser will
draw. The browser side (static/liveview.js) mounts the charts of `charts` once, keyed by
`key`, and plays `frames` back in order; docs/live-view.md describes the protocol.

Which pass a number belongs to: a frame at step N is the network after N updates. Its
outputs, mean |error| and loss come from one forward pass with those weights, the pass
the tutorials would print at iteration N. The error curve's point at step j is the pass
before update j + 1 (the engine's history), so the point at N is the frame's own.
"""

import hashlib
import json
import math
import threading
import time
import weakref

import numpy as np

from engine import ACTIVATIONS, LOSSES
from ui import figures, readouts

FRAME_WINDOW_SECONDS = 1.0  # frames this recent are resent, so a skipped redraw loses none
MAX_FRAMES = 24
# The browser asks again every controls["tick_ms"]: frames of the last two and a half requests cover one
# payload it skipped, and 20 frames a second move every chart smoothly. Each frame costs the server a
# forward pass and ~0.6 kB of JSON that Streamlit serialises twice, so more is waste.
WINDOW_TICKS = 2.5
MIN_WINDOW_SECONDS = 0.3
FRAMES_PER_SECOND = 20
PER_FRAME_NUMBERS = 400  # larger tables and S-curves ride only on the newest frame
CURVE_BUCKETS = 400  # the error curve's history in 200 to 400 buckets, up to 4 points per series each
MAP_POINTS = 48  # per axis of the output map
NEURON_MAP_POINTS = 24  # per axis of each neuron's small map: up to 97 maps ride on the newest frame
FIT_POINTS = 200  # along the input of a one-input table's output curve
SIGNIFICANT = 7  # digits kept for drawing; the tables show 8 decimals of numbers below 1

TRAIN_SERIES = ({"name": "mean |error|", "color": figures.BLUE, "dash": False},
                {"name": "loss", "color": figures.RED, "dash": False})
TEST_SERIES = ({"name": "test mean |error|", "color": figures.BLUE, "dash": True},
               {"name": "test loss", "color": figures.RED, "dash": True})


def clean(values, digits=SIGNIFICANT):
    """A float array as a list for JSON: rounded for drawing, NaN and infinities as None."""
    flat = np.asarray(values, dtype=np.float64).reshape(-1)
    return [float(f"{v:.{digits}g}") if math.isfinite(v) else None for v in flat.tolist()]


def exact(values):
    """A float array as a list for JSON at full precision (numbers people compare digit by digit)."""
    flat = np.asarray(values, dtype=np.float64).reshape(-1)
    return [v if math.isfinite(v) else None for v in flat.tolist()]


def forward(frame, X, activations):
    """(zs, activations) of the network in `frame` on scaled rows X (n_rows, n_in), as Trainer.forward computes them.

    The same calls in the same order as the engine's forward pass, so outputs match its bits.
    """
    a = np.ascontiguousarray(X, dtype=np.float64)
    zs, outs = [], [a]
    with np.errstate(all="ignore"):
        for l, W in enumerate(frame.W):
            z = a.dot(W)
            if frame.b:
                z = z + frame.b[l]
            a = ACTIVATIONS[activations[l]].forward(z)
            zs.append(z)
            outs.append(a)
    return zs, outs


def recent_frames(pg, now=None, tick_ms=None):
    """The playground's recent frames, thinned evenly to FRAMES_PER_SECOND, ending with its current state.

    Recent: taken within WINDOW_TICKS requests of the browser (tick_ms apart), at least
    MIN_WINDOW_SECONDS and at most FRAME_WINDOW_SECONDS ago; the newest frame is always kept.
    """
    now = time.monotonic() if now is None else now
    window = FRAME_WINDOW_SECONDS
    if tick_ms:
        window = min(FRAME_WINDOW_SECONDS, max(MIN_WINDOW_SECONDS, WINDOW_TICKS * tick_ms / 1000))
    frames = [f for f in pg.live.frames if now - f.taken_at <= window]
    most = min(MAX_FRAMES, math.ceil(window * FRAMES_PER_SECOND))
    if len(frames) > most:
        last = len(frames) - 1
        frames = [frames[last - round(k * last / (most - 1))] for k in range(most - 1, -1, -1)]
    if not frames or frames[-1].step != pg.steps:
        frames.append(current_frame(pg))
    return frames


def current_frame(pg):
    from ui.live import Frame

    return Frame(pg.steps, tuple(pg.trainer.weights()), tuple(pg.trainer.biases()))


def structure_key(view, charts):
    """Changes exactly when the charts' structure does: the browser then builds them afresh."""
    return view + ":" + hashlib.blake2b(json.dumps(charts, sort_keys=True).encode(), digest_size=8).hexdigest()


# -- status -----------------------------------------------------------------------------


def state_words(pg):
    if pg.running:
        return "running"
    if pg.trainer.diverged_at[0] >= 0:
        return "stopped: diverged"
    return "paused"


def frame_status(pg, frame, outputs, z_out, test=None):
    """Status values for a frame: its step, and mean |error| and loss of its forward pass on the training rows.

    test: (outputs, z_out) of the pass on the rows held out, which add their own two values.
    """
    status = {"Step": f"{frame.step:,}"}
    error, value = pass_error(pg, outputs, z_out)
    status.update({"Mean |error|": _number(error), "Loss": _number(value)})
    if test is not None:
        error, value = pass_error(pg, *test, test=True)
        status.update({"Test mean |error|": _number(error), "Test loss": _number(value)})
    return status


def pass_error(pg, outputs, z_out, test=False):
    """(mean |error|, loss) of a forward pass on the training rows, or on the test rows (as the curve draws it)."""
    Y = pg.trainer.Y_test if test else pg.trainer.Y
    loss = LOSSES[pg.config.loss]
    with np.errstate(all="ignore"):
        error = float(np.mean(np.abs(Y - outputs)))
        value = float(loss.value(z_out, Y, Y - outputs)) * (test_loss_factor(pg) if test else 1.0)
    return error, value


def test_loss_factor(pg):
    """What the test loss is multiplied by to be drawn beside the training loss: 1 for a loss that averages.

    The tutorials' loss adds up over rows, so on 60 test rows it would be twice that of 30 training rows
    at the same fit; it is drawn per as many rows as one training step adds up.
    """
    if LOSSES[pg.config.loss].per_item or not pg.has_test:
        return 1.0
    return pg.trainer.batch_rows / len(pg.trainer.X_test)


def curve_series(pg):
    """The error curve's series: training mean |error| and loss, then the test rows' when some are held out."""
    if not pg.has_test:
        return list(TRAIN_SERIES)
    factor = test_loss_factor(pg)
    test_loss = dict(TEST_SERIES[1], name=f"test loss (per {pg.trainer.batch_rows} rows)") if factor != 1 else \
        TEST_SERIES[1]
    return [*TRAIN_SERIES, TEST_SERIES[0], test_loss]


def _number(x):
    return f"{x:.6g}" if math.isfinite(x) else "overflow"


# -- the error curve ------------------------------------------------------------------------


def error_curve_data(pg, current=None):
    """{"x", "series"}: decimated history (x = updates before that pass) and the current pass at x = steps.

    With test rows the series are training mean |error| and loss, then test mean |error| and loss.
    The history is cut into buckets of a power-of-two width, at most CURVE_BUCKETS of them; each
    bucket keeps the positions of every series' smallest and largest value, so a spike is never
    hidden. A full bucket never changes while the history grows, so it is decimated once and kept
    for the next payload (until the network changes, or the buckets double in width).
    """
    trainer = pg.trainer
    factor = test_loss_factor(pg) if trainer.has_test else 1.0
    histories = [trainer.mean_abs_error[0], trainer.loss_history[0]]
    if trainer.has_test:
        histories += [trainer.test_mean_abs_error[0], trainer.test_loss_history[0] * factor]
    n = len(histories[0])
    if n <= CURVE_BUCKETS * 2:
        x, series = list(range(n)), [clean(history) for history in histories]
    else:
        width = 1 << math.ceil(math.log2(n / CURVE_BUCKETS))
        with _curves_lock:
            kept = _curves.get(pg)
        made_for = (trainer, pg.generation, width, len(histories), factor)
        if kept is None or kept.made_for != made_for or kept.end > n:
            kept = _CurvePoints(made_for, len(histories))
        kept.extend(histories, n // width * width, width)
        with _curves_lock:
            _curves[pg] = kept
        tail = _picked(histories, kept.end, n - kept.end, n - kept.end) if n > kept.end else np.empty(0, np.intp)
        x = [*kept.x, *tail.tolist()]
        series = [[*done, *clean(history[tail])] for done, history in zip(kept.series, histories)]
        if x[-1] != n - 1:
            x.append(n - 1)
            for values, history in zip(series, histories):
                values += clean(history[-1:])
    if current is not None:
        x.append(pg.steps)
        for values, value in zip(series, current, strict=True):
            values.append(value)
    return {"x": x, "series": series}


def _picked(histories, start, length, width):
    """Sorted positions of every series' extremes in each bucket of `width` in [start, start + length)."""
    values = np.vstack([h[start:start + length] for h in histories]).reshape(len(histories), -1, width)
    low, high = figures._bucket_extremes(values)
    offsets = start + width * np.arange(values.shape[1])
    return np.unique(np.concatenate([(low + offsets).ravel(), (high + offsets).ravel()]))


class _CurvePoints:
    """The decimated full buckets of one network's history, as drawn: x, and every series cleaned."""

    def __init__(self, made_for, n_series):
        self.made_for = made_for  # (trainer, generation, bucket width, ...): any change starts again
        self.end = 0  # history covered so far (a multiple of the width)
        self.x, self.series = [], [[] for _ in range(n_series)]

    def extend(self, histories, end, width):
        if end <= self.end:
            return
        index = _picked(histories, self.end, end - self.end, width)
        if self.end == 0:  # step 0 always opens the curve
            index = np.unique(np.append(index, 0))
        self.x += index.tolist()
        for values, history in zip(self.series, histories):
            values += clean(history[index])
        self.end = end


_curves = weakref.WeakKeyDictionary()  # Playground -> _CurvePoints; a page's runs hold its playground's lock
_curves_lock = threading.Lock()


# -- the views ----------------------------------------------------------------------------------


def train_view(pg, controls):
    """Payload of the Train page: status, error curve, outputs table, heatmaps, network diagram."""
    names, labels, titles = readouts.layer_names(pg), readouts.neuron_labels(pg), readouts.weight_titles(pg)
    table = pg.table
    X, Y = table.X, table.Y  # each is rebuilt from the table's rows when asked for: once per payload is enough
    bias = bool(pg.trainer.b)
    out_columns = [f"{name} (output)" for name in table.outputs]
    held_out = {"set": [("test" if test else "train") for test in _test_flags(pg)]} if pg.has_test else {}
    charts = [
        {"id": "curve", "kind": "curve", "title": "Error during training" + (
            " (dashed: the test rows, never trained on)" if pg.has_test else ""), "x_title": "step",
         "y_title": "mean |error| and loss", "log_y": True, "series": curve_series(pg),
         "height": figures.HEIGHT_CURVE},
        {"id": "outputs", "kind": "table", "title": "Outputs and targets (after the updates so far)",
         "columns": [*held_out, *table.inputs, *(f"{n} (target)" for n in table.outputs), *out_columns],
         "fixed": {**held_out, **{c: exact(X[:, j]) for j, c in enumerate(table.inputs)},
                   **{f"{n} (target)": exact(Y[:, j]) for j, n in enumerate(table.outputs)}},
         "formats": {**{c: "g" for c in [*table.inputs, *(f"{n} (target)" for n in table.outputs)]},
                     **{c: "fixed8" for c in out_columns}},
         "max_rows": 30},
        *({"id": f"w{l}", "kind": "heatmap", "title": titles[l], "rows": [*labels[l], *(["bias"] if bias else [])],
           "cols": labels[l + 1], "x_title": "neuron of this layer", "y_title": "input to this layer",
           "colorbar": "weight", "height": figures.matrix_height(len(labels[l]) + bias)} for l in range(len(titles))),
        {"id": "net", "kind": "network", "title": "Network: links coloured by sign, thicker for larger |weight|",
         "layers": labels, "layer_names": names,
         "height": max(figures.HEIGHT_DIAGRAM, 100 + 28 * max(len(layer) for layer in labels))},
    ]
    for chart in charts:
        if chart["kind"] == "heatmap":  # a weight can be clicked and typed into: row n_l of syn{l} is its bias
            chart["editable"] = int(chart["id"][1:])
    if len(table.inputs) == 2:
        charts.append(neuron_maps_spec(pg, names, labels))
    frames, curve_point = _train_frames(pg, out_columns, controls.get("tick_ms"))
    return _payload("train", pg, controls, charts, frames, {"curve": error_curve_data(pg, curve_point)})


def _test_flags(pg):
    """(n_rows,) True for the table's rows held out for testing."""
    flags = np.zeros(pg.table.n_rows, dtype=bool)
    flags[pg.test_rows] = True
    return flags.tolist()


def passes(pg, frame, activations):
    """(zs, outs) of the frame's network on the training rows, and on the test rows (or None)."""
    train = forward(frame, pg.trainer.X, activations)
    return train, (forward(frame, pg.trainer.X_test, activations) if pg.has_test else None)


def _train_frames(pg, out_columns, tick_ms=None):
    frames = recent_frames(pg, tick_ms=tick_ms)
    activations = pg.config.activations
    per_frame = pg.table.n_rows * len(out_columns) <= PER_FRAME_NUMBERS
    two_inputs = len(pg.table.inputs) == 2
    shown, point = [], None
    for i, frame in enumerate(frames):
        (zs, outs), test = passes(pg, frame, activations)
        status = frame_status(pg, frame, outs[-1], zs[-1], test and (test[1][-1], test[0][-1]))
        data = {f"w{l}": {"z": clean(np.vstack([W, frame.b[l][None]]) if frame.b else W)}
                for l, W in enumerate(frame.W)}
        data["net"] = {"weights": [clean(W) for W in frame.W], "biases": [clean(b) for b in frame.b] or None}
        newest = i == len(frames) - 1
        if per_frame or newest:
            raw = pg.scaler.outputs_back(pg.in_table_order(outs[-1], test and test[1][-1]))
            data["outputs"] = {"columns": {c: exact(raw[:, j]) for j, c in enumerate(out_columns)}}
        if newest and two_inputs:
            data["neurons"] = neuron_maps_data(pg, frame)
        shown.append({"step": frame.step, "status": status, "charts": data})
        if newest:
            point = pass_error(pg, outs[-1], zs[-1])
            if test is not None:
                point += pass_error(pg, test[1][-1], test[0][-1], test=True)
            point = tuple(clean(point))
    return shown, point


# -- what each neuron computes over the input plane ------------------------------------------------------


def neuron_maps_spec(pg, names, labels):
    """The small map of every hidden and output neuron, for a table with two inputs."""
    grid_x, grid_y, _ = readouts.plane(pg, NEURON_MAP_POINTS)
    return {"id": "neurons", "kind": "neurons", "title": "What each neuron computes over the input plane",
            "x": clean(grid_x), "y": clean(grid_y), "x_title": pg.table.inputs[0], "y_title": pg.table.inputs[1],
            "layers": [{"name": name, "labels": layer} for name, layer in zip(names[1:], labels[1:])],
            "equal_axes": readouts.equal_axes(pg), "height": figures.HEIGHT_DIAGRAM}


def neuron_maps_data(pg, frame):
    """{"maps": per layer, per neuron, its output on the grid (row-major, y then x), "ranges": per layer [lo, hi]}."""
    _, _, mesh = readouts.plane(pg, NEURON_MAP_POINTS)
    _, outs = forward(frame, pg.scaled_inputs(mesh), pg.config.activations)
    maps, ranges = [], []
    for name, a in zip(pg.config.activations, outs[1:]):
        low, high = ACTIVATIONS[name].output_range
        finite = a[np.isfinite(a)]
        if not (np.isfinite(low) and np.isfinite(high)):  # unbounded: the range the plane reaches
            low, high = (float(finite.min()), float(finite.max())) if finite.size else (0.0, 1.0)
        maps.append([clean(a[:, j], 3) for j in range(a.shape[1])])
        ranges.append([float(low), float(high)])
    return {"maps": maps, "ranges": ranges}


def scurve_view(pg, controls):
    """Payload of the S-curve page: every neuron on every row placed on its activation curve."""
    names = readouts.layer_names(pg)[1:]
    activations = pg.config.activations
    charts = [{"id": "scurve", "kind": "scurve", "title": "Where each neuron sits on its activation curve",
               "x_title": "z (weighted input)", "y_title": "a = f(z) and slope f'(z)",
               "layers": [{"name": f"{name} ({ACTIVATIONS[act].label})",
                           "color": figures.LAYER_COLORS[l % len(figures.LAYER_COLORS)]}
                          for l, (name, act) in enumerate(zip(names, activations))],
               "height": figures.HEIGHT_DIAGRAM}]
    frames = recent_frames(pg, tick_ms=controls.get("tick_ms"))
    labels = readouts.neuron_labels(pg)[1:]
    per_frame = pg.table.n_rows * sum(len(n) for n in labels) <= PER_FRAME_NUMBERS
    shown = []
    for i, frame in enumerate(frames):
        zs, outs = forward(frame, pg.trainer.X, activations)
        status = frame_status(pg, frame, outs[-1], zs[-1])
        entry = {"step": frame.step, "status": status, "charts": {}}
        if per_frame or i == len(frames) - 1:
            entry["charts"]["scurve"] = _scurve_data(zs, outs, activations, labels, (pg.train_rows + 1).tolist())
        shown.append(entry)
    return _payload("scurve", pg, controls, charts, shown)


def _scurve_data(zs, outs, activations, labels, rows):
    """rows: the table's row numbers (from 1) of the training rows the passes ran on."""
    finite = [z[np.isfinite(z)] for z in zs]
    low = min([-6.0] + [float(z.min()) for z in finite if z.size])
    high = max([6.0] + [float(z.max()) for z in finite if z.size])
    grid = np.linspace(low, high, 161)
    curves, points = [], []
    for l, name in enumerate(activations):
        activation = ACTIVATIONS[name]
        if name not in activations[:l]:
            curves.append({"layer": l, "z": clean(grid, 5), "a": clean(activation(grid), 5),
                           "slope": clean(activation.slope(grid), 5)})
        n_units = zs[l].shape[1]
        points.append({"layer": l, "z": clean(zs[l]), "a": clean(outs[l + 1]),
                       "labels": [f"{labels[l][j]}, row {r}" for r in rows for j in range(n_units)]})
    return {"x_range": [low, high], "curves": curves, "points": points}


def predict_view(pg, controls):
    """Payload of the Predict page: the output over the input plane (two inputs) or along the input (one)."""
    table = pg.table
    Y = table.Y[:, 0]
    test = _test_flags(pg) if pg.has_test else None
    frame = current_frame(pg)
    (zs, outs), passed = passes(pg, frame, pg.config.activations)
    status = frame_status(pg, frame, outs[-1], zs[-1], passed and (passed[1][-1], passed[0][-1]))
    if len(table.inputs) == 1:
        grid, fitted = readouts.output_curve(pg, FIT_POINTS)
        charts = [{"id": "fit", "kind": "fit", "title": f"Network output {table.outputs[0]} against "
                   f"{table.inputs[0]}", "x_title": table.inputs[0], "y_title": table.outputs[0], "x": clean(grid),
                   "points": {"x": exact(table.X[:, 0]), "y": exact(Y), "test": test},
                   "height": figures.HEIGHT_DIAGRAM}]
        frames = [{"step": frame.step, "status": status, "charts": {"fit": {"y": clean(fitted, 5)}}}]
        return _payload("predict", pg, controls, charts, frames)
    grid_x, grid_y, grid_out = readouts.output_grid(pg, MAP_POINTS)
    threshold = float((Y.min() + Y.max()) / 2) if pg.settings.discretize else None
    charts = [{"id": "map", "kind": "map", "title": f"Network output {table.outputs[0]} over the input plane"
               + (f", split at {threshold:g}" if threshold is not None else ""),
               "x_title": table.inputs[0], "y_title": table.inputs[1], "x": clean(grid_x), "y": clean(grid_y),
               "colorbar": table.outputs[0], "equal_axes": readouts.equal_axes(pg), "threshold": threshold,
               "points": {"x": exact(table.X[:, 0]), "y": exact(table.X[:, 1]), "value": exact(Y), "test": test},
               "value_range": None, "height": figures.HEIGHT_MAP}]
    low = float(min(np.nanmin(grid_out), Y.min())) if np.isfinite(grid_out).any() else float(Y.min())
    high = float(max(np.nanmax(grid_out), Y.max())) if np.isfinite(grid_out).any() else float(Y.max())
    frames = [{"step": frame.step, "status": status,
               "charts": {"map": {"z": clean(grid_out, 5), "value_range": [low, high]}}}]
    return _payload("predict", pg, controls, charts, frames)


def seeds_view(pg, controls, max_points=150):
    """Payload of the Seeds page: every seed's error curve, the median, and the spread of final errors."""
    sweep = pg.sweep
    trainer = sweep.trainer
    seeds = [int(s) for s in trainer.seeds]
    highlight = seeds.index(pg.settings.seed) if pg.settings.seed in seeds else None
    summary = sweep.summary()
    tested = trainer.has_test
    charts = [
        {"id": "lines", "kind": "lines", "title": "Test error of every network (rows never trained on)" if tested
         else "Error of every network", "x_title": "step", "y_title": "test mean |error|" if tested else "mean |error|",
         "log_y": True, "labels": [f"seed {s}" for s in seeds], "highlight": highlight,
         "height": figures.HEIGHT_SWEEP},
        {"id": "strip", "kind": "strip", "title": "Final mean |error| of each seed", "x_title": "final mean |error|",
         "log_x": True, "labels": [f"seed {s}" for s in seeds], "highlight": highlight,
         "target": sweep.target_error, "height": figures.HEIGHT_STRIP},
    ]
    if tested:
        charts.append({"id": "gap", "kind": "scatter", "title": "Training against test error of each seed: above "
                       "the diagonal a network does worse on rows it never saw", "x_title": "final mean |error|",
                       "y_title": "final test mean |error|", "log": True, "labels": [f"seed {s}" for s in seeds],
                       "highlight": highlight, "flag_label": "overfits: test error 10% or more above its lowest",
                       "plain_label": "does not overfit", "height": figures.HEIGHT_DIAGRAM})
    errors = trainer.test_mean_abs_error if tested else trainer.mean_abs_error
    if errors.shape[1]:
        index = np.unique(figures.downsample_indices(np.nan_to_num(errors[:1], nan=np.inf), max_points)[0])
        index = np.unique(np.concatenate([np.linspace(0, errors.shape[1] - 1, max_points).astype(int), index]))
        # A diverged network counts as the worst, not as missing: the median is over every seed.
        median = np.median(np.where(np.isfinite(errors[:, index]), errors[:, index], np.inf), axis=0)
        lines = {"x": index.tolist(), "lines": [clean(row, 4) for row in errors[:, index]], "median": clean(median, 4)}
    else:
        lines = {"x": [], "lines": [[] for _ in seeds], "median": None}
    status = {"Step": f"{trainer.steps:,} of {sweep.target_steps:,}", "Networks": f"{trainer.n_networks}",
              "Reached target": f"{int((summary['steps_to_target'] > 0).sum())} of {len(seeds)}"}
    data = {"lines": lines, "strip": {"values": clean(summary["final_error"]),
                                      "reached": (summary["steps_to_target"] > 0).tolist()}}
    if tested:
        status["Overfit"] = f"{int(summary['overfits'].sum())} of {len(seeds)}"
        data["gap"] = {"x": clean(summary["final_error"]), "y": clean(summary["final_test"]),
                       "flagged": summary["overfits"].tolist()}
    frames = [{"step": trainer.steps, "status": status, "charts": data}]
    return _payload("seeds", pg, controls, charts, frames, state=("running" if sweep.running else "paused"))


def _payload(view, pg, controls, charts, frames, curves=None, state=None):
    last = frames[-1]["status"]
    status = [{"label": label, "value": value} for label, value in last.items()]
    status.append({"label": "State", "value": state or state_words(pg)})
    message = {"kind": "warning", "text": pg.message} if pg.message else None
    # generation changes whenever the network changed outside training (reset, step, new seed): the
    # browser then shows the newest frame at once instead of playing older ones first.
    return {"key": structure_key(view, charts), "generation": pg.generation, "title": None, "controls": controls,
            "status": status, "message": message, "charts": charts, "curves": curves or {}, "frames": frames}
