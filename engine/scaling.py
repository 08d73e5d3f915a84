"""Column scaling: the network trains on scaled numbers, people read raw ones.

Each column is mapped by x_scaled = (x - offset) / divisor, with offset and divisor
fitted on the training table once. New rows are scaled by the *training* table's
numbers: scaling (4, 8) by its own maximum would give (0.5, 1), a different input.
"""

from dataclasses import dataclass
from types import MappingProxyType

import numpy as np

SCALINGS = MappingProxyType({
    "none": "No scaling",
    "max": "Divide by the maximum",
    "minmax": "Min-max to [0, 1]",
    "divide": "Divide by a fixed number",
})


def _fit_columns(values, mode, divisor):
    """offset, divisor for each column of values (n_rows, n_cols)."""
    n_cols = values.shape[1]
    offset = np.zeros(n_cols)
    scale = np.ones(n_cols)
    if mode == "max":
        largest = np.max(np.abs(values), axis=0) if len(values) else np.ones(n_cols)
        scale = np.where(largest > 0, largest, 1.0)
    elif mode == "minmax" and len(values):
        low, high = values.min(axis=0), values.max(axis=0)
        offset = low
        scale = np.where(high > low, high - low, 1.0)
    elif mode == "divide":
        if not (np.isfinite(divisor) and divisor != 0):
            raise ValueError(f"cannot divide by {divisor!r}")
        scale = np.full(n_cols, float(divisor))
    elif mode not in SCALINGS:
        raise ValueError(f"unknown scaling {mode!r}; choose from {', '.join(SCALINGS)}")
    return offset.astype(np.float64), scale.astype(np.float64)


@dataclass(frozen=True)
class Scaler:
    in_offset: np.ndarray  # (n_in,)
    in_scale: np.ndarray  # (n_in,)
    out_offset: np.ndarray  # (n_out,)
    out_scale: np.ndarray  # (n_out,)

    def inputs(self, X):
        """X (n_rows, n_in) raw -> scaled."""
        return (np.asarray(X, dtype=np.float64) - self.in_offset) / self.in_scale

    def outputs(self, Y):
        """Y (n_rows, n_out) raw -> scaled."""
        return (np.asarray(Y, dtype=np.float64) - self.out_offset) / self.out_scale

    def outputs_back(self, Y_scaled):
        """Y (n_rows, n_out) scaled -> raw units."""
        return np.asarray(Y_scaled) * self.out_scale + self.out_offset

    def to_dict(self):
        return {k: getattr(self, k).tolist() for k in _SCALER_FIELDS}

    @classmethod
    def from_dict(cls, d):
        return cls(**{k: np.asarray(d[k], dtype=np.float64) for k in _SCALER_FIELDS})


_SCALER_FIELDS = ("in_offset", "in_scale", "out_offset", "out_scale")


def fit_scaler(X, Y, input_mode="none", output_mode="none", input_divisor=1.0, output_divisor=1.0):
    """Fit per-column scaling on the raw training table X (n_rows, n_in), Y (n_rows, n_out)."""
    X = np.asarray(X, dtype=np.float64)
    Y = np.asarray(Y, dtype=np.float64)
    in_offset, in_scale = _fit_columns(X, input_mode, input_divisor)
    out_offset, out_scale = _fit_columns(Y, output_mode, output_divisor)
    return Scaler(in_offset, in_scale, out_offset, out_scale)
