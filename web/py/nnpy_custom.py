"""The page's own data ("Your data"): the Session side of nnpy.customdata.

Pure Python + nnpy (no ``js``), CPython-testable. The page owns the points (it keeps them in
localStorage) and sends them whole as the config key ``points``; the session keeps the latest list
per custom dataset in ``session.user_points`` (outside ``config``: a new seed or a new network keeps
them). Changing the points never rebuilds the network: the data is re-split and training goes on
with the same weights, so a learner can add points while it trains and watch the boundary move.

With too few points (``customdata.problem``) the network is still built and drawn, over the points
there are (or one placeholder at the origin), and ``train`` answers "nodata" without a step.
"""

from __future__ import annotations

import numpy as np

from nnpy import customdata

NAMES = customdata.NAMES


def store(session, points, resplit: bool) -> None:
    """Keep ``points`` for the session's (custom) dataset; re-split now unless a rebuild follows."""
    name = session.config["dataset"]
    if name not in NAMES:
        raise ValueError(f"points are only for {' and '.join(NAMES)}, not {name}")
    data = customdata.from_points(points, name)           # ValueError names the bad point
    session.user_points = {**getattr(session, "user_points", {}), name: data}
    if resplit:
        _apply(session, session.config)
        session.set_loss_limit()
        session.order = session.rng.permutation(len(session.train_x))
        session.cursor = 0
        session.probe_index = 0
        session._evaluate()


def build(session, cfg):
    """``(data, train, test)`` for ``Session._build``; sets ``session.data_problem``."""
    return _split(session, cfg)


def _split(session, cfg):
    name = cfg["dataset"]
    data = getattr(session, "user_points", {}).get(name) or customdata.from_points([], name)
    session.data_problem = customdata.problem(data)
    if not session.data_problem:
        train, test = customdata.split(data, cfg["test_ratio"])
    elif len(data):
        train = test = data          # not trained on: the figures describe the points there are
    else:
        train = test = customdata.from_points([[0.0, 0.0, 0.0]], name)   # something to draw
    return data, train, test


def _apply(session, cfg) -> None:
    data, train, test = _split(session, cfg)
    session.data = data
    session._use_split(train, test)


def meta_points(session) -> list:
    """Every point (not only test points: a learner placed each one), as [x1, x2, target]."""
    data = session.data
    target = data.y if data.kind == "classification" else np.tanh(data.y[:, 0])
    return [[round(float(a), 4), round(float(b), 4), round(float(t), 4)] for (a, b), t in zip(data.x, target)]


def meta(session) -> dict:
    """What the page's tool bar shows: the problem (if any) and the counts."""
    if session.config.get("dataset") not in NAMES:
        return {}
    data = session.data
    counts = [int(np.sum(data.y == k)) for k in (0, 1)] if data.kind == "classification" else [0, 0]
    return {"custom": {"count": len(data), "counts": counts, "problem": session.data_problem,
                       "max_points": customdata.MAX_POINTS,
                       "target_range": _target_range(data)}}


def copy_points(session) -> list:
    """Every point of the session's 2-D dataset inside the plane (evenly thinned to MAX_POINTS), as
    rows for ``customdata.from_points``: the toy data becomes the learner's to edit."""
    if session is None or session.net is None or not session.plane:
        raise ValueError("only a 2-D dataset's points can be copied")
    data = session.data
    inside = np.flatnonzero((np.abs(data.x) <= customdata.RADIUS).all(axis=1))
    if len(inside) > customdata.MAX_POINTS:
        inside = inside[np.linspace(0, len(inside) - 1, customdata.MAX_POINTS).astype(int)]
    y = data.y[inside] if data.kind == "classification" else data.y[inside, 0]
    return [[round(float(a), 3), round(float(b), 3), round(float(t), 3)] for (a, b), t in zip(data.x[inside], y)]


def _target_range(data):
    if data.kind != "regression" or not len(data):
        return [-1.0, 1.0]
    return [min(-1.0, float(data.y.min())), max(1.0, float(data.y.max()))]


def handle(request: dict, session=None) -> dict:
    """CSV in and out for the page: {"action": "read_csv", "dataset", "text"} -> {"points"};
    {"action": "write_csv", "dataset", "points"} -> {"text"}; {"action": "copy"} -> {"points"} of
    the 2-D dataset the session shows ("Edit these points"). ValueError names what is wrong."""
    action = request.get("action")
    name = request.get("dataset")
    if action == "copy":
        return {"points": copy_points(session)}
    if action == "read_csv":
        data = customdata.read_csv(str(request.get("text", "")), name)
        y = data.y if data.kind == "classification" else data.y[:, 0]
        return {"points": [[float(a), float(b), float(t)] for (a, b), t in zip(data.x, y)]}
    if action == "write_csv":
        return {"text": customdata.write_csv(customdata.from_points(request.get("points") or [], name))}
    raise ValueError(f"unknown custom-data action {action!r}")
