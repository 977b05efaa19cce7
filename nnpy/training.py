"""The training loop around ``nnpy.train_step``: epochs of shuffled mini-batches, and a history.

Why a class: the page trains a few milliseconds per animation frame, so it needs "one more
mini-batch" (``Trainer.step``) as much as the CLI needs "N epochs" (``fit``). Both share
the same shuffling, so a seed gives the same run either way::

    trainer = Trainer(net, opt, x, y, batch_size=32, rng=np.random.default_rng(0))
    trainer.step()                     # one mini-batch -> its loss (float)
    trainer.run_epoch()                # the rest of this epoch -> mean batch loss
    history = fit(net, opt, train, test, epochs=30, batch_size=32, rng=rng)

Targets must already be in the loss's form (see ``targets_for``).
"""

from __future__ import annotations

import dataclasses
import math
import time

import numpy as np

from . import metrics
from .network import train_step

__all__ = ["Trainer", "History", "Setup", "fit", "setup", "evaluate", "predict", "targets_for", "output_size",
           "index_labels", "EVAL_CHUNK"]

EVAL_CHUNK = 4096  # rows per forward pass when scoring a whole set (bounds memory)


def index_labels(y) -> np.ndarray:
    """Integer class labels as numpy's index type, other targets as they are.

    The cross-entropy step indexes with the labels; in numpy's own index type (32-bit in
    Pyodide) that needs no conversion on every step.  Natively the type is int64 already."""
    y = np.asarray(y)
    return y.astype(np.intp, copy=False) if y.dtype.kind in "iu" else y


def output_size(dataset, loss: str) -> int:
    """Output units a network needs for ``dataset`` under ``loss`` (ValueError if they do not fit)."""
    if dataset.kind == "regression":
        if loss != "mse":
            raise ValueError(f"dataset {dataset.name!r} is a regression: use loss mse, not {loss}")
        return dataset.y.shape[1]
    if loss == "binary_cross_entropy":
        if dataset.n_classes != 2:
            raise ValueError(f"binary_cross_entropy needs 2 classes; {dataset.name!r} has {dataset.n_classes}")
        return 1
    return dataset.n_classes


def targets_for(dataset, loss: str) -> np.ndarray:
    """``dataset.y`` in the form ``loss`` wants: int labels, or (N, k) floats for mse.

    Classification with mse trains on one-hot targets (predictions are still the argmax).
    """
    output_size(dataset, loss)
    if dataset.kind == "classification" and loss == "mse":
        return np.eye(dataset.n_classes)[dataset.y]
    return dataset.y


class Trainer:
    """Mini-batch gradient descent over ``x: (N, d)``, ``y`` (targets for the net's loss).

    Each epoch visits every example once, in an order drawn from ``rng``; the last batch of an
    epoch may be smaller. ``steps`` counts batches done; ``epoch`` is the 0-based epoch in progress.
    """

    def __init__(self, net, optimizer, x, y, batch_size: int = 32, rng=None, regularizer=None):
        if len(x) != len(y) or len(x) == 0:
            raise ValueError(f"need as many targets as inputs (and at least one), got {len(x)} and {len(y)}")
        if isinstance(batch_size, bool) or int(batch_size) != batch_size or batch_size < 1:
            raise ValueError(f"batch_size must be a positive int, got {batch_size!r}")
        self.net, self.optimizer, self.regularizer = net, optimizer, regularizer
        self.x, self.y = np.asarray(x, np.float64), index_labels(y)
        self.batch_size = int(batch_size)
        self.rng = np.random.default_rng(0) if rng is None else rng
        self.steps = 0
        self.epoch = 0
        self._order = self.rng.permutation(len(self.x))
        self._pos = 0

    def step(self) -> float:
        """Train on the next mini-batch; returns its loss (before the update)."""
        if self._pos >= len(self._order):
            self._order = self.rng.permutation(len(self.x))
            self._pos = 0
            self.epoch += 1
        index = self._order[self._pos:self._pos + self.batch_size]
        self._pos += len(index)
        loss = train_step(self.net, self.optimizer, self.x[index], self.y[index], regularizer=self.regularizer)
        self.steps += 1
        return loss

    def run_epoch(self) -> float:
        """Train until the current epoch's examples are used up (starting a new epoch if the
        last one is complete); returns the mean batch loss."""
        losses = [self.step()]
        while self._pos < len(self._order):
            losses.append(self.step())
        return float(np.mean(losses))

    def __repr__(self):
        return (f"Trainer(n={len(self.x)}, batch_size={self.batch_size}, epoch={self.epoch}, "
                f"steps={self.steps}, optimizer={self.optimizer!r})")


def predict(net, x: np.ndarray) -> np.ndarray:
    """Logits for ``x: (N, d)`` in chunks of ``EVAL_CHUNK`` rows -> ``(N, outputs)``."""
    if len(x) == 0:
        return np.zeros((0, net.sizes[-1]))
    return np.concatenate([net.forward(x[i:i + EVAL_CHUNK]).logits for i in range(0, len(x), EVAL_CHUNK)])


def evaluate(net, x: np.ndarray, y: np.ndarray, kind: str = "classification") -> dict:
    """Data loss (no penalty) and, for classification, accuracy of ``net`` on ``(x, y)``.

    Returns ``{"loss": float, "accuracy": float}`` (classification; y may be labels or one-hot
    mse targets) or ``{"loss": float, "r2": float}`` (regression).
    """
    losses, weights, chunks = [], [], []
    for i in range(0, len(x), EVAL_CHUNK):
        trace = net.forward(x[i:i + EVAL_CHUNK])
        losses.append(net.loss(trace, y[i:i + EVAL_CHUNK]))
        weights.append(len(trace.inputs))
        chunks.append(trace.logits)
    out = {"loss": float(np.average(losses, weights=weights))}
    logits = np.concatenate(chunks)
    if kind == "classification":
        labels = np.argmax(y, axis=1) if np.ndim(y) == 2 else y
        out["accuracy"] = metrics.accuracy(labels, metrics.predict_labels(logits))
    else:
        out["r2"] = metrics.r2_score(y, logits)
    return out


@dataclasses.dataclass
class History:
    """Per-epoch record of a ``fit``: mean batch loss, full-set train/test loss and accuracy."""

    batch_loss: list = dataclasses.field(default_factory=list)
    train: list = dataclasses.field(default_factory=list)   # dicts from evaluate()
    test: list = dataclasses.field(default_factory=list)
    steps: int = 0
    seconds: float = 0.0

    def __repr__(self):
        last = self.test[-1] if self.test else (self.train[-1] if self.train else {})
        shown = ", ".join(f"{k}={v:.4g}" for k, v in last.items())
        return f"History(epochs={len(self.batch_loss)}, steps={self.steps}, seconds={self.seconds:.2f}, {shown})"


def fit(net, optimizer, train, test=None, epochs: int = 10, batch_size: int = 32, rng=None,
        regularizer=None, eval_every: int = 1, callback=None) -> History:
    """Train ``net`` on the Dataset ``train`` for ``epochs``; score train/test every ``eval_every`` epochs.

    ``callback(epoch, history)`` runs after each epoch and may return True to stop early.
    ``seconds`` counts training and scoring time.
    """
    if isinstance(epochs, bool) or int(epochs) != epochs or epochs < 0:
        raise ValueError(f"epochs must be a non-negative int, got {epochs!r}")
    loss_name = net.criterion.name
    y_train = targets_for(train, loss_name)
    y_test = targets_for(test, loss_name) if test is not None else None
    trainer = Trainer(net, optimizer, train.x, y_train, batch_size, rng, regularizer)
    history = History()
    start = time.perf_counter()
    for epoch in range(int(epochs)):
        history.batch_loss.append(trainer.run_epoch())
        history.steps = trainer.steps
        if (epoch + 1) % eval_every == 0 or epoch + 1 == epochs:
            history.train.append(evaluate(net, train.x, y_train, train.kind))
            if test is not None:
                history.test.append(evaluate(net, test.x, y_test, test.kind))
        if callback is not None and callback(epoch, history):
            break
    history.seconds = time.perf_counter() - start
    if not all(math.isfinite(v) for v in history.batch_loss):
        raise FloatingPointError("training produced a non-finite loss")
    return history


# --------------------------------------------------------------------------- from settings to a run

SETTINGS = ("n", "noise", "test_ratio", "features", "hidden", "activation", "loss", "init", "optimizer",
            "learning_rate", "batch_size", "regularization", "reg_rate", "epochs")


@dataclasses.dataclass
class Setup:
    """Everything one run needs, built from a dataset name and settings (see ``setup``)."""

    dataset: str
    settings: dict
    net: object
    optimizer: object
    regularizer: object
    train: object          # Dataset, inputs already expanded into the chosen features
    test: object
    shuffle_rng: np.random.Generator

    def fit(self, epochs: int | None = None, **kwargs) -> History:
        """``fit`` with this setup's pieces; ``epochs`` defaults to ``settings["epochs"]``."""
        epochs = self.settings["epochs"] if epochs is None else epochs
        return fit(self.net, self.optimizer, self.train, self.test, epochs=epochs,
                   batch_size=self.settings["batch_size"], rng=self.shuffle_rng,
                   regularizer=self.regularizer, **kwargs)

    def __repr__(self):
        return f"Setup({self.dataset!r}, {self.net!r}, train={len(self.train)}, test={len(self.test)})"


def resolve_settings(dataset: str, **overrides) -> dict:
    """``datasets.DEFAULTS[dataset]`` with ``overrides`` (None values ignored); ValueError on unknown keys."""
    from . import datasets
    if dataset not in datasets.DEFAULTS:
        raise ValueError(f"unknown dataset {dataset!r}; choose one of {', '.join(datasets.DEFAULTS)}")
    unknown = sorted(set(overrides) - set(SETTINGS))
    if unknown:
        raise ValueError(f"unknown setting {unknown[0]!r}; known: {', '.join(SETTINGS)}")
    settings = dict(datasets.DEFAULTS[dataset])
    settings.update({k: v for k, v in overrides.items() if v is not None})
    return settings


def setup(dataset: str, seed: int = 0, **overrides) -> Setup:
    """Load, featurise and split ``dataset``, and build network, optimizer and regularizer.

    ``seed`` feeds four independent generators (data, split, weights, shuffling), so one int
    reproduces the run bit for bit. ``overrides`` are settings (see ``SETTINGS``) replacing the
    dataset's ``DEFAULTS``. Raises ValueError (or KeyError/DataFileMissing) on bad settings.
    """
    from . import datasets, features as feats, optimizers, regularizers
    from .network import Network
    settings = resolve_settings(dataset, **overrides)
    data_rng, split_rng, init_rng, shuffle_rng = (np.random.default_rng(s)
                                                  for s in np.random.SeedSequence(seed).spawn(4))
    data = datasets.load(dataset, n=settings["n"], noise=settings["noise"], rng=data_rng)
    if settings["features"] is not None:
        if datasets.DATASETS[dataset].image:
            raise ValueError(f"input features apply to 2-D data, not to the images of {dataset!r}")
        names = feats.check_names(settings["features"], data.x.shape[1])
        data = data.with_inputs(feats.expand(data.x, names), names)
        settings["features"] = names
    train, test = datasets.split(data, settings["test_ratio"], split_rng)
    sizes = [data.x.shape[1], *settings["hidden"], output_size(data, settings["loss"])]
    net = Network(sizes, settings["activation"], settings["loss"], settings["init"], rng=init_rng)
    optimizer = optimizers.make(settings["optimizer"], learning_rate=settings["learning_rate"])
    regularizer = regularizers.make(settings["regularization"], rate=settings["reg_rate"])
    return Setup(dataset, settings, net, optimizer, regularizer, train, test, shuffle_rng)
