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
    name: str
    label: str
    formula: str  # LaTeX of L
    value: Callable  # value(z, y, error) -> L per leading index; error = y - a; arrays (..., rows, outs)
    scale: Callable  # scale(n_items) -> factor on error * f'(z)
    uses_slope: bool  # False where f'(z) cancels (cross-entropy after a sigmoid)
    needs_output: str = ""  # name of the output activation the loss requires, if any


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
        "tutorial", "Tutorial rule (½ sum of squared errors)",
        r"L = \tfrac{1}{2} \sum (y - a)^2",
        _half_sum_squares, lambda n_items: 1.0, True,
    ),
    "mse": Loss(
        "mse", "Mean squared error",
        r"L = \tfrac{1}{N} \sum (y - a)^2",
        _mean_squares, lambda n_items: 2.0 / n_items, True,
    ),
    "bce": Loss(
        "bce", "Binary cross-entropy",
        r"L = -\tfrac{1}{N} \sum \big[y \log a + (1 - y) \log(1 - a)\big]",
        _binary_cross_entropy, lambda n_items: 1.0 / n_items, False, "sigmoid",
    ),
})
