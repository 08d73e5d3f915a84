"""Generated 2-D data sets: points in the plane and their targets, drawn from a RandomState of their own.

Each generator is a plain NumPy function `generate(rng, n, noise) -> X (n, 2), y (n, 1)`; the
exported script carries the function's own source (inspect.getsource), so it draws the same
points from the same seed. Each set is drawn in the unit disc or square, then stretched 5 times,
so points lie in about [-5, 5]² as in the popular browser playground: tanh and sigmoid neurons
bend their boundaries around such a range in a few thousand steps. Rows alternate between the
two classes. `noise` is the standard deviation of a random shift of every point, as a share of
the set's radius (0.1: a tenth of it), drawn even at 0, so that more noise moves the same points
further. The target is decided before the shift: with noise the classes overlap, and a network
that follows every point learns the noise (overfits). Coordinates are rounded to 2 decimals so
the table reads easily.
"""

import inspect
from collections.abc import Callable
from dataclasses import dataclass
from types import MappingProxyType

import numpy as np

COLUMNS = ("x1", "x2", "y")  # every set: two inputs and a target
MAX_NOISE = 1.0  # a shift as large as the set itself


def circle(rng, n, noise):
    """Class 1 inside radius 2.5, class 0 on a ring from 3.5 to 5 around it."""
    inside = np.arange(n) % 2 == 0
    radius = np.where(inside, 0.5 * rng.random_sample(n), 0.7 + 0.3 * rng.random_sample(n))
    angle = 2 * np.pi * rng.random_sample(n)
    X = radius[:, None] * np.column_stack([np.cos(angle), np.sin(angle)]) + noise * rng.randn(n, 2)
    return np.round(5 * X, 2), inside[:, None].astype(float)


def xor(rng, n, noise):
    """Class 1 where x1 and x2 have the same sign: the four quadrants, kept 0.5 away from the axes."""
    X = rng.uniform(-0.9, 0.9, (n, 2))
    X += np.where(X > 0, 0.1, -0.1)
    same_sign = X[:, 0] * X[:, 1] > 0
    X += noise * rng.randn(n, 2)
    return np.round(5 * X, 2), same_sign[:, None].astype(float)


def gaussians(rng, n, noise):
    """Two round clouds: class 1 around (2.5, 2.5), class 0 around (-2.5, -2.5), each of spread 1.25."""
    first = np.arange(n) % 2 == 0
    centre = np.where(first[:, None], 0.5, -0.5)
    X = centre + 0.25 * rng.randn(n, 2) + noise * rng.randn(n, 2)
    return np.round(5 * X, 2), first[:, None].astype(float)


def spiral(rng, n, noise):
    """Two arms winding 1.75 times around the centre, one per class, from radius 0 to 5."""
    arm = np.arange(n) % 2
    radius = (np.arange(n) // 2) / ((n + 1) // 2)
    angle = 3.5 * np.pi * radius + np.pi * arm
    X = radius[:, None] * np.column_stack([np.sin(angle), np.cos(angle)]) + noise * rng.randn(n, 2)
    return np.round(5 * X, 2), (arm == 0)[:, None].astype(float)


def surface(rng, n, noise):
    """A height between 0.1 and 0.9 to fit: y = 0.5 + 0.4 sin(0.4 x1) cos(0.4 x2) over [-5, 5]²."""
    X = rng.uniform(-1, 1, (n, 2))
    y = 0.5 + 0.4 * np.sin(2 * X[:, 0]) * np.cos(2 * X[:, 1])
    X += noise * rng.randn(n, 2)
    return np.round(5 * X, 2), np.round(y, 3)[:, None]


@dataclass(frozen=True)
class DataSet:
    name: str
    label: str
    generate: Callable  # generate(rng, n, noise) -> X (n, 2), y (n, 1)
    story: str  # what it shows, for the Data page

    @property
    def code(self):
        """The generator's own source: the exported script defines and calls exactly this function."""
        return inspect.getsource(self.generate).rstrip("\n")


DATASETS = MappingProxyType({
    "circle": DataSet("circle", "Circle", circle,
                      "One class inside a circle, the other on a ring around it: no straight line separates them."),
    "xor": DataSet("xor", "XOR quadrants", xor,
                   "Opposite quadrants share a class: one hidden layer has to combine two straight boundaries."),
    "gaussians": DataSet("gaussians", "Two Gaussians", gaussians,
                         "Two clouds of points: a straight line separates them, until noise makes them overlap."),
    "spiral": DataSet("spiral", "Spiral", spiral,
                      "Two interleaved arms: the hardest of the sets, and with noise the classic case of overfitting."),
    "surface": DataSet("surface", "Regression surface", surface,
                       "A smooth height over the plane to fit, not classes: try a linear output and mean squared "
                       "error."),
})


def make_dataset(name, n_points, noise, seed):
    """(X (n_points, 2), Y (n_points, 1)) of the named set, drawn from np.random.RandomState(seed)."""
    if name not in DATASETS:
        raise ValueError(f"unknown data set {name!r}; choose from {', '.join(DATASETS)}")
    if not (isinstance(n_points, (int, np.integer)) and n_points >= 1):
        raise ValueError(f"the number of points must be a whole number >= 1, got {n_points!r}")
    if not (np.isfinite(noise) and 0 <= noise <= MAX_NOISE):
        raise ValueError(f"noise must be between 0 and {MAX_NOISE:g}, got {noise!r}")
    if not 0 <= seed < 2**32:
        raise ValueError(f"the data seed must be between 0 and {2**32 - 1}, got {seed}")
    return DATASETS[name].generate(np.random.RandomState(int(seed)), int(n_points), float(noise))
