"""The raw table as the network sees it: derived inputs, the rows held out for testing, then scaling.

In that order: features are computed from the raw inputs of every row, the split draws
which rows are held out, and the scaling is fitted on the training rows alone, so the test
rows tell the network nothing, not even their range. The exported script does the same
steps in the same order (engine.export).
"""

from dataclasses import dataclass

import numpy as np

from .features import add_features
from .scaling import Scaler, fit_scaler
from .split import split_rows


@dataclass(frozen=True)
class PreparedTable:
    """Scaled training rows X (n_train, n_in), Y (n_train, n_out); test rows likewise, or None without a split."""

    X: np.ndarray
    Y: np.ndarray
    X_test: np.ndarray | None
    Y_test: np.ndarray | None
    scaler: Scaler
    train_rows: np.ndarray  # (n_train,) indices into the raw table, in its order
    test_rows: np.ndarray  # (n_test,), possibly empty


def prepare_table(X_raw, Y_raw, features=(), test_share=0.0, split_seed=0, input_scaling="none",
                  output_scaling="none", input_divisor=1.0, output_divisor=1.0):
    """A PreparedTable from raw X_raw (n_rows, n_in) and Y_raw (n_rows, n_out); ValueError for settings that fail."""
    X_all = add_features(X_raw, features)
    Y_all = np.asarray(Y_raw, dtype=np.float64)
    train_rows, test_rows = split_rows(len(X_all), test_share, split_seed)
    scaler = fit_scaler(X_all[train_rows], Y_all[train_rows], input_scaling, output_scaling, input_divisor,
                        output_divisor)
    # Row-major like the script's arrays: BLAS may round a column-major copy differently.
    X, Y = (np.ascontiguousarray(f(T[train_rows])) for f, T in ((scaler.inputs, X_all), (scaler.outputs, Y_all)))
    X_test = Y_test = None
    if len(test_rows):
        X_test = np.ascontiguousarray(scaler.inputs(X_all[test_rows]))
        Y_test = np.ascontiguousarray(scaler.outputs(Y_all[test_rows]))
    return PreparedTable(X, Y, X_test, Y_test, scaler, train_rows, test_rows)
