"""Loss functions, computed from the logits (the last layer's pre-activations).

Each loss has the same three calls, in the order ``(logits, y)``:

* ``value(logits, y)``    -> float, the loss averaged over the batch
* ``gradient(logits, y)`` -> dL/dlogits, shape (batch, outputs), already
  divided by the batch size, so it is the gradient of ``value``
* ``value_and_gradient(logits, y)`` -> both, sharing the work (training uses it)
* ``output(logits)``      -> what the network predicts (probabilities for the
  classification losses, the logits themselves for MSE)

Fusing softmax (or sigmoid) with its cross-entropy keeps the maths exact for
huge logits: log-sum-exp never overflows and nothing needs clipping.
``logits = [1000, 0, -1000]`` with target class 2 gives exactly 2000.
"""

import numpy as np

from .activations import sigmoid, softmax


class Loss:
    name = "loss"

    def value_and_gradient(self, logits, y):
        """(value, gradient) in one call; losses override it to share work."""
        return self.value(logits, y), self.gradient(logits, y)

    def __repr__(self):
        return f"{type(self).__name__}()"


class CrossEntropy(Loss):
    """Softmax + negative log-likelihood.  logits: (batch, classes); y: (batch,)
    integer class indices.

    L = mean_i [ logsumexp(z_i) - z_i[y_i] ]     dL/dz = (softmax(z) - onehot(y)) / batch
    """

    name = "cross_entropy"

    def value(self, logits, y):
        m = logits.max(axis=1, keepdims=True)
        lse = m[:, 0] + np.log(np.exp(logits - m).sum(axis=1))
        return float((lse - logits[np.arange(len(y)), y]).mean())

    def gradient(self, logits, y):
        g = softmax(logits)
        g[np.arange(len(y)), y] -= 1.0
        g /= len(y)
        return g

    def value_and_gradient(self, logits, y):
        """Both at once, sharing one exp():  with s = z - max(z),
        L = mean[log sum e^s - s_y]  and  dL/dz = (e^s / sum e^s - onehot(y)) / batch."""
        # ufunc reductions called directly: ndarray.max/.sum add a Python-level wrapper that, in
        # Pyodide, costs more than the arithmetic on a mini-batch this size
        rows = np.arange(len(y))
        shifted = logits - np.maximum.reduce(logits, axis=1, keepdims=True)
        e = np.exp(shifted)
        total = np.add.reduce(e, axis=1, keepdims=True)
        value = (float(np.add.reduce(np.log(total), axis=None)) - float(np.add.reduce(shifted[rows, y]))) / len(y)
        e /= total
        e[rows, y] -= 1.0
        e /= len(y)
        return value, e

    def output(self, logits):
        return softmax(logits)


class BinaryCrossEntropy(Loss):
    """Sigmoid + binary cross-entropy, for ONE output unit.  logits: (batch, 1);
    y: (batch,) of 0/1 labels (or (batch, 1)).

    L = mean [ softplus(z) - y z ]  with softplus(z) = max(z, 0) + log1p(e^-|z|)
    dL/dz = (sigmoid(z) - y) / batch
    """

    name = "binary_cross_entropy"

    def value(self, logits, y):
        z = logits[:, 0]
        y = np.reshape(y, z.shape)
        softplus = np.maximum(z, 0.0) + np.log1p(np.exp(-np.abs(z)))
        return float((softplus - y * z).mean())

    def gradient(self, logits, y):
        y = np.reshape(y, (len(logits), 1))
        return (sigmoid(logits) - y) / len(logits)

    def output(self, logits):
        return sigmoid(logits)


class MSE(Loss):
    """Mean squared error over every element, as torch.nn.MSELoss does.
    logits: (batch, outputs); y: same shape, floats.

    L = mean (z - y)^2        dL/dz = 2 (z - y) / (batch * outputs)
    """

    name = "mse"

    def value(self, logits, y):
        d = logits - y
        return float((d * d).mean())

    def gradient(self, logits, y):
        return (logits - y) * (2.0 / logits.size)

    def output(self, logits):
        return logits


LOSSES = {
    "cross_entropy": CrossEntropy,
    "binary_cross_entropy": BinaryCrossEntropy,
    "mse": MSE,
}


def get(name):
    """Return a new loss object for ``name`` (a key of LOSSES)."""
    try:
        cls = LOSSES[name]
    except (KeyError, TypeError):
        raise ValueError(
            f"unknown loss {name!r}; valid choices: {', '.join(LOSSES)}"
        ) from None
    return cls()
