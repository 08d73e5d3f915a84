"""A registry entry the app has never seen, added for one test: what reads the registries must pick it up.

`add_entries(monkeypatch)` puts a softsign activation and a "half mean" loss into the
ACTIVATIONS and LOSSES every loaded engine and ui module reads; monkeypatch puts the
originals back afterwards.
"""

import sys
from types import MappingProxyType

import numpy as np

from engine import ACTIVATIONS, LOSSES
from engine.activations import Activation
from engine.losses import Loss


def _softsign(z, out=None):
    # z / (1 + |z|) in the script's order of operations, so the two agree to the last bit
    return np.divide(z, 1 + np.abs(z), out=out)


def _softsign_slope(a, out=None):
    out = np.abs(a, out=out)
    np.subtract(1, out, out=out)
    out *= out
    return out


SOFTSIGN = Activation(
    "softsign", "Softsign", _softsign, _softsign_slope,
    r"a = \frac{z}{1 + |z|}", r"f'(z) = (1 - |a|)^2", (-1.0, 1.0),
    slope_latex=r"(1 - |a|)^2",
    code_forward="softsign({z})",
    code_slope="softsign_slope({a})",
    code_definitions=(
        "def softsign(z):",
        "    return z / (1 + np.abs(z))",
        "",
        "",
        "def softsign_slope(a):",
        "    s = 1 - np.abs(a)",
        "    return s * s  # softsign'(z), written with the output a",
    ),
)


def _half_mean_squares(z, y, error):
    return 0.5 * np.mean(error * error, axis=(-2, -1))


HALF_MEAN = Loss(
    "half-mean", "Half the mean squared error", r"L = \tfrac{1}{2N} \sum (y - a)^2", _half_mean_squares,
    factor=1.0, per_item=True, uses_slope=True,
    scale_note="half the mean squared error over n = {n} numbers: dL/da = -(y - a) / n",
)


def add_entries(monkeypatch):
    """Every engine and ui module's ACTIVATIONS gains SOFTSIGN and its LOSSES gains HALF_MEAN."""
    registries = {
        "ACTIVATIONS": (ACTIVATIONS, MappingProxyType({**ACTIVATIONS, SOFTSIGN.name: SOFTSIGN})),
        "LOSSES": (LOSSES, MappingProxyType({**LOSSES, HALF_MEAN.name: HALF_MEAN})),
    }
    for name, module in list(sys.modules.items()):
        if name.split(".")[0] not in ("engine", "ui"):
            continue
        for attribute, (original, extended) in registries.items():
            if getattr(module, attribute, None) is original:
                monkeypatch.setattr(module, attribute, extended)
