"""Math: one row through one forward and one backward pass, with the real numbers."""

import streamlit as st

from engine.presets import PRESETS
from ui import mathpage, mathtext, readouts, session

DRAW = {"header": st.header, "markdown": st.markdown, "latex": lambda text: st.markdown(mathtext.wrapping(text)),
        "caption": st.caption, "info": st.info, "code": lambda text: st.code(text, language="python", wrap_lines=True)}


def render(pg):
    table = pg.table
    row_col, step_col = st.columns([4, 1], vertical_alignment="bottom")
    rows = pg.train_rows  # a step only sees the training rows
    row = row_col.selectbox("Row", range(len(rows)), key="math_row",
                            format_func=lambda i: mathpage.row_label(table.inputs, table.X[rows[i]], int(rows[i])))
    step_col.button("Step", key="math_step", on_click=pg.step, args=(1,), width="stretch",
                    help="One weight update on the whole batch; the numbers below become the next step's.")
    example = mathpage.worked_example(PRESETS.get(pg.settings.preset))
    st.caption(f"Current weights at step {pg.steps:,}; inputs and targets as the network sees them (scaled)."
               + (" The article behind this preset also worked one row by hand: see the end of the page."
                  if example else ""))
    steps = mathpage.training_step(pg.trainer, row, readouts.neuron_labels(pg), readouts.layer_names(pg))
    for block in (*steps, *example):
        DRAW[block.kind](block.text)


pg = session.playground()
st.title("Math")
st.caption("The numbers of one training step, for one row, in the order the tutorials explain it: "
           "forward (weighted sums, activations), the error, then backward (deltas, weight changes).")
render(pg)
