"""The page's training session: config in, packed snapshot and figures out.

Pure Python + nnpy (no ``js`` import), so CPython tests can drive it exactly as the page does.
``app.py`` wraps it for JavaScript.  One way only: the page sends a config change, the session
applies it between steps, and every call to ``train`` leaves a fresh snapshot and figures behind.

    s = Session()
    meta = s.configure({"dataset": "digits"})      # -> sizes, labels, layout, figure names ...
    status = s.train(ms=8, max_steps=0)            # "ok" | "diverged"
    buffer = s.snapshot_buffer                     # float32, layout in meta["layout"]
    figs = s.figures                               # float64, names in meta["figures"]
"""

from __future__ import annotations

import math
import time

import numpy as np

import nnpy
from nnpy import datasets, features, losses, metrics

# Figures the session reports after every call, in this order (then one value per output).
FIGURES = (
    "step",          # optimisation steps taken since the network was built
    "epoch",         # passes over the training set
    "train_loss",    # mean mini-batch loss since the previous evaluation
    "test_loss",     # loss on the whole test split at the last evaluation
    "test_accuracy",  # accuracy on the test split (NaN for regression)
    "train_accuracy",  # accuracy on (a sample of) the training split
    "evals",         # how many evaluations so far: a new chart point when it changes
    "eval_step",     # the step the last evaluation was made at
    "probe_index",   # which test example the snapshot shows
    "probe_label",   # its true class (NaN for regression)
    "probe_pred",    # the class the network gives it
    "steps_done",    # steps taken in this call
    "train_ms",      # milliseconds spent training in this call
    "diverged_step",  # the step whose loss was not finite (0: none)
    "probe_x1",      # the probe's raw coordinates (2-D data; NaN otherwise)
    "probe_x2",
)
EVAL_CHUNK = 256     # test examples evaluated per frame while training (bounded frame cost)
FIELD_SIZE = 32      # 2-D data: the network's output on a FIELD_SIZE^2 grid over the data's square
MAX_POINTS = 300     # test points sent once per dataset, for the picture of the plane
EXPLODED = 100.0     # a mini-batch loss this many times a know-nothing model's loss is divergence
FIG = {name: i for i, name in enumerate(FIGURES)}

# What the page may change; everything else comes from nnpy.datasets.DEFAULTS[dataset].
# (The names match web/js/params.js, the page's typed parameter list.)
SETTABLE = {
    "dataset": str, "learning_rate": float, "seed": int, "probe": int, "hidden": list,
    "activation": str, "optimizer": str, "batch_size": int, "regularization": str,
    "reg_rate": float, "eval_ms": float, "train_sample": int, "noise": float, "test_ratio": float,
    "loss": str, "init": str, "features": list,
}
REBUILD_KEYS = {"dataset", "seed", "hidden", "activation", "regularization", "reg_rate", "optimizer",
                "batch_size", "noise", "test_ratio", "loss", "init", "features"}


class Session:
    """One network learning one dataset, stepped in time slices."""

    def __init__(self):
        self.config: dict = {}
        self.net = None
        self.meta: dict = {}
        self.gradient_source = None   # set by nnpy_walk.color_by: fn(session, i) -> grads for gW/gb

    # ------------------------------------------------------------------ configuration

    def configure(self, changes: dict) -> dict:
        """Apply ``changes`` (keys of SETTABLE); rebuild the network if the shape of the work changed.

        Returns the meta dict the renderer needs (sizes, layout, labels, figure names...).
        """
        unknown = set(changes) - set(SETTABLE)
        if unknown:
            raise ValueError(f"unknown setting(s): {', '.join(sorted(unknown))}")
        cfg = dict(self.config)
        for key, value in changes.items():
            cfg[key] = SETTABLE[key](value)
        if "dataset" not in cfg:
            cfg["dataset"] = "digits"
        if cfg["dataset"] not in datasets.DEFAULTS:
            raise ValueError(f"unknown dataset {cfg['dataset']!r}; choose one of {', '.join(datasets.DEFAULTS)}")
        if cfg["dataset"] != self.config.get("dataset"):
            # a new dataset starts from its own defaults, keeping only what was asked now
            base = dict(datasets.DEFAULTS[cfg["dataset"]])
            base.update({k: cfg[k] for k in changes})
            base.update(dataset=cfg["dataset"], seed=cfg.get("seed", 0))
            cfg = {k: v for k, v in base.items()}
        cfg.setdefault("seed", 0)
        cfg.setdefault("probe", -1)            # -1: the page rotates through test examples
        cfg.setdefault("eval_ms", 200.0)
        cfg.setdefault("train_sample", 1000)
        rebuild = self.net is None or any(cfg.get(k) != self.config.get(k) for k in REBUILD_KEYS)
        before = dict(self.__dict__)        # a failed change leaves the session as it was
        try:
            self.config = cfg
            if rebuild:
                self._build()
            else:
                self._set_learning_rate(cfg["learning_rate"])
            self.steps_done, self.train_ms = 0, 0.0
            self.meta = {}
            # inside the transaction: a combination that builds but cannot be evaluated (mse on class
            # labels) must be refused here, not crash the next training step
            if rebuild:
                self._evaluate()
            self._pack()
            self._write_figures()
        except Exception:
            self.__dict__.clear()
            self.__dict__.update(before)
            raise
        return self.meta

    def _build(self) -> None:
        cfg = self.config
        name = cfg["dataset"]
        rng = np.random.default_rng(cfg["seed"])
        data = datasets.load(name, noise=cfg.get("noise") or 0.0, rng=np.random.default_rng(0))
        train, test = datasets.split(data, cfg["test_ratio"], rng=np.random.default_rng(1))
        chosen = cfg.get("features")
        self.features = features.check_names(chosen, data.x.shape[1]) if chosen and data.x.shape[1] <= 2 else None
        self.train_x, self.train_y = self._inputs(train.x), train.y
        self.test_x, self.test_y = self._inputs(test.x), test.y
        self.data = data
        self.classification = data.kind == "classification"
        n_out = data.n_outputs
        loss = cfg["loss"]
        if loss == "mse" and self.classification:
            raise ValueError(f"mse needs numbers to predict, and {name} has classes: use cross_entropy")
        if loss == "binary_cross_entropy" and data.n_outputs != 2:
            raise ValueError(f"binary_cross_entropy needs two classes, and {name} has "
                             f"{data.n_outputs if self.classification else 'none'}: use "
                             f"{'cross_entropy' if self.classification else 'mse'}")
        if loss == "binary_cross_entropy":
            n_out = 1
        sizes = [self.train_x.shape[1], *cfg["hidden"], n_out]
        self.net = nnpy.Network(sizes=sizes, activation=cfg["activation"], loss=loss, init=cfg["init"],
                                rng=rng)
        self.loss = losses.get(loss)
        self.optimizer = nnpy.optimizers.make(cfg["optimizer"], learning_rate=cfg["learning_rate"])
        self.regularizer = nnpy.regularizers.make(cfg["regularization"], rate=cfg["reg_rate"])
        self.rng = rng
        self.order = rng.permutation(len(self.train_x))
        self.cursor = 0
        self.step = 0
        self.epoch = 0
        self.loss_sum = 0.0
        self.loss_count = 0
        self.evals = 0
        self.eval_step = 0
        self.eval_cursor = 0
        self.eval_sums = [0.0, 0]
        self.last_eval = -math.inf
        self.test_loss = math.nan
        self.test_accuracy = math.nan
        self.train_accuracy = math.nan
        self.train_loss = math.nan
        self.diverged_step = 0
        self.probe_index = 0
        self.sizes = sizes
        self.test_raw = test.x
        self.plane = data.input_shape == (2,)
        if self.plane:
            r = datasets.RADIUS
            ticks = np.linspace(-r, r, FIELD_SIZE)
            gx, gy = np.meshgrid(ticks, ticks[::-1])          # row 0 is the top (x2 = +r)
            self.grid = self._inputs(np.column_stack([gx.ravel(), gy.ravel()]))
        self.field_buffer = np.zeros(FIELD_SIZE * FIELD_SIZE if self.plane else 0, np.float32)
        self.loss_limit = EXPLODED * self._chance_loss()

    def _chance_loss(self) -> float:
        """The loss of a model that knows nothing: uniform class probabilities, or always the mean.
        A loss far above it means the weights have blown up, even while every number is finite
        (tanh and softmax keep an exploding network finite for a long time)."""
        if self.classification:
            return math.log(max(2, self.data.n_outputs))
        return max(float(np.mean((self.train_y - self.train_y.mean(axis=0)) ** 2)), 1e-3)

    def _inputs(self, x):
        if self.features:
            return features.expand(x, self.features)
        return x

    def _set_learning_rate(self, rate: float) -> None:
        if not (rate > 0 and math.isfinite(rate)):
            raise ValueError(f"learning rate must be a positive number, got {rate}")
        self.optimizer.learning_rate = rate

    # ------------------------------------------------------------------ training

    def _batch(self):
        size = min(self.config["batch_size"], len(self.train_x))
        if self.cursor + size > len(self.order):
            self.order = self.rng.permutation(len(self.train_x))
            self.cursor = 0
            self.epoch += 1
        index = self.order[self.cursor:self.cursor + size]
        self.cursor += size
        return self.train_x[index], self.train_y[index]

    def train(self, ms: float, max_steps: int = 0) -> str:
        """Train until ``ms`` milliseconds are spent (or ``max_steps`` steps, if > 0), then pack.

        Returns "ok", or "diverged" when a loss was not finite (or exploded past ``loss_limit``):
        the snapshot then still shows the last finite state and ``diverged_step`` names the step that failed.
        """
        if self.diverged_step:
            return "diverged"
        start = time.perf_counter()
        deadline = start + ms / 1000.0
        done = 0
        status = "ok"
        while True:
            x, y = self._batch()
            try:
                loss = nnpy.train_step(self.net, self.optimizer, x, y, regularizer=self.regularizer)
            except FloatingPointError:
                loss = math.nan   # the engine refused the step before updating anything
            if not math.isfinite(loss):
                self.diverged_step = self.step + 1
                status = "diverged"
                break
            if loss > self.loss_limit:          # finite, but exploded: this step was taken
                self.step += 1
                self.diverged_step = self.step
                status = "diverged"
                break
            self.step += 1
            done += 1
            self.loss_sum += loss
            self.loss_count += 1
            if (max_steps and done >= max_steps) or time.perf_counter() >= deadline:
                break
        self.steps_done = done
        self.train_ms = (time.perf_counter() - start) * 1000.0
        if status == "ok":
            now = time.perf_counter() * 1000.0
            if max_steps:
                self._evaluate()
            elif self.eval_cursor or now - self.last_eval >= self.config["eval_ms"]:
                self._evaluate_chunk()
            try:
                self._pack()
            except (FloatingPointError, ValueError, ArithmeticError):
                # the engine refuses non-finite state: keep the last finite picture on screen
                self.diverged_step = self.step
                status = "diverged"
        self._write_figures()
        return status

    def _evaluate(self) -> None:
        """Loss and accuracy on the whole test split now (configure, Step)."""
        self.eval_cursor = 0
        self.eval_sums = [0.0, 0]
        while True:
            if self._evaluate_chunk(len(self.test_x)):
                break

    def _evaluate_chunk(self, size: int = EVAL_CHUNK) -> bool:
        """Evaluate the next ``size`` test examples; at the end of the split publish the figures.

        While training, one chunk per frame keeps each frame's cost bounded (MNIST's test split
        takes ~8 frames), so a published test loss is measured over the last few frames' weights.
        Returns True when a pass finished.
        """
        start = self.eval_cursor
        stop = min(start + size, len(self.test_x))
        logits = self._logits(self.test_x[start:stop])
        y = self.test_y[start:stop]
        if start == 0:
            self.eval_sums = [0.0, 0]
        self.eval_sums[0] += self.loss.value(logits, y) * (stop - start)
        if self.classification:
            self.eval_sums[1] += int(np.sum(metrics.predict_labels(logits) == y))
        self.eval_cursor = 0 if stop == len(self.test_x) else stop
        if self.eval_cursor:
            return False
        self._publish_eval()
        return True

    def _publish_eval(self) -> None:
        """Figures of a finished pass: test loss/accuracy, mean mini-batch loss, the plane."""
        self.last_eval = time.perf_counter() * 1000.0
        n = len(self.test_x)
        self.test_loss = self.eval_sums[0] / n
        if self.classification:
            self.test_accuracy = self.eval_sums[1] / n
        if self.loss_count:
            self.train_loss = self.loss_sum / self.loss_count
        else:
            k = self.config["train_sample"]
            self.train_loss = self.loss.value(self._logits(self.train_x[:k]), self.train_y[:k])
        self.loss_sum, self.loss_count = 0.0, 0
        if self.plane:
            self.field_buffer = self._field()
        self.evals += 1
        self.eval_step = self.step
        if not math.isfinite(self.test_loss):
            self.diverged_step = self.diverged_step or max(self.step, 1)

    def _field(self) -> np.ndarray:
        """The network's answer over the plane, in [-1, 1]: P(class 1) - P(class 0) for two
        classes, 2 P - 1 for one sigmoid output, tanh(value) for regression."""
        out = self.loss.output(self._logits(self.grid))
        if self.classification:
            value = out[:, 1] - out[:, 0] if out.shape[1] == 2 else 2 * out[:, 0] - 1
        else:
            value = np.tanh(out[:, 0])
        return np.ascontiguousarray(value, dtype=np.float32)

    def _logits(self, x):
        return self.net.forward(x).logits

    # ------------------------------------------------------------------ snapshot

    def _probe(self) -> int:
        probe = self.config["probe"]
        if probe >= 0:
            return probe % len(self.test_x)
        return self.probe_index % len(self.test_x)

    def next_probe(self, index: int = -1) -> None:
        """Show another test example: the next one, or ``index``."""
        self.probe_index = index if index >= 0 else self.probe_index + 1
        self._pack()
        self._write_figures()

    def _pack(self) -> None:
        i = self._probe()
        probe = self.test_x[i:i + 1]
        grads = self.gradient_source(self, i) if self.gradient_source else None
        snap = self.net.snapshot(probe, grads)
        buffer, layout = snap.pack()
        self.snapshot_buffer = np.ascontiguousarray(buffer, dtype=np.float32)
        logits = self._logits(probe)
        self.probe_output = np.asarray(self.loss.output(logits), dtype=np.float64)[0]
        self.probe_label = float(self.test_y[i]) if self.classification else math.nan
        self.probe_pred = float(metrics.predict_labels(logits)[0]) if self.classification else math.nan
        self.probe_current = i
        self.probe_raw = self.test_raw[i]
        if not self.meta:   # emptied by configure(); the layout only changes there
            self.meta = self._meta(layout)

    def _meta(self, layout) -> dict:
        cfg = self.config
        data = self.data
        n_out = self.sizes[-1]
        if self.classification and n_out > 1:
            outputs = [str(k) for k in range(n_out)]
        elif self.classification:
            outputs = ["P(1)"]
        else:
            outputs = ["y"]
        return {
            "dataset": cfg["dataset"],
            "kind": data.kind,
            "sizes": list(self.sizes),
            "input_shape": list(data.input_shape) if not self.features else [len(self.features)],
            "image": len(data.input_shape) == 2 and not self.features,
            "input_names": list(self.features or data.feature_names),
            "output_names": outputs,
            "activation": cfg["activation"],
            "loss": cfg["loss"],
            "optimizer": cfg["optimizer"],
            "learning_rate": cfg["learning_rate"],
            "batch_size": cfg["batch_size"],
            "train_size": len(self.train_x),
            "test_size": len(self.test_x),
            "layout": _plain(layout),
            "snapshot_length": int(self.snapshot_buffer.size),
            "figures": list(FIGURES),
            "plane": self.plane,
            "field_size": FIELD_SIZE if self.plane else 0,
            "extent": datasets.RADIUS,
            "points": self._points() if self.plane else [],
            "figures_length": len(FIGURES) + n_out,
        }

    def _points(self) -> list:
        """Up to MAX_POINTS test examples as [x1, x2, target], rounded for a small JSON."""
        index = np.unique(np.linspace(0, len(self.test_raw) - 1, MAX_POINTS).astype(int))
        target = self.test_y[index] if self.classification else np.tanh(self.test_y[index, 0])
        return [[round(float(a), 3), round(float(b), 3), round(float(t), 3)]
                for (a, b), t in zip(self.test_raw[index, :2], target)]

    def _write_figures(self) -> None:
        values = {
            "step": self.step, "epoch": self.epoch, "train_loss": self.train_loss,
            "test_loss": self.test_loss, "test_accuracy": self.test_accuracy,
            "train_accuracy": self.train_accuracy, "evals": self.evals, "eval_step": self.eval_step,
            "probe_index": self.probe_current, "probe_label": self.probe_label,
            "probe_pred": self.probe_pred, "steps_done": self.steps_done,
            "train_ms": self.train_ms, "diverged_step": self.diverged_step,
            "probe_x1": self.probe_raw[0] if self.plane else math.nan,
            "probe_x2": self.probe_raw[1] if self.plane else math.nan,
        }
        figs = np.empty(len(FIGURES) + len(self.probe_output), dtype=np.float64)
        for name, i in FIG.items():
            figs[i] = values[name]
        figs[len(FIGURES):] = self.probe_output
        self.figures = figs


def _plain(value):
    """The layout as plain JSON-able Python (numpy ints become ints)."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, np.integer):
        return int(value)
    return value
