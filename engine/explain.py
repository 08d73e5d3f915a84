"""One row followed through a forward and a backward pass, every number kept for display.

A training step on a batch of B rows moves each weight by the sum over those rows of
`learning_rate * a_in * delta`, where each row's output delta carries the loss's factor
for the whole batch (2/N for mean squared error, N = B * n_out). So the per-row
changes in a RowTrace, added up over the rows of a batch, are one step (to the
rounding of the sums, which the engine adds in another order). A weight penalty moves each
weight once per step, not once per row: its change is kept apart (penalty_changes).
"""

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from .activations import ACTIVATIONS
from .losses import LOSSES
from .regularizers import REGULARIZERS


@dataclass(frozen=True)
class RowTrace:
    """Layer l maps activations[l] (n_l,) to zs[l] (n_{l+1},) and activations[l + 1]."""

    weights: list  # W[l] (n_l, n_{l+1})
    biases: list  # b[l] (n_{l+1},), or [] without bias
    zs: list  # pre-activations per layer
    activations: list  # activations[0] is the row's (scaled) inputs
    target: np.ndarray  # (n_out,)
    error: np.ndarray  # target - output, (n_out,)
    batch_rows: int  # B, the rows one training step adds up
    n_items: int  # N = B * n_out, the numbers a per-item loss averages over
    scale: float  # the loss's factor on the output delta for a batch of N numbers
    slopes: list  # f'(z) per layer, written from the output a
    back_errors: list  # back_errors[l] = deltas[l + 1] @ W[l + 1].T for hidden layers (None for the output)
    deltas: list  # delta per layer (n_{l+1},): how much each neuron's z should move
    weight_changes: list  # learning_rate * outer(activations[l], deltas[l]) (n_l, n_{l+1})
    bias_changes: list  # learning_rate * deltas[l] (n_{l+1},), or [] without bias
    learning_rate: float
    penalty_changes: list = ()  # -learning_rate * λ dR/dW[l] (n_l, n_{l+1}), once per step; () without a penalty


def trace_row(trainer, x, y, network=0):
    """Forward and backward pass of trainer's network k on one scaled row x (n_in,), target y (n_out,)."""
    config = trainer.config
    weights = trainer.weights(network)
    biases = trainer.biases(network)
    loss = LOSSES[config.loss]
    with np.errstate(all="ignore"):
        zs, activations = _forward(weights, biases, config.activations, x)
        slopes = [ACTIVATIONS[name].derivative_from_output(a) for name, a in zip(config.activations, activations[1:])]
        target = np.asarray(y, dtype=np.float64)
        error = target - activations[-1]
        batch_rows = int(trainer.batch_rows)
        n_items = batch_rows * len(target)
        scale = loss.scale(n_items)
        # in the engine's order: slope times error, then the scale (skipped where it is 1, as the engine skips it)
        delta = error * slopes[-1] if loss.uses_slope else error
        if scale != 1.0:
            delta = delta * scale
        deltas, back_errors = [delta], [None]
        for l in range(len(weights) - 1, 0, -1):
            back = delta @ weights[l].T
            delta = back * slopes[l - 1]
            deltas.insert(0, delta)
            back_errors.insert(0, back)
        rate = float(trainer.learning_rates[network])
        changes = [rate * np.outer(activations[l], deltas[l]) for l in range(len(weights))]
        bias_changes = [rate * d for d in deltas] if biases else []
        penalty_changes = ()
        if config.penalized:
            scaled_slope = REGULARIZERS[config.regularization].scaled_slope
            penalty_changes = [-rate * scaled_slope(W, config.regularization_rate, np.empty_like(W)) for W in weights]
    return RowTrace(weights, biases, zs, activations, target, error, batch_rows, n_items, scale, slopes, back_errors,
                    deltas, changes, bias_changes, rate, penalty_changes)


@dataclass(frozen=True)
class WorkedExample:
    """A tutorial's forward pass worked by hand, recomputed, beside what the tutorial printed."""

    row: np.ndarray  # (n_in,) the raw row the tutorial used
    weights: list  # W[l] (n_l, n_{l+1}), the tutorial's hand-picked weights
    zs: list  # (n_{l+1},) per layer
    activations: list  # activations[0] is row
    activation_names: list  # per layer
    printed: Mapping  # the tutorial's own numbers: hidden_sums, hidden_activations, carried_activations, ...
    notes: tuple  # Markdown sentences: why the printed numbers differ from these


def worked_example(preset):
    """The preset's hand-worked forward pass as the network computes it, or None if its tutorial has none."""
    if preset is None or "example_weights" not in preset.published:
        return None
    published = preset.published
    weights = [np.asarray(W, dtype=np.float64) for W in published["example_weights"]]
    row = np.asarray(published["example_row"], dtype=np.float64)
    names = preset.config.activations
    with np.errstate(all="ignore"):
        zs, activations = _forward(weights, [], names, row)
    printed = {key.removeprefix("printed_"): value for key, value in published.items() if key.startswith("printed_")}
    return WorkedExample(row, weights, zs, activations, list(names), printed, tuple(preset.example_notes))


def _forward(weights, biases, names, x):
    """(zs, activations) of one row x (n_in,) through weights W[l] (n_l, n_{l+1}), biases b[l] or []."""
    a = np.asarray(x, dtype=np.float64)
    zs, activations = [], [a]
    for l, W in enumerate(weights):
        z = a @ W + (biases[l] if biases else 0.0)
        a = ACTIVATIONS[names[l]].forward(z)
        zs.append(z)
        activations.append(a)
    return zs, activations
