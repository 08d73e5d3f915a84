"""Train: step the network or let it run, and watch the error, the weights and the outputs move."""

import streamlit as st

from ui import figures, readouts, session
from ui.controls import live, training_controls

pg = session.playground()

st.title("Train")
st.caption("Each step is one weight update: a forward pass over the rows, the error, and "
           "backpropagation of that error into every weight matrix. Step slowly, or run and watch.")


if problem := pg.targets_warning():
    st.warning(f"{problem} (Data page, Scaling.)")


training_controls(pg, "train")


def live_view():
    trainer = pg.trainer
    error = trainer.mean_abs_error[0]
    loss = trainer.loss_history[0]
    stats = st.columns(4)
    stats[0].metric("Step", f"{pg.steps:,}")
    stats[1].metric("Mean |error|", f"{error[-1]:.6g}" if len(error) else "–")
    stats[2].metric("Loss", f"{loss[-1]:.6g}" if len(loss) else "–")
    stats[3].metric("State", "running" if pg.running else ("stopped" if trainer.diverged_at[0] >= 0 else "paused"))

    curve_col, table_col = st.columns([3, 2])
    with curve_col:
        log_y = st.toggle("Log scale", value=True, key="train_log")
        st.plotly_chart(figures.error_curve(error, loss, log_y=log_y, loss_label="loss"),
                        key="train_error_curve", width="stretch", theme=None)
    with table_col:
        st.markdown("**Outputs and targets**")
        frame = readouts.outputs_table(pg)
        if len(frame) <= 30:  # a plain table: exact digits people can compare with the tutorial's printout
            st.table(frame.style.format("{:.8f}", subset=[c for c in frame if c.endswith("(output)")])
                     .format("{:g}", subset=[c for c in frame if not c.endswith("(output)")]).hide(axis="index"))
        else:
            st.dataframe(frame, hide_index=True, width="stretch", height=420)

    st.subheader("Weights")
    labels = readouts.neuron_labels(pg)
    weights, biases = trainer.weights(), trainer.biases()
    columns = st.columns(min(3, len(weights)))
    for l, W in enumerate(weights):
        with columns[l % len(columns)]:
            fig = figures.weight_heatmap(W, labels[l], labels[l + 1], readouts.weight_titles(pg)[l],
                                         bias=biases[l] if biases else None)
            st.plotly_chart(fig, key=f"train_heatmap_{l}", width="stretch", theme=None)
    st.plotly_chart(figures.network_diagram(weights, biases or None, readouts.layer_names(pg), labels),
                    key="train_diagram", width="stretch", theme=None)


live(pg, live_view)

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
