"""A drawn digit becomes an input like the training digits (nnpy.drawing), and the page's session
shows drawings, chosen test examples and the confusion matrix (web/py/nnpy_probes.py)."""

import math
import sys
from pathlib import Path

import numpy as np
import pytest

from nnpy import datasets, drawing

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "web" / "py"))
import nnpy_probes as probes  # noqa: E402
from nnpy_page import Session  # noqa: E402

PAD = 112


def stroke(points, size=PAD, width=10.0):
    """Anti-aliased ink of a pen of ``width`` pixels along the polyline ``points`` (x, y)."""
    yy, xx = np.mgrid[0:size, 0:size] + 0.5
    ink = np.zeros((size, size))
    for (x0, y0), (x1, y1) in zip(points[:-1], points[1:]):
        d = np.array([x1 - x0, y1 - y0])
        length2 = max(d @ d, 1e-9)
        t = np.clip(((xx - x0) * d[0] + (yy - y0) * d[1]) / length2, 0, 1)
        dist = np.hypot(xx - (x0 + t * d[0]), yy - (y0 + t * d[1]))
        ink = np.maximum(ink, np.clip(width / 2 - dist + 0.5, 0, 1))
    return ink


# a small "1" drawn off-centre (upper left of the pad), with its little flag
ONE = stroke([(20, 22), (30, 12), (30, 60)])
ZERO = stroke(list(zip(56 + 22 * np.cos(np.linspace(0, 2 * np.pi, 40)), 56 + 36 * np.sin(np.linspace(0, 2 * np.pi, 40)))))
SEVEN = stroke([(30, 22), (82, 22), (50, 95)])


def centre_of_mass(image):
    ys, xs = np.indices(image.shape)
    return (ys * image).sum() / image.sum(), (xs * image).sum() / image.sum()


def test_a_drawn_one_becomes_an_mnist_digit():
    x = drawing.prepare(ONE, "mnist")
    assert x.shape == (784,) and x.dtype == np.float64
    image = x.reshape(28, 28)
    assert 0.0 <= image.min() and image.max() <= 1.0 and image.max() > 0.9
    top, bottom, left, right = drawing.ink_box(image)
    assert bottom - top == 20, "the longer side of the ink fits the 20x20 box"
    assert right - left < 12, "aspect kept: a 1 stays narrow"
    cy, cx = centre_of_mass(image)
    assert abs(cy - 14) <= 1 and abs(cx - 14) <= 1, "the centre of mass sits in the middle"
    # anti-aliased edges: grey values, as in MNIST
    assert np.any((image > 0.05) & (image < 0.95))
    train = datasets.load("mnist")
    ones = train.x[train.y == 1]
    assert 0.5 < x.sum() / ones.sum(axis=1).mean() < 2.0, "about as much ink as the training 1s"


def test_a_drawn_one_becomes_an_sklearn_digit():
    x = drawing.prepare((ONE * 255).astype(np.uint8), "digits")   # the pad's bytes are accepted too
    image = x.reshape(8, 8)
    counts = image * drawing.DIGITS_SCALE
    assert np.allclose(counts, np.round(counts)) and counts.min() >= 0 and counts.max() == 16
    header, _, _ = datasets.read_datafile("digits")
    assert header["scale"] == drawing.DIGITS_SCALE, "same scale as nnpy.datasets divides by"
    top, bottom, left, right = drawing.ink_box(image)
    assert (top, bottom) == (0, 8), "the ink is fitted to the box's height"
    assert abs(centre_of_mass(image)[1] - 3.5) < 1.0, "and centred across"
    train = datasets.load("digits")
    ones = train.x[train.y == 1]
    assert 0.5 < x.sum() / ones.sum(axis=1).mean() < 2.0, "about as much ink as the training 1s"


def test_an_empty_pad_is_not_a_digit():
    for name in ("digits", "mnist"):
        assert drawing.prepare(np.zeros((PAD, PAD)), name) is None
        assert drawing.prepare(np.full((PAD, PAD), 0.001), name) is None   # a smudge is not ink


@pytest.mark.parametrize("ink, match", [(np.zeros(100), "2-D"), (np.zeros((4, 4)), "8x8"),
                                        (np.full((20, 20), np.nan), "finite")])
def test_bad_pictures_are_refused(ink, match):
    with pytest.raises(ValueError, match=match):
        drawing.prepare(ink, "digits")
    with pytest.raises(ValueError, match="no drawing recipe"):
        drawing.prepare(ONE, "spiral")


@pytest.fixture(scope="module")
def trained():
    s = Session()
    s.configure({"dataset": "digits"})
    s.train(1e9, 2500)
    return s


def test_a_trained_network_reads_drawn_digits(trained):
    s = trained
    for label, ink in ((1, ONE), (0, ZERO), (7, SEVEN)):
        info = probes.show_drawing(s, ink)
        assert info == {"mode": "drawn", "empty": False, "pred": float(label)}
        assert s.probe_pred == label and s.probe_current == -1 and math.isnan(s.probe_label)
        assert abs(s.probe_output.sum() - 1) < 1e-9


def test_the_empty_pad_shows_no_prediction_and_no_nan(trained):
    s = trained
    info = probes.show_drawing(s, np.zeros((PAD, PAD), np.uint8))
    assert info["empty"] is True and info["pred"] is None
    assert np.all(s.probe_output == 0) and np.all(np.isfinite(s.snapshot_buffer))
    assert math.isnan(s.probe_pred)
    probes.set_mode(s, {"mode": "next"})


def test_a_drawing_survives_training_and_reset_but_not_a_new_dataset():
    s = Session()
    s.configure({"dataset": "digits"})
    probes.show_drawing(s, ONE)
    drawn = s.snapshot_buffer[s.meta["layout"]["offsets"]["a"][0]:][:64].copy()
    for _ in range(3):
        s.train(1e9, 5)
        s.next_probe()            # the page's rotation
    assert s.probe_current == -1
    assert np.array_equal(s.snapshot_buffer[s.meta["layout"]["offsets"]["a"][0]:][:64], drawn)
    s.configure({"seed": 5})      # Reset: new weights, same drawing
    assert s.probe_current == -1
    s.configure({"dataset": "spiral"})
    assert s.drawn is None and s.probe_mode == {"mode": "next"} and s.probe_current >= 0


def test_probe_modes(trained):
    s = trained
    info = probes.set_mode(s, {"mode": "misclassified"})
    assert info["found"] > 0
    for _ in range(4):
        assert s.probe_label != s.probe_pred, "a misclassified probe is misclassified"
        s.next_probe()
    seen = set()
    probes.set_mode(s, {"mode": "random"})
    for _ in range(5):
        s.next_probe()
        seen.add(s.probe_current)
    assert len(seen) > 2
    probes.set_mode(s, {"mode": "next"})
    i = s.probe_current
    s.next_probe()
    assert s.probe_current == i + 1
    c = s.confusion_buffer.reshape(10, 10)
    t, p = np.argwhere((c > 0) & ~np.eye(10, dtype=bool))[0]
    info = probes.set_mode(s, {"mode": "pair", "true": int(t), "pred": int(p)})
    assert info["found"] >= 1 and (s.probe_label, s.probe_pred) == (t, p)
    with pytest.raises(ValueError):
        probes.set_mode(s, {"mode": "pair", "true": 10, "pred": 0})
    with pytest.raises(ValueError):
        probes.set_mode(s, {"mode": "sideways"})
    probes.set_mode(s, {"mode": "next"})


def test_no_mistakes_leaves_the_probe_and_says_so():
    s = Session()
    s.configure({"dataset": "gaussians"})
    s.train(1e9, 300)
    right = probes._predict(s, np.arange(len(s.test_x))) == s.test_y
    s.test_x, s.test_y = s.test_x[right], s.test_y[right]   # keep only what the network gets right
    s._evaluate()
    assert s.test_accuracy == 1.0
    s.probe_index = 0
    i = s.probe_current
    info = probes.set_mode(s, {"mode": "misclassified"})
    assert info["found"] == 0 and s.probe_current == i
    assert s.figures[s.meta["figures"].index("mistakes")] == 0


def test_confusion_matrix_counts_the_test_split(trained):
    s = trained
    s._evaluate()
    c = s.confusion_buffer.reshape(10, 10)
    assert c.sum() == len(s.test_x)
    assert np.trace(c) / c.sum() == pytest.approx(s.test_accuracy)
    assert np.array_equal(c.sum(axis=1), np.bincount(s.test_y, minlength=10))
