"""Datasets: TensorFlow-Playground-style 2-D toys, small regressions, and digit images.

Why one module: the page, the CLI and the tests all ask for data by *name*, so every
dataset sits behind one registry (`DATASETS`) and one entry point::

    ds = nnpy.datasets.load("spiral", n=500, noise=0.1, rng=np.random.default_rng(0))
    train, test = nnpy.datasets.split(ds, test_ratio=0.5, rng=np.random.default_rng(1))

Conventions
-----------
* 2-D points live in roughly ``[-6, 6]^2``, the square TensorFlow Playground draws
  (the 1-D sine lives on ``x in [-6, 6]``).
* ``noise`` is a fraction in ``[0, 1]``; Playground's slider "noise 0-50 %" is ``0 .. 0.5``.
  Image datasets ignore it.
* Classification targets are int class indices ``y: (N,)``; regression targets are floats
  ``y: (N, k)``. Inputs are always float64 ``x: (N, d)``; images are flattened row-major and
  ``input_shape`` remembers the picture, e.g. ``(8, 8)``.
* Every random choice comes from the ``numpy.random.Generator`` you pass (``rng=None`` means
  ``default_rng(0)``, so a call without one is still reproducible).
* ``DEFAULTS[name]`` holds the training settings the page and the CLI start from.
"""

from __future__ import annotations

import dataclasses
import gzip
import hashlib
import io
import json
import os
from pathlib import Path
from typing import Callable

import numpy as np

__all__ = [
    "Dataset", "DataFileError", "DataFileMissing", "DATASETS", "DEFAULTS", "load", "split",
    "names", "data_path", "parse_datafile", "read_datafile",
]

RADIUS = 6.0  # half-width of the square the 2-D points live in


@dataclasses.dataclass(frozen=True, eq=False)
class Dataset:
    """A named sample: ``x: (N, d)`` float64, ``y: (N,)`` int labels or ``(N, k)`` float targets.

    ``kind`` is ``"classification"`` or ``"regression"``; ``n_classes`` is 0 for regression.
    ``input_shape`` is the shape of one example before flattening (``(2,)``, ``(8, 8)``, ...).
    """

    name: str
    x: np.ndarray
    y: np.ndarray
    kind: str
    n_classes: int
    input_shape: tuple
    feature_names: tuple

    def __post_init__(self):
        if self.x.ndim != 2 or self.x.dtype != np.float64:
            raise ValueError(f"Dataset.x must be float64 (N, d), got {self.x.dtype} {self.x.shape}")
        if len(self.y) != len(self.x):
            raise ValueError(f"Dataset has {len(self.x)} inputs but {len(self.y)} targets")
        if self.kind not in ("classification", "regression"):
            raise ValueError(f"Dataset.kind must be classification or regression, got {self.kind!r}")
        if len(self.feature_names) != self.x.shape[1]:
            raise ValueError(f"{len(self.feature_names)} feature names for {self.x.shape[1]} columns")

    def __len__(self) -> int:
        return len(self.x)

    @property
    def n_outputs(self) -> int:
        """Width of the output layer this data needs (classes, or regression targets)."""
        return self.n_classes if self.kind == "classification" else self.y.shape[1]

    def subset(self, index) -> "Dataset":
        """The examples at ``index`` (an int array or slice), as a new Dataset."""
        return dataclasses.replace(self, x=self.x[index], y=self.y[index])

    def with_inputs(self, x: np.ndarray, feature_names) -> "Dataset":
        """Same targets, new input columns (e.g. after ``features.expand``)."""
        return dataclasses.replace(self, x=x, feature_names=tuple(feature_names),
                                   input_shape=(x.shape[1],))

    def __repr__(self) -> str:
        target = f"{self.n_classes} classes" if self.kind == "classification" else f"{self.y.shape[1]} targets"
        return (f"Dataset({self.name!r}, {self.kind}, n={len(self)}, inputs={self.x.shape[1]}, "
                f"input_shape={self.input_shape}, {target})")


# --------------------------------------------------------------------------- 2-D classification
# Ported from TensorFlow Playground's dataset.ts (Apache-2.0); labels are 0/1 instead of -1/+1.

def _uniform(rng, low, high, n):
    return rng.uniform(low, high, size=n)


def circle(n: int, noise: float, rng: np.random.Generator):
    """Class 1 inside radius 2.5, class 0 on the ring 3.5..5; noise jitters the point used for the label."""
    radius = 5.0
    n_in = n // 2
    r = np.concatenate([_uniform(rng, 0, radius * 0.5, n_in), _uniform(rng, radius * 0.7, radius, n - n_in)])
    angle = _uniform(rng, 0, 2 * np.pi, n)
    x = np.stack([r * np.sin(angle), r * np.cos(angle)], axis=1)
    jitter = rng.uniform(-radius, radius, size=(n, 2)) * noise
    y = (np.hypot(*(x + jitter).T) < radius * 0.5).astype(np.int64)
    return x, y


def xor(n: int, noise: float, rng: np.random.Generator):
    """Class 1 where x1*x2 >= 0 (quadrants I and III); points kept 0.3 away from the axes."""
    padding = 0.3
    x = rng.uniform(-5, 5, size=(n, 2))
    x += np.where(x > 0, padding, -padding)
    jitter = rng.uniform(-5, 5, size=(n, 2)) * noise
    noisy = x + jitter
    y = (noisy[:, 0] * noisy[:, 1] >= 0).astype(np.int64)
    return x, y


def gaussians(n: int, noise: float, rng: np.random.Generator):
    """Two round blobs at (2, 2) (class 1) and (-2, -2) (class 0); variance 0.5 + 7 * noise (4 at 0.5)."""
    variance = 0.5 + 7.0 * noise
    sd = np.sqrt(variance)
    half = n // 2
    y = np.concatenate([np.ones(half, np.int64), np.zeros(n - half, np.int64)])
    centers = np.where(y[:, None] == 1, 2.0, -2.0)
    x = centers + rng.normal(0, sd, size=(n, 2))
    return x, y


def spiral(n: int, noise: float, rng: np.random.Generator):
    """Two interleaved arms, radius 0..5, 1.75 turns each; noise moves points up to +-1 (at noise 1)."""
    half = n // 2
    parts = []
    for label, count, delta in ((1, half, 0.0), (0, n - half, np.pi)):
        i = np.arange(count)
        r = i / count * 5
        t = 1.75 * i / count * 2 * np.pi + delta
        pts = np.stack([r * np.sin(t), r * np.cos(t)], axis=1)
        pts += rng.uniform(-1, 1, size=(count, 2)) * noise
        parts.append((pts, np.full(count, label, np.int64)))
    return np.concatenate([p[0] for p in parts]), np.concatenate([p[1] for p in parts])


def moons(n: int, noise: float, rng: np.random.Generator):
    """Two interleaving half circles (as scikit-learn's make_moons) scaled by 3 and centred.

    Gaussian noise of sd ``noise`` (in moon units, before the x3 scale) is added to the points.
    """
    n_outer = n // 2
    t_out = rng.uniform(0, np.pi, n_outer)
    t_in = rng.uniform(0, np.pi, n - n_outer)
    outer = np.stack([np.cos(t_out), np.sin(t_out)], axis=1)
    inner = np.stack([1 - np.cos(t_in), 0.5 - np.sin(t_in)], axis=1)
    x = np.concatenate([outer, inner]) + rng.normal(0, 1, size=(n, 2)) * noise
    x = (x - [0.5, 0.25]) * 3.0
    y = np.concatenate([np.zeros(n_outer, np.int64), np.ones(n - n_outer, np.int64)])
    return x, y


# --------------------------------------------------------------------------- regression

def _playground_jitter(rng, n, noise):
    return rng.uniform(-RADIUS, RADIUS, size=(n, 2)) * noise


def plane(n: int, noise: float, rng: np.random.Generator):
    """Target (x1 + x2) / 10 in [-1.2, 1.2] over [-6, 6]^2; noise shifts the point the target is read at."""
    x = rng.uniform(-RADIUS, RADIUS, size=(n, 2))
    noisy = x + _playground_jitter(rng, n, noise)
    y = (noisy.sum(axis=1) / 10.0)[:, None]
    return x, y


_BUMPS = np.array([[-4, 2.5, 1], [0, 2.5, -1], [4, 2.5, 1], [-4, -2.5, -1], [0, -2.5, 1], [4, -2.5, -1]], float)


def gaussian_mix(n: int, noise: float, rng: np.random.Generator):
    """Six +-1 cones (Playground's "multi gaussian"): the strongest bump within distance 2 wins."""
    x = rng.uniform(-RADIUS, RADIUS, size=(n, 2))
    noisy = x + _playground_jitter(rng, n, noise)
    dist = np.hypot(noisy[:, None, 0] - _BUMPS[:, 0], noisy[:, None, 1] - _BUMPS[:, 1])  # (n, 6)
    value = _BUMPS[:, 2] * np.clip(1 - dist / 2, 0, 1)
    pick = np.argmax(np.abs(value), axis=1)
    y = value[np.arange(n), pick][:, None]
    return x, y


def sine(n: int, noise: float, rng: np.random.Generator):
    """1-D curve fitting: x uniform in [-6, 6], target sin(x) plus gaussian noise of sd ``noise``."""
    x = np.sort(rng.uniform(-RADIUS, RADIUS, size=n))[:, None]
    y = np.sin(x) + rng.normal(0, 1, size=(n, 1)) * noise
    return x, y


# --------------------------------------------------------------------------- data files

MAGIC = b"NNPYDATA 1\n"
MAX_HEADER = 4096                  # bytes in the JSON header line
MAX_PIXELS = 64_000_000            # refuse files that would expand past this (all of MNIST is 55M)


class DataFileError(ValueError):
    """A data file exists but is not a valid ``NNPYDATA 1`` file."""


class DataFileMissing(FileNotFoundError):
    """A data file is not there: it is made by ``python build.py data``."""


def data_dir() -> Path:
    """Where data files are looked up: ``$NNPY_DATA_DIR`` if set, else ``nnpy/data/``."""
    env = os.environ.get("NNPY_DATA_DIR")
    return Path(env) if env else Path(__file__).resolve().parent / "data"


def data_path(name: str) -> Path:
    """The file a named image dataset is read from, e.g. ``nnpy/data/digits.bin.gz``."""
    return data_dir() / f"{name}.bin.gz"


def _read_exact(stream, size: int, what: str) -> bytes:
    data = stream.read(size)
    if len(data) != size:
        raise DataFileError(f"truncated data file: expected {size} bytes of {what}, got {len(data)}")
    return data


def parse_datafile(raw, expect_name: str | None = None):
    """Decode a ``NNPYDATA 1`` file (gzip bytes or a binary stream) without trusting it.

    Returns ``(header: dict, pixels: uint8 (count, *shape), labels: uint8 (count,))``.
    The magic, the header's fields and every size are checked before anything large is read.
    """
    stream = gzip.GzipFile(fileobj=io.BytesIO(raw) if isinstance(raw, (bytes, bytearray, memoryview)) else raw)
    try:
        if stream.read(len(MAGIC)) != MAGIC:
            raise DataFileError("not an nnpy data file: it does not start with 'NNPYDATA 1'")
        line = stream.readline(MAX_HEADER + 1)
        if not line.endswith(b"\n") or len(line) > MAX_HEADER:
            raise DataFileError("data file header line is missing or longer than 4096 bytes")
        header = _check_header(line, expect_name)
        count, shape = header["count"], tuple(header["shape"])
        n_pixels = count * int(np.prod(shape))
        pixels = np.frombuffer(_read_exact(stream, n_pixels, "pixels"), np.uint8).reshape((count, *shape))
        labels = np.frombuffer(_read_exact(stream, count, "labels"), np.uint8)
        if stream.read(1):
            raise DataFileError(f"data file has bytes after its {count} labels")
    except (OSError, EOFError, gzip.BadGzipFile) as err:  # bad gzip stream, CRC mismatch, truncation
        raise DataFileError(f"data file is not valid gzip: {err}") from None
    if pixels.max(initial=0) > header["scale"]:
        raise DataFileError(f"pixel value {pixels.max()} exceeds the header's scale {header['scale']}")
    return header, pixels, labels


def _reject_constant(token):
    raise DataFileError(f"data file header contains {token}, which is not valid JSON")


def _check_header(line: bytes, expect_name):
    try:
        header = json.loads(line.decode("utf-8"), parse_constant=_reject_constant)
    except (UnicodeDecodeError, json.JSONDecodeError) as err:
        raise DataFileError(f"data file header is not JSON: {err}") from None
    if not isinstance(header, dict):
        raise DataFileError("data file header must be a JSON object")
    for key in ("name", "count", "shape", "scale"):
        if key not in header:
            raise DataFileError(f"data file header lacks {key!r}")
    name, count, shape, scale = header["name"], header["count"], header["shape"], header["scale"]
    if expect_name is not None and name != expect_name:
        raise DataFileError(f"data file holds {name!r}, expected {expect_name!r}")
    if type(count) is not int or not 1 <= count <= 10_000_000:
        raise DataFileError(f"data file header 'count' must be an int in 1..10000000, got {count!r}")
    if (not isinstance(shape, list) or not 1 <= len(shape) <= 3
            or any(type(s) is not int or not 1 <= s <= 4096 for s in shape)):
        raise DataFileError(f"data file header 'shape' must be 1-3 ints in 1..4096, got {shape!r}")
    if type(scale) is not int or not 1 <= scale <= 255:
        raise DataFileError(f"data file header 'scale' must be an int in 1..255, got {scale!r}")
    if count * int(np.prod(shape)) > MAX_PIXELS:
        raise DataFileError(f"data file claims {count} x {shape} pixels, more than {MAX_PIXELS}")
    return header


_CACHE: dict = {}


def read_datafile(name: str):
    """``parse_datafile`` on ``data_path(name)``, cached by the file's content hash.

    Raises ``DataFileMissing`` naming ``python build.py data`` when the file is absent.
    """
    path = data_path(name)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise DataFileMissing(
            f"data file {path} is missing: run `python build.py data` to prepare the {name!r} dataset"
        ) from None
    key = (str(path), hashlib.sha256(raw).hexdigest())
    if key not in _CACHE:
        parsed = parse_datafile(raw, expect_name=name)
        _CACHE.clear()  # keep at most one file's arrays alive
        _CACHE[key] = parsed
    return _CACHE[key]


def _image_loader(name: str):
    def load_images(n, noise, rng):
        header, pixels, labels = read_datafile(name)
        index = np.arange(len(labels)) if n is None or n >= len(labels) else np.sort(
            rng.choice(len(labels), size=n, replace=False))
        x = pixels[index].reshape(len(index), -1).astype(np.float64) / header["scale"]
        n_classes = int(labels.max()) + 1
        return x, labels[index].astype(np.int64), n_classes, tuple(header["shape"])
    load_images.__doc__ = f"Images from ``nnpy/data/{name}.bin.gz`` scaled to [0, 1]; ``n`` picks a random subset."
    return load_images


# --------------------------------------------------------------------------- registry

@dataclasses.dataclass(frozen=True)
class Spec:
    """How to make one named dataset: its kind and generator ``(n, noise, rng) -> (x, y)``.

    The default size lives in ``DEFAULTS[name]["n"]`` with the other settings.
    """

    kind: str
    make: Callable
    image: bool = False
    outputs: int = 0         # classes (classification) or target width (regression); image: from file


DATASETS: dict = {
    "circle": Spec("classification", circle, outputs=2),
    "xor": Spec("classification", xor, outputs=2),
    "gaussians": Spec("classification", gaussians, outputs=2),
    "spiral": Spec("classification", spiral, outputs=2),
    "moons": Spec("classification", moons, outputs=2),
    "plane": Spec("regression", plane, outputs=1),
    "gaussian_mix": Spec("regression", gaussian_mix, outputs=1),
    "sine": Spec("regression", sine, outputs=1),
    "digits": Spec("classification", _image_loader("digits"), image=True),
    "mnist": Spec("classification", _image_loader("mnist"), image=True),
}

_TOY_CLASSIFY = dict(n=500, noise=0.0, test_ratio=0.5, features=["x1", "x2"], hidden=[8, 8],
                     activation="tanh", loss="cross_entropy", init="glorot", optimizer="adam",
                     learning_rate=0.03, batch_size=10, regularization="none", reg_rate=0.0, epochs=40)
_TOY_REGRESS = dict(_TOY_CLASSIFY, n=1200, loss="mse", learning_rate=0.01)

# Training settings each dataset starts from (the page and the CLI). `epochs` is what the CLI runs
# when not told otherwise; tests/test_learning.py checks the accuracy these reach.
DEFAULTS: dict = {
    "circle": dict(_TOY_CLASSIFY),
    "xor": dict(_TOY_CLASSIFY),
    "gaussians": dict(_TOY_CLASSIFY, hidden=[4], epochs=10),
    # 250 training points are too few for two bare coordinates to pin down the spiral's centre
    # reliably; 1000 points (500 to train on) and a wider ReLU net get there in 60 epochs.
    "spiral": dict(_TOY_CLASSIFY, n=1000, hidden=[32, 32], activation="relu", init="he",
                   learning_rate=0.01, epochs=60),
    "moons": dict(_TOY_CLASSIFY),
    "plane": dict(_TOY_REGRESS, hidden=[4], epochs=20),
    "gaussian_mix": dict(_TOY_REGRESS, hidden=[16, 16], epochs=100),
    "sine": dict(_TOY_REGRESS, n=400, features=["x1"], hidden=[16, 16], epochs=200),
    "digits": dict(n=None, noise=0.0, test_ratio=0.25, features=None, hidden=[32, 16], activation="relu",
                   loss="cross_entropy", init="he", optimizer="adam", learning_rate=0.003, batch_size=32,
                   regularization="l2", reg_rate=1e-4, epochs=30),
    "mnist": dict(n=10_000, noise=0.0, test_ratio=0.2, features=None, hidden=[64], activation="relu",
                  loss="cross_entropy", init="he", optimizer="adam", learning_rate=0.002, batch_size=64,
                  regularization="none", reg_rate=0.0, epochs=5),
}


def names() -> list:
    """Registered dataset names, in registry order."""
    return list(DATASETS)


def load(name: str, n: int | None = None, noise: float = 0.0, rng: np.random.Generator | None = None) -> Dataset:
    """Make (or read) the dataset called ``name`` with ``n`` examples.

    ``n=None`` uses ``DEFAULTS[name]["n"]`` (None there: every image in the file). ``noise`` in [0, 1];
    ignored by image datasets. Raises ``KeyError`` for an unknown name, ``ValueError`` for bad
    sizes, ``DataFileMissing`` when an image file has not been prepared.
    """
    if name not in DATASETS:
        raise KeyError(f"unknown dataset {name!r}; choose one of {', '.join(DATASETS)}")
    spec = DATASETS[name]
    if n is not None and (isinstance(n, bool) or int(n) != n or not 2 <= n <= 1_000_000):
        raise ValueError(f"n must be an int in 2..1000000, got {n!r}")
    noise = float(noise)
    if not 0.0 <= noise <= 1.0:
        raise ValueError(f"noise must be in [0, 1], got {noise}")
    rng = np.random.default_rng(0) if rng is None else rng
    n = DEFAULTS[name]["n"] if n is None else int(n)
    if spec.image:
        x, y, n_classes, shape = spec.make(n, noise, rng)
        feature_names = tuple(f"p{'_'.join(map(str, ix))}" for ix in np.ndindex(*shape))
        return Dataset(name, x, y, "classification", n_classes, shape, feature_names)
    x, y = spec.make(n, noise, rng)
    x = np.ascontiguousarray(x, dtype=np.float64)
    feature_names = ("x1", "x2") if x.shape[1] == 2 else ("x1",)
    if spec.kind == "classification":
        return Dataset(name, x, y.astype(np.int64), spec.kind, spec.outputs, (x.shape[1],), feature_names)
    return Dataset(name, x, y.astype(np.float64), spec.kind, 0, (x.shape[1],), feature_names)


def split(dataset: Dataset, test_ratio: float, rng: np.random.Generator):
    """Shuffle and cut into ``(train, test)``; ``test_ratio`` in (0, 1), both parts non-empty.

    Not stratified: with tiny data a class can be missing from one side.
    """
    return split_in_order(dataset, test_ratio, rng.permutation)


def split_in_order(dataset: Dataset, test_ratio: float, order: Callable[[int], np.ndarray]):
    """``(train, test)``: the first ``round(N * test_ratio)`` indices of ``order(N)`` are the test part
    (at least 1 on each side). ``split`` orders at random; ``customdata.split`` by each point's hash."""
    if not 0.0 < test_ratio < 1.0:
        raise ValueError(f"test_ratio must be strictly between 0 and 1, got {test_ratio}")
    n = len(dataset)
    if n < 2:
        raise ValueError("need at least 2 points (examples) to split")
    n_test = min(max(int(round(n * test_ratio)), 1), n - 1)
    order = order(n)
    return dataset.subset(np.sort(order[n_test:])), dataset.subset(np.sort(order[:n_test]))
