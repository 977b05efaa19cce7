"""Scores for predictions: accuracy, confusion matrix, regression errors — vectorised, no loops over samples."""

from __future__ import annotations

import numpy as np

__all__ = ["predict_labels", "accuracy", "confusion_matrix", "mean_squared_error", "r2_score"]


def predict_labels(outputs: np.ndarray) -> np.ndarray:
    """Class indices from network outputs ``(N, k)``: argmax, or ``output > 0`` when ``k == 1``.

    Works on logits (the engine's last layer is linear); with one output the logit's sign is the
    sigmoid's 0.5 threshold.
    """
    outputs = np.asarray(outputs)
    if outputs.ndim != 2:
        raise ValueError(f"outputs must be (N, k), got shape {outputs.shape}")
    if outputs.shape[1] == 1:
        return (outputs[:, 0] > 0).astype(np.int64)
    return np.argmax(outputs, axis=1)


def accuracy(y_true: np.ndarray, y_pred: np.ndarray) -> float:
    """Fraction of ``y_pred == y_true`` over ``(N,)`` label arrays (NaN for N = 0)."""
    y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)
    if y_true.shape != y_pred.shape:
        raise ValueError(f"label shapes differ: {y_true.shape} vs {y_pred.shape}")
    return float(np.mean(y_true == y_pred)) if y_true.size else float("nan")


def confusion_matrix(y_true: np.ndarray, y_pred: np.ndarray, n_classes: int | None = None) -> np.ndarray:
    """``(n_classes, n_classes)`` int counts: row = true class, column = predicted class."""
    y_true, y_pred = np.asarray(y_true, np.int64), np.asarray(y_pred, np.int64)
    if y_true.shape != y_pred.shape or y_true.ndim != 1:
        raise ValueError(f"need two (N,) label arrays, got {y_true.shape} and {y_pred.shape}")
    if n_classes is None:
        n_classes = int(max(y_true.max(initial=-1), y_pred.max(initial=-1))) + 1
    if y_true.size and (min(y_true.min(), y_pred.min()) < 0 or max(y_true.max(), y_pred.max()) >= n_classes):
        raise ValueError(f"labels must lie in 0..{n_classes - 1}")
    counts = np.bincount(y_true * n_classes + y_pred, minlength=n_classes * n_classes)
    return counts.reshape(n_classes, n_classes)


def mean_squared_error(y_true: np.ndarray, y_pred: np.ndarray) -> float:
    """Mean of squared differences over all entries of two same-shape arrays."""
    y_true, y_pred = np.asarray(y_true, np.float64), np.asarray(y_pred, np.float64)
    if y_true.shape != y_pred.shape:
        raise ValueError(f"target shapes differ: {y_true.shape} vs {y_pred.shape}")
    return float(np.mean((y_true - y_pred) ** 2))


def r2_score(y_true: np.ndarray, y_pred: np.ndarray) -> float:
    """1 - SSE / SST over all entries (1 is perfect, 0 is as good as predicting the mean)."""
    y_true, y_pred = np.asarray(y_true, np.float64), np.asarray(y_pred, np.float64)
    sst = np.sum((y_true - y_true.mean(axis=0)) ** 2)
    sse = np.sum((y_true - y_pred) ** 2)
    return float(1 - sse / sst) if sst > 0 else float("nan")
