"""Predict: ask the trained network about rows it has never seen."""

import pandas as pd
import streamlit as st

from engine.export import forward_code
from engine.presets import PRESETS
from ui import generalisation, kept, readouts, session
from ui.liveview import live_view
from ui.table import read_new_rows

pg = session.playground()
table = pg.table

st.title("Predict")
st.caption("Type new input rows. Each one is scaled with the training table's numbers, passed forward "
           "through the current weights, and the output is turned back into the table's units.")

preset = PRESETS.get(pg.settings.preset)
starting = [list(r) for r in preset.new_inputs] if preset and preset.new_inputs and \
    len(preset.new_inputs[0]) == len(table.inputs) else [list(table.X[0])]
version = f"{pg.settings_version}_{hash(table.inputs)}"  # a preset, a link or new inputs: the rows start afresh
key, base = kept.editor_base("predict_rows", version, pd.DataFrame(starting, columns=list(table.inputs), dtype=float))
new_rows = kept.keep_edits("predict_rows", version,
                           st.data_editor(base, num_rows="dynamic", key=key, width="stretch"))
X_new, problems = read_new_rows(new_rows, table.inputs)
if problems:
    st.error("Some rows can't be used:\n\n" + "\n".join(f"- {p}" for p in problems))
elif len(X_new):
    st.table(readouts.predictions(pg, X_new).style.format("{:.8g}").hide(axis="index"))
    if pairs := readouts.scaling_words(pg):
        st.caption(f"Scaling used, fitted on the training table: {pairs}. A new row is never scaled by its own "
                   "maximum: (4, 8) divided by its own maximum would be (0.5, 1), a different student.")
st.caption(f"Trained for {pg.steps:,} steps. In code, on a scaled row: "
           f"`output = {forward_code(pg.trainer.config, 'row')}`, the same forward pass as in training, "
           "without the update.")

if len(table.inputs) == 2:
    st.subheader("Output map")
    st.caption("The network's output over the whole input plane, with the training rows on top (rows held out for "
               "testing as hollow squares). Run training and watch the boundary form.")
    generalisation.discretize_ui(pg)
    live_view(pg, "predict")
elif len(table.inputs) == 1:
    st.subheader("Output curve")
    st.caption("The network's output along the input, with the table's rows as dots (rows held out for testing "
               "hollow). Run training and watch the curve bend towards them.")
    live_view(pg, "predict")
