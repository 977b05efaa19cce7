"""A hand-drawn digit, prepared the way the training digits were.

A drawing pad gives an ink picture of any size (``ink: (H, W)``, 0 = paper, 1 = full ink). A network
trained on ``digits`` or ``mnist`` only recognises a drawing once it looks like that data: the same
size, position, thickness and value range. The two datasets were prepared differently, so each has
its own recipe:

* **MNIST** (28x28, values in [0, 1]): the ink's bounding box is scaled to fit a 20x20 box keeping
  its aspect ratio, with anti-aliasing (grey edges), then placed in the 28x28 field so that its
  centre of mass falls on the centre pixel (LeCun et al.'s recipe).
* **digits** (8x8, scikit-learn's copy of the UCI "optdigits"): the NIST programs normalised each
  digit into a 32x32 black-and-white bitmap (ink fitted to the box), then counted the ink pixels in
  each 4x4 block, giving 0..16 per cell; ``nnpy.datasets`` divides by the file's scale, 16. The
  forms were written with thick pens, so a thin pad stroke is thickened to match.

``prepare(ink, name)`` returns the flat input row ``(prod(shape),)`` float64, or ``None`` for an
empty pad: there is nothing to recognise, and the caller says so instead of guessing.
"""

from __future__ import annotations

import numpy as np

__all__ = ["prepare", "ink_box", "resample", "to_mnist", "to_digits", "SHAPES", "DIGITS_SCALE"]

SHAPES = {"digits": (8, 8), "mnist": (28, 28)}
DIGITS_SCALE = 16       # 4x4 blocks of on/off pixels: 0..16 per cell, divided as nnpy.datasets does
DIGITS_STROKE = 6       # pen width (pixels of the 32x32 bitmap) of the NIST forms: their 1s fill ~2 cells
MIN_INK = 0.5           # total ink (in full pixels) below which a pad counts as empty
TRACE = 0.05            # a pixel with less ink than this does not widen the bounding box


def ink_box(ink: np.ndarray, threshold: float = TRACE):
    """``(top, bottom, left, right)`` (bottom/right exclusive) of the pixels above ``threshold``,
    or None when there are none."""
    rows = np.flatnonzero(ink.max(axis=1) > threshold)
    cols = np.flatnonzero(ink.max(axis=0) > threshold)
    if rows.size == 0:
        return None
    return int(rows[0]), int(rows[-1]) + 1, int(cols[0]), int(cols[-1]) + 1


def _area_weights(n_in: int, n_out: int) -> np.ndarray:
    """(n_out, n_in): how much of input cell j falls in output cell i, rows summing to 1."""
    edges_out = np.linspace(0.0, n_in, n_out + 1)
    lo = np.maximum(edges_out[:-1, None], np.arange(n_in)[None, :])
    hi = np.minimum(edges_out[1:, None], np.arange(1, n_in + 1)[None, :])
    overlap = np.clip(hi - lo, 0.0, None)
    return overlap / overlap.sum(axis=1, keepdims=True)


def resample(image: np.ndarray, height: int, width: int) -> np.ndarray:
    """Area-average ``image`` to ``(height, width)``: every output pixel is the mean ink of the
    input area it covers, so shrinking anti-aliases and the total ink per area is kept."""
    rows = _area_weights(image.shape[0], height)
    cols = _area_weights(image.shape[1], width)
    return rows @ image @ cols.T


def _crop_fitted(ink: np.ndarray, box_size: int) -> np.ndarray | None:
    """The ink's bounding box, scaled (aspect kept) so its longer side is ``box_size``."""
    box = ink_box(ink)
    if box is None or ink.sum() < MIN_INK:
        return None
    top, bottom, left, right = box
    crop = ink[top:bottom, left:right]
    scale = box_size / max(crop.shape)
    height = max(1, min(box_size, int(round(crop.shape[0] * scale))))
    width = max(1, min(box_size, int(round(crop.shape[1] * scale))))
    return resample(crop, height, width)


def to_mnist(ink: np.ndarray) -> np.ndarray | None:
    """(28, 28) in [0, 1]: fitted to 20x20, centre of mass on pixel (14, 14); None if empty."""
    digit = _crop_fitted(ink, 20)
    if digit is None:
        return None
    ys, xs = np.indices(digit.shape)
    mass = digit.sum()
    cy, cx = (ys * digit).sum() / mass, (xs * digit).sum() / mass
    top = int(np.clip(round(14 - cy), 0, 28 - digit.shape[0]))
    left = int(np.clip(round(14 - cx), 0, 28 - digit.shape[1]))
    out = np.zeros((28, 28))
    out[top:top + digit.shape[0], left:left + digit.shape[1]] = digit
    return np.clip(out, 0.0, 1.0)


def to_digits(ink: np.ndarray) -> np.ndarray | None:
    """(8, 8) in {0, 1/16, ..., 1}: a 32x32 on/off bitmap with the ink fitted to the box
    (aspect kept, centred by mass across), then the ink pixels of each 4x4 block counted; None if empty."""
    digit = _crop_fitted(ink, 32)
    if digit is None:
        return None
    bitmap = np.zeros((32, 32))
    # centred in the box, then moved across so the centre of mass is in the middle: a pad's 1 with
    # a long flag would otherwise sit right of centre, where the forms' 1s never are
    top = (32 - digit.shape[0]) // 2
    cx = (np.arange(digit.shape[1]) * digit.sum(axis=0)).sum() / digit.sum()
    left = int(np.clip(round(15.5 - cx), 0, 32 - digit.shape[1]))
    bitmap[top:top + digit.shape[0], left:left + digit.shape[1]] = digit >= 0.5
    # a pad's pen is thinner than the forms' pens once the ink is fitted to 32x32: thicken it
    for _ in range(max(0, round((DIGITS_STROKE - stroke_width(bitmap)) / 2))):
        bitmap = _grow(bitmap)
    counts = bitmap.reshape(8, 4, 8, 4).sum(axis=(1, 3))
    return counts / DIGITS_SCALE


def _shrink(bitmap: np.ndarray) -> np.ndarray:
    """Binary erosion by a 3x3 cross: a pixel stays on when its four neighbours are on."""
    padded = np.pad(bitmap, 1)
    return bitmap * padded[:-2, 1:-1] * padded[2:, 1:-1] * padded[1:-1, :-2] * padded[1:-1, 2:]


def _grow(bitmap: np.ndarray) -> np.ndarray:
    """Binary dilation by a 3x3 square: the stroke gets one pixel wider on every side."""
    padded = np.pad(bitmap, 1)
    h, w = bitmap.shape
    return np.max([padded[i:i + h, j:j + w] for i in range(3) for j in range(3)], axis=0)


def stroke_width(bitmap: np.ndarray) -> int:
    """About how many pixels wide the strokes of an on/off picture are: erosions that leave most
    (90%) of the ink's area gone, times two, minus one."""
    area = bitmap.sum()
    steps = 0
    while bitmap.sum() > 0.1 * area:
        bitmap = _shrink(bitmap)
        steps += 1
    return max(1, 2 * steps - 1)


RECIPES = {"digits": to_digits, "mnist": to_mnist}


def prepare(ink, name: str) -> np.ndarray | None:
    """The drawing as one flat input row for dataset ``name`` (float64), or None for an empty pad.

    ``ink``: (H, W) array-like in [0, 1] (uint8 0..255 is accepted and scaled). Raises ValueError
    for a dataset without a recipe or a picture that is not 2-D, finite and at least 8x8.
    """
    if name not in RECIPES:
        raise ValueError(f"no drawing recipe for dataset {name!r}; choose one of {', '.join(RECIPES)}")
    ink = np.asarray(ink)
    if ink.dtype == np.uint8:
        ink = ink / 255.0
    ink = ink.astype(np.float64)
    if ink.ndim != 2 or min(ink.shape) < 8:
        raise ValueError(f"a drawing must be a 2-D picture of at least 8x8 pixels, got shape {ink.shape}")
    if not np.all(np.isfinite(ink)):
        raise ValueError("a drawing must hold finite ink values")
    image = RECIPES[name](np.clip(ink, 0.0, 1.0))
    return None if image is None else image.ravel()
