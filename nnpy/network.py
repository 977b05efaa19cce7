"""A fully connected network: a stack of Dense layers with one hidden
activation, and a loss that owns the output non-linearity.

    sizes = [n0, n1, ..., nL]    n0 inputs, n1..n(L-1) hidden neurons, nL outputs
    a0 = x
    z_l = a_(l-1) W_l + b_l       (l = 1..L)
    a_l = f(z_l)                  hidden layers
    a_L = softmax(z_L) | sigmoid(z_L) | z_L      decided by the loss

One training step is four calls, each returning a value and hiding no
state: ``trace = net.forward(x)``, ``net.loss(trace, y)``,
``grads = net.backward(trace, y)``, ``opt.step(net.params, grads)`` --
or ``train_step(net, opt, x, y)``.

Hidden layers are numbered 0..H-1 (hidden layer i has ``sizes[i + 1]``
neurons) for the live edits ``insert_layer``, ``remove_layer`` and
``resize_layer``.  Weights belong to the neuron they feed: an edit keeps
every surviving neuron's incoming weights and bias; only new connections
are freshly drawn (from the network's own rng).
"""

import copy
import math
import operator

import numpy as np

from . import activations, initializers, losses
from .layers import Dense

MAX_NEURONS = 1024
MAX_HIDDEN = 16


class ParamList(list):
    """``net.params``: one dict {"W", "b"} per layer, plus ``flat``, the one
    vector all those arrays are views of, and ``segments``, a tuple of
    (layer uid, key, shape, start, stop) telling where each array lives."""

    __slots__ = ("flat", "segments", "views")


def _views_of(flat, segments):
    """ParamList of dicts {"W", "b"} whose arrays are views of ``flat`` where
    ``segments`` say (one W and one b per layer, in order)."""
    views = tuple(flat[start:stop].reshape(shape) for _, _, shape, start, stop in segments)
    pl = ParamList({"W": W, "b": b} for W, b in zip(views[0::2], views[1::2]))
    pl.flat, pl.segments, pl.views = flat, segments, views
    return pl


class Trace:
    """Everything one forward pass computed, returned rather than stored.

    layer_inputs[l]: input of layer l, (batch, sizes[l]); layer_inputs[0] is x
    z[l]:            pre-activation of layer l, (batch, sizes[l + 1]); z[-1] are the logits
    a:               [x, a_1, ..., a_L]; a_L is the loss's output (e.g. probabilities)
    """

    __slots__ = ("layer_inputs", "z", "criterion", "_output")

    def __init__(self, layer_inputs, z, criterion):
        self.layer_inputs = layer_inputs
        self.z = z
        self.criterion = criterion
        self._output = None

    @property
    def inputs(self):
        return self.layer_inputs[0]

    @property
    def logits(self):
        return self.z[-1]

    @property
    def output(self):
        """Network output, e.g. class probabilities (batch, nL); computed on demand."""
        if self._output is None:
            self._output = self.criterion.output(self.z[-1])
        return self._output

    @property
    def a(self):
        return [*self.layer_inputs, self.output]

    def __repr__(self):
        shapes = [tuple(z.shape) for z in self.z]
        return f"Trace(batch={len(self.inputs)}, z shapes={shapes})"


def _check_count(n, what, low, high):
    try:
        n = operator.index(n)
    except TypeError:
        raise ValueError(f"{what} must be an integer, got {n!r}") from None
    if not low <= n <= high:
        raise ValueError(f"{what} must be between {low} and {high}, got {n}")
    return n


class Network:
    """A multilayer perceptron.

    sizes: [inputs, hidden..., outputs], each 1..1024, at most 16 hidden layers
    activation: relu | leaky_relu | tanh | sigmoid | linear (all hidden layers)
    loss: cross_entropy | binary_cross_entropy | mse
    init: he | glorot
    rng: numpy.random.Generator (or a seed); new weights are drawn from it.
    """

    def __init__(self, sizes, activation="relu", loss="cross_entropy", init="he", rng=None):
        sizes = list(sizes)
        if len(sizes) < 2:
            raise ValueError(f"sizes needs at least inputs and outputs, got {sizes}")
        _check_count(len(sizes) - 2, "number of hidden layers", 0, MAX_HIDDEN)
        sizes = [_check_count(n, f"sizes[{i}]", 1, MAX_NEURONS) for i, n in enumerate(sizes)]
        self.rng = np.random.default_rng(rng)
        self.init_name = init
        self._init = initializers.get(init)
        self.activation = activations.get(activation)
        self.criterion = losses.get(loss)
        self._check_outputs(self.criterion, sizes[-1])
        self.layers = [
            Dense.create(n_in, n_out, self._init, self.rng)
            for n_in, n_out in zip(sizes[:-1], sizes[1:])
        ]
        self._params = None
        self._grads = None

    def __deepcopy__(self, memo):
        """An independent copy.  The flat parameter vector is left behind: a
        plain deep copy would copy each W and b as a separate array, no longer
        a view of the copied vector, and an optimizer would update a vector no
        layer reads.  Without it, the copy lays out its own on first use."""
        twin = self.__class__.__new__(self.__class__)
        memo[id(self)] = twin
        for key, value in self.__dict__.items():
            setattr(twin, key, None if key in ("_params", "_grads") else copy.deepcopy(value, memo))
        return twin

    # ----- shape ---------------------------------------------------------
    @property
    def sizes(self):
        return [self.layers[0].in_features] + [layer.out_features for layer in self.layers]

    @property
    def params(self):
        """One dict {"W": (in, out), "b": (out,)} per layer -- the arrays themselves,
        all views of one flat vector (see ParamList) so optimizers can update
        every parameter with a few vector operations."""
        if not self._is_packed():
            self._params = self._pack()
        return self._params

    def _is_packed(self):
        """True while every layer's W and b are still the views of our flat
        vector (an edit, or an array assigned from outside, breaks this)."""
        pl = self._params
        if pl is None or len(pl.views) != 2 * len(self.layers):
            return False
        views = iter(pl.views)
        for layer in self.layers:
            if layer.params["W"] is not next(views) or layer.params["b"] is not next(views):
                return False
        return True

    def _pack(self):
        """Copy every W and b into one new flat vector and make them views of it."""
        segments, pos = [], 0
        for layer in self.layers:
            for key in ("W", "b"):
                shape = layer.params[key].shape
                segments.append((layer.uid, key, shape, pos, pos + math.prod(shape)))
                pos += math.prod(shape)
        pl = _views_of(np.empty(pos), tuple(segments))
        for layer, views in zip(self.layers, pl):
            for key in ("W", "b"):
                views[key][...] = layer.params[key]
                layer.params[key] = views[key]
        pl[:] = [layer.params for layer in self.layers]   # the layers' own dicts, as before
        return pl

    def gradient_buffer(self):
        """A ParamList shaped like ``params``, over a flat vector of its own laid out
        the same way: ``train_step`` has backward write dW and db straight into it,
        so the optimizer reads one vector instead of gathering the arrays each step.
        Its contents are only the last gradients written; a new layout after an edit."""
        params = self.params
        if self._grads is None or self._grads.segments is not params.segments:
            self._grads = _views_of(np.zeros(params.flat.size), params.segments)
        return self._grads

    def parameter_count(self):
        return sum(p.size for layer in self.layers for p in layer.params.values())

    # ----- the four calls of a training step -----------------------------
    def forward(self, x):
        """x: (batch, n0) or (n0,) -> Trace."""
        x = np.asarray(x, dtype=np.float64)
        if x.ndim == 1:
            x = x[None, :]
        if x.ndim != 2 or x.shape[1] != self.layers[0].in_features:
            raise ValueError(
                f"input must have shape (batch, {self.layers[0].in_features}), got {x.shape}"
            )
        f = self.activation.forward
        inputs, z = [x], []
        for layer in self.layers[:-1]:
            z.append(layer.forward(inputs[-1]))
            inputs.append(f(z[-1]))
        z.append(self.layers[-1].forward(inputs[-1]))
        return Trace(inputs, z, self.criterion)

    def loss(self, trace, y, regularizer=None):
        """Mean data loss of the traced batch, plus the regularization penalty
        on the weights when a regularizer is given.  Returns a float."""
        value = self.criterion.value(trace.z[-1], y)
        if regularizer:
            value += regularizer.penalty([layer.params["W"] for layer in self.layers])
        return value

    def backward(self, trace, y, regularizer=None, delta=None, out=None):
        """Backpropagation.  Returns [{"W": dL/dW, "b": dL/db} per layer]: new
        arrays, or ``out`` (``gradient_buffer()``) written with them.

        delta = dL/dz_L from the loss (or given, if already computed), then for
        each layer, last to first: dW, db from the layer;
        dL/da_(l-1) = delta W^T;  delta = f'(z_(l-1)) * dL/da_(l-1).
        """
        if delta is None:
            delta = self.criterion.gradient(trace.z[-1], y)
        backward = self.activation.backward
        grads = [None] * len(self.layers) if out is None else out
        for l in range(len(self.layers) - 1, -1, -1):
            layer = self.layers[l]
            grad_a, grads[l] = layer.backward(trace.layer_inputs[l], delta, l > 0, None if out is None else out[l])
            if regularizer:
                grads[l]["W"] += regularizer.gradient(layer.params["W"])
            if l:
                delta = backward(trace.z[l - 1], trace.layer_inputs[l], grad_a)
        return grads

    def predict(self, x):
        """Network output for x (probabilities, or values for MSE)."""
        return self.forward(x).output

    # ----- what the renderer sees ------------------------------------------
    def snapshot(self, probe, grads=None):
        """Weights, biases, and z/a for ONE probe input (n0,) or (1, n0),
        plus gradients if given, frozen into one float32 buffer (see Snapshot)."""
        probe = np.asarray(probe, dtype=np.float64)
        if probe.size != self.layers[0].in_features or probe.ndim > 2:
            raise ValueError(
                f"probe must have shape ({self.layers[0].in_features},) or "
                f"(1, {self.layers[0].in_features}), got {probe.shape}"
            )
        trace = self.forward(probe.reshape(1, -1))
        return Snapshot(
            self.sizes,
            W=[layer.params["W"] for layer in self.layers],
            b=[layer.params["b"] for layer in self.layers],
            z=[z[0] for z in trace.z],
            a=[a[0] for a in trace.a],
            gW=None if grads is None else [g["W"] for g in grads],
            gb=None if grads is None else [g["b"] for g in grads],
        )

    # ----- live edits (between steps) ----------------------------------------
    def _fresh(self, n_in, n_out):
        return self._init(n_in, n_out, self.rng)

    def _with_inputs(self, layer, n_in):
        """``layer`` reading n_in inputs: keeps the rows it can, draws new ones."""
        old_in = layer.in_features
        if n_in == old_in:
            return layer
        W = layer.params["W"]
        if n_in < old_in:
            W = W[:n_in].copy()
        else:
            W = np.concatenate([W, self._fresh(n_in, layer.out_features)[old_in:]], axis=0)
        return Dense(W, layer.params["b"].copy())

    def insert_layer(self, i, n):
        """Insert a hidden layer of n neurons so that it becomes hidden layer i
        (0 = right after the inputs).  The layer after it keeps its weights."""
        hidden = len(self.layers) - 1
        if hidden >= MAX_HIDDEN:
            raise ValueError(f"at most {MAX_HIDDEN} hidden layers")
        i = _check_count(i, "insert position", 0, hidden)
        n = _check_count(n, "neurons", 1, MAX_NEURONS)
        n_in = self.layers[i].in_features
        self.layers[i] = self._with_inputs(self.layers[i], n)
        self.layers.insert(i, Dense.create(n_in, n, self._init, self.rng))

    def remove_layer(self, i):
        """Remove hidden layer i with its incoming weights; the next layer reads
        the previous layer instead, keeping the weights it can."""
        hidden = len(self.layers) - 1
        if hidden == 0:
            raise ValueError("the network has no hidden layer to remove")
        i = _check_count(i, "hidden layer index", 0, hidden - 1)
        n_in = self.layers[i].in_features
        del self.layers[i]
        self.layers[i] = self._with_inputs(self.layers[i], n_in)

    def resize_layer(self, i, n):
        """Give hidden layer i n neurons: shrinking drops the last neurons,
        growing adds freshly initialised ones (incoming weights from the rng,
        zero bias); the next layer keeps its weights for surviving neurons."""
        hidden = len(self.layers) - 1
        if hidden == 0:
            raise ValueError("the network has no hidden layer to resize")
        i = _check_count(i, "hidden layer index", 0, hidden - 1)
        n = _check_count(n, "neurons", 1, MAX_NEURONS)
        layer = self.layers[i]
        old = layer.out_features
        if n == old:
            return
        W, b = layer.params["W"], layer.params["b"]
        if n < old:
            W, b = W[:, :n].copy(), b[:n].copy()
        else:
            fresh = self._fresh(layer.in_features, n)[:, old:]
            W, b = np.concatenate([W, fresh], axis=1), np.concatenate([b, np.zeros(n - old)])
        self.layers[i] = Dense(W, b)
        self.layers[i + 1] = self._with_inputs(self.layers[i + 1], n)

    def set_activation(self, name):
        """Use another hidden activation; the weights stay as they are."""
        self.activation = activations.get(name)

    def set_loss(self, name):
        """Use another loss (and with it another output non-linearity)."""
        criterion = losses.get(name)
        self._check_outputs(criterion, self.layers[-1].out_features)
        self.criterion = criterion

    @staticmethod
    def _check_outputs(criterion, n_out):
        if criterion.name == "binary_cross_entropy" and n_out != 1:
            raise ValueError(f"binary_cross_entropy needs 1 output unit, the network has {n_out}")
        if criterion.name == "cross_entropy" and n_out < 2:
            raise ValueError("cross_entropy needs at least 2 output units; "
                             "use binary_cross_entropy for one")

    def __repr__(self):
        return (f"Network(sizes={self.sizes}, activation={self.activation.name!r}, "
                f"loss={self.criterion.name!r}, init={self.init_name!r})")


class Snapshot:
    """The network's state for the renderer, frozen at the moment it was taken.

    Arrays, in this order, in ONE contiguous float32 buffer:
    W[1..L] (n_(l-1), n_l) row-major, b[1..L], z[1..L], a[0..L] (a[0] is the
    probe), then gW[1..L], gb[1..L] when gradients were given.
    ``pack()`` -> (buffer, layout) with
    layout = {"sizes": [...], "offsets": {"W": [...], "b": [...], "z": [...],
              "a": [...], "gW": [...], "gb": [...]}}  (gW/gb offsets -1 if absent).
    Raises FloatingPointError if any value is not finite (in float32).
    """

    KEYS = ("W", "b", "z", "a", "gW", "gb")

    def __init__(self, sizes, W, b, z, a, gW=None, gb=None):
        self.sizes = [int(n) for n in sizes]
        groups = {"W": W, "b": b, "z": z, "a": a, "gW": gW or [], "gb": gb or []}
        arrays, offsets, pos = [], {}, 0
        for key in self.KEYS:
            offsets[key] = []
            for arr in groups[key]:
                offsets[key].append(pos)
                arrays.append(arr.ravel())
                pos += arr.size
        if gW is None:
            offsets["gW"] = [-1] * len(W)
        if gb is None:
            offsets["gb"] = [-1] * len(b)
        with np.errstate(over="ignore", invalid="ignore"):   # detected just below
            self.buffer = np.concatenate(arrays, dtype=np.float32)
        if not np.isfinite(self.buffer).all():
            bad = [f"{key}[{i}]" for key in self.KEYS for i, arr in enumerate(groups[key])
                   if not np.isfinite(arr).all() or np.abs(arr).max() > np.finfo(np.float32).max]
            raise FloatingPointError(
                f"snapshot has non-finite values (or values too large for float32) in {', '.join(bad)}"
            )
        self.layout = {"sizes": list(self.sizes), "offsets": offsets}
        self._shapes = {key: [np.shape(arr) for arr in groups[key]] for key in self.KEYS}

    def pack(self):
        """(buffer: contiguous float32 array, layout: dict of ints)."""
        return self.buffer, self.layout

    def get(self, key, index):
        """A read-only float32 view of one stored array, e.g. get("W", 0)."""
        start = self.layout["offsets"][key][index]
        if start < 0:
            raise KeyError(f"snapshot has no {key}")
        shape = self._shapes[key][index]
        view = self.buffer[start:start + math.prod(shape)].reshape(shape)
        view.flags.writeable = False
        return view

    @property
    def has_grads(self):
        return self.layout["offsets"]["gW"][:1] != [-1]

    def __repr__(self):
        return (f"Snapshot(sizes={self.sizes}, floats={self.buffer.size}, "
                f"grads={self.has_grads})")


def train_step(net, opt, x, y, regularizer=None):
    """forward, loss, backward, update -- one step of gradient descent on the
    batch (x, y).  Returns the loss before the update (float).  Raises
    FloatingPointError, before updating anything, if the loss is not finite."""
    trace = net.forward(x)
    loss, delta = net.criterion.value_and_gradient(trace.z[-1], y)   # = net.loss + its gradient
    if regularizer:
        loss += regularizer.penalty([layer.params["W"] for layer in net.layers])
    if not math.isfinite(loss):
        raise FloatingPointError(
            f"loss is {loss}: training diverged (try a lower learning rate)"
        )
    grads = net.backward(trace, y, regularizer, delta=delta, out=net.gradient_buffer())
    opt.step(net.params, grads)
    return loss
