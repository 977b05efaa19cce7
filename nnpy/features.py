"""Input features for 2-D data, as TensorFlow Playground offers them.

Why: a network with no hidden layer can still separate a circle if it is handed ``x1^2`` and
``x2^2``; choosing features is part of what the playground teaches. Each feature is a named
function of the two raw coordinates, looked up in an explicit registry::

    z = expand(x, ["x1", "x2", "x1^2", "x2^2"])      # x: (N, 2) -> z: (N, 4)
"""

from __future__ import annotations

import numpy as np

__all__ = ["FEATURES", "names", "expand", "check_names"]

# name -> function of (x1, x2), each a (N,) array
FEATURES: dict = {
    "x1": lambda x1, x2: x1,
    "x2": lambda x1, x2: x2,
    "x1^2": lambda x1, x2: x1 * x1,
    "x2^2": lambda x1, x2: x2 * x2,
    "x1*x2": lambda x1, x2: x1 * x2,
    "sin(x1)": lambda x1, x2: np.sin(x1),
    "sin(x2)": lambda x1, x2: np.sin(x2),
    "cos(x1)": lambda x1, x2: np.cos(x1),
    "cos(x2)": lambda x1, x2: np.cos(x2),
}

# short spellings accepted on the command line and in URLs
ALIASES = {"x1sq": "x1^2", "x2sq": "x2^2", "x1x2": "x1*x2", "sinx1": "sin(x1)", "sinx2": "sin(x2)",
           "cosx1": "cos(x1)", "cosx2": "cos(x2)"}


def names() -> list:
    """All feature names, in the playground's order."""
    return list(FEATURES)


def check_names(feature_names, n_inputs: int = 2) -> list:
    """Canonical names for ``feature_names`` (aliases resolved); ValueError on unknown/duplicate/empty.

    With 1-D data (``n_inputs=1``) only ``x1``-based features are allowed.
    """
    out = [ALIASES.get(name, name) for name in feature_names]
    unknown = [name for name in out if name not in FEATURES]
    if unknown:
        raise ValueError(f"unknown feature {unknown[0]!r}; choose from {', '.join(FEATURES)}")
    if not out:
        raise ValueError("choose at least one input feature")
    if len(set(out)) != len(out):
        raise ValueError(f"duplicate input features in {out}")
    if n_inputs == 1 and any("x2" in name for name in out):
        raise ValueError(f"1-D data has no x2: choose from {', '.join(n for n in FEATURES if 'x2' not in n)}")
    return out


def expand(x: np.ndarray, feature_names) -> np.ndarray:
    """Columns ``feature_names`` computed from ``x: (N, 2)`` (or ``(N, 1)``) -> float64 ``(N, len(names))``."""
    x = np.asarray(x, dtype=np.float64)
    if x.ndim != 2 or x.shape[1] not in (1, 2):
        raise ValueError(f"features apply to (N, 2) or (N, 1) inputs, got shape {x.shape}")
    feature_names = check_names(feature_names, x.shape[1])
    x1 = x[:, 0]
    x2 = x[:, 1] if x.shape[1] == 2 else None
    return np.stack([FEATURES[name](x1, x2) for name in feature_names], axis=1)
