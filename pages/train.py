"""Train: step the network or let it run, and watch the error, the weights and the outputs move."""

from dataclasses import replace

import streamlit as st

from ui import generalisation, readouts, session
from ui.liveview import live_view

pg = session.playground()

st.title("Train")
st.caption("Each step is one weight update: a forward pass over the rows, the error, and "
           "backpropagation of that error into every weight matrix. Step slowly, or run and watch.")

if problem := pg.targets_warning():
    st.warning(f"{problem} (Data page, Scaling.)")
    st.button("Scale the outputs to fit", key="train_fit_targets", on_click=pg.fit_targets)
if hint := readouts.saturation_hint(pg):
    st.warning(hint)
    if pg.settings.input_scaling == "none":
        st.button("Scale the inputs by each column's maximum", key="train_scale_inputs", on_click=pg.apply_settings,
                  args=(replace(pg.settings, input_scaling="max"),))


live_view(pg, "train")
with st.expander("Type in a weight"):
    st.caption("Click a cell of a weight heatmap above and type a new value, or choose one here. The change is "
               "part of the run: a shared link and the exported script make it at the same step.")
    generalisation.weight_ui(pg)

# Below the live view, so that on a projected screen the controls and the charts come first.
if story := readouts.preset_story(pg):
    st.caption(story)
printout = readouts.tutorial_printout(pg)
if not printout.empty:
    with st.expander("What the tutorial printed, and where it is here", expanded=True):
        st.caption("The tutorials print the error of iteration j before its update: that is this page's curve at "
                   "step j. Each number shows here once the run is at its step (this list refreshes when training "
                   "pauses). Tiny differences in the last digits come from the machine's linear-algebra library.")
        st.table(printout.style.hide(axis="index"))  # a table wraps its long cells; a grid would hide them

with st.expander("The weights as numbers"):
    st.caption(f"At step {pg.steps:,}; these tables refresh when training pauses. Hover over a heatmap cell for its "
               "number while training runs.")
    for title, frame in readouts.weight_tables(pg):
        st.markdown(f"**{title}**")
        st.table(frame.style.format("{:.4g}"))

with st.expander("Questions people ask"):
    st.markdown(
        "- **What does `.T` mean?** It transposes a matrix: rows become columns. `l1.T.dot(l2_delta)` "
        "pairs every hidden neuron's activation with every output delta, summed over the rows, which "
        "is exactly the shape of `syn1`.\n"
        "- **What learning rate do the tutorials use?** None is written, so it is 1. Set it in the "
        "sidebar; changing it keeps the current weights.\n"
        "- **Where is the bias?** The tutorials have none: their third input is always 1, so its "
        "weight acts as one. Turn on *Bias* in the sidebar to add a real one to every layer.\n"
        "- **How do I add a layer or more inputs?** Use *Hidden layers* in the sidebar, and add "
        "columns on the Data page: the weight matrices above change shape to match."
    )
