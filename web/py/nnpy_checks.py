"""A few of nnpy's own checks, runnable inside the page (Pyodide) and under CPython alike.

The browser test calls ``run({...})`` through the page's bridge and compares the answer with the
same call made natively: same seed, same data, same steps -> the same weights, bit for bit when
both sides use the same matmul kernel (``nnpy.linalg.use``).

    run({"checks": ["gradient", "seeded"], "steps": 50, "seed": 0, "kernel": "einsum"})
"""

from __future__ import annotations

import base64
import hashlib
import importlib.util
import platform
import sys

import numpy as np

import nnpy
from nnpy import datasets


def _portable_matmul(a, b, out=None):
    """(n, k) x (k, m) -> (n, m) with one fixed order of operations on every platform.

    Exact elementwise products, then a sum over k done row by row (a reduction over a
    non-contiguous axis is a chain of elementwise adds): no SIMD- or BLAS-dependent blocking,
    so CPython and Pyodide get the same bits. Slow and memory-hungry (n*k*m temporaries):
    for checks, not for training.
    """
    product = (a[:, :, None] * b[None, :, :]).sum(axis=1)
    if out is None:
        return product
    out[...] = product
    return out


# Registered here, for the checks only, so the engine's kernel choice stays nnpy's own.
nnpy.linalg.KERNELS.setdefault("portable", _portable_matmul)


def gradient_check(seed: int = 0, eps: float = 1e-6) -> dict:
    """Backprop against central finite differences, float64, on a small tanh network."""
    rng = np.random.default_rng(seed)
    net = nnpy.Network(sizes=[5, 4, 3], activation="tanh", loss="cross_entropy", init="glorot", rng=rng)
    x = rng.normal(size=(6, 5))
    y = rng.integers(0, 3, size=6)
    grads = net.backward(net.forward(x), y)
    worst = 0.0
    count = 0
    for layer, grad in zip(net.params, grads):
        for key in sorted(layer):
            p = layer[key]
            flat = p.reshape(-1)
            g = np.asarray(grad[key]).reshape(-1)
            for i in range(flat.size):
                old = flat[i]
                flat[i] = old + eps
                up = net.loss(net.forward(x), y)
                flat[i] = old - eps
                down = net.loss(net.forward(x), y)
                flat[i] = old
                numeric = (up - down) / (2 * eps)
                denom = max(1e-8, abs(numeric) + abs(g[i]))
                worst = max(worst, abs(numeric - g[i]) / denom)
                count += 1
    return {"max_relative_error": worst, "parameters": count}


def seeded_run(steps: int = 50, seed: int = 0, dataset: str = "digits") -> dict:
    """``steps`` Adam steps on ``dataset`` with its page defaults; the weights, exactly."""
    cfg = datasets.DEFAULTS[dataset]
    data = datasets.load(dataset, rng=np.random.default_rng(0))
    train, _ = datasets.split(data, cfg["test_ratio"], rng=np.random.default_rng(1))
    rng = np.random.default_rng(seed)
    sizes = [train.x.shape[1], *cfg["hidden"], data.n_outputs]
    net = nnpy.Network(sizes=sizes, activation=cfg["activation"], loss=cfg["loss"], init=cfg["init"], rng=rng)
    opt = nnpy.optimizers.make(cfg["optimizer"], learning_rate=cfg["learning_rate"])
    reg = nnpy.regularizers.make(cfg["regularization"], rate=cfg["reg_rate"])
    batch = cfg["batch_size"]
    losses = []
    for step in range(steps):
        index = rng.integers(0, len(train.x), size=batch)
        losses.append(nnpy.train_step(net, opt, train.x[index], train.y[index], regularizer=reg))
    params = net.params.flat  # every W and b, layer by layer, as the network itself keeps them
    raw = params.astype("<f8").tobytes()
    return {
        "steps": steps, "seed": seed, "dataset": dataset, "sizes": sizes,
        "losses": losses, "sha256": hashlib.sha256(raw).hexdigest(),
        "params_b64": base64.b64encode(raw).decode("ascii"), "count": int(params.size),
    }


def bytecode() -> dict:
    """Which loaded nnpy modules run from the bytecode the build shipped (build.pyodide_bytecode): their
    .pyc is unchecked-hash (PEP 552) with this interpreter's magic. Python would have compiled the source
    and written a timestamped .pyc over one it could not use."""
    loaded, shipped = [], []
    for name, module in sorted(sys.modules.items()):
        if name != "nnpy" and not name.startswith(("nnpy.", "nnpy_")):
            continue
        loaded.append(name)
        try:
            with open(module.__cached__, "rb") as pyc:
                header = pyc.read(8)
        except (AttributeError, TypeError, OSError):
            continue
        if header[:4] == importlib.util.MAGIC_NUMBER and int.from_bytes(header[4:], "little") == 0b01:
            shipped.append(name)
    return {"loaded": loaded, "shipped": shipped}


def run(request: dict) -> dict:
    """Run the checks named in ``request["checks"]`` under ``request["kernel"]`` (default: as is)."""
    checks = request.get("checks", ["gradient", "seeded"])
    kernel_before = nnpy.linalg.kernel
    if request.get("kernel"):
        nnpy.linalg.use(request["kernel"])
    try:
        out = {
            "kernel": nnpy.linalg.kernel, "numpy": np.__version__,
            "python": sys.version.split()[0], "platform": platform.machine() or sys.platform,
            # where the code and the data were found (the page installs them from its wheel)
            "files": {"nnpy": nnpy.__file__, "glue": __file__, "digits": str(datasets.data_path("digits"))},
            "bytecode": bytecode(),
        }
        if "gradient" in checks:
            out["gradient"] = gradient_check(int(request.get("seed", 0)))
        if "seeded" in checks:
            out["seeded"] = seeded_run(int(request.get("steps", 50)), int(request.get("seed", 0)),
                                       str(request.get("dataset", "digits")))
        return out
    finally:
        nnpy.linalg.use(kernel_before)
