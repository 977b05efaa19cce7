"""Activation functions, each with its forward and backward pass side by side.

Hidden layers compute ``a = f(z)`` element-wise.  ``backward(z, a, grad_a)``
turns the gradient with respect to ``a`` into the gradient with respect to
``z`` (the chain rule: ``dL/dz = dL/da * f'(z)``).  Both ``z`` and ``a`` are
passed so each function can use whichever makes ``f'`` cheapest.

All arrays have shape ``(batch, neurons)``.  The output non-linearities
(softmax, sigmoid on logits) live with their losses in ``losses.py``, where
they are computed stably from the logits.
"""

import numpy as np


class Activation:
    """Base class: subclasses define ``forward`` and ``backward``."""

    name = "activation"

    def forward(self, z):
        raise NotImplementedError

    def backward(self, z, a, grad_a):
        raise NotImplementedError

    def __repr__(self):
        return f"{type(self).__name__}()"


class ReLU(Activation):
    """max(0, z): cheap, and its gradient does not vanish for z > 0."""

    name = "relu"

    def forward(self, z):
        return np.maximum(z, 0.0)

    def backward(self, z, a, grad_a):
        return grad_a * (z > 0.0)


class LeakyReLU(Activation):
    """z for z > 0, slope*z otherwise: like ReLU but never completely dead."""

    name = "leaky_relu"

    def __init__(self, slope=0.01):
        self.slope = float(slope)

    def forward(self, z):
        return np.where(z > 0.0, z, self.slope * z)

    def backward(self, z, a, grad_a):
        return grad_a * np.where(z > 0.0, 1.0, self.slope)

    def __repr__(self):
        return f"LeakyReLU(slope={self.slope})"


class Tanh(Activation):
    """tanh(z); tanh'(z) = 1 - tanh(z)^2 = 1 - a^2."""

    name = "tanh"

    def forward(self, z):
        return np.tanh(z)

    def backward(self, z, a, grad_a):
        return grad_a * (1.0 - a * a)


class Sigmoid(Activation):
    """1 / (1 + e^-z), written as (1 + tanh(z/2)) / 2 so it never overflows;
    sigmoid'(z) = a (1 - a)."""

    name = "sigmoid"

    def forward(self, z):
        return sigmoid(z)

    def backward(self, z, a, grad_a):
        return grad_a * a * (1.0 - a)


class Linear(Activation):
    """The identity: a = z, so the gradient passes through unchanged."""

    name = "linear"

    def forward(self, z):
        return z

    def backward(self, z, a, grad_a):
        return grad_a


def sigmoid(z):
    """Logistic function, stable for any finite z (no exp overflow)."""
    return 0.5 * (1.0 + np.tanh(0.5 * z))


def softmax(logits):
    """Row-wise softmax of logits (batch, classes); shifting by the row max
    leaves the result unchanged and keeps exp() from overflowing."""
    e = np.exp(logits - logits.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


ACTIVATIONS = {
    "relu": ReLU,
    "leaky_relu": LeakyReLU,
    "tanh": Tanh,
    "sigmoid": Sigmoid,
    "linear": Linear,
}


def get(name):
    """Return a new activation object for ``name`` (a key of ACTIVATIONS)."""
    try:
        cls = ACTIVATIONS[name]
    except (KeyError, TypeError):
        raise ValueError(
            f"unknown activation {name!r}; valid choices: {', '.join(ACTIVATIONS)}"
        ) from None
    return cls()
