"""Your own data: 2-D points a learner placed (or loaded from a CSV), as a ``Dataset``.

The toy datasets in ``nnpy.datasets`` are generated; these are given. Two kinds, each behind a name
the page and the tests use::

    ds = nnpy.customdata.from_points([[1.5, -2, 1], [0, 3, 0], ...], "custom")           # classes 0/1
    ds = nnpy.customdata.from_points([[1.5, -2, 0.7], ...], "custom_regression")          # a target value
    ds = nnpy.customdata.read_csv(text, "custom")     # "x1,x2,label" lines; ValueError naming the line
    text = nnpy.customdata.write_csv(ds)              # reads back to the same points
    train, test = nnpy.customdata.split(ds, 0.2)      # stable: adding a point moves no other point

Conventions (as ``nnpy.datasets``): inputs are float64 ``x: (N, 2)`` inside the plane
``[-RADIUS, RADIUS]^2``; classification targets are int ``y: (N,)`` in {0, 1} (0 = orange, 1 = blue);
regression targets float ``y: (N, 1)``. Points outside the plane are refused, not clamped: a CSV in
another scale would otherwise collapse onto the plane's edge without a word.
"""

from __future__ import annotations

import math
import re

import numpy as np

from . import datasets
from .datasets import RADIUS, Dataset, _TOY_CLASSIFY, _TOY_REGRESS

__all__ = ["NAMES", "DEFAULTS", "MAX_POINTS", "MAX_BYTES", "MAX_TARGET", "MIN_PER_CLASS", "MIN_REGRESSION",
           "from_points", "read_csv", "write_csv", "problem", "split"]

KINDS = {"custom": "classification", "custom_regression": "regression"}
NAMES = tuple(KINDS)
MAX_POINTS = 2000            # enough to draw a spiral by hand; every one is drawn and trained on
MAX_BYTES = 256 * 1024       # a CSV of MAX_POINTS points with comments fits well inside
MAX_TARGET = 100.0           # regression targets beyond this would make any learning rate diverge
MIN_PER_CLASS = 2            # classification trains once each class has this many points
MIN_REGRESSION = 4           # regression trains from this many points

# Training settings each starts from: a small 2-D network that learns a few dozen points in seconds.
DEFAULTS: dict = {
    "custom": dict(_TOY_CLASSIFY, n=None, test_ratio=0.2, hidden=[6, 6], epochs=200),
    "custom_regression": dict(_TOY_REGRESS, n=None, test_ratio=0.2, hidden=[8, 8], learning_rate=0.01,
                              epochs=300),
}

_FIELD = re.compile(r"\s*[,;\t]\s*|\s+")


def _kind(name: str) -> str:
    if name not in KINDS:
        raise ValueError(f"unknown custom dataset {name!r}; choose one of {', '.join(NAMES)}")
    return KINDS[name]


def _check_point(x1, x2, t, kind: str, where: str) -> None:
    """Raise ValueError (prefixed by ``where``) if one point is not acceptable."""
    for label, value in (("x1", x1), ("x2", x2), ("label" if kind == "classification" else "target", t)):
        if not math.isfinite(value):
            raise ValueError(f"{where}{label} is {value}, not a finite number")
    for label, value in (("x1", x1), ("x2", x2)):
        if abs(value) > RADIUS:
            raise ValueError(f"{where}{label} = {value:g} is outside the plane's range "
                             f"-{RADIUS:g}..{RADIUS:g} (rescale your data to fit)")
    if kind == "classification" and t not in (0.0, 1.0):
        raise ValueError(f"{where}label {t:g} is not a class: use 0 (orange) or 1 (blue)")
    if kind == "regression" and abs(t) > MAX_TARGET:
        raise ValueError(f"{where}target {t:g} is outside -{MAX_TARGET:g}..{MAX_TARGET:g}")


def from_points(points, name: str = "custom") -> Dataset:
    """A Dataset from rows ``[x1, x2, label_or_target]`` (any sequence or an (N, 3) array).

    ``name`` is ``"custom"`` (labels 0/1) or ``"custom_regression"`` (a target value). No points is
    allowed (an empty Dataset: the learner has not placed any yet); more than MAX_POINTS is not.
    Raises ValueError naming the first bad point.
    """
    kind = _kind(name)
    rows = np.asarray(points if len(points) else np.zeros((0, 3)), dtype=object)
    if rows.ndim != 2 or rows.shape[1] != 3:
        raise ValueError(f"points must be rows of [x1, x2, {'label' if kind == 'classification' else 'target'}]")
    if len(rows) > MAX_POINTS:
        raise ValueError(f"{len(rows)} points is more than the {MAX_POINTS} allowed")
    try:
        data = np.array([[float(v) for v in row] for row in rows], dtype=np.float64).reshape(-1, 3)
    except (TypeError, ValueError):
        raise ValueError("points must hold numbers only") from None
    for i, (x1, x2, t) in enumerate(data):
        _check_point(x1, x2, t, kind, f"point {i + 1}: ")
    x = np.ascontiguousarray(data[:, :2])
    if kind == "classification":
        return Dataset(name, x, data[:, 2].astype(np.int64), kind, 2, (2,), ("x1", "x2"))
    return Dataset(name, x, data[:, 2:3].copy(), kind, 0, (2,), ("x1", "x2"))


def _number(text: str):
    try:
        value = float(text)
    except ValueError:
        return None
    return value


def read_csv(text, name: str = "custom") -> Dataset:
    """Parse ``x1,x2,label`` lines (``label`` = 0/1, or a target value for ``custom_regression``).

    Tolerated: a header line (the first non-comment line, if it is not all numbers), ``#`` comments,
    blank lines, Windows line ends, a byte-order mark, ``;``/tab/space separators. Refused with a
    ValueError naming the line: non-numbers, NaN/inf, a wrong column count, labels other than 0/1,
    points outside the plane, more than MAX_POINTS points, more than MAX_BYTES, no points at all.
    """
    kind = _kind(name)
    if isinstance(text, (bytes, bytearray)):
        if len(text) > MAX_BYTES:
            raise ValueError(f"the file is {len(text):,} bytes; at most {MAX_BYTES:,} are read")
        try:
            text = bytes(text).decode("utf-8-sig")
        except UnicodeDecodeError:
            raise ValueError("the file is not UTF-8 text") from None
    if len(text) > MAX_BYTES:
        raise ValueError(f"the file is {len(text):,} characters; at most {MAX_BYTES:,} are read")
    if "\x00" in text:
        raise ValueError("the file is not text (it contains NUL bytes)")
    text = text.lstrip("\ufeff")
    rows = []
    header_allowed = True
    third = "label" if kind == "classification" else "target"
    for number, line in enumerate(text.splitlines(), start=1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        fields = _FIELD.split(line)
        values = [_number(f) for f in fields]
        if header_allowed and len(fields) == 3 and all(v is None for v in values):
            header_allowed = False       # e.g. "x1,x2,label"
            continue
        header_allowed = False
        where = f"line {number}: "
        if len(fields) != 3:
            raise ValueError(f"{where}expected 3 values (x1, x2, {third}), found {len(fields)}")
        for field, value in zip(fields, values):
            if value is None:
                shown = field if len(field) <= 20 else field[:20] + "…"
                raise ValueError(f"{where}{shown!r} is not a number" if field else f"{where}a value is empty")
        _check_point(*values, kind, where)
        if len(rows) == MAX_POINTS:
            raise ValueError(f"{where}more than {MAX_POINTS} points; at most {MAX_POINTS} are allowed")
        rows.append(values)
    if not rows:
        raise ValueError(f"the file holds no points (expected lines of x1,x2,{third})")
    return from_points(rows, name)


def write_csv(dataset: Dataset) -> str:
    """The points as CSV text with a header (``x1,x2,label`` or ``x1,x2,target``); ``read_csv`` reads
    it back to the same numbers (``repr`` of each float)."""
    third = "label" if dataset.kind == "classification" else "target"
    y = dataset.y if dataset.kind == "classification" else dataset.y[:, 0]
    count = f"{len(dataset)} point{'s' if len(dataset) != 1 else ''}"
    lines = [f"# nnpy {dataset.name}: {count}, x1 and x2 in -{RADIUS:g}..{RADIUS:g}",
             f"x1,x2,{third}"]
    fmt = (lambda v: str(int(v))) if dataset.kind == "classification" else (lambda v: repr(float(v)))
    lines += [f"{float(a)!r},{float(b)!r},{fmt(t)}" for (a, b), t in zip(dataset.x, y)]
    return "\n".join(lines) + "\n"


def problem(dataset: Dataset) -> str:
    """Why this data cannot be trained on yet ("" when it can): too few points, or too few of a class."""
    if dataset.kind == "classification":
        counts = [int(np.sum(dataset.y == k)) for k in (0, 1)]   # not bincount: it refuses int64 on 32-bit numpy
        missing = [f"{MIN_PER_CLASS - c} more {colour}" for c, colour in zip(counts, ("orange", "blue"))
                   if c < MIN_PER_CLASS]
        if missing:
            more = sum(MIN_PER_CLASS - c for c in counts if c < MIN_PER_CLASS)
            return f"Add {' and '.join(missing)} point{'s' if more > 1 else ''} to train."
        return ""
    if len(dataset) < MIN_REGRESSION:
        more = MIN_REGRESSION - len(dataset)
        return f"Add {more} more point{'s' if more > 1 else ''} to train."
    return ""


def _rank_key(x: np.ndarray) -> np.ndarray:
    """A fixed pseudo-random number in [0, 1) for each point, from its coordinates alone."""
    h = np.sin(x[:, 0] * 12.9898 + x[:, 1] * 78.233 + 0.5) * 43758.5453
    return h - np.floor(h)


def split(dataset: Dataset, test_ratio: float):
    """``(train, test)`` with ``round(N * test_ratio)`` test points (at least 1 of each side, N >= 2).

    Stable, unlike ``datasets.split``: a point's side depends on its own coordinates (a fixed hash),
    so adding or erasing a point moves at most one other point between the sides, and the boundary a
    learner watches is not reshuffled by every click.
    """
    return datasets.split_in_order(dataset, test_ratio, lambda n: np.argsort(_rank_key(dataset.x), kind="stable"))
