"""web/py/nnpy_curve.py under CPython: 1-D data publishes the network's curve and its points.

The page draws the sine set as a plot (web/js/curve.js): the data as [x, y] points and the
network's prediction on a grid of x values, published in ``field_buffer`` at every evaluation.
"""

import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "web" / "py"))

from nnpy_curve import CURVE_SIZE  # noqa: E402
from nnpy_page import Session  # noqa: E402


def session(**config):
    s = Session()
    meta = s.configure({"dataset": "sine", "seed": 0, **config})
    return s, meta


def grid(meta):
    lo, hi = meta["curve"]["x"]
    return np.linspace(lo, hi, meta["curve"]["size"])


def test_the_published_curve_is_the_network_on_the_grid():
    s, meta = session()
    assert meta["curve"]["size"] == CURVE_SIZE and s.field_buffer.size == CURVE_SIZE
    lo, hi = meta["curve"]["x"]
    assert lo < -5.5 and hi > 5.5            # the data's x range (sine lives on [-6, 6])
    s.train(1000, 200)
    assert s.step == 200
    s._evaluate()
    want = s.net.forward(grid(meta)[:, None]).logits[:, 0]
    np.testing.assert_allclose(s.field_buffer, want, rtol=1e-5, atol=1e-5)
    # it follows training: more steps, a different curve
    before = s.field_buffer.copy()
    s.train(1000, 50)
    s._evaluate()
    assert not np.allclose(before, s.field_buffer)


def test_the_curve_honours_the_selected_input_features():
    s, meta = session(features=["x1", "sin(x1)"])
    assert meta["sizes"][0] == 2
    x = grid(meta)
    want = s.net.forward(np.column_stack([x, np.sin(x)])).logits[:, 0]
    np.testing.assert_allclose(s.field_buffer, want, rtol=1e-5, atol=1e-5)


def test_points_are_x_y_pairs_inside_the_fixed_axes():
    s, meta = session()
    ylo, yhi = meta["curve"]["y"]
    for name, raw, y in (("points", s.test_raw, s.test_y), ("train_points", s.train_raw, s.train_y)):
        pts = np.array(meta[name])
        assert pts.shape[1] == 2 and 0 < len(pts) <= 300
        # each is an example of its split, with its target as is (not squashed)
        for a, b in pts[:20]:
            i = np.argmin(np.abs(raw[:, 0] - a))
            assert abs(raw[i, 0] - a) < 1e-3 and abs(y[i, 0] - b) < 1e-3
        assert ylo < pts[:, 1].min() and pts[:, 1].max() < yhi
    assert ylo < -1 and yhi > 1                # sin reaches +-1
    assert not meta["plane"] and meta["field_size"] == 0


def test_a_probe_shows_its_x_and_2d_data_has_no_curve():
    s, meta = session()
    x1 = s.figures[s.meta["figures"].index("probe_x1")]
    assert np.isfinite(x1) and abs(x1 - s.test_raw[s._probe(), 0]) < 1e-9
    _, meta2 = session(dataset="spiral")
    assert meta2["curve"] is None and meta2["plane"] is True
