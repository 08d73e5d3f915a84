"""S-curve: where every neuron's weighted sum lands on its activation function, and why that matters."""

import streamlit as st

from ui import mathtext, readouts, session
from ui.liveview import live_view

pg = session.playground()

st.title("S-curve")
st.caption("Every dot is one neuron on one training row: its weighted sum z along the bottom, its output "
           "a = f(z) up the side. The dashed curve is the slope f'(z), which multiplies every weight update: "
           "where the curve is flat, the neuron hardly learns.")


def explain_sigmoid_slope(flat):
    """The derivative in terms of the output, with the numbers of the most saturated neuron."""
    st.subheader("Why the derivative is written out * (1 - out)")
    # Braces keep σ(z)(1 − σ(z)) on one line when the formula wraps.
    st.markdown(mathtext.wrapping(r"\sigma(z) = \dfrac{1}{1+e^{-z}} \quad\Rightarrow\quad \sigma'(z) = "
                                  r"\dfrac{e^{-z}}{(1+e^{-z})^2} = {\sigma(z)\,\bigl(1-\sigma(z)\bigr)}"))
    st.markdown(
        "The forward pass has already computed `out = sigmoid(z)`, so the slope costs one multiplication: "
        "`out * (1 - out)`. That is why the tutorials call `nonlin(l1, deriv=True)` on the *output* `l1` and "
        "not on z. Calling it on z would be a bug; calling `sigmoid(z) * (1 - sigmoid(z))` on z is the same "
        "number, computed twice."
    )
    out = flat["out"]
    st.markdown(
        f"Right now the flattest point is **{flat['neuron']}** on row {flat['row']} ({flat['layer']}): "
        f"z = {flat['z']:.4f}, out = {out:.6f}, slope = out·(1−out) = {out:.6f} × {1 - out:.6f} = "
        f"**{flat['slope']:.6f}**. At z = 0 the slope is 0.25, so this neuron's weights move about "
        f"{flat['slowdown']:,.0f} times more slowly than they would there: it is saturated."
    )



live_view(pg, "scurve")
with pg.lock:
    trainer = pg.trainer
    zs, activations = trainer.forward(trainer.X)
    summary = readouts.slope_summary(pg, activations)
    flat = readouts.flattest_sigmoid(pg, zs, activations)
st.caption(f"Slopes at step {pg.steps:,}; this table and the note below refresh when training pauses.")
st.dataframe(summary, hide_index=True, width="stretch")
if flat:
    explain_sigmoid_slope(flat)
