"""Activation functions, each a forward rule beside its derivative.

The derivative is written in terms of the activation's *output* a = f(z), as the
tutorials do (sigmoid'(z) = a * (1 - a)): the forward pass has already computed
a, so backpropagation needs no second look at z.
"""

from collections.abc import Callable
from dataclasses import dataclass
from types import MappingProxyType

import numpy as np


@dataclass(frozen=True)
class Activation:
    """One activation and everything the app says about it: maths, LaTeX, and the code a script runs."""

    name: str
    label: str
    forward: Callable  # forward(z, out=None) -> a; may write into out
    derivative_from_output: Callable  # derivative_from_output(a, out=None) -> f'(z)
    formula: str  # LaTeX of a = f(z)
    derivative_formula: str  # LaTeX of f'(z) in terms of a
    output_range: tuple  # (low, high) that a can take
    slope_latex: str  # f'(z) as a LaTeX factor of a, as a delta line multiplies by it: a\,(1 - a)
    code_forward: str  # the forward rule as NumPy code, {z} standing for the weighted sums
    code_slope: str  # f'(z) as code, {a} standing for the layer's output; "" where the slope is 1
    code_definitions: tuple = ()  # lines defining the functions code_forward and code_slope call
    code_preamble: tuple = ()  # lines a script needs once, right after `import numpy as np`
    code_note: str = ""  # Markdown: how the tutorials write this code, if they use it

    def __call__(self, z):
        """a = f(z) for any array, without warnings (z of any size)."""
        z = np.asarray(z, dtype=np.float64)
        with np.errstate(over="ignore"):
            # at least 1-D: on a 0-d array NumPy hands back scalars, which cannot take out=
            return self.forward(z.reshape(-1)).reshape(z.shape)

    def slope(self, z):
        """f'(z), computed through the output as backpropagation does."""
        a = self(z)
        return self.derivative_from_output(a.reshape(-1)).reshape(a.shape)


def _constant(value):
    """A read-only 0-d array: ufuncs take it in half the time of a Python float, with the same result."""
    array = np.array(value, dtype=np.float64)
    array.flags.writeable = False
    return array


_ZERO, _ONE = _constant(0.0), _constant(1.0)


def _sigmoid(z, out=None):
    # Exactly 1 / (1 + exp(-z)), the tutorials' formula, so their numbers come out
    # to the last bit. exp(-z) overflows to inf for z < -709 and 1 / (1 + inf) is
    # the correct limit 0; callers run it under np.errstate(over="ignore").
    out = np.negative(z, out)
    np.exp(out, out)
    np.add(out, _ONE, out)
    return np.divide(_ONE, out, out)


def _sigmoid_slope(a, out=None):
    out = np.subtract(_ONE, a, out)
    return np.multiply(out, a, out)


def _tanh(z, out=None):
    return np.tanh(z, out)


def _tanh_slope(a, out=None):
    out = np.multiply(a, a, out)
    return np.subtract(_ONE, out, out)


def _relu(z, out=None):
    return np.maximum(z, _ZERO, out=out)  # (np.maximum takes out only by keyword)


def _relu_slope(a, out=None):
    # a >= 0 always, so sign(a) is 1 where the unit is active and 0 where it is off.
    return np.sign(a, out=out)


def _linear(z, out=None):
    if out is None:
        return np.array(z, dtype=np.float64, copy=True)
    np.copyto(out, z)
    return out


def _linear_slope(a, out=None):
    if out is None:
        return np.ones_like(a)
    out.fill(1.0)
    return out


ACTIVATIONS = MappingProxyType({
    "sigmoid": Activation(
        "sigmoid", "Sigmoid", _sigmoid, _sigmoid_slope,
        r"a = \frac{1}{1 + e^{-z}}", r"f'(z) = a\,(1 - a)", (0.0, 1.0),
        slope_latex=r"a\,(1 - a)",
        code_forward="sigmoid({z})",
        code_slope="sigmoid_slope({a})",
        code_definitions=(
            "def sigmoid(z):",
            "    return 1 / (1 + np.exp(-z))",
            "",
            "",
            "def sigmoid_slope(a):",
            "    return a * (1 - a)  # sigmoid'(z), written with the output a = sigmoid(z)",
        ),
        code_preamble=(
            "# exp(-z) overflows to inf when z < -709; 1 / (1 + inf) = 0 is then the right answer, so no warning",
            'np.seterr(over="ignore")',
        ),
        code_note="The tutorials call both with one function: `sigmoid(z)` is their `nonlin(z)` and "
                  "`sigmoid_slope(a)` is `nonlin(a, deriv=True)`.",
    ),
    "tanh": Activation(
        "tanh", "Tanh", _tanh, _tanh_slope,
        r"a = \tanh(z)", r"f'(z) = 1 - a^2", (-1.0, 1.0),
        slope_latex=r"(1 - a^2)",
        code_forward="np.tanh({z})",
        code_slope="tanh_slope({a})",
        code_definitions=(
            "def tanh_slope(a):",
            "    return 1 - a * a  # tanh'(z), written with the output a = tanh(z)",
        ),
    ),
    "relu": Activation(
        "relu", "ReLU", _relu, _relu_slope,
        r"a = \max(0, z)", r"f'(z) = 1 \text{ if } a > 0 \text{ else } 0", (0.0, np.inf),
        slope_latex=r"\mathbf{1}[a > 0]",
        code_forward="relu({z})",
        code_slope="relu_slope({a})",
        code_definitions=(
            "def relu(z):",
            "    return np.maximum(z, 0.0)",
            "",
            "",
            "def relu_slope(a):",
            "    return np.sign(a)  # a >= 0: 1 where the neuron is on, 0 where it is off",
        ),
    ),
    "linear": Activation(
        "linear", "Linear", _linear, _linear_slope,
        r"a = z", r"f'(z) = 1", (-np.inf, np.inf),
        slope_latex="1",
        code_forward="{z}",
        code_slope="",
    ),
})
