"""The numbers and sentences the pages show, worked out from a Playground without Streamlit.

Each function reads the playground (or a sweep summary) and returns plain arrays, frames
or text, so the pages only lay them out and tests check them without a browser.
"""

import numpy as np
import pandas as pd

from engine import ACTIVATIONS
from engine.export import export_script
from engine.presets import PRESETS
from ui.links import table_is_named
from ui.mathtext import plain
from ui.settings import SCALING_FIELDS

GRID_POINTS = 60  # per axis of the Predict page's output map


def layer_names(pg):
    """Name of every layer of neurons, input first: ['inputs', 'hidden 1', ..., 'outputs']."""
    n_hidden = len(pg.settings.hidden)
    hidden = [f"hidden {i + 1}" if n_hidden > 1 else "hidden" for i in range(n_hidden)]
    return ["inputs", *hidden, "outputs"]


def neuron_labels(pg):
    """Labels of every neuron per layer: column names (and derived inputs) at both ends, l1[0], l1[1], ... between."""
    hidden = [[f"l{i + 1}[{j}]" for j in range(n)] for i, n in enumerate(pg.settings.hidden)]
    return [pg.input_names(), *hidden, list(pg.table.outputs)]


def weight_titles(pg):
    """'syn0: 3 inputs × 4 hidden' for each weight matrix, in the tutorials' naming."""
    sizes, names = pg.trainer.config.layer_sizes, layer_names(pg)

    def counted(n, name):
        return f"{n} {name[:-1] if n == 1 and name.endswith('s') else name}"

    return [f"syn{l}: {counted(sizes[l], names[l])} × {counted(sizes[l + 1], names[l + 1])}"
            for l in range(len(sizes) - 1)]


def weight_tables(pg):
    """[(title, frame)] per weight matrix: rows its inputs (then 'bias'), columns its neurons, as the heatmaps show.

    Wide matrices draw no numbers in their cells; these tables hold them all.
    """
    labels, biases = neuron_labels(pg), pg.trainer.biases()
    tables = []
    for l, (title, W) in enumerate(zip(weight_titles(pg), pg.trainer.weights())):
        frame = pd.DataFrame(W, index=labels[l], columns=labels[l + 1])
        if biases:
            frame.loc["bias"] = biases[l]
        tables.append((title, frame))
    return tables


def script(pg):
    """A standalone NumPy script that trains this run from the seed and prints the same numbers.

    A generated data set the table still is, is drawn by the script itself from its data seed.
    """
    s, table, steps = pg.settings, pg.table, pg.steps
    preset = PRESETS.get(s.preset)
    print_every = preset.print_every if preset and preset.print_every else max(1, steps // 6)
    fits = preset is not None and preset.new_inputs and len(preset.new_inputs[0]) == len(table.inputs)
    generated = s.data() if s.dataset and table_is_named(s, table) else None
    return export_script(
        pg.trainer.config, table.X, table.Y, steps, **{name: getattr(s, name) for name in SCALING_FIELDS},
        input_names=list(table.inputs), output_names=list(table.outputs), print_every=print_every if steps else 0,
        new_inputs=preset.new_inputs if fits else (), learning_rate_changes=pg.learning_rate_changes,
        features=s.features, test_share=s.test_share, split_seed=s.split_seed, dataset=generated,
        weight_edits=pg.weight_edits,
    )


def _input_range(pg):
    """(low, high) per input column: the table's range (all rows, held out or not), padded 10%."""
    X = pg.table.X
    pad = 0.1 * np.maximum(X.max(axis=0) - X.min(axis=0), 1e-9)
    return X.min(axis=0) - pad, X.max(axis=0) + pad


def plane(pg, n):
    """(grid_x (n,), grid_y (n,), mesh (n * n, 2)) over the two inputs' range; mesh row i * n + j is (x_j, y_i)."""
    low, high = _input_range(pg)
    grid_x, grid_y = np.linspace(low[0], high[0], n), np.linspace(low[1], high[1], n)
    return grid_x, grid_y, np.stack(np.meshgrid(grid_x, grid_y), axis=-1).reshape(-1, 2)


def output_grid(pg, n=GRID_POINTS):
    """(grid_x (n,), grid_y (n,), outputs (n, n)) of the first output over the two inputs' range, padded 10%."""
    grid_x, grid_y, mesh = plane(pg, n)
    return grid_x, grid_y, pg.predict_raw(mesh)[:, 0].reshape(len(grid_y), len(grid_x))


def output_curve(pg, n):
    """(grid (n,), outputs (n,)) of the first output along a one-input table's range, padded 10%."""
    low, high = _input_range(pg)
    grid = np.linspace(low[0], high[0], n)
    return grid, pg.predict_raw(grid[:, None])[:, 0]


def equal_axes(pg):
    """Whether the map keeps one unit equally long on both axes (a circle then looks round): when the two
    inputs' ranges are within a factor of 4 of each other, so neither axis is squeezed to a sliver."""
    low, high = _input_range(pg)
    spans = high - low
    return bool(max(spans[:2]) <= 4 * min(spans[:2]))


def derived_columns(pg):
    """The derived input columns of every row, in raw units, as a frame; None without features."""
    if not pg.settings.features:
        return None
    from engine.features import add_features

    n_base = len(pg.table.inputs)
    values = add_features(pg.table.X, pg.settings.features)[:, n_base:]
    return pd.DataFrame(values, columns=pg.input_names()[n_base:])


def scaled_table(pg):
    """What the network sees: its inputs (derived ones too) and targets, scaled, with which rows train or test."""
    inputs = pg.input_names()
    train = np.hstack([pg.trainer.X, pg.trainer.Y])
    test = np.hstack([pg.trainer.X_test, pg.trainer.Y_test]) if pg.has_test else None
    frame = pd.DataFrame(pg.in_table_order(train, test), columns=[*inputs, *pg.table.outputs])
    if pg.has_test:
        held_out = set(pg.test_rows.tolist())
        frame.insert(0, "set", ["test" if i in held_out else "train" for i in range(len(frame))])
    return frame


def weight_choices(pg):
    """Per weight matrix: a short title, its cells as (row, column, 'x1 → l1[0]') and its values, bias row last."""
    labels = neuron_labels(pg)
    choices = []
    for l, W in enumerate(pg.trainer.weights()):
        rows = [*labels[l], *(["bias"] if pg.trainer.b else [])]
        values = np.vstack([W, pg.trainer.biases()[l][None]]) if pg.trainer.b else W
        cells = [(i, j, f"{rows[i]} → {labels[l + 1][j]}") for i in range(len(rows)) for j in range(W.shape[1])]
        # short enough for a select box in a narrow column; the heatmaps' titles say the rest
        choices.append({"title": f"syn{l} ({len(rows)}×{W.shape[1]})", "cells": cells, "values": values.tolist()})
    return choices


def predictions(pg, X_new):
    """New raw rows X_new (n_rows, n_in) with their scaled inputs and the predicted outputs, as a frame."""
    inputs, outputs = list(pg.table.inputs), list(pg.table.outputs)
    frame = pd.DataFrame(X_new, columns=inputs)
    scaled = pg.scaled_inputs(X_new)
    for j, name in enumerate(pg.input_names()):
        frame[f"{name} scaled"] = scaled[:, j]
    predicted = pg.predict_raw(X_new)
    for j, name in enumerate(outputs):
        frame[f"{name} (prediction)"] = predicted[:, j]
    return frame


def scaling_words(pg):
    """'studied / 3, slept / 9' as Markdown (names escaped): how new inputs are scaled, or "" when used as typed."""
    scaler = pg.scaler
    if not (np.any(scaler.in_scale != 1) or np.any(scaler.in_offset != 0)):
        return ""
    return ", ".join((f"{plain(n)} / {s:g}" if o == 0 else f"({plain(n)} − {o:g}) / {s:g}")
                     for n, o, s in zip(pg.input_names(), scaler.in_offset, scaler.in_scale))


def outputs_table(pg):
    """Every row's inputs, targets and current outputs side by side, in the table's units."""
    frame = pd.DataFrame(pg.table.X, columns=list(pg.table.inputs))
    outputs = pg.outputs_all()
    for j, name in enumerate(pg.table.outputs):
        frame[f"{name} (target)"] = pg.table.Y[:, j]
        frame[f"{name} (output)"] = outputs[:, j]
    return frame


def slope_summary(pg, activations):
    """Per neuron: its layer, activation, and mean and smallest slope f'(z) over the rows."""
    labels, names = neuron_labels(pg)[1:], layer_names(pg)[1:]
    rows = []
    for l, (a, name) in enumerate(zip(activations[1:], pg.trainer.config.activations)):
        slope = ACTIVATIONS[name].derivative_from_output(a)
        for j in range(a.shape[1]):
            rows.append({"neuron": labels[l][j], "layer": names[l], "activation": name,
                         "mean slope": float(np.mean(slope[:, j])), "smallest slope": float(np.min(slope[:, j]))})
    return pd.DataFrame(rows)


def flattest_sigmoid(pg, zs, activations):
    """The sigmoid neuron and row where a(1 - a) is smallest, as a dict of its numbers; None without sigmoids."""
    names = pg.trainer.config.activations
    if "sigmoid" not in names:
        return None
    layer = names.index("sigmoid")
    a = activations[layer + 1]
    row, j = np.unravel_index(np.argmin(a * (1 - a)), a.shape)
    out = float(a[row, j])
    slope = out * (1 - out)
    return {"neuron": neuron_labels(pg)[layer + 1][j], "layer": layer_names(pg)[layer + 1], "row": int(row) + 1,
            "z": float(zs[layer][row, j]), "out": out, "slope": slope,
            "slowdown": 0.25 / max(slope, 1e-300)}  # the slope at z = 0 is 0.25


def sweep_story(summary, steps, target_error):
    """A sentence on how many seeds reached the target and how spread their final errors are ("" before any)."""
    final = summary["final_error"]
    finite = final[np.isfinite(final)]
    if not steps or not len(finite):
        return ""
    reached = int((summary["steps_to_target"] > 0).sum())
    n = len(final)
    diverged = int(summary["diverged"].sum())
    text = (f"After {steps:,} steps, **{reached} of {n}** seeds reached a mean |error| of {target_error:g}. "
            f"Final errors run from {finite.min():.3g} to {finite.max():.3g} (median {np.median(finite):.3g})"
            + (f"; {diverged} diverged" if diverged else "") + ". ")
    if reached < n:
        text += ("The starting weights decide whether this network learns at all: the unlucky seeds settle "
                 "where the error stops falling. More hidden neurons usually shrink that group.")
    else:
        text += "Here every seed got there: for this network the start changes the speed, not the outcome."
    if "final_test" not in summary:
        return text
    tests = summary["final_test"][np.isfinite(summary["final_test"])]
    if not len(tests):
        return text
    overfit = int(summary["overfits"].sum())
    return text + (f"\n\nOn the rows held out for testing, the median final error is **{np.median(tests):.3g}** "
                   f"against {np.median(finite):.3g} on the training rows. **{overfit} of {n}** seeds overfit: "
                   "their test error ended at least 10% above the lowest it reached, while the training error "
                   "went on falling" + (". A weight penalty (L2) or fewer neurons usually helps." if overfit else
                                        "."))


SWEEP_ORDERS = ("seed", "final test error", "final training error")


def sweep_table(summary, order="seed"):
    """One row per seed: final mean |error|, steps to the target (blank if never), diverged; test columns with
    test rows, which can rank the seeds (`order`, from SWEEP_ORDERS)."""
    frame = pd.DataFrame({
        "seed": summary["seed"], "final mean |error|": summary["final_error"],
        "steps to target": np.where(summary["steps_to_target"] > 0, summary["steps_to_target"], np.nan),
        "diverged": summary["diverged"],
    })
    if "final_test" in summary:
        frame["final test mean |error|"] = summary["final_test"]
        frame["lowest test mean |error|"] = summary["best_test"]
        frame["lowest at step"] = np.where(summary["best_test_step"] >= 0, summary["best_test_step"], np.nan)
        frame["overfits"] = summary["overfits"]
    column = {"final test error": "final test mean |error|", "final training error": "final mean |error|"}.get(order)
    if column in frame:
        frame = frame.sort_values(column, kind="stable", na_position="last").reset_index(drop=True)
    return frame


def preset_story(pg):
    """Where the preset comes from and what it shows, or what the table now is when it was changed."""
    preset = PRESETS.get(pg.settings.preset)
    if preset is None:
        return ""
    if not _still_the_tutorial(pg, preset):
        return (f"Started from the preset *{preset.title}*; the table or the network has been changed since, "
                "so its tutorial's numbers no longer apply.")
    return f"**{preset.title}**, from {preset.source}. {preset.story}"


def own_table_note(pg):
    """Under the sidebar's preset box once the table is no longer the preset's ("" while it is)."""
    from ui.links import is_preset_table

    if pg.settings.preset not in PRESETS or is_preset_table(pg.settings.preset, pg.table):
        return ""
    rows = pg.table.n_rows
    return (f"Training on your own table now ({rows} row{'' if rows == 1 else 's'}, uploaded or edited), "
            "not this preset's. The preset only gave the starting settings.")


SATURATED_SLOPE = 1e-3  # a sigmoid this flat passes on a thousandth of its error: learning has all but stopped


def saturation_hint(pg):
    """Why learning stalls, when the first layer's sigmoid or tanh neurons all sit on flat ends of their curve.

    Then every row gives those neurons the same outputs, so the layers after them cannot tell the
    rows apart (outputs all near 0.5, the error stuck), and their slope passes almost no error back.
    """
    names = pg.config.activations
    _, outs = pg.trainer.forward(pg.trainer.X)

    def flat(l):
        with np.errstate(all="ignore"):
            return names[l] in ("sigmoid", "tanh") and bool(
                np.all(ACTIVATIONS[names[l]].derivative_from_output(outs[l + 1]) < SATURATED_SLOPE))

    stuck_output = flat(len(names) - 1) and float(np.mean(np.abs(pg.trainer.Y - outs[-1]))) > 0.1
    if not (flat(0) or stuck_output):
        return ""
    largest = float(np.max(np.abs(pg.table.X)))
    if pg.settings.input_scaling == "none" and largest > 10:
        return (f"The neurons are saturated: inputs as large as {largest:g} push each weighted sum far out onto "
                "the flat ends of the curve, where the slope is almost 0 and the weights hardly move. "
                "Scale the inputs (Data page, Scaling), then reset.")
    return ("The neurons are saturated: their weighted sums sit on the flat ends of the curve, where the slope is "
            "almost 0, so the error is stuck and training has all but stopped. A smaller learning rate (then Reset) "
            "usually helps.")


def tutorial_printout(pg):
    """What the preset's tutorial printed, where it sits in this run, and this run's number there.

    A frame with columns "step", "what", "the tutorial printed" and "here"; "here" is blank until
    the run is at that step. The tutorials print the error of iteration j before its update,
    which is this run's curve at step j, and Trask prints `l1` after the loop, which is the
    last training pass, the one before update N: at step N - 1 here. Empty for non-tutorial
    presets, and when the table or settings are no longer the preset's.
    """
    preset = PRESETS.get(pg.settings.preset)
    if preset is None or not preset.published or not _still_the_tutorial(pg, preset):
        return pd.DataFrame()
    published, steps, rows = preset.published, pg.steps, []
    history = pg.trainer.mean_abs_error[0]
    for j, value in published.get("errors", {}).items():
        rows.append((j, "mean |error| before update j + 1", repr(value),
                     repr(float(history[j])) if j < len(history) else ""))
    outputs = pg.outputs()
    if "outputs" in published:
        at = preset.steps - 1 if preset.published_outputs_when == "last_pass" else preset.steps
        what = ("outputs of the last training pass (before the last update)"
                if preset.published_outputs_when == "last_pass" else "outputs after training")
        rows.append((at, what, _listed(published["outputs"]), _listed(outputs) if steps == at else ""))
    if "starting_weights" in published:
        rows.append((0, "starting weights", _listed(published["starting_weights"]),
                     _listed(pg.trainer.weights()[0]) if steps == 0 else ""))
    if "trained_weights" in published:
        rows.append((preset.steps, "trained weights", _listed(published["trained_weights"]),
                     _listed(pg.trainer.weights()[0]) if steps == preset.steps else ""))
    if "prediction" in published and preset.new_inputs:
        new = pg.predict_raw(np.asarray(preset.new_inputs, dtype=np.float64))
        rows.append((preset.steps, f"prediction for {list(preset.new_inputs[0])}", _listed(published["prediction"]),
                     _listed(new) if steps == preset.steps else ""))
    frame = pd.DataFrame(sorted(rows, key=lambda row: row[0]), columns=["step", "what", "the tutorial printed", "here"])
    return frame


def _still_the_tutorial(pg, preset):
    from ui.links import is_preset_table
    from ui.settings import Settings

    settings = pg.settings
    return is_preset_table(preset.key, pg.table) and settings.starting_point() == \
        Settings.from_preset(preset.key).starting_point()


def _listed(values):
    """Numbers printed the way NumPy prints them at 8 decimals: [0.00966449 0.00786506]."""
    return np.array2string(np.ravel(np.asarray(values, dtype=np.float64)), precision=8, suppress_small=True,
                           floatmode="maxprec", max_line_width=200)
