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
from nnpy import customdata, datasets, features, losses, metrics
from nnpy.training import index_labels

import nnpy_custom

import nnpy_curve

import nnpy_probes as probes

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
    "mistakes",      # examples fitting the probe mode when it last chose (misclassified; NaN otherwise)
)
EVAL_CHUNK = 256     # test examples evaluated per frame while training (bounded frame cost)
FIELD_SIZE = 32      # 2-D data: the network's output on a FIELD_SIZE^2 grid over the data's square
MAX_POINTS = 300     # test points sent once per dataset, for the picture of the plane
NEURON_GRID = 16     # 2-D data: each hidden neuron's own picture, NEURON_GRID^2 (2x2 means of the field's grid)
MAX_NEURON_MAPS = 256  # more hidden neurons than this cannot be drawn as pictures anyway: none are sent
MAX_WEIGHT = 1000.0  # a weight typed by hand must lie within +-MAX_WEIGHT
EXPLODED = 100.0     # a mini-batch loss this many times a know-nothing model's loss is divergence
FIG = {name: i for i, name in enumerate(FIGURES)}

# What the page may change; everything else comes from nnpy.datasets.DEFAULTS[dataset].
# (The names match web/js/params.js, the page's typed parameter list.)
SETTABLE = {
    "dataset": str, "learning_rate": float, "seed": int, "probe": int, "hidden": list,
    "activation": str, "optimizer": str, "batch_size": int, "regularization": str,
    "reg_rate": float, "eval_ms": float, "train_sample": int, "noise": float, "test_ratio": float,
    "loss": str, "init": str, "features": list,
    "restart": bool,   # rebuild now even if nothing changed (Reset with the same seed); not stored
    "points": list,   # "Your data": the page's own points (nnpy_custom), kept outside the config
}
DEFAULTS = {**datasets.DEFAULTS, **customdata.DEFAULTS}
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
        changes = dict(changes)
        restart = bool(changes.pop("restart", False))
        cfg = dict(self.config)
        for key, value in changes.items():
            cfg[key] = SETTABLE[key](value)
        if "dataset" not in cfg:
            cfg["dataset"] = "digits"
        if cfg["dataset"] not in DEFAULTS:
            raise ValueError(f"unknown dataset {cfg['dataset']!r}; choose one of {', '.join(DEFAULTS)}")
        if cfg["dataset"] != self.config.get("dataset"):
            # a new dataset starts from its own defaults, keeping only what was asked now
            base = dict(DEFAULTS[cfg["dataset"]])
            base.update({k: cfg[k] for k in changes})
            base.update(dataset=cfg["dataset"], seed=cfg.get("seed", 0))
            cfg = {k: v for k, v in base.items()}
        points = cfg.pop("points", None)
        cfg.setdefault("seed", 0)
        cfg.setdefault("probe", -1)            # -1: the page rotates through test examples
        cfg.setdefault("eval_ms", 200.0)
        cfg.setdefault("train_sample", 1000)
        changed = {k for k in REBUILD_KEYS if cfg.get(k) != self.config.get(k)}
        rebuild = restart or self.net is None or bool(changed)
        live = rebuild and not restart and self.net is not None and changed == {"hidden"}
        before = dict(self.__dict__)        # a failed change leaves the session as it was
        try:
            self.config = cfg
            if points is not None:   # new points: re-split, same weights (unless rebuilt anyway)
                nnpy_custom.store(self, points, resplit=live or not rebuild)
            if live:
                # only the hidden layers changed: edit the network in place, training goes on
                layers, params = list(self.net.layers), self.net._params
                edit_hidden(self.net, cfg["hidden"])
                self.sizes = list(self.net.sizes)
                self._set_learning_rate(cfg["learning_rate"])
            elif rebuild:
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
            self.meta["rebuilt"] = rebuild and not live   # False: the same network (maybe edited in place)
            self._write_figures()
        except Exception:
            if live:   # the edit replaced layers of the live network: put them back
                self.net.layers[:] = layers
                self.net._params = params
            self.__dict__.clear()
            self.__dict__.update(before)
            raise
        return self.meta

    def _build(self) -> None:
        cfg = self.config
        name = cfg["dataset"]
        rng = np.random.default_rng(cfg["seed"])
        if name in nnpy_custom.NAMES:
            data, train, test = nnpy_custom.build(self, cfg)
        else:
            data = datasets.load(name, noise=cfg.get("noise") or 0.0, rng=np.random.default_rng(0))
            train, test = datasets.split(data, cfg["test_ratio"], rng=np.random.default_rng(1))
            self.data_problem = ""
        chosen = cfg.get("features")
        self.features = features.check_names(chosen, data.x.shape[1]) if chosen and data.x.shape[1] <= 2 else None
        self._use_split(train, test)
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
        self.plane = data.input_shape == (2,)
        if self.plane:
            r = datasets.RADIUS
            ticks = np.linspace(-r, r, FIELD_SIZE)
            gx, gy = np.meshgrid(ticks, ticks[::-1])          # row 0 is the top (x2 = +r)
            self.grid = self._inputs(np.column_stack([gx.ravel(), gy.ravel()]))
        self.field_buffer = np.zeros(FIELD_SIZE * FIELD_SIZE if self.plane else 0, np.float32)
        self.neurons_buffer = np.zeros(0, np.float32)
        nnpy_curve.setup(self)   # 1-D data: the prediction over x, in field_buffer (nnpy_curve.py)
        probes.reset(self)   # probe mode, drawing, confusion matrix (nnpy_probes.py)
        self.set_loss_limit()

    def set_loss_limit(self) -> None:
        """Where a finite loss counts as divergence; remade whenever the training data changes."""
        self.loss_limit = EXPLODED * self._chance_loss()

    def _chance_loss(self) -> float:
        """The loss of a model that knows nothing: uniform class probabilities, or always the mean.
        A loss far above it means the weights have blown up, even while every number is finite
        (tanh and softmax keep an exploding network finite for a long time)."""
        if self.classification:
            return math.log(max(2, self.data.n_outputs))
        y = self.train_y
        # predicting the mean, or predicting 0 (where an untrained network starts), whichever is worse
        return max(float(np.mean((y - y.mean(axis=0)) ** 2)), float(np.mean(y ** 2)), 1e-2)

    def _use_split(self, train, test) -> None:
        """Take a train/test split as the network sees it (the selected input features; labels in
        numpy's index type, as the training step indexes with them) and as the plane shows it (raw)."""
        self.train_x, self.train_y = self._inputs(train.x), index_labels(train.y)
        self.test_x, self.test_y = self._inputs(test.x), test.y
        self.train_raw, self.test_raw = train.x, test.x

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

    def train(self, ms: float, max_steps: int = 0, evaluate: bool | None = None) -> str:
        """Train until ``ms`` milliseconds are spent (or ``max_steps`` steps, if > 0), then pack.

        ``evaluate``: measure the whole test split afterwards (default: when ``max_steps`` is given,
        as Step does); False spreads evaluation over calls as time-budgeted training does.

        Returns "ok", or "diverged" when a loss was not finite (or exploded past ``loss_limit``):
        the snapshot then still shows the last finite state and ``diverged_step`` names the step that failed.
        """
        if self.diverged_step:
            return "diverged"
        if self.data_problem:      # "Your data" with too few points: nothing to learn from yet
            self.steps_done = 0
            self._write_figures()
            return "nodata"
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
            if evaluate if evaluate is not None else max_steps:
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
            pred = metrics.predict_labels(logits)
            self.eval_sums[1] += int(np.sum(pred == y))
            probes.count(self, start, y, pred)
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
            self.field_buffer, self.neurons_buffer = self._field()
        elif self.curve:
            self.field_buffer = nnpy_curve.values(self)
        if self.classification:
            probes.publish(self)
        self.evals += 1
        self.eval_step = self.step
        if not math.isfinite(self.test_loss):
            self.diverged_step = self.diverged_step or max(self.step, 1)

    def _field(self):
        """The network over the plane, from one forward pass on the grid:

        field   (FIELD_SIZE^2,) its answer in [-1, 1]: P(class 1) - P(class 0) for two classes,
                2 P - 1 for one sigmoid output, tanh(value) for regression;
        neurons (hidden neurons * NEURON_GRID^2,) every hidden neuron's activation, layer by
                layer, row 0 at the top, each divided by its own largest |value| (so in [-1, 1]);
                empty when there are more than MAX_NEURON_MAPS hidden neurons.
        """
        trace = self.net.forward(self.grid)
        out = self.loss.output(trace.logits)
        if self.classification:
            value = out[:, 1] - out[:, 0] if out.shape[1] == 2 else 2 * out[:, 0] - 1
        else:
            value = np.tanh(out[:, 0])
        field = np.ascontiguousarray(value, dtype=np.float32)
        hidden = trace.layer_inputs[1:]
        if not hidden or sum(a.shape[1] for a in hidden) > MAX_NEURON_MAPS:
            return field, np.zeros(0, np.float32)
        k = FIELD_SIZE // NEURON_GRID
        maps = []
        for a in hidden:
            # (grid rows, cols, neurons) -> mean over k x k blocks -> (neurons, NEURON_GRID^2)
            pooled = a.reshape(NEURON_GRID, k, NEURON_GRID, k, -1).mean(axis=(1, 3))
            pooled = pooled.reshape(NEURON_GRID * NEURON_GRID, -1).T
            scale = np.abs(pooled).max(axis=1, keepdims=True)
            maps.append(pooled / np.where(scale > 0, scale, 1.0))
        return field, np.ascontiguousarray(np.concatenate(maps).ravel(), dtype=np.float32)

    def _logits(self, x):
        return self.net.forward(x).logits

    # ------------------------------------------------------------------ snapshot

    def _probe(self) -> int:
        probe = self.config["probe"]
        if probe >= 0:
            return probe % len(self.test_x)
        return self.probe_index % len(self.test_x)

    def next_probe(self, index: int = -1) -> None:
        """Show another test example: the next one in the probe mode (nnpy_probes), or ``index``."""
        self.probe_index = probes.next_index(self, index)
        self._pack()
        self._write_figures()

    def set_weight(self, layer: int, i: int, j: int, value: float) -> None:
        """Set one weight by hand: W[layer][i, j], from neuron i of layer ``layer`` to neuron j of
        the next (layer 0: inputs -> first hidden). Training continues from it; the test figures and
        the picture are remade at once. A non-finite or absurd value is refused, nothing changes."""
        layers = self.net.layers
        if not 0 <= layer < len(layers):
            raise ValueError(f"no weight layer {layer}: the network has {len(layers)}")
        W = layers[layer].params["W"]
        if not (0 <= i < W.shape[0] and 0 <= j < W.shape[1]):
            raise ValueError(f"no weight ({i}, {j}) in layer {layer}: W is {W.shape[0]}x{W.shape[1]}")
        value = float(value)
        if not math.isfinite(value):
            raise ValueError(f"a weight must be a finite number, got {value}")
        if abs(value) > MAX_WEIGHT:
            raise ValueError(f"a weight must lie between -{MAX_WEIGHT:g} and {MAX_WEIGHT:g}, got {value:g}")
        W[i, j] = value          # in place: W is a view of the flat vector the optimizer updates
        self._evaluate()
        self._pack()
        self._write_figures()

    def _pack(self) -> None:
        i = self._probe()
        probe = self.test_x[i:i + 1] if self.drawn is None else self.drawn
        grads = self.gradient_source(self, i) if self.gradient_source else None
        snap = self.net.snapshot(probe, grads)
        buffer, layout = snap.pack()
        self.snapshot_buffer = np.ascontiguousarray(buffer, dtype=np.float32)
        logits = self._logits(probe)
        self.probe_output = np.asarray(self.loss.output(logits), dtype=np.float64)[0]
        self.probe_label = float(self.test_y[i]) if self.classification and self.drawn is None else math.nan
        self.probe_pred = float(metrics.predict_labels(logits)[0]) if self.classification else math.nan
        self.probe_current = i if self.drawn is None else -1   # -1: the learner's drawing
        if self.drawn is not None:
            self.probe_output, pred = probes.drawn_outputs(self, self.probe_output)
            self.probe_pred = self.probe_pred if pred is None else pred
        self.probe_raw = self.test_raw[i]
        if not self.meta:   # emptied by configure(); the layout only changes there
            self.meta = self._meta(layout)

    def _meta(self, layout) -> dict:
        cfg = self.config
        data = self.data
        n_out = self.sizes[-1]
        custom = cfg["dataset"] in nnpy_custom.NAMES
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
            # 0: no neuron pictures (not 2-D data, or too many hidden neurons to draw)
            "neuron_grid": NEURON_GRID if self.plane and sum(self.sizes[1:-1]) <= MAX_NEURON_MAPS else 0,
            "extent": datasets.RADIUS,
            "points": self._points() if self.plane else [],
            # "Your data" shows every point the learner placed, train and test alike (no separate list)
            "train_points": None if custom else self._points(train=True) if self.plane else [],
            "config": {k: cfg[k] for k in SETTABLE if k in cfg},   # what the settings panel shows
            **nnpy_custom.meta(self),
            **nnpy_curve.meta(self),   # 1-D data: the plot's axes, its points as [x, y]
            "figures_length": len(FIGURES) + n_out,
        }

    def _points(self, train=False) -> list:
        """Up to MAX_POINTS test (or training) examples as [x1, x2, target], rounded for a small JSON."""
        if self.config["dataset"] in nnpy_custom.NAMES:   # "Your data": every point placed
            return nnpy_custom.meta_points(self)
        raw, y = (self.train_raw, self.train_y) if train else (self.test_raw, self.test_y)
        index = np.unique(np.linspace(0, len(raw) - 1, MAX_POINTS).astype(int))
        target = y[index] if self.classification else np.tanh(y[index, 0])
        return [[round(float(a), 3), round(float(b), 3), round(float(t), 3)]
                for (a, b), t in zip(raw[index, :2], target)]

    def _write_figures(self) -> None:
        values = {
            "step": self.step, "epoch": self.epoch, "train_loss": self.train_loss,
            "test_loss": self.test_loss, "test_accuracy": self.test_accuracy,
            "train_accuracy": self.train_accuracy, "evals": self.evals, "eval_step": self.eval_step,
            "probe_index": self.probe_current, "probe_label": self.probe_label,
            "probe_pred": self.probe_pred, "steps_done": self.steps_done,
            "train_ms": self.train_ms, "diverged_step": self.diverged_step,
            "probe_x1": self.probe_raw[0] if self.plane or self.curve else math.nan,
            "probe_x2": self.probe_raw[1] if self.plane else math.nan,
            "mistakes": self.mistakes,
        }
        figs = np.empty(len(FIGURES) + len(self.probe_output), dtype=np.float64)
        for name, i in FIG.items():
            figs[i] = values[name]
        figs[len(FIGURES):] = self.probe_output
        self.figures = figs


def edit_hidden(net, hidden) -> None:
    """Give ``net`` the hidden layer sizes ``hidden`` with nnpy's live edits, so surviving weights
    (and, through them, the optimizer's state) stay: one layer added or removed anywhere is one
    insert/remove; anything else is layers added or removed at the end, then resized."""
    old, new = list(net.sizes[1:-1]), [int(n) for n in hidden]
    i = next((k for k in range(min(len(old), len(new))) if old[k] != new[k]), min(len(old), len(new)))
    if len(new) == len(old) + 1 and old[i:] == new[i + 1:]:
        net.insert_layer(i, new[i])
        return
    if len(new) == len(old) - 1 and old[i + 1:] == new[i:]:
        net.remove_layer(i)
        return
    while len(net.sizes) - 2 > len(new):
        net.remove_layer(len(net.sizes) - 3)
    while len(net.sizes) - 2 < len(new):
        k = len(net.sizes) - 2
        net.insert_layer(k, new[k])
    for k, n in enumerate(new):
        net.resize_layer(k, n)


def _plain(value):
    """The layout as plain JSON-able Python (numpy ints become ints)."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, np.integer):
        return int(value)
    return value
