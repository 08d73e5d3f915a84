"""Which rows of a table train the network and which are held out to test it.

The split is drawn from its own np.random.RandomState(seed): the same table, share and seed
always hold out the same rows. Both lists keep the table's order, so the training rows are
summed in the order they have in the table.
"""

import numpy as np


def held_out_count(n_rows, test_share):
    """How many of n_rows rows a share in [0, 1) holds out: rounded, leaving at least one row to train on."""
    if not (np.isfinite(test_share) and 0 <= test_share < 1):
        raise ValueError(f"the test share must be at least 0 and below 1, got {test_share!r}")
    return max(0, min(int(round(test_share * n_rows)), n_rows - 1))


def split_rows(n_rows, test_share, seed):
    """(train_rows, test_rows): sorted row indices, held_out_count(n_rows, test_share) of them held out."""
    n_test = held_out_count(n_rows, test_share)
    order = np.random.RandomState(int(seed)).permutation(n_rows)
    return np.sort(order[n_test:]), np.sort(order[:n_test])
