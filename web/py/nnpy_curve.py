"""1-D data (the "sine" set): the Session side of the page's curve plot.

Pure Python + numpy (no ``js``), CPython-testable. Where 2-D data shows the network's answer over
the plane, 1-D data shows a plot: the data points (x, y) and the network's prediction as a line
over the data's x range. The session publishes the prediction on CURVE_SIZE evenly spaced x values
in its ``field_buffer`` at every evaluation (one forward pass of CURVE_SIZE rows: cheap), and the
meta carries the fixed axes and the points, so the renderer (web/js/curve.js) only draws.
"""

from __future__ import annotations

import numpy as np

CURVE_SIZE = 128     # x values the prediction is computed on
MAX_POINTS = 300     # points of each split sent once per dataset, as [x, y]
Y_MARGIN = 0.12      # room above and below the data (a share of its y span), so the curve can overshoot a little


def setup(session) -> None:
    """After the data is split (``Session._build``): is it 1-D? Then the grid and the fixed axes."""
    data = session.data
    session.curve = tuple(data.input_shape) == (1,) and data.kind == "regression"
    if not session.curve:
        return
    x = data.x[:, 0]
    lo, hi = float(x.min()), float(x.max())
    if not hi > lo:
        lo, hi = lo - 1.0, hi + 1.0
    session.curve_x = np.linspace(lo, hi, CURVE_SIZE)
    # the raw x values become the network's inputs as the data's do (the selected input features)
    session.curve_grid = session._inputs(session.curve_x[:, None])
    y = data.y[:, 0]
    ylo, yhi = float(y.min()), float(y.max())
    span = yhi - ylo if yhi > ylo else 1.0
    session.curve_range = (lo, hi, ylo - Y_MARGIN * span, yhi + Y_MARGIN * span)
    session.field_buffer = np.zeros(CURVE_SIZE, np.float32)


def values(session) -> np.ndarray:
    """The network's prediction (its first output, unsquashed) at each x of the grid, float32."""
    out = session.loss.output(session.net.forward(session.curve_grid).logits)
    return np.ascontiguousarray(out[:, 0], dtype=np.float32)


def meta(session) -> dict:
    """The renderer's part of the meta: ``curve`` (null for other data) and the points as [x, y]."""
    if not getattr(session, "curve", False):
        return {"curve": None}
    lo, hi, ylo, yhi = session.curve_range
    return {
        "curve": {"size": CURVE_SIZE, "x": [lo, hi], "y": [round(ylo, 4), round(yhi, 4)]},
        "points": points(session.test_raw, session.test_y),
        "train_points": points(session.train_raw, session.train_y),
    }


def points(raw, y) -> list:
    """Up to MAX_POINTS examples as [x, y] (the target itself, in the plot's own scale)."""
    index = np.unique(np.linspace(0, len(raw) - 1, MAX_POINTS).astype(int))
    return [[round(float(a), 3), round(float(b), 3)] for a, b in zip(raw[index, 0], y[index, 0])]
