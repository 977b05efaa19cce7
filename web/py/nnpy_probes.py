"""Which example the network picture shows, and the confusion matrix of the test split.

Pure Python + nnpy (no ``js``), driven by ``nnpy_page.Session`` through a few hooks, so CPython
tests exercise it exactly as the page does.

Probe modes (``session.probe_mode``), each respected by the page's periodic rotation:

    {"mode": "next"}                       the next test example (the page's default)
    {"mode": "random"}                     a random test example
    {"mode": "misclassified"}              the next test example the network gets wrong now
    {"mode": "pair", "true": t, "pred": p} the next example of true class t predicted as p
    {"mode": "drawn"}                      the learner's drawing (``show_drawing``): rotation keeps it

Candidates for "misclassified" and "pair" come from the predictions of the last evaluation pass
(the same pass the confusion matrix counts), and are checked against the current weights before
one is shown, so a shown "wrong" example really is wrong when it is chosen.
"""

from __future__ import annotations

import math

import numpy as np

from nnpy import drawing, metrics

MODES = ("next", "random", "misclassified", "pair", "drawn")
CHECK_AT_ONCE = 64   # candidates checked against the current weights in one forward pass


# ---------------------------------------------------------------------- hooks from Session

def reset(session) -> None:
    """After ``Session._build``: fresh confusion counts; keep the probe mode and a drawing that
    still fits the inputs (Reset keeps what the learner drew), else go back to "next"."""
    n = len(session.test_x)
    k = session.data.n_classes if session.classification else 0
    session.confusion = np.zeros((k, k), np.int64)          # being counted by the current pass
    session.confusion_buffer = np.zeros(k * k, np.float32)  # the last finished pass, published
    session.eval_pred = np.zeros(n, np.int64)
    session.last_pred = None
    session.probe_rng = np.random.default_rng(session.config["seed"] + 7919)
    session.mistakes = math.nan
    mode = getattr(session, "probe_mode", None) or {"mode": "next"}
    drawn = getattr(session, "drawn", None)
    fits = session.data.name in drawing.RECIPES and drawn is not None and drawn.shape[1] == session.test_x.shape[1]
    if not fits:
        session.drawn, session.drawn_empty = None, False
        if mode["mode"] == "drawn":
            mode = {"mode": "next"}
    if mode["mode"] == "pair" and not (max(mode["true"], mode["pred"]) < k):
        mode = {"mode": "next"}
    session.probe_mode = mode


def count(session, start: int, y: np.ndarray, pred: np.ndarray) -> None:
    """One evaluation chunk's predictions into the running confusion matrix."""
    if start == 0:
        session.confusion[:] = 0
        if len(session.eval_pred) != len(session.test_x):   # "Your data" re-split without a rebuild
            session.eval_pred = np.zeros(len(session.test_x), np.int64)
            session.last_pred = None
    np.add.at(session.confusion, (y, pred), 1)
    session.eval_pred[start:start + len(pred)] = pred


def publish(session) -> None:
    """A finished evaluation pass: its confusion matrix and predictions become the shown ones."""
    session.confusion_buffer = session.confusion.astype(np.float32).ravel()
    session.last_pred = session.eval_pred.copy()


def next_index(session, index: int) -> int:
    """The probe index ``Session.next_probe`` moves to, following the probe mode."""
    if index >= 0:
        return index
    mode = session.probe_mode["mode"]
    current = session.probe_index % len(session.test_x)
    if mode == "random":
        return int(session.probe_rng.integers(len(session.test_x)))
    if mode in ("misclassified", "pair"):
        found = _find(session, current)
        return current if found is None else found
    if mode == "drawn":
        return current
    return current + 1


# ---------------------------------------------------------------------- what the page asks for

def set_mode(session, request: dict) -> dict:
    """Choose a probe mode and show its first example; leaves drawing mode. Returns
    ``{"mode", "index", "found"}``: ``found`` = how many test examples fit ("misclassified",
    "pair"), 0 meaning none does and the picture keeps its example."""
    mode = request.get("mode")
    if mode not in MODES or mode == "drawn":
        raise ValueError(f"probe mode must be next, random, misclassified or pair, got {mode!r}")
    chosen = {"mode": mode}
    if mode == "pair":
        if not session.classification:
            raise ValueError("a confusion pair needs a classification dataset")
        k = session.confusion.shape[0]
        t, p = request.get("true"), request.get("pred")
        if not all(isinstance(v, int) and 0 <= v < k for v in (t, p)):
            raise ValueError(f"true and pred must be class numbers 0..{k - 1}, got {t!r}, {p!r}")
        chosen.update(true=t, pred=p)
    if mode in ("misclassified", "pair") and not session.classification:
        raise ValueError("only a classification dataset has misclassified examples")
    session.probe_mode = chosen
    session.drawn, session.drawn_empty = None, False
    session.mistakes = math.nan
    session.next_probe()
    return {"mode": mode, "index": int(session.probe_current), "found": _found(session)}


def show_drawing(session, ink) -> dict:
    """Show the learner's drawing (``ink: (H, W)`` 0..1 or uint8) as the probe, prepared like the
    training images (``nnpy.drawing``). An empty pad shows a blank input with no prediction."""
    name = session.data.name
    if name not in drawing.RECIPES or getattr(session, "features", None):
        raise ValueError(f"drawing needs an image dataset (digits or mnist), not {name!r}")
    x = drawing.prepare(ink, name)
    session.drawn_empty = x is None
    if x is None:
        x = np.zeros(session.test_x.shape[1])
    session.drawn = x.reshape(1, -1)
    session.probe_mode = {"mode": "drawn"}
    session.mistakes = math.nan
    session.next_probe()
    return {"mode": "drawn", "empty": bool(session.drawn_empty), "pred": _json_number(session.probe_pred)}


def drawn_outputs(session, outputs: np.ndarray) -> tuple:
    """(outputs, pred) to report for a drawn probe: nothing at all for an empty pad."""
    if session.drawn_empty:
        return np.zeros_like(outputs), math.nan
    return outputs, None


# ---------------------------------------------------------------------- helpers

def _wanted(session, y, pred):
    mode = session.probe_mode
    if mode["mode"] == "pair":
        return (y == mode["true"]) & (pred == mode["pred"])
    return y != pred


def _find(session, current: int):
    """The first test example after ``current`` (cyclically) that fits the mode under the current
    weights; None (and ``session.mistakes = 0``) when none does."""
    n = len(session.test_x)
    order = (current + 1 + np.arange(n)) % n
    y = session.test_y
    if session.last_pred is not None:
        candidates = order[_wanted(session, y[order], session.last_pred[order])]
        session.mistakes = float(len(candidates))
        for start in range(0, min(len(candidates), 4 * CHECK_AT_ONCE), CHECK_AT_ONCE):
            batch = candidates[start:start + CHECK_AT_ONCE]
            hits = batch[_wanted(session, y[batch], _predict(session, batch))]
            if len(hits):
                return int(hits[0])
    # the last pass is stale (or absent): look at every example under the current weights
    pred = _predict(session, order)
    hits = order[_wanted(session, y[order], pred)]
    session.mistakes = float(len(hits))
    return int(hits[0]) if len(hits) else None


def _predict(session, index):
    return metrics.predict_labels(session._logits(session.test_x[index]))


def _found(session) -> int:
    return -1 if math.isnan(session.mistakes) else int(session.mistakes)


def _json_number(value):
    return None if value is None or (isinstance(value, float) and math.isnan(value)) else value
