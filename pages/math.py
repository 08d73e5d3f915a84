"""Math: one row through one forward and one backward pass, with the real numbers."""

import streamlit as st

from engine import ACTIVATIONS, LOSSES
from engine.explain import trace_row
from ui import readouts, session
from ui.mathtext import factor, matrix, num, variable, weighted_sum

pg = session.playground()
trainer = pg.trainer
labels = readouts.neuron_labels(pg)
names = readouts.layer_names(pg)
activations = trainer.config.activations

st.title("Math")
st.caption("The numbers of one training step, for one row, in the order the tutorials explain it: "
           "forward (weighted sums, activations), the error, then backward (deltas, weight changes).")

row = st.selectbox("Row", range(pg.table.n_rows), key="math_row",
                   format_func=lambda i: f"row {i + 1}: " + ", ".join(f"{c} = {v:g}" for c, v in
                                                                    zip(pg.table.inputs, pg.table.X[i])))
trace = trace_row(trainer, trainer.X[row], trainer.Y[row])
st.caption(f"Current weights at step {pg.steps:,}; inputs and targets as the network sees them (scaled).")

st.header("1. Forward")
for l, W in enumerate(trace.weights):
    f = ACTIVATIONS[activations[l]]
    st.markdown(f"**{names[l]} → {names[l + 1]}** with `syn{l}` ({W.shape[0]} × {W.shape[1]}), "
                f"then {f.label}: ${f.formula}$")
    inputs = [variable(n) for n in labels[l]]
    for j in range(min(W.shape[1], 6)):
        target = f"z_{{{variable(labels[l + 1][j])}}}"
        bias = trace.biases[l][j] if trace.biases else None
        st.latex(weighted_sum(target, trace.activations[l], W[:, j], bias, trace.zs[l][j], inputs))
        st.latex(f"a = f({num(trace.zs[l][j])}) = {num(trace.activations[l + 1][j], 6)}")
    if W.shape[1] > 6:
        st.caption(f"… and {W.shape[1] - 6} more neurons, computed the same way.")
    st.code(f"l{l + 1} = nonlin(np.dot(l{l}, syn{l}))", language="python")

st.header("2. Error")
for j in range(len(pg.table.outputs)):
    st.latex(f"\\text{{error}} = y - a = {num(trace.target[j], 6)} - {factor(trace.activations[-1][j], 6)}"
             f" = {num(trace.error[j], 6)}")
loss = LOSSES[trainer.config.loss]
st.caption(f"Loss being minimised: {loss.label}, ${loss.formula}$.")

st.header("3. Backward")
last = len(trace.weights) - 1
for l in range(last, -1, -1):
    f = ACTIVATIONS[activations[l]]
    st.markdown(f"**delta of {names[l + 1]}** (how much each neuron's z should move), "
                f"slope ${f.derivative_formula}$")
    for j in range(min(len(trace.deltas[l]), 6)):
        a = trace.activations[l + 1][j]
        source = (f"\\text{{error}} = {num(trace.error[j])}" if l == last else
                  f"\\sum_k \\delta_k\\, w_{{jk}} = {num(trace.back_errors[l][j])}")
        scale = f" \\times {num(trace.scale)}" if trace.scale != 1.0 else ""
        slope = f" \\times {factor(trace.slopes[l][j])}" if (l < last or loss.uses_slope) else ""
        st.latex(f"\\delta_{{{variable(labels[l + 1][j])}}} = {source}{slope}{scale} = {num(trace.deltas[l][j], 6)}"
                 f"\\qquad (a = {num(a)})")
    code = (f"l{l + 1}_delta = l{l + 1}_error * nonlin(l{l + 1}, deriv=True)" if l == last else
            f"l{l + 1}_delta = l{l + 2}_delta.dot(syn{l + 1}.T) * nonlin(l{l + 1}, deriv=True)")
    st.code(code, language="python")

st.header("4. Weight changes")
st.markdown(f"Each weight moves by learning rate × its input × the delta it feeds: "
            f"$\\Delta w_{{ij}} = {num(trace.learning_rate)} \\cdot a_i \\cdot \\delta_j$. "
            "For this row alone:")
for l in range(last + 1):
    st.latex(f"\\Delta \\text{{syn{l}}} = {matrix(trace.weight_changes[l])}")
    st.code(f"syn{l} += l{l}.T.dot(l{l + 1}_delta)", language="python")
rows_per_step = trainer.batch_rows
st.info(f"A training step adds up these changes over the {rows_per_step} row"
        f"{'s' if rows_per_step > 1 else ''} of a batch: that sum is what `l{last}.T.dot(l{last + 1}_delta)` "
        "computes, because `.T` (transpose) lines every row's input up with the same row's delta.")
