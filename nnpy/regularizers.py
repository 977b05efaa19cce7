"""Weight penalties that pull weights towards zero.  They apply to the weight
matrices only, never to biases.

* l2: penalty = rate/2 * sum(W^2),  gradient = rate * W
  (so ``rate`` is exactly torch's ``weight_decay`` for plain SGD)
* l1: penalty = rate * sum(|W|),    gradient = rate * sign(W)
* none: no penalty.
"""

import numpy as np


class Regularizer:
    name = "regularizer"

    def __init__(self, rate=0.0):
        self.rate = float(rate)

    def penalty(self, weights):
        """Total penalty (float) over a list of weight matrices."""
        return sum(float(self.value(W)) for W in weights)

    def __repr__(self):
        return f"{type(self).__name__}(rate={self.rate})"


class L2(Regularizer):
    name = "l2"

    def value(self, W):
        return 0.5 * self.rate * np.vdot(W, W)

    def gradient(self, W):
        return self.rate * W


class L1(Regularizer):
    name = "l1"

    def value(self, W):
        return self.rate * np.abs(W).sum()

    def gradient(self, W):
        return self.rate * np.sign(W)


class NoRegularizer(Regularizer):
    name = "none"

    def value(self, W):
        return 0.0

    def gradient(self, W):
        return np.zeros_like(W)

    def __bool__(self):  # lets the network skip it in the hot path
        return False


REGULARIZERS = {"none": NoRegularizer, "l1": L1, "l2": L2}


def make(name, rate=0.0):
    """Build a regularizer: make("l2", rate=1e-4).  name: none | l1 | l2."""
    try:
        cls = REGULARIZERS[name]
    except (KeyError, TypeError):
        raise ValueError(
            f"unknown regularizer {name!r}; valid choices: {', '.join(REGULARIZERS)}"
        ) from None
    rate = float(rate)
    if not (rate >= 0.0 and np.isfinite(rate)):
        raise ValueError(f"regularization rate must be finite and >= 0, got {rate}")
    return cls(rate)
