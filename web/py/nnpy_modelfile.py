"""Export and import the page's model as nnpy's ``.npz`` model file (``nnpy.serialization``).

Pure Python + nnpy (no ``js``), so CPython tests drive it exactly as the page does; ``app.py``
wraps it for JavaScript.

    data = export_model(session)               # bytes, loadable by ``python -m nnpy evaluate``
    name = filename(session)                   # "nnpy-spiral-step1200.npz"
    result = import_model(session, data)       # {"meta", "changes", "notices", ...} or {"error"}
                                               # (or {"need": "mnist"}: fetch that data file first)

A model file may come from anyone. ``import_model`` reads it with ``serialization.read_bytes``
(no pickles, headers checked before allocating, strict JSON), checks that the network fits the
dataset it names and the page's limits, and only then swaps it in — as one transaction: any
failure leaves the session exactly as it was (same network object, weights, step and status).
"""

from __future__ import annotations

import math

import numpy as np

from nnpy import datasets, features, serialization, training
from nnpy.serialization import ModelFileError

# The page's limits (web/js/params.js: hidden layers and neurons the address may ask for).
MAX_PAGE_HIDDEN = 6
MAX_PAGE_NEURONS = 64
MAX_PAGE_BYTES = 16 * 1024 * 1024     # the biggest page model (MNIST, 6 x 64) is ~0.6 MB
MAX_STEP = 10**12

# Settings a model file may carry (extra.settings), the page's rule for each: (kind, low, high).
# Numbers outside the range are clamped, with a notice; a wrong type refuses the file.
SETTINGS = {
    "learning_rate": ("float", 1e-6, 10.0),
    "batch_size": ("int", 1, 512),
    "reg_rate": ("float", 0.0, 1.0),
    "noise": ("float", 0.0, 0.5),
    "test_ratio": ("float", 0.1, 0.9),
    "optimizer": ("enum", ("sgd", "momentum", "adam")),
    "regularization": ("enum", ("none", "l1", "l2")),
    "features": ("features",),
}
IMAGE_DATASETS = ("digits", "mnist")     # read from data files (MNIST's is fetched on demand)
URL_FEATURES = {canonical: alias for alias, canonical in features.ALIASES.items()}


def filename(session) -> str:
    """The download's name: ``nnpy-<dataset>-step<k>.npz``."""
    return f"nnpy-{session.config['dataset']}-step{int(session.step)}.npz"


def export_model(session) -> bytes:
    """The session's network and the settings that reproduce its data, as model-file bytes.

    ``extra`` holds what ``python -m nnpy evaluate`` reads (dataset, seed, settings) plus the
    step, so an import continues the count.
    """
    cfg = session.config
    settings = {key: cfg[key] for key in training.SETTINGS if cfg.get(key) is not None and key != "n"}
    if session.features:
        settings["features"] = list(session.features)
    extra = {"dataset": cfg["dataset"], "seed": int(cfg["seed"]), "step": int(session.step),
             "epoch": int(session.epoch), "settings": _plain(settings), "source": "nnpy page"}
    return serialization.save_bytes(session.net, extra=extra)


def import_model(session, data: bytes) -> dict:
    """Adopt the model in ``data``: ``{"meta", "changes", "notices", "dataset", "step"}``,
    or ``{"error": message}`` with the session untouched."""
    try:
        if len(data) == 0:
            raise ModelFileError("the file is empty")
        if len(data) > MAX_PAGE_BYTES:
            raise ModelFileError(f"the file is {len(data) / 2**20:.1f} MB; the page takes model files "
                                 f"up to {MAX_PAGE_BYTES // 2**20} MB")
        model = serialization.read_bytes(data)
        changes, notices, step = _changes_for(model, session)
    except (ModelFileError, ValueError) as err:
        return {"error": str(err)}
    if changes["dataset"] in IMAGE_DATASETS and not datasets.data_path(changes["dataset"]).exists():
        return {"need": changes["dataset"]}    # the page fetches the data file, then asks again
    before = dict(session.__dict__)
    try:
        session.net = None            # always build a new network: never write into the current one
        meta = session.configure(changes)
        if session.net.sizes != model.network.sizes:
            raise ModelFileError(_mismatch(model.network.sizes, session.net.sizes, changes))
        for mine, theirs in zip(session.net.params, model.network.params):
            mine["W"][...] = theirs["W"]
            mine["b"][...] = theirs["b"]
        session.step, session.eval_step = step, step
        with np.errstate(all="ignore"):    # overflowing weights are reported below, not warned about
            session._evaluate()
            if not math.isfinite(session.test_loss):
                raise ModelFileError("the model's outputs are not finite numbers on this data")
            session.meta = {}
            try:
                session._pack()
            except FloatingPointError as err:
                raise ModelFileError(f"the model's numbers are too large to show: {err}") from None
        session._write_figures()
        meta = session.meta
    except Exception as err:          # noqa: BLE001 — anything at all: restore, then report
        session.__dict__.clear()
        session.__dict__.update(before)
        if isinstance(err, (ModelFileError, ValueError, FloatingPointError, ArithmeticError)):
            return {"error": str(err)}
        raise
    return {"meta": meta, "changes": _url_form(changes), "notices": notices,
            "dataset": changes["dataset"], "step": step}


def _changes_for(model, session) -> tuple[dict, list, int]:
    """The Session.configure changes that rebuild the model's setting, the notices, and the step."""
    net, extra = model.network, model.extra
    hidden = list(net.sizes[1:-1])
    if len(hidden) > MAX_PAGE_HIDDEN or any(n > MAX_PAGE_NEURONS for n in hidden):
        raise ModelFileError(f"the page shows up to {MAX_PAGE_HIDDEN} hidden layers of up to "
                             f"{MAX_PAGE_NEURONS} neurons; this model's hidden layers are {hidden}")
    dataset = extra.get("dataset", session.config.get("dataset"))
    if not isinstance(dataset, str) or dataset not in datasets.DEFAULTS:
        raise ModelFileError(f"the model names an unknown dataset {_show(dataset)}")
    seed = extra.get("seed", 0)
    if not _is_int(seed) or not 0 <= seed <= 2**31 - 1:
        raise ModelFileError(f"seed must be a whole number in 0..{2**31 - 1}, got {_show(seed)}")
    step = extra.get("step", 0)
    if not _is_int(step) or not 0 <= step <= MAX_STEP:
        raise ModelFileError(f"step must be a whole number in 0..{MAX_STEP}, got {_show(step)}")
    saved = extra.get("settings", {})
    if not isinstance(saved, dict):
        raise ModelFileError("settings must be an object")
    notices = []
    changes = {"dataset": dataset, "seed": int(seed), "hidden": hidden, "activation": net.activation.name,
               "loss": net.criterion.name, "init": net.init_name}
    for key, rule in SETTINGS.items():
        if key in saved:
            changes[key] = _setting(key, rule, saved[key], notices)
    return changes, notices, int(step)


def _setting(key, rule, value, notices):
    kind = rule[0]
    if kind in ("float", "int"):
        if not _is_number(value) or (kind == "int" and not _is_int(value)):
            raise ModelFileError(f"settings.{key} must be a {'whole ' if kind == 'int' else ''}number, "
                                 f"got {_show(value)}")
        low, high = rule[1], rule[2]
        if not low <= value <= high:
            clamped = min(high, max(low, value))
            notices.append(f"{key} {value} is outside {low:g}–{high:g}; using {clamped:g}")
            value = clamped
        return float(value) if kind == "float" else int(value)
    if kind == "enum":
        if value not in rule[1]:
            raise ModelFileError(f"settings.{key} must be one of {', '.join(rule[1])}, got {_show(value)}")
        return value
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value) or len(value) > 9:
        raise ModelFileError("settings.features must be a list of feature names")
    try:
        return features.check_names(value)
    except ValueError as err:
        raise ModelFileError(f"settings.features: {err}") from None


def _mismatch(model_sizes, data_sizes, changes) -> str:
    dataset = changes["dataset"]
    if model_sizes[0] != data_sizes[0]:
        return (f"the model takes {model_sizes[0]} inputs, but {dataset} gives {data_sizes[0]}"
                f"{' with these features' if changes.get('features') else ''}")
    return f"the model has {model_sizes[-1]} outputs, but {dataset} needs {data_sizes[-1]}"


def _url_form(changes: dict) -> dict:
    """The changes as the page's address writes them (feature aliases such as x1sq)."""
    out = dict(changes)
    if out.get("features"):
        out["features"] = [URL_FEATURES.get(name, name) for name in out["features"]]
    return out


def _show(value) -> str:
    """A value from the file, quoted if text, cut short: for messages."""
    text = repr(value) if isinstance(value, str) else str(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _is_number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def _is_int(value) -> bool:
    return _is_number(value) and float(value).is_integer()


def _plain(value):
    """JSON-able Python (numpy scalars become Python numbers)."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, np.generic):
        return value.item()
    return value
