"""Weight initialisation: random starting weights whose scale keeps the
signal's variance roughly constant from layer to layer.  Biases start at 0.

Every function draws from the ``numpy.random.Generator`` it is given, so a
seed reproduces a network bit for bit.
"""

import numpy as np


def he(fan_in, fan_out, rng):
    """He (Kaiming) normal: N(0, 2/fan_in) -- made for ReLU, which zeroes half
    of its inputs.  Returns W of shape (fan_in, fan_out)."""
    return rng.standard_normal((fan_in, fan_out)) * np.sqrt(2.0 / fan_in)


def glorot(fan_in, fan_out, rng):
    """Glorot (Xavier) uniform: U(-r, r), r = sqrt(6 / (fan_in + fan_out)) --
    made for tanh/sigmoid.  Returns W of shape (fan_in, fan_out)."""
    r = np.sqrt(6.0 / (fan_in + fan_out))
    return rng.uniform(-r, r, size=(fan_in, fan_out))


INITIALIZERS = {"he": he, "glorot": glorot}


def get(name):
    """Return the initializer function for ``name`` (a key of INITIALIZERS)."""
    try:
        return INITIALIZERS[name]
    except (KeyError, TypeError):
        raise ValueError(
            f"unknown initializer {name!r}; valid choices: {', '.join(INITIALIZERS)}"
        ) from None
