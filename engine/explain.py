"""One training row followed through a forward and a backward pass, every number kept for display."""

from dataclasses import dataclass

import numpy as np

from .activations import ACTIVATIONS
from .losses import LOSSES


@dataclass(frozen=True)
class RowTrace:
    """Layer l maps activations[l] (n_l,) to zs[l] (n_{l+1},) and activations[l + 1]."""

    weights: list  # W[l] (n_l, n_{l+1})
    biases: list  # b[l] (n_{l+1},), or [] without bias
    zs: list  # pre-activations per layer
    activations: list  # activations[0] is the row's (scaled) inputs
    target: np.ndarray  # (n_out,)
    error: np.ndarray  # target - output, (n_out,)
    scale: float  # the loss's factor on the output delta for a one-row batch
    slopes: list  # f'(z) per layer, written from the output a
    back_errors: list  # back_errors[l] = deltas[l + 1] @ W[l + 1].T for hidden layers (None for the output)
    deltas: list  # delta per layer (n_{l+1},): how much each neuron's z should move
    weight_changes: list  # learning_rate * outer(activations[l], deltas[l]) (n_l, n_{l+1})
    learning_rate: float


def trace_row(trainer, x, y, network=0):
    """Forward and backward pass of trainer's network k on one scaled row x (n_in,), target y (n_out,)."""
    config = trainer.config
    weights = trainer.weights(network)
    biases = trainer.biases(network)
    names = config.activations
    loss = LOSSES[config.loss]
    a = np.asarray(x, dtype=np.float64)
    zs, activations, slopes = [], [a], []
    with np.errstate(all="ignore"):
        for l, W in enumerate(weights):
            z = a @ W + (biases[l] if biases else 0.0)
            a = ACTIVATIONS[names[l]].forward(z)
            zs.append(z)
            activations.append(a)
            slopes.append(ACTIVATIONS[names[l]].derivative_from_output(a))
        target = np.asarray(y, dtype=np.float64)
        error = target - a
        scale = loss.scale(len(target))
        delta = error * slopes[-1] * scale if loss.uses_slope else error * scale
        deltas, back_errors = [delta], [None]
        for l in range(len(weights) - 1, 0, -1):
            back = delta @ weights[l].T
            delta = back * slopes[l - 1]
            deltas.insert(0, delta)
            back_errors.insert(0, back)
        rate = float(trainer.learning_rates[network])
        changes = [rate * np.outer(activations[l], deltas[l]) for l in range(len(weights))]
    return RowTrace(weights, biases, zs, activations, target, error, scale, slopes, back_errors, deltas,
                    changes, rate)
