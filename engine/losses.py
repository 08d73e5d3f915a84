"""Losses: the value that is plotted beside the rule that starts backpropagation.

Every loss hands backpropagation the same thing, the output delta
    delta = -dL/dz = error * scale * f'(z),   error = y - a,
so the weight update is always `W += learning_rate * layer_in.T @ delta`, the
tutorials' line. Only `scale` and whether f'(z) appears differ between losses.
"""

from collections.abc import Callable
from dataclasses import dataclass
from types import MappingProxyType

import numpy as np


@dataclass(frozen=True)
class Loss:
    """One loss and everything the app says about it: its value, its output delta, their LaTeX and code."""

    name: str
    label: str
    formula: str  # LaTeX of L
    value: Callable  # value(z, y, error) -> L per leading index; error = y - a; arrays (..., rows, outs)
    factor: float  # the output delta's factor is `factor`, divided by N where per_item
    per_item: bool  # L averages over the N = rows * outputs numbers of a batch
    uses_slope: bool  # False where f'(z) cancels (cross-entropy after a sigmoid)
    needs_output: str = ""  # name of the output activation the loss requires, if any
    scale_note: str = ""  # why the factor is what it is, a code comment; {n} stands for N

    def scale(self, n_items):
        """The factor on error * f'(z) for a batch of n_items = rows * outputs numbers."""
        return self.factor / n_items if self.per_item else self.factor

    def scale_latex(self, n_items=None):
        """LaTeX of the factor, written with N or with n_items for N; "" where it is 1 for every N."""
        if not self.per_item:
            return "" if self.factor == 1 else _literal(self.factor)
        return rf"\tfrac{{{_literal(self.factor)}}}{{{'N' if n_items is None else int(n_items)}}}"

    def scale_code(self, n_items):
        """The factor for n_items as a Python expression, as a script writes it: 2 / 4."""
        return f"{_literal(self.factor)} / {int(n_items)}" if self.per_item else _literal(self.factor)


def _literal(x):
    """2 for 2.0, repr otherwise: the script's arithmetic must see exactly this float."""
    return str(int(x)) if float(x).is_integer() else repr(float(x))


def _half_sum_squares(z, y, error):
    return 0.5 * np.sum(error * error, axis=(-2, -1))


def _mean_squares(z, y, error):
    return np.mean(error * error, axis=(-2, -1))


def _binary_cross_entropy(z, y, error):
    # -[y log a + (1 - y) log(1 - a)] with a = sigmoid(z) equals softplus(z) - y z,
    # which stays finite where a has rounded to exactly 0 or 1.
    return np.mean(np.logaddexp(0.0, z) - y * z, axis=(-2, -1))


LOSSES = MappingProxyType({
    "tutorial": Loss(
        "tutorial", "½ sum of squares",
        r"L = \tfrac{1}{2} \sum (y - a)^2",
        _half_sum_squares, factor=1.0, per_item=False, uses_slope=True,
    ),
    "mse": Loss(
        "mse", "Mean squared error",
        r"L = \tfrac{1}{N} \sum (y - a)^2",
        _mean_squares, factor=2.0, per_item=True, uses_slope=True,
        scale_note="mean squared error over n = {n} numbers: dL/da = -2 (y - a) / n",
    ),
    "bce": Loss(
        "bce", "Binary cross-entropy",
        r"L = -\tfrac{1}{N} \sum \big[y \log a + (1 - y) \log(1 - a)\big]",
        _binary_cross_entropy, factor=1.0, per_item=True, uses_slope=False, needs_output="sigmoid",
        scale_note="cross-entropy over n = {n} numbers: dL/dz = -(y - a) / n",
    ),
})
