"""Input features computed from the first two inputs: x1², x2², x1·x2, sin x1, sin x2.

A feature is one more input column, derived from the raw table before scaling, so the
network, the scaling, new rows on the Predict page and the exported script all see the same
numbers. They are added in the registry's order, whatever order they were switched on in.
"""

from collections.abc import Callable
from dataclasses import dataclass
from types import MappingProxyType

import numpy as np


@dataclass(frozen=True)
class Feature:
    name: str
    label: str  # its column's name, {x1} and {x2} standing for the first two inputs' names
    needs: int  # how many input columns it reads (1: x1 only, 2: x1 and x2)
    compute: Callable  # compute(X) -> (n_rows,) from raw inputs X (n_rows, n_in)
    code: str  # the same as NumPy code, {X} standing for the table


FEATURES = MappingProxyType({
    "x1_squared": Feature("x1_squared", "{x1}²", 1, lambda X: X[:, 0] * X[:, 0], "{X}[:, 0] * {X}[:, 0]"),
    "x2_squared": Feature("x2_squared", "{x2}²", 2, lambda X: X[:, 1] * X[:, 1], "{X}[:, 1] * {X}[:, 1]"),
    "x1_x2": Feature("x1_x2", "{x1}·{x2}", 2, lambda X: X[:, 0] * X[:, 1], "{X}[:, 0] * {X}[:, 1]"),
    "sin_x1": Feature("sin_x1", "sin {x1}", 1, lambda X: np.sin(X[:, 0]), "np.sin({X}[:, 0])"),
    "sin_x2": Feature("sin_x2", "sin {x2}", 2, lambda X: np.sin(X[:, 1]), "np.sin({X}[:, 1])"),
})


def ordered(names):
    """The feature names in the registry's order, each once; ValueError for an unknown one."""
    unknown = [name for name in names if name not in FEATURES]
    if unknown:
        raise ValueError(f"unknown feature {unknown[0]!r}; choose from {', '.join(FEATURES)}")
    return tuple(name for name in FEATURES if name in names)


def feature_problems(names, n_inputs):
    """Why these features cannot be computed from n_inputs input columns ([] if they can)."""
    short = [FEATURES[name] for name in ordered(names) if FEATURES[name].needs > n_inputs]
    return [f"{feature.label.format(x1='x1', x2='x2')} needs {feature.needs} input columns; the table has "
            f"{n_inputs}" for feature in short]


def feature_labels(names, input_names):
    """Column names of the derived inputs, from the first two input columns' names: ['x²', 'x·y']."""
    x1, x2 = (list(input_names) + ["x2"])[:2]
    return [FEATURES[name].label.format(x1=x1, x2=x2) for name in ordered(names)]


def add_features(X, names):
    """Raw inputs X (n_rows, n_in) with the features' columns after them: (n_rows, n_in + len(names))."""
    X = np.asarray(X, dtype=np.float64)
    names = ordered(names)
    if not names:
        return X
    if problems := feature_problems(names, X.shape[1]):
        raise ValueError("; ".join(problems))
    with np.errstate(all="ignore"):
        return np.column_stack([X, *(FEATURES[name].compute(X) for name in names)])
