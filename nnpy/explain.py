"""One training step taken apart, for a learner to step through.

``walk_through`` takes ONE real step -- forward, loss, backward, update -- on a
copy of the network and of the optimizer, and keeps every number it met::

    walk = nnpy.explain.walk_through(net, opt, x, y, regularizer=reg, top_k=8)
    walk.trace.z[l], walk.trace.a[k]          forward (the engine's Trace)
    walk.loss_data, walk.penalty, walk.loss   loss before the step (loss = data + penalty)
    walk.dL_dz[l], walk.dL_da[k], walk.grads  backprop
    walk.W_after[l], walk.W_step[l], walk.loss_after ...    update
    walk.apply_to(net, opt)                   commit: the live model takes exactly that step

Numbering follows the engine: ``l = 0..L-1`` is the weight layer ``net.layers[l]``
(W[l]: (n_l, n_(l+1)), z[l] = a[l] W[l] + b[l]); ``k = 0..L`` are the
activations ``a[k]`` (a[0] = x, a[L] = the loss's output, e.g. probabilities).

    dL/dz[L-1] = the loss's gradient (e.g. (softmax - onehot) / batch)
    dL/da[k]   = dL/dz[k] W[k]^T              (k = 0..L-1; k = 0 is dL/dx)
    dL/dz[k-1] = f'(z[k-1]) * dL/da[k]
    dL/dW[l]   = a[l]^T dL/dz[l]   dL/db[l] = sum over the batch of dL/dz[l]

The live network and optimizer are never touched by ``walk_through``, so "Back"
from any stage needs no undo: the numbers before the step are still live.
``apply_to`` re-runs the very same step on them with ``train_step`` and checks
that it landed on the walked numbers.  (Or the glue may adopt the stepped copies,
``walk.network`` and ``walk.optimizer``.)

``walk.to_dict(max_elements=1024, arrays=None)`` -> plain JSON (no NaN)::

    {"version": 1, "sizes": [...], "batch": B, "activation": "relu",
     "optimizer": {"name", "learning_rate", "rule", "repr"},
     "regularizer": {"name", "rate"},                    # name "none" when absent
     "forward":  {"W": [L], "b": [L], "z": [L], "a": [L+1]},        # W, b before the step
     "loss":     {"name", "template", "formula",                    # formula: numbers filled in
                  "data", "penalty", "total",                       # floats, total = data + penalty
                  "penalty_template", "penalty_formula", "total_formula",   # null without regularizer
                  "target", "prediction", "probabilities",          # probabilities null for mse
                  "per_example"},                                   # (B,) loss of each example
     "backprop": {"dL_dz": [L], "dL_da": [L+1] (last null), "dL_dW": [L], "dL_db": [L],
                  "direction": [L+1],       # per neuron: +1 too strong, -1 too weak, 0 neither
                  "most_responsible": [{"layer", "i", "j", "gradient", "weight", "step"}, ...],
                  "gradient_norms": [L]},   # ||dL/dW[l]||
     "update":   {"W_after": [L], "b_after": [L], "W_step": [L], "b_step": [L],
                  "output_after",           # a[L] recomputed after the step
                  "loss_before": {"data", "penalty", "total"},
                  "loss_after":  {"data", "penalty", "total"}, "formula"},
     "arrays": {key: shape}}                # the arrays given by reference (see below)

Each array is a nested list (shapes as in the engine: a[k], z[l], dL_d*: (B, n);
W: (in, out); b: (out,); target (B,) or (B, outputs); direction (n,)) when it has
at most ``max_elements`` elements, else a reference ``{"array": key, "shape": [...]}``
with a key such as ``"forward.W.0"``; ``walk.array(key)`` gives it as a contiguous
float32 array (for a typed array), and ``to_dict(arrays=d)`` fills the dict d with
all of them.  ``max_elements=None`` inlines everything, ``0`` nothing.
"""

import copy
import math
from collections import namedtuple

import numpy as np

from . import linalg, optimizers
from .network import train_step

Connection = namedtuple("Connection", "layer i j gradient")
Connection.__doc__ = "The connection from neuron i of a[layer] to neuron j of a[layer + 1], and its dL/dW."

RULES = {   # the update each optimizer applies, as the page writes it (g = dL/dw)
    optimizers.SGD: "w ← w − lr · g",
    optimizers.Momentum: "v ← m · v + g;  w ← w − lr · v",
    optimizers.Adam: ("m ← β1·m + (1 − β1)·g;  v ← β2·v + (1 − β2)·g²;  "
                      "w ← w − lr · m̂ / (√v̂ + ε)"),
}

PENALTIES = {   # regularizer name -> (template, the sum over one W, how the numbers fill in)
    "l2": ("penalty = λ/2 · ΣW²", lambda W: float(np.vdot(W, W)), "{rate}/2 · {total}"),
    "l1": ("penalty = λ · Σ|W|", lambda W: float(np.abs(W).sum()), "{rate} · {total}"),
}


def clone_network(net):
    """An independent copy of ``net`` (weights, rng state, layer uids): layer
    uids are kept, so a copied optimizer carries its state over to it."""
    return copy.deepcopy(net)


def gradient_norms(grads):
    """(L,) the L2 (Frobenius) norm of dL/dW of each layer: for a chart of
    gradient magnitude over time (vanishing / exploding gradients)."""
    return np.array([np.linalg.norm(g["W"]) for g in grads])


def gradient_mean_abs(grads):
    """(L,) mean |dL/dW| of each layer: like ``gradient_norms`` but independent
    of the layer's size."""
    return np.array([np.abs(g["W"]).mean() for g in grads])


def walk_through(net, optimizer, x, y, regularizer=None, top_k=8):
    """One training step on (x, y), recorded, on copies of net and optimizer.

    x: (n0,) one example, or (batch, n0); y: its target(s) (class index / 0-1
    label, or (outputs,) values for mse), or (batch,) / (batch, outputs).
    Raises FloatingPointError, like ``train_step``, when the loss is not finite."""
    return StepWalkthrough(net, optimizer, x, y, regularizer, top_k)


def _targets(criterion, y, batch, outputs):
    """y shaped as the engine expects it: (batch,) labels or (batch, outputs) values."""
    y = np.array(y)
    if criterion.name == "mse":
        return y.astype(np.float64).reshape(batch, outputs)
    if criterion.name in ("cross_entropy", "binary_cross_entropy"):
        return y.reshape(batch)
    return y


def _copies(net):
    return [layer.W.copy() for layer in net.layers], [layer.b.copy() for layer in net.layers]


class StepWalkthrough:
    """Everything one training step computed (see the module docstring).

    x (B, n0), y: the batch;  trace: the forward pass before the step;
    loss_data, penalty, loss: floats before the step;  dL_dz[l] (B, n_(l+1));
    dL_da[k] (B, n_k), k = 0..L-1 (dL/da[L] is folded into dL/dz[L-1] by the loss);
    grads: [{"W": dL/dW, "b": dL/db}] exactly as given to the optimizer;
    W_before/b_before, W_after/b_after, W_step/b_step = after - before (lists per layer);
    trace_after, loss_data_after, penalty_after, loss_after: on the same batch after the step;
    network, optimizer: the stepped copies."""

    def __init__(self, net, optimizer, x, y, regularizer=None, top_k=8):
        twin, opt = clone_network(net), copy.deepcopy(optimizer)
        self.top_k = int(top_k)
        self.regularizer = regularizer
        self._settings = self._fingerprint(net, optimizer, regularizer)
        self.sizes = net.sizes
        self.activation = net.activation.name
        self.criterion = twin.criterion

        # 1. forward
        trace = twin.forward(np.array(x, dtype=np.float64))    # a copy: the caller's x may change
        self.x = trace.inputs
        self.y = _targets(twin.criterion, y, len(self.x), self.sizes[-1])
        self.trace = trace

        # 2. loss (net.loss = data loss + penalty, computed the engine's way)
        self.loss = twin.loss(trace, self.y, regularizer)
        self.loss_data = twin.loss(trace, self.y)
        self.penalty = self._penalty(twin)
        if not math.isfinite(self.loss):
            raise FloatingPointError(f"loss is {self.loss}: this step would diverge")

        # 3. backprop: the engine's gradients, and the deltas it passes between layers
        delta = twin.criterion.gradient(trace.z[-1], self.y)
        self.grads = twin.backward(trace, self.y, regularizer, delta=delta)
        L = len(twin.layers)
        self.dL_dz = [None] * L
        self.dL_da = [None] * L
        self.dL_dz[-1] = delta
        for l in range(L - 1, -1, -1):
            self.dL_da[l] = linalg.matmul(self.dL_dz[l], twin.layers[l].W.T)   # dL/da[l] = dL/dz[l] W[l]^T
            if l:
                self.dL_dz[l - 1] = twin.activation.backward(trace.z[l - 1], trace.layer_inputs[l],
                                                             self.dL_da[l])

        # 4. update, and the loss on the same batch afterwards
        self.W_before, self.b_before = _copies(twin)
        opt.step(twin.params, self.grads)
        self.W_after, self.b_after = _copies(twin)
        self.W_step = [a - b for a, b in zip(self.W_after, self.W_before)]
        self.b_step = [a - b for a, b in zip(self.b_after, self.b_before)]
        self.trace_after = twin.forward(self.x)
        self.loss_after = twin.loss(self.trace_after, self.y, regularizer)
        self.loss_data_after = twin.loss(self.trace_after, self.y)
        self.penalty_after = self._penalty(twin)
        self.network, self.optimizer = twin, opt

    def _penalty(self, net):
        if not self.regularizer:
            return 0.0
        return self.regularizer.penalty([layer.W for layer in net.layers])

    @staticmethod
    def _fingerprint(net, optimizer, regularizer):
        return (repr(net), repr(net.activation), type(optimizer), repr(optimizer), repr(regularizer))

    @property
    def batch(self):
        return len(self.x)

    # ----- forward ----------------------------------------------------------
    def contributions(self, layer, j, example=0, top=None):
        """How neuron j of layer ``layer`` got its weighted sum (before the step):
        z = sum_i a_i W_ij + b_j.  JSON-able dict with the inputs i (all, or the
        ``top`` largest |a_i W_ij|, largest first), their a_i, W_ij, a_i W_ij,
        "rest" (the sum of the products not listed), "bias", and the engine's
        "z" and "a" (a: the neuron's activation, or the loss's output for the
        last layer).  The listed sum + rest + bias equals z up to rounding."""
        a_in = self.trace.layer_inputs[layer][example]
        w = self.W_before[layer][:, j]
        products = a_in * w
        if top is None:
            idx = np.arange(len(products))
        else:
            idx = np.argsort(-np.abs(products), kind="stable")[:int(top)]
        rest = float(products.sum() - products[idx].sum()) if len(idx) < len(products) else 0.0
        return {
            "layer": int(layer), "neuron": int(j), "example": int(example), "count": len(products),
            "i": idx.tolist(), "input": a_in[idx].tolist(), "weight": w[idx].tolist(),
            "product": products[idx].tolist(), "rest": rest,
            "bias": float(self.b_before[layer][j]),
            "z": float(self.trace.z[layer][example, j]),
            "a": float(self.trace.a[layer + 1][example, j]),
        }

    # ----- loss -------------------------------------------------------------
    def per_example_loss(self):
        """(B,) the data loss of each example (the engine reports their mean)."""
        z, y, name = self.trace.z[-1], self.y, self.criterion.name
        if name == "cross_entropy":
            m = z.max(axis=1)
            lse = m + np.log(np.exp(z - m[:, None]).sum(axis=1))
            return lse - z[np.arange(len(y)), y]
        if name == "binary_cross_entropy":
            z = z[:, 0]
            return np.maximum(z, 0.0) + np.log1p(np.exp(-np.abs(z))) - y * z
        if name == "mse":
            return ((z - y) ** 2).mean(axis=1)
        return None

    def prediction(self):
        """Predicted class (B,) for the classification losses, output values (B, k) for mse."""
        out = self.trace.output
        if self.criterion.name == "cross_entropy":
            return out.argmax(axis=1)
        if self.criterion.name == "binary_cross_entropy":
            return (out[:, 0] >= 0.5).astype(np.int64)
        return out

    def loss_text(self):
        """(template, formula): the loss in symbols, and with this batch's numbers."""
        name, B, data = self.criterion.name, self.batch, self.loss_data
        out, y = self.trace.output, self.y
        per = self.per_example_loss()
        mean = f" = ({_terms(per)}) / {B} = {_num(data)}"
        if name == "cross_entropy":
            if B > 1:
                template = "L = (1/B) Σ −log p[y]"
                return template, template.replace("B", str(B)) + mean
            template = "L = −log p[y]"
            p = out[0, y[0]]
            middle = f"−log({_num(p)})" if p > 0 else "logsumexp(z) − z[y]"
            return template, f"{template} = {middle} = {_num(data)}"
        if name == "binary_cross_entropy":
            term = "−[y log p + (1 − y) log(1 − p)]"
            if B > 1:
                template = f"L = (1/B) Σ {term}"
                return template, template.replace("B", str(B)) + mean
            p, t = out[0, 0], float(y[0])
            if t == 1.0:
                middle = f"−log({_num(p)})"
            elif t == 0.0:
                middle = f"−log(1 − {_num(p)})"
            else:
                middle = f"−[{_num(t)} log({_num(p)}) + {_num(1 - t)} log(1 − {_num(p)})]"
            return f"L = {term}", f"L = {term} = {middle} = {_num(data)}"
        if name == "mse":
            k = self.sizes[-1]
            if B > 1:
                template = "L = (1/(B·k)) Σ (ŷ − y)²"
                total = float(((out - y) ** 2).sum())
                filled = template.replace("B·k", f"{B}·{k}")
                return template, f"{filled} = {_num(total)} / {B * k} = {_num(data)}"
            squares = [f"({_num(o)} − {_paren(t)})²" for o, t in zip(out[0], y[0])]
            if k == 1:
                return "L = (ŷ − y)²", f"L = (ŷ − y)² = {squares[0]} = {_num(data)}"
            shown = " + ".join(squares[:3]) + (" + …" if k > 3 else "")
            template = "L = (1/k) Σ (ŷ − y)²"
            return template, f"L = (1/{k}) Σ (ŷ − y)² = ({shown}) / {k} = {_num(data)}"
        return f"L ({name})", f"L = {_num(data)}"

    def penalty_text(self):
        """(template, formula) of the regularization penalty, or (None, None)."""
        reg = self.regularizer
        if not reg:
            return None, None
        if reg.name not in PENALTIES:
            return "penalty", f"penalty = {_num(self.penalty)}"
        template, summed, filled = PENALTIES[reg.name]
        total = sum(summed(W) for W in self.W_before)
        return template, (f"{template} = " + filled.format(rate=_num(reg.rate), total=_num(total))
                          + f" = {_num(self.penalty)}")

    # ----- backprop ---------------------------------------------------------
    def most_responsible(self, k=None):
        """The k connections with the largest |dL/dW| over the whole network,
        largest first; ties go to the lower (layer, i, j).  -> [Connection]"""
        k = self.top_k if k is None else int(k)
        flat = np.concatenate([np.abs(g["W"]).ravel() for g in self.grads])
        k = max(0, min(k, flat.size))
        if k == 0:
            return []
        threshold = np.partition(flat, flat.size - k)[flat.size - k]   # the k-th largest
        candidates = np.flatnonzero(flat >= threshold)                  # in (layer, i, j) order
        chosen = candidates[np.argsort(-flat[candidates], kind="stable")[:k]]
        starts = np.cumsum([0] + [g["W"].size for g in self.grads])
        result = []
        for pos in chosen.tolist():
            layer = int(np.searchsorted(starts, pos, side="right")) - 1
            i, j = np.unravel_index(pos - starts[layer], self.grads[layer]["W"].shape)
            result.append(Connection(layer, int(i), int(j), float(self.grads[layer]["W"][i, j])))
        return result

    def direction(self, k):
        """(n_k,) for each neuron of a[k]: +1 if it fired too strongly (lowering it
        lowers the loss: dL/da > 0, summed over the batch), -1 too weakly, 0 neither.
        For the output layer this reads dL/dz (the loss owns the output function)."""
        g = self.dL_dz[-1] if k == len(self.dL_da) else self.dL_da[k]
        return np.sign(g.sum(axis=0)).astype(np.int64)

    # ----- commit -----------------------------------------------------------
    def apply_to(self, net, optimizer):
        """Commit the walked step: the live net and optimizer take it, as one
        ``train_step`` on the same batch.  Raises ValueError (touching nothing)
        if they are not where the walk started; RuntimeError if the step landed
        elsewhere (the optimizer's state was changed since).  Returns the loss."""
        if self._fingerprint(net, optimizer, self.regularizer) != self._settings:
            raise ValueError("network, optimizer or regularizer settings changed since the walk-through")
        for layer, W, b in zip(net.layers, self.W_before, self.b_before):
            if not (np.array_equal(layer.W, W) and np.array_equal(layer.b, b)):
                raise ValueError("the network's weights changed since the walk-through")
        loss = train_step(net, optimizer, self.x, self.y, self.regularizer)
        for layer, W, b in zip(net.layers, self.W_after, self.b_after):
            if not (np.array_equal(layer.W, W) and np.array_equal(layer.b, b)):
                raise RuntimeError("the live step differs from the walked one "
                                   "(was the optimizer stepped or reset since?)")
        return loss

    # ----- for the page -----------------------------------------------------
    def _named_arrays(self):
        """{key: array} of every array to_dict shows."""
        L = len(self.W_before)
        arrays = {}
        for name, items in (("forward.W", self.W_before), ("forward.b", self.b_before),
                            ("forward.z", self.trace.z), ("forward.a", self.trace.a),
                            ("backprop.dL_dz", self.dL_dz), ("backprop.dL_da", self.dL_da),
                            ("backprop.dL_dW", [g["W"] for g in self.grads]),
                            ("backprop.dL_db", [g["b"] for g in self.grads]),
                            ("backprop.direction", [self.direction(k) for k in range(L + 1)]),
                            ("update.W_after", self.W_after), ("update.b_after", self.b_after),
                            ("update.W_step", self.W_step), ("update.b_step", self.b_step)):
            for i, arr in enumerate(items):
                arrays[f"{name}.{i}"] = arr
        arrays["update.output_after"] = self.trace_after.output
        arrays["loss.target"] = self.y
        arrays["loss.prediction"] = self.prediction()
        arrays["loss.per_example"] = self.per_example_loss()
        if self.criterion.name != "mse":
            arrays["loss.probabilities"] = self.trace.output
        return {key: arr for key, arr in arrays.items() if arr is not None}

    def array(self, key):
        """The array ``key`` of to_dict (e.g. "forward.W.0") as contiguous float32."""
        return _float32(key, self._named_arrays()[key])

    def to_dict(self, max_elements=1024, arrays=None):
        """JSON-able summary of all four stages (structure: module docstring).
        Arrays with more than max_elements elements are given by reference and,
        when ``arrays`` is a dict, put into it as float32.  Raises
        FloatingPointError if a value is not finite."""
        named = self._named_arrays()
        bad = [key for key, arr in named.items() if not np.isfinite(arr).all()]
        if bad:
            raise FloatingPointError(f"non-finite values in {', '.join(bad)}")
        moved = {}

        def entry(key):
            arr = named.get(key)
            if arr is None:
                return None
            if max_elements is None or arr.size <= max_elements:
                return arr.tolist()
            moved[key] = list(arr.shape)
            if arrays is not None:
                arrays[key] = _float32(key, arr)
            return {"array": key, "shape": list(arr.shape)}

        def group(name, count):
            return [entry(f"{name}.{i}") for i in range(count)]

        L = len(self.W_before)
        template, formula = self.loss_text()
        penalty_template, penalty_formula = self.penalty_text()
        reg = self.regularizer
        opt = self.optimizer
        before = {"data": self.loss_data, "penalty": self.penalty, "total": self.loss}
        after = {"data": self.loss_data_after, "penalty": self.penalty_after, "total": self.loss_after}
        result = {
            "version": 1,
            "sizes": list(self.sizes),
            "batch": self.batch,
            "activation": self.activation,
            "optimizer": {
                "name": next((n for n, c in optimizers.OPTIMIZERS.items() if type(opt) is c),
                             type(opt).__name__),
                "learning_rate": opt.learning_rate,
                "rule": RULES.get(type(opt)),
                "repr": repr(opt),
            },
            "regularizer": {"name": reg.name if reg else "none", "rate": reg.rate if reg else 0.0},
            "forward": {"W": group("forward.W", L), "b": group("forward.b", L),
                        "z": group("forward.z", L), "a": group("forward.a", L + 1)},
            "loss": {
                "name": self.criterion.name, "template": template, "formula": formula,
                **before,
                "penalty_template": penalty_template, "penalty_formula": penalty_formula,
                "total_formula": (f"L + penalty = {_num(self.loss_data)} + {_num(self.penalty)}"
                                  f" = {_num(self.loss)}") if reg else None,
                "target": entry("loss.target"), "prediction": entry("loss.prediction"),
                "probabilities": entry("loss.probabilities"),
                "per_example": entry("loss.per_example"),
            },
            "backprop": {
                "dL_dz": group("backprop.dL_dz", L),
                "dL_da": group("backprop.dL_da", L) + [None],
                "dL_dW": group("backprop.dL_dW", L), "dL_db": group("backprop.dL_db", L),
                "direction": group("backprop.direction", L + 1),
                "most_responsible": [
                    {"layer": c.layer, "i": c.i, "j": c.j, "gradient": c.gradient,
                     "weight": float(self.W_before[c.layer][c.i, c.j]),
                     "step": float(self.W_step[c.layer][c.i, c.j])}
                    for c in self.most_responsible()],
                "gradient_norms": gradient_norms(self.grads).tolist(),
            },
            "update": {
                "W_after": group("update.W_after", L), "b_after": group("update.b_after", L),
                "W_step": group("update.W_step", L), "b_step": group("update.b_step", L),
                "output_after": entry("update.output_after"),
                "loss_before": before, "loss_after": after,
                "formula": f"L: {_num(self.loss)} → {_num(self.loss_after)}",
            },
            "arrays": moved,
        }
        scalars = [result["optimizer"]["learning_rate"], *before.values(), *after.values(),
                   *result["backprop"]["gradient_norms"]]
        if not all(math.isfinite(v) for v in scalars):
            raise FloatingPointError("non-finite loss, penalty or gradient norm")
        return result

    def __repr__(self):
        return (f"StepWalkthrough(sizes={self.sizes}, batch={self.batch}, "
                f"loss {self.loss:.6g} -> {self.loss_after:.6g})")


def _num(v):
    """A number as the page prints it: 4 significant digits, a true minus sign."""
    s = f"{float(v):.4g}"
    return "−" + s[1:] if s.startswith("-") else s


def _paren(v):
    return f"({_num(v)})" if v < 0 else _num(v)


def _terms(values, shown=3):
    head = " + ".join(_num(v) for v in values[:shown])
    return head + (" + …" if len(values) > shown else "")


def _float32(key, arr):
    out = np.ascontiguousarray(arr, dtype=np.float32)
    if not np.isfinite(out).all():
        raise FloatingPointError(f"{key} has values that are not finite in float32")
    return out
