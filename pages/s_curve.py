"""S-curve: where every neuron's weighted sum lands on its activation function, and why that matters."""

import numpy as np
import pandas as pd
import streamlit as st

from engine import ACTIVATIONS
from ui import figures, session
from ui.controls import live, training_controls

pg = session.playground()

st.title("S-curve")
st.caption("Every dot is one neuron on one training row: its weighted sum z along the bottom, its output "
           "a = f(z) up the side. The dashed curve is the slope f'(z), which multiplies every weight update: "
           "where the curve is flat, the neuron hardly learns.")


training_controls(pg, "scurve", compact=True)


def draw():
    trainer = pg.trainer
    zs, activations = trainer.forward(trainer.X)
    names = pg.layer_names()[1:]
    rows = [f"row {i + 1}" for i in range(len(trainer.X))]
    st.caption(f"Step {pg.steps:,}")
    st.plotly_chart(figures.s_curve(trainer.config.activations, zs, names, rows), key="scurve_chart",
                    width="stretch", theme=None)
    labels = pg.neuron_labels()[1:]
    summary = []
    for l, (a, name) in enumerate(zip(activations[1:], trainer.config.activations)):
        slope = ACTIVATIONS[name].derivative_from_output(a)
        for j in range(a.shape[1]):
            summary.append({"neuron": labels[l][j], "layer": names[l], "activation": name,
                            "mean slope": float(np.mean(slope[:, j])), "smallest slope": float(np.min(slope[:, j]))})
    st.dataframe(pd.DataFrame(summary), hide_index=True, width="stretch")
    _explain(zs, activations, labels, names)


def _explain(zs, activations, labels, names):
    """The derivative in terms of the output, with the numbers of the most saturated neuron."""
    if pg.trainer.config.activations[-1] != "sigmoid" and "sigmoid" not in pg.trainer.config.activations:
        return
    layer = next(i for i, n in enumerate(pg.trainer.config.activations) if n == "sigmoid")
    a = activations[layer + 1]
    row, j = np.unravel_index(np.argmin(a * (1 - a)), a.shape)
    z, out = zs[layer][row, j], a[row, j]
    slope = out * (1 - out)
    st.subheader("Why the derivative is written out * (1 - out)")
    st.latex(r"\sigma(z) = \frac{1}{1+e^{-z}} \quad\Rightarrow\quad \sigma'(z) = \frac{e^{-z}}{(1+e^{-z})^2}"
             r" = \sigma(z)\,\bigl(1-\sigma(z)\bigr)")
    st.markdown(
        "The forward pass has already computed `out = sigmoid(z)`, so the slope costs one multiplication: "
        "`out * (1 - out)`. That is why the tutorials call `nonlin(l1, deriv=True)` on the *output* `l1` and "
        "not on z. Calling it on z would be a bug; calling `sigmoid(z) * (1 - sigmoid(z))` on z is the same "
        "number, computed twice."
    )
    st.markdown(
        f"Right now the flattest point is **{labels[layer][j]}** on row {row + 1} ({names[layer]}): "
        f"z = {z:.4f}, out = {out:.6f}, slope = out·(1−out) = {out:.6f} × {1 - out:.6f} = **{slope:.6f}**. "
        f"At z = 0 the slope is 0.25, so this neuron's weights move about "
        f"{0.25 / max(slope, 1e-300):,.0f} times more slowly than they would there: it is saturated."
    )


live(pg, draw)
