"""Data: the training table the network learns from, its column roles and its scaling."""

import streamlit as st

from ui import generalisation, session
from ui.datapage import columns_ui, editor_ui, files_ui, scaling_ui
from ui.table import table_to_text_frame

pg = session.playground()
st.title("Data")
st.caption("Each row is one training example; input columns go into the network, output columns are "
           "what it should answer. Edit cells, add or delete rows (the last row of the grid adds one), "
           "or upload a CSV. A table with a mistake is not used: the last good one stays.")
if flash := st.session_state.pop("data_flash", ""):
    st.success(flash)
if pg.shows("editor"):
    with st.expander("Generate a data set: circle, XOR quadrants, two Gaussians, spiral, regression surface",
                     expanded=bool(pg.settings.dataset)):
        generalisation.data_set_ui(pg)
    editor_ui(pg)
    with st.expander("Columns: add, rename or remove"):
        columns_ui(pg)
if pg.shows("settings"):
    st.subheader("Test rows")
    st.caption("Hold some rows out: the network never trains on them, so their error shows how it does on rows "
               "it has not seen. The Train page draws both errors; the Predict page marks these rows as squares.")
    generalisation.split_ui(pg)
    st.subheader("Input features")
    st.caption("More inputs computed from the first two columns: with x1² and x2² one neuron can draw a circle.")
    generalisation.features_ui(pg)
else:
    st.caption("This exercise fixes the table.")
    st.dataframe(table_to_text_frame(pg.table), hide_index=True, width="stretch")
if pg.shows("settings"):
    st.subheader("Scaling")
    st.caption("The network sees scaled numbers. A sigmoid output only reaches 0 to 1, so test scores of 92 must "
               "be divided first. New inputs on the Predict page are scaled with this table's numbers.")
    scaling_ui(pg)
if pg.shows("editor"):
    st.subheader("Files")
    files_ui(pg)
