"""Train: step the network or let it run, and watch the error, the weights and the outputs move."""

import streamlit as st

from ui import session
from ui.liveview import live_view

pg = session.playground()

st.title("Train")
st.caption("Each step is one weight update: a forward pass over the rows, the error, and "
           "backpropagation of that error into every weight matrix. Step slowly, or run and watch.")


if problem := pg.targets_warning():
    st.warning(f"{problem} (Data page, Scaling.)")


live_view(pg, "train")

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
