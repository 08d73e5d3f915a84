"""Predict: ask the trained network about rows it has never seen."""

import numpy as np
import pandas as pd
import streamlit as st

from engine.presets import PRESETS
from ui import figures, session
from ui.controls import live, training_controls

pg = session.playground()
table = pg.table

st.title("Predict")
st.caption("Type new input rows. Each one is scaled with the training table's numbers, passed forward "
           "through the current weights, and the output is turned back into the table's units.")

preset = PRESETS.get(pg.settings.preset)
starting = [list(r) for r in preset.new_inputs] if preset and preset.new_inputs and \
    len(preset.new_inputs[0]) == len(table.inputs) else [list(table.X[0])]
version = f"{session.widget_version()}_{hash(table.inputs)}"
new_rows = st.data_editor(pd.DataFrame(starting, columns=list(table.inputs), dtype=float), num_rows="dynamic",
                          key=f"predict_rows_{version}", width="stretch")
X_new, problems = pg.read_new_inputs(new_rows)
if problems:
    st.error("Some rows can't be used:\n\n" + "\n".join(f"- {p}" for p in problems))
elif len(X_new):
    scaled = pg.scaler.inputs(X_new)
    result = pd.DataFrame(X_new, columns=list(table.inputs))
    for j, name in enumerate(table.inputs):
        result[f"{name} scaled"] = scaled[:, j]
    outputs = pg.predict_raw(X_new)
    for j, name in enumerate(table.outputs):
        result[f"{name} (prediction)"] = outputs[:, j]
    st.table(result.style.format("{:.8g}").hide(axis="index"))
    if np.any(pg.scaler.in_scale != 1) or np.any(pg.scaler.in_offset != 0):
        pairs = ", ".join((f"{n} / {s:g}" if o == 0 else f"({n} − {o:g}) / {s:g}") for n, o, s in
                          zip(table.inputs, pg.scaler.in_offset, pg.scaler.in_scale))
        st.caption(f"Scaling used, fitted on the training table: {pairs}. A new row is never scaled by its own "
                   "maximum: (4, 8) divided by its own maximum would be (0.5, 1), a different student.")
st.caption(f"Trained for {pg.steps:,} steps. In code: `output = nonlin(nonlin(new_row.dot(syn0)).dot(syn1))`, "
           "the same forward pass as in training, without the update.")

if len(table.inputs) == 2:
    st.subheader("Output map")
    st.caption("The network's output over the whole input plane, with the training rows on top. "
               "Run training and watch the boundary form.")

    training_controls(pg, "predict", compact=True)

    def draw_map():
        X = table.X
        pad = 0.1 * np.maximum(X.max(axis=0) - X.min(axis=0), 1e-9)
        low, high = X.min(axis=0) - pad, X.max(axis=0) + pad
        grid_x, grid_y = np.linspace(low[0], high[0], 60), np.linspace(low[1], high[1], 60)
        mesh = np.stack(np.meshgrid(grid_x, grid_y), axis=-1).reshape(-1, 2)
        grid_out = pg.predict_raw(mesh)[:, 0].reshape(len(grid_y), len(grid_x))
        st.caption(f"Step {pg.steps:,}")
        st.plotly_chart(figures.output_map(grid_x, grid_y, grid_out, X, table.Y[:, 0], table.inputs[0],
                                           table.inputs[1], table.outputs[0]),
                        key="predict_map", width="stretch", theme=None)

    live(pg, draw_map)
