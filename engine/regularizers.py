"""Weight penalties: a cost R(W) on large weights, beside its slope dR/dW.

With a penalty at rate λ a step lowers L + λ Σ R(W) over the weight matrices, so the update is
    W += learning_rate * (a.T @ delta - λ * dR/dW)
Biases are not penalised, as is usual: a bias only moves a neuron's threshold, and holding
thresholds near 0 would not make the network's function any simpler. The error curve shows
the loss L alone, so runs with and without a penalty compare on the same scale.
"""

from collections.abc import Callable
from dataclasses import dataclass
from types import MappingProxyType

import numpy as np


@dataclass(frozen=True)
class Regularizer:
    """One penalty and everything the app says about it: its value, its slope, their LaTeX and code."""

    name: str
    label: str
    penalty: Callable  # penalty(W) -> R(W), summed over every entry of W (n_l, n_{l+1})
    scaled_slope: Callable  # scaled_slope(W, rate, out) -> rate * dR/dW, written into out (W's shape)
    formula: str  # LaTeX of R(W)
    slope_latex: str  # dR/dw as LaTeX, w standing for one weight
    code_slope: str  # dR/dW as NumPy code, {W} standing for the matrix; "" for no penalty


def _none(W):
    return 0.0


def _l1(W):
    return float(np.sum(np.abs(W)))


def _l1_slope(W, rate, out):
    # sign(0) = 0: a weight at exactly 0 is left there, the usual choice for |w|'s kink
    np.sign(W, out)
    return np.multiply(out, rate, out)


def _l2(W):
    return float(0.5 * np.sum(W * W))


def _l2_slope(W, rate, out):
    return np.multiply(W, rate, out)


REGULARIZERS = MappingProxyType({
    "none": Regularizer("none", "None", _none, None, "R = 0", "0", ""),
    "l1": Regularizer("l1", "L1 (sum of |w|)", _l1, _l1_slope, r"R = \sum |w|",
                      r"\operatorname{sign}(w)", "np.sign({W})"),
    "l2": Regularizer("l2", "L2 (half the sum of w²)", _l2, _l2_slope, r"R = \tfrac{1}{2} \sum w^2", "w", "{W}"),
})


def is_active(name, rate):
    """True when a penalty changes the update: a known penalty other than none, at a rate above 0."""
    return name in REGULARIZERS and REGULARIZERS[name].scaled_slope is not None and rate > 0
