"""A tiny reverse-mode autograd on NumPy arrays, written the way PyTorch is used: build the loss, call backward().

Each operation keeps its inputs and the rule that passes its output's gradient back to them
(micrograd's idea, on whole arrays). It knows nothing of the engine: the gradient tests
build the network's loss from the formulas and compare the engine's step with `.grad`.
"""

import numpy as np


class Tensor:
    """An array in a computation; `grad` holds dL/d(this array) after `loss.backward()`."""

    def __init__(self, value, parents=(), back=None):
        self.value = np.asarray(value, dtype=np.float64)
        self.grad = np.zeros_like(self.value)
        self._parents, self._back = parents, back

    def _make(self, value, parents, back):
        return Tensor(value, parents, back)

    def __matmul__(self, other):
        def back(g):
            self.grad += g @ other.value.T
            other.grad += self.value.T @ g
        return self._make(self.value @ other.value, (self, other), back)

    def __add__(self, other):
        other = other if isinstance(other, Tensor) else Tensor(other)

        def back(g):
            self.grad += _unbroadcast(g, self.value.shape)
            other.grad += _unbroadcast(g, other.value.shape)
        return self._make(self.value + other.value, (self, other), back)

    def __sub__(self, other):
        return self + other * -1.0

    def __rsub__(self, other):
        return self * -1.0 + other

    def __mul__(self, other):
        other = other if isinstance(other, Tensor) else Tensor(other)

        def back(g):
            self.grad += _unbroadcast(g * other.value, self.value.shape)
            other.grad += _unbroadcast(g * self.value, other.value.shape)
        return self._make(self.value * other.value, (self, other), back)

    __radd__, __rmul__ = __add__, __mul__

    def _elementwise(self, value, slope):
        def back(g):
            self.grad += g * slope
        return self._make(value, (self,), back)

    def sigmoid(self):
        a = 1 / (1 + np.exp(-self.value))
        return self._elementwise(a, a * (1 - a))

    def tanh(self):
        a = np.tanh(self.value)
        return self._elementwise(a, 1 - a * a)

    def relu(self):
        return self._elementwise(np.maximum(self.value, 0.0), (self.value > 0).astype(float))

    def log(self):
        return self._elementwise(np.log(self.value), 1 / self.value)

    def abs(self):
        return self._elementwise(np.abs(self.value), np.sign(self.value))

    def sum(self):
        def back(g):
            self.grad += g * np.ones_like(self.value)
        return self._make(np.sum(self.value), (self,), back)

    def mean(self):
        return self.sum() * (1.0 / self.value.size)

    def backward(self):
        """Fill `grad` of every tensor this scalar was computed from (children before parents)."""
        order, seen = [], set()

        def visit(t):
            if id(t) not in seen:
                seen.add(id(t))
                for p in t._parents:
                    visit(p)
                order.append(t)

        visit(self)
        self.grad = np.ones_like(self.value)
        for t in reversed(order):
            if t._back is not None:
                t._back(t.grad)


def _unbroadcast(g, shape):
    """The gradient of an input that NumPy broadcast to g's shape: summed over the broadcast axes."""
    while g.ndim > len(shape):
        g = g.sum(axis=0)
    for axis, n in enumerate(shape):
        if n == 1 and g.shape[axis] != 1:
            g = g.sum(axis=axis, keepdims=True)
    return g
