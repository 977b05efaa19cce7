"""The one matrix product the layers use, and the choice of how to compute it.

numpy built with BLAS (every desktop wheel) is fastest with ``@``.  numpy
built without BLAS (Pyodide's wasm wheel) falls back to a slow loop for
``@``, and there ``einsum("ij,jk->ik")`` was measured 2.4x faster, while
natively einsum is ~8x slower than ``@``.  So the kernel is chosen once, at
import, from numpy's own build record, and can be overridden::

    nnpy.linalg.use("einsum")   # or "blas" / "matmul", or "auto" to detect again
"""

import numpy as np


# Below this many multiply-adds, einsum's fixed cost (parsing its subscripts) outweighs its faster
# loop: measured in Pyodide 0.27.7, einsum won from about 64x32x32 up (3.3x at 64x784x128) and lost
# below it (1.8x slower at 32x16x10).
EINSUM_MIN_WORK = 64 * 32 * 32


def _einsum_matmul(a, b, out=None):
    """(n, k) x (k, m) -> (n, m) through einsum's own loops (no BLAS); small products use @."""
    if a.shape[0] * a.shape[1] * b.shape[1] < EINSUM_MIN_WORK:
        return np.matmul(a, b, out=out)
    return np.einsum("ij,jk->ik", a, b, out=out)


# Each kernel: kernel(a, b, out=None) -> a @ b, written into ``out`` when given.
KERNELS = {
    "blas": np.dot,          # BLAS gemm when numpy has BLAS (a hair faster than @ on small arrays)
    "matmul": np.matmul,     # the @ operator itself
    "einsum": _einsum_matmul,
}


def has_blas():
    """True when this numpy was built against a BLAS library.

    numpy >= 2.0 records its meson build in ``np.__config__.CONFIG``; a build
    without BLAS has no ``found`` entry (or ``found: False``) for "blas".
    """
    config = getattr(np.__config__, "CONFIG", None)
    if not isinstance(config, dict):
        return True   # no build record (numpy < 2): assume an ordinary desktop numpy
    blas = config.get("Build Dependencies", {}).get("blas", {})
    found = blas.get("found", False)
    if isinstance(found, str):
        found = found.strip().lower() not in ("", "false", "0", "no")
    name = str(blas.get("name", "")).strip().lower()
    return bool(found) and name not in ("", "none")


def detect():
    """The kernel name that suits this numpy: "blas" or "einsum"."""
    return "blas" if has_blas() else "einsum"


kernel = None     # name of the kernel in use
matmul = None     # the function in use: matmul(a, b) == a @ b; matmul(a, b, out) writes into out


def use(name):
    """Select the matmul kernel: "blas", "matmul", "einsum", or "auto" (detect)."""
    global kernel, matmul
    if name == "auto":
        name = detect()
    try:
        fn = KERNELS[name]
    except (KeyError, TypeError):
        raise ValueError(
            f"unknown matmul kernel {name!r}; valid choices: auto, {', '.join(KERNELS)}"
        ) from None
    kernel, matmul = name, fn
    return name


use("auto")
