"""Weight initialisers: each draws one (n_in, n_out) matrix from a RandomState.

The app, the exported script and the tutorials all draw layer by layer from one
`np.random.RandomState(seed)`, first layer first, so a seed names a network.
"""

from collections.abc import Callable
from dataclasses import dataclass
from types import MappingProxyType

import numpy as np


@dataclass(frozen=True)
class Initializer:
    name: str
    label: str
    draw: Callable  # draw(rng, n_in, n_out) -> W (n_in, n_out)
    code: str  # the same draw as a line of NumPy, with {n_in} and {n_out}


def _uniform(rng, n_in, n_out):
    return 2 * rng.random_sample((n_in, n_out)) - 1


def _normal(rng, n_in, n_out):
    return rng.randn(n_in, n_out)


def _xavier(rng, n_in, n_out):
    limit = np.sqrt(6.0 / (n_in + n_out))
    return limit * (2 * rng.random_sample((n_in, n_out)) - 1)


INITIALIZERS = MappingProxyType({
    "uniform": Initializer(
        "uniform", "Uniform [-1, 1)", _uniform,
        "2 * rng.random_sample(({n_in}, {n_out})) - 1",
    ),
    "normal": Initializer(
        "normal", "Standard normal", _normal,
        "rng.randn({n_in}, {n_out})",
    ),
    "xavier": Initializer(
        "xavier", "Xavier/Glorot uniform", _xavier,
        "np.sqrt(6.0 / ({n_in} + {n_out})) * (2 * rng.random_sample(({n_in}, {n_out})) - 1)",
    ),
})
