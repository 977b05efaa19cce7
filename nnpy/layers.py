"""The fully connected (dense) layer: z = x W + b.

Shapes: x (batch, in_features), W (in_features, out_features),
b (out_features,), z (batch, out_features).

The layer stores only its parameters.  ``forward`` returns z and
``backward`` takes the input x back as an argument, so calling forward twice
can never corrupt a backward pass.
"""

import itertools

import numpy as np

from . import linalg

_uids = itertools.count()


class Dense:
    """A layer of ``out_features`` neurons, each reading all ``in_features``
    inputs.  ``params`` is the dict {"W": W, "b": b} the optimizers update
    in place; column j of W (and b[j]) belongs to neuron j.  ``uid`` names
    the layer for the optimizers' state: a layer that is rebuilt gets a new one."""

    def __init__(self, W, b):
        W = np.asarray(W, dtype=np.float64)
        b = np.asarray(b, dtype=np.float64)
        if W.ndim != 2 or b.shape != (W.shape[1],):
            raise ValueError(f"need W (in, out) and b (out,), got {W.shape} and {b.shape}")
        self.params = {"W": W, "b": b}
        self.uid = next(_uids)

    @classmethod
    def create(cls, in_features, out_features, init, rng):
        """A new layer with weights from ``init(in, out, rng)`` and zero biases."""
        return cls(init(in_features, out_features, rng), np.zeros(out_features))

    @property
    def W(self):
        return self.params["W"]

    @property
    def b(self):
        return self.params["b"]

    @property
    def in_features(self):
        return self.params["W"].shape[0]

    @property
    def out_features(self):
        return self.params["W"].shape[1]

    def forward(self, x):
        """x: (batch, in) -> z: (batch, out)."""
        return linalg.matmul(x, self.params["W"]) + self.params["b"]

    def backward(self, x, grad_z, need_grad_x=True, out=None):
        """Chain rule through z = x W + b, given dL/dz (batch, out):

        dL/dW = x^T dL/dz   (in, out)      dL/db = sum over batch of dL/dz  (out,)
        dL/dx = dL/dz W^T   (batch, in)  -- skipped for the first layer.
        Returns (grad_x or None, {"W": dW, "b": db}); with ``out`` (a dict of
        arrays shaped like ``params``) dW and db are written into it.
        """
        if out is None:
            out = {"W": None, "b": None}
        grads = {"W": linalg.matmul(x.T, grad_z, out["W"]), "b": np.add.reduce(grad_z, axis=0, out=out["b"])}
        grad_x = linalg.matmul(grad_z, self.params["W"].T) if need_grad_x else None
        return grad_x, grads

    def __repr__(self):
        return f"Dense(in_features={self.in_features}, out_features={self.out_features})"
