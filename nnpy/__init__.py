"""nnpy: a small, pure-numpy neural-network engine.

    net = nnpy.Network([2, 16, 2], activation="tanh", rng=np.random.default_rng(0))
    opt = nnpy.optimizers.make("adam", learning_rate=0.01)
    loss = nnpy.train_step(net, opt, x, y)
"""

from . import activations, initializers, layers, linalg, losses, optimizers, regularizers
from . import datasets, explain, features, metrics, serialization, training
from . import customdata
from .layers import Dense
from .network import Network, Snapshot, Trace, train_step

__version__ = "0.1.0"

__all__ = [
    "Dense",
    "Network",
    "Snapshot",
    "Trace",
    "activations",
    "datasets",
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
