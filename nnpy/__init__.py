"""nnpy: a small, pure-numpy neural-network engine.

    net = nnpy.Network([2, 16, 2], activation="tanh", rng=np.random.default_rng(0))
    opt = nnpy.optimizers.make("adam", learning_rate=0.01)
    loss = nnpy.train_step(net, opt, x, y)
"""

import importlib

from . import activations, initializers, layers, linalg, losses, optimizers, regularizers
from .layers import Dense
from .network import Network, Snapshot, Trace, train_step

__version__ = "0.1.0"

# Imported on first use (PEP 562): a training step needs none of them, and in the browser every
# module imported at start-up is paid for before the first step is drawn.
_LAZY = {"customdata", "datasets", "drawing", "explain", "features", "metrics", "serialization", "training"}


def __getattr__(name):
    if name in _LAZY:
        module = importlib.import_module(f".{name}", __name__)
        globals()[name] = module
        return module
    raise AttributeError(f"module 'nnpy' has no attribute {name!r}")

__all__ = [
    "Dense",
    "Network",
    "Snapshot",
    "Trace",
    "activations",
    "datasets",
    "drawing",
    "explain",
    "features",
    "metrics",
    "serialization",
    "training",
    "initializers",
    "layers",
    "linalg",
    "losses",
    "optimizers",
    "regularizers",
    "train_step",
]
