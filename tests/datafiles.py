"""Write ``NNPYDATA 1`` data files from synthetic images, so the reader is tested without build.py.

The format is docs/ARCHITECTURE.md's: gzip of ``NNPYDATA 1\\n``, one JSON header line, ``count *
prod(shape)`` uint8 pixels, then ``count`` uint8 labels.
"""

import gzip
import json

import numpy as np


def encode(name, pixels, labels, scale, header_extra=None, magic=b"NNPYDATA 1\n", trailer=b""):
    """Bytes of a data file: ``pixels: uint8 (count, *shape)``, ``labels: uint8 (count,)``."""
    pixels = np.asarray(pixels, np.uint8)
    labels = np.asarray(labels, np.uint8)
    header = {"name": name, "count": int(len(labels)), "shape": list(pixels.shape[1:]), "scale": scale,
              "source": "synthetic (tests/datafiles.py)", "license": "CC0-1.0"}
    header.update(header_extra or {})
    raw = magic + json.dumps(header).encode() + b"\n" + pixels.tobytes() + labels.tobytes() + trailer
    return gzip.compress(raw, mtime=0)


def synthetic_digits(count=200, shape=(8, 8), scale=16, seed=0):
    """``count`` noisy class templates: class k lights up row/column k (mod side) — learnable, fake."""
    rng = np.random.default_rng(seed)
    labels = np.arange(count) % 10
    side = shape[0]
    pixels = rng.integers(0, scale // 4 + 1, size=(count, *shape))
    for k in range(10):
        pixels[labels == k, k % side, :] = scale
        pixels[labels == k, :, (3 * k) % side] = scale
    return pixels.astype(np.uint8), labels.astype(np.uint8)


def write(path, name, count=200, shape=(8, 8), scale=16, seed=0, **kwargs):
    """Write a synthetic data file to ``path``; returns ``(pixels, labels)`` written."""
    pixels, labels = synthetic_digits(count, shape, scale, seed)
    path.write_bytes(encode(name, pixels, labels, scale, **kwargs))
    return pixels, labels
