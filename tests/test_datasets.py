"""Datasets, input features, metrics, and the NNPYDATA file reader."""

import gzip
import json

import numpy as np
import pytest

from nnpy import datasets, features, metrics
from nnpy.datasets import DataFileError, DataFileMissing

import datafiles

SYNTHETIC = [name for name, spec in datasets.DATASETS.items() if not spec.image]
CLASSIFY_2D = ["circle", "xor", "gaussians", "spiral", "moons"]


def rng(seed=0):
    return np.random.default_rng(seed)


# --------------------------------------------------------------------------- synthetic data

@pytest.mark.parametrize("name", SYNTHETIC)
def test_shapes_dtypes_and_kind(name):
    ds = datasets.load(name, n=101, noise=0.2, rng=rng())
    spec = datasets.DATASETS[name]
    assert len(ds) == 101 and ds.x.dtype == np.float64 and ds.x.flags.c_contiguous
    assert ds.kind == spec.kind
    assert np.isfinite(ds.x).all() and np.isfinite(ds.y).all()
    if ds.kind == "classification":
        assert ds.y.shape == (101,) and ds.y.dtype == np.int64
        assert ds.n_classes == 2 and set(np.unique(ds.y)) == {0, 1}
    else:
        assert ds.y.shape == (101, 1) and ds.y.dtype == np.float64 and ds.n_classes == 0
    assert ds.input_shape == (ds.x.shape[1],) and len(ds.feature_names) == ds.x.shape[1]
    assert ds.n_outputs == (2 if ds.kind == "classification" else 1)
    assert name in repr(ds) and "n=101" in repr(ds)


@pytest.mark.parametrize("name", SYNTHETIC)
def test_points_stay_in_the_playground_square(name):
    ds = datasets.load(name, n=2000, noise=0.0, rng=rng(3))
    assert np.abs(ds.x).max() <= datasets.RADIUS + 0.5  # gaussians' tails excepted below
    if name != "gaussians":
        assert np.abs(ds.x).max() <= datasets.RADIUS


@pytest.mark.parametrize("name", SYNTHETIC)
def test_same_generator_same_data_other_seed_other_data(name):
    a = datasets.load(name, n=50, noise=0.3, rng=rng(7))
    b = datasets.load(name, n=50, noise=0.3, rng=rng(7))
    c = datasets.load(name, n=50, noise=0.3, rng=rng(8))
    assert np.array_equal(a.x, b.x) and np.array_equal(a.y, b.y)
    assert not np.array_equal(a.x, c.x)


def test_rng_none_is_reproducible():
    assert np.array_equal(datasets.load("xor", n=30).x, datasets.load("xor", n=30).x)


@pytest.mark.parametrize("name", CLASSIFY_2D)
def test_classes_are_balanced_and_noise_free_labels_follow_the_rule(name):
    ds = datasets.load(name, n=400, noise=0.0, rng=rng())
    assert abs(np.mean(ds.y) - 0.5) < 0.05
    x1, x2 = ds.x.T
    if name == "circle":
        assert np.array_equal(ds.y, (np.hypot(x1, x2) < 2.5).astype(int))
    if name == "xor":
        assert np.array_equal(ds.y, (x1 * x2 >= 0).astype(int))
        assert np.abs(ds.x).min() >= 0.3
    if name == "gaussians":
        assert np.mean(np.sign(x1 + x2) == np.where(ds.y == 1, 1, -1)) > 0.97


def test_noise_changes_labels_or_positions():
    clean = datasets.load("circle", n=500, noise=0.0, rng=rng(1))
    noisy = datasets.load("circle", n=500, noise=0.5, rng=rng(1))
    rule = lambda d: (np.hypot(*d.x.T) < 2.5).astype(int)
    assert np.mean(clean.y != rule(clean)) == 0
    assert np.mean(noisy.y != rule(noisy)) > 0.02
    flat = datasets.load("spiral", n=500, noise=0.0, rng=rng(1))
    shaken = datasets.load("spiral", n=500, noise=0.5, rng=rng(1))
    assert 0 < np.abs(flat.x - shaken.x).max() <= 0.5


def test_regression_targets():
    plane = datasets.load("plane", n=300, noise=0.0, rng=rng())
    assert np.allclose(plane.y[:, 0], plane.x.sum(axis=1) / 10)
    sine = datasets.load("sine", n=300, noise=0.0, rng=rng())
    assert sine.x.shape == (300, 1) and np.allclose(sine.y, np.sin(sine.x))
    mix = datasets.load("gaussian_mix", n=3000, noise=0.0, rng=rng())
    assert mix.y.min() >= -1 and mix.y.max() <= 1 and mix.y.min() < -0.9 and mix.y.max() > 0.9
    # at a bump's centre the target is that bump's sign
    assert np.isclose(datasets.gaussian_mix.__globals__["_BUMPS"][:, 2].sum(), 0)


@pytest.mark.parametrize("kwargs, message", [
    (dict(name="nope"), "unknown dataset"),
    (dict(name="xor", noise=1.5), "noise"),
    (dict(name="xor", noise=-0.1), "noise"),
    (dict(name="xor", n=1), "n must be"),
    (dict(name="xor", n=2.5), "n must be"),
    (dict(name="xor", n=True), "n must be"),
])
def test_bad_arguments(kwargs, message):
    with pytest.raises((KeyError, ValueError), match=message):
        datasets.load(**kwargs)


def test_defaults_cover_every_dataset_with_every_setting():
    from nnpy import training
    assert set(datasets.DEFAULTS) == set(datasets.DATASETS)
    for name, settings in datasets.DEFAULTS.items():
        assert set(settings) == set(training.SETTINGS), name


# --------------------------------------------------------------------------- split

def test_split_sizes_disjoint_and_reproducible():
    ds = datasets.load("moons", n=200, rng=rng())
    train, test = datasets.split(ds, 0.25, rng(5))
    assert (len(train), len(test)) == (150, 50)
    rows = {tuple(r) for r in np.concatenate([train.x, test.x])}
    assert len(rows) == 200 and rows == {tuple(r) for r in ds.x}
    again, _ = datasets.split(ds, 0.25, rng(5))
    assert np.array_equal(train.x, again.x) and np.array_equal(train.y, again.y)
    assert train.name == ds.name and train.kind == ds.kind


@pytest.mark.parametrize("ratio", [0.0, 1.0, -0.5, 2])
def test_split_rejects_bad_ratio(ratio):
    with pytest.raises(ValueError, match="test_ratio"):
        datasets.split(datasets.load("xor", n=10), ratio, rng())


def test_split_keeps_both_sides_non_empty():
    ds = datasets.load("xor", n=3)
    for ratio in (0.01, 0.99):
        train, test = datasets.split(ds, ratio, rng())
        assert len(train) >= 1 and len(test) >= 1


# --------------------------------------------------------------------------- features

def test_expand_computes_every_feature():
    x = np.array([[0.5, -2.0], [3.0, 1.0]])
    z = features.expand(x, features.names())
    x1, x2 = x.T
    expected = np.stack([x1, x2, x1**2, x2**2, x1 * x2, np.sin(x1), np.sin(x2), np.cos(x1), np.cos(x2)], 1)
    assert z.shape == (2, 9) and np.array_equal(z, expected)


def test_expand_order_aliases_and_errors():
    x = np.array([[2.0, 3.0]])
    assert np.array_equal(features.expand(x, ["x1x2", "x1"]), [[6.0, 2.0]])
    for bad, message in ((["x3"], "unknown feature"), ([], "at least one"), (["x1", "x1"], "duplicate")):
        with pytest.raises(ValueError, match=message):
            features.expand(x, bad)
    with pytest.raises(ValueError, match="no x2"):
        features.expand(np.ones((4, 1)), ["x2"])
    with pytest.raises(ValueError, match="shape"):
        features.expand(np.ones((4, 3)), ["x1"])
    assert np.array_equal(features.expand(np.array([[0.0]]), ["x1", "cos(x1)"]), [[0.0, 1.0]])


def test_dataset_with_inputs():
    ds = datasets.load("circle", n=20)
    wide = ds.with_inputs(features.expand(ds.x, ["x1^2", "x2^2"]), ["x1^2", "x2^2"])
    assert wide.x.shape == (20, 2) and wide.feature_names == ("x1^2", "x2^2") and wide.y is ds.y


# --------------------------------------------------------------------------- metrics

def test_accuracy_and_predict_labels():
    assert metrics.accuracy(np.array([0, 1, 2, 2]), np.array([0, 1, 1, 2])) == 0.75
    assert metrics.predict_labels(np.array([[0.1, 0.9, 0.0], [5, 1, 1]])).tolist() == [1, 0]
    assert metrics.predict_labels(np.array([[-0.1], [0.2], [0.0]])).tolist() == [0, 1, 0]
    with pytest.raises(ValueError):
        metrics.accuracy(np.zeros(3), np.zeros(4))


def test_confusion_matrix_matches_a_plain_loop():
    g = rng(4)
    y_true, y_pred = g.integers(0, 5, 500), g.integers(0, 5, 500)
    expected = np.zeros((5, 5), int)
    for t, p in zip(y_true, y_pred):
        expected[t, p] += 1
    cm = metrics.confusion_matrix(y_true, y_pred, 5)
    assert np.array_equal(cm, expected) and cm.sum() == 500
    assert np.trace(cm) / 500 == metrics.accuracy(y_true, y_pred)
    assert metrics.confusion_matrix(np.array([0, 1]), np.array([1, 1])).tolist() == [[0, 1], [0, 1]]
    with pytest.raises(ValueError, match="labels must lie"):
        metrics.confusion_matrix(np.array([0, 3]), np.array([0, 1]), 3)


def test_regression_metrics():
    y = np.array([[1.0], [2.0], [3.0]])
    assert metrics.mean_squared_error(y, y + 1) == 1.0
    assert metrics.r2_score(y, y) == 1.0 and metrics.r2_score(y, np.full_like(y, 2.0)) == 0.0


# --------------------------------------------------------------------------- data files

@pytest.fixture
def data_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("NNPY_DATA_DIR", str(tmp_path))
    return tmp_path


def test_reads_a_synthetic_digits_file(data_dir):
    pixels, labels = datafiles.write(data_dir / "digits.bin.gz", "digits", count=120)
    ds = datasets.load("digits", rng=rng())
    assert len(ds) == 120 and ds.input_shape == (8, 8) and ds.x.shape == (120, 64)
    assert ds.n_classes == 10 and ds.kind == "classification" and ds.feature_names[:2] == ("p0_0", "p0_1")
    assert np.array_equal(ds.x, pixels.reshape(120, 64) / 16.0)
    assert np.array_equal(ds.y, labels) and 0 <= ds.x.min() and ds.x.max() == 1.0
    sub = datasets.load("digits", n=30, rng=rng(2))
    assert len(sub) == 30 and sub.n_classes == 10
    rows = {r.tobytes(): l for r, l in zip(ds.x, ds.y)}
    assert all(rows[r.tobytes()] == l for r, l in zip(sub.x, sub.y))


def test_reads_a_synthetic_mnist_file(data_dir):
    pixels, labels = datafiles.write(data_dir / "mnist.bin.gz", "mnist", count=40, shape=(28, 28), scale=255)
    ds = datasets.load("mnist", rng=rng())
    assert ds.x.shape == (40, 784) and ds.input_shape == (28, 28)
    assert np.array_equal(ds.x, pixels.reshape(40, -1) / 255.0)


def test_parse_from_bytes_and_the_cache_sees_a_new_file(data_dir):
    path = data_dir / "digits.bin.gz"
    datafiles.write(path, "digits", count=20)
    assert len(datasets.load("digits")) == 20
    datafiles.write(path, "digits", count=30, seed=1)
    assert len(datasets.load("digits")) == 30
    header, pixels, labels = datasets.parse_datafile(path.read_bytes())
    assert header["name"] == "digits" and pixels.shape == (30, 8, 8) and labels.shape == (30,)


def test_missing_file_names_the_build_step(data_dir):
    with pytest.raises(DataFileMissing, match=r"python build\.py data"):
        datasets.load("digits")
    assert issubclass(DataFileMissing, FileNotFoundError)


GOOD = datafiles.synthetic_digits(10)


@pytest.mark.parametrize("make, message", [
    (lambda: b"not gzip at all", "not valid gzip"),
    (lambda: gzip.compress(b"NNPYDATA 2\n{}\n"), "does not start with"),
    (lambda: datafiles.encode("digits", *GOOD, 16)[:-9], "truncated|not valid gzip"),
    (lambda: gzip.compress(gzip.decompress(datafiles.encode("digits", *GOOD, 16))[:-3]), "truncated"),
    (lambda: datafiles.encode("digits", *GOOD, 16, trailer=b"x"), "bytes after"),
    (lambda: datafiles.encode("mnist", *GOOD, 16), "holds 'mnist'"),
    (lambda: datafiles.encode("digits", *GOOD, 16, header_extra={"count": 10**12}), "count"),
    (lambda: datafiles.encode("digits", *GOOD, 16, header_extra={"count": "10"}), "count"),
    (lambda: datafiles.encode("digits", *GOOD, 16, header_extra={"shape": [8, -8]}), "shape"),
    (lambda: datafiles.encode("digits", *GOOD, 16, header_extra={"shape": [4096, 4096, 4096]}), "more than"),
    (lambda: datafiles.encode("digits", *GOOD, 16, header_extra={"scale": 0}), "scale"),
    (lambda: datafiles.encode("digits", GOOD[0] * 2, GOOD[1], 16), "exceeds the header's scale"),
    (lambda: gzip.compress(b"NNPYDATA 1\n{\"name\": NaN}\n"), "NaN"),
    (lambda: gzip.compress(b"NNPYDATA 1\n[1, 2]\n"), "JSON object"),
    (lambda: gzip.compress(b"NNPYDATA 1\n{\"count\": 1}\n"), "lacks"),
    (lambda: gzip.compress(b"NNPYDATA 1\n" + b" " * 5000 + b"\n"), "4096"),
    (lambda: gzip.compress(b"NNPYDATA 1\n\xff\xfe\n"), "not JSON"),
])
def test_hostile_data_files_are_rejected_clearly(data_dir, make, message):
    (data_dir / "digits.bin.gz").write_bytes(make())
    with pytest.raises(DataFileError, match=message):
        datasets.load("digits")


def test_header_json_is_one_line_and_source_is_kept(data_dir):
    raw = datafiles.encode("digits", *GOOD, 16)
    header = json.loads(gzip.decompress(raw).split(b"\n")[1])
    assert header["source"].startswith("synthetic") and header["count"] == 10


# --------------------------------------------------------------------------- the real files

def real_file(name):
    path = datasets.data_path(name)
    if not path.exists():
        pytest.fail(f"{path} is missing: run `python build.py data` first (the tests need the real data)")


def test_real_digits_file():
    real_file("digits")
    ds = datasets.load("digits")
    assert ds.x.shape == (1797, 64) and ds.input_shape == (8, 8) and ds.n_classes == 10
    assert np.array_equal(np.unique(ds.x * 16), np.arange(17))
    assert np.bincount(ds.y).min() >= 170


def test_real_mnist_file():
    real_file("mnist")
    ds = datasets.load("mnist")
    assert ds.x.shape == (10_000, 784) and ds.input_shape == (28, 28) and ds.n_classes == 10
    assert ds.x.min() == 0 and ds.x.max() == 1 and np.bincount(ds.y).min() >= 800
