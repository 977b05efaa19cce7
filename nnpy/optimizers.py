"""Gradient-descent optimizers with the exact update rules of torch.optim
(SGD, SGD(momentum=m), Adam with its defaults), so runs match PyTorch.

``opt.step(params, grads)`` updates in place.  ``params`` and ``grads`` are
lists with one dict per layer, {"W": ..., "b": ...}.  ``learning_rate`` is a
plain attribute and may be changed between steps.

State (velocity, moment estimates, Adam's step count) belongs to each
parameter array, as in torch.  Fast path: ``Network.params`` also carries
``.flat``, one vector that every W and b of the network is a view of, and
``.segments`` describing it; the optimizer then updates that single vector
with a handful of numpy calls instead of a handful per array.  After a live
edit the network lays out a new vector: the optimizer carries the state of
untouched layers over and starts afresh for layers whose shape changed.
``reset()`` forgets everything.  On the fast path a non-finite gradient
raises FloatingPointError and leaves the parameters as they were.
"""

import math

import numpy as np

KEYS = ("W", "b")


class Optimizer:
    defaults = {}
    slots = 1   # arrays kept per parameter: its state (velocity, moments, ...) + 1 scratch
    counts_steps = False

    def __init__(self, learning_rate=0.01):
        self.learning_rate = float(learning_rate)
        self.reset()

    def reset(self):
        """Forget all state (velocities, moments, step counts)."""
        self.state = {}            # per-array path: id(p) -> [p, t, *slots]
        self._segments = None      # flat path: layout the flat state matches
        self._flat_state = []
        self._grad = None          # flat path: the gradients, gathered into one vector
        self._steps = None         # flat path: step count per segment
        self._index = {}

    def step(self, params, grads):
        """One update of every parameter, in place; grads are left unchanged."""
        flat = getattr(params, "flat", None)
        if flat is None:
            return self._step_arrays(params, grads)
        if params.segments is not self._segments:
            self._relayout(params.segments, flat.size)
        if getattr(grads, "segments", None) is params.segments:
            g = grads.flat          # laid out like the parameters already (Network.gradient_buffer)
        else:
            g = self._grad
            try:
                np.concatenate([layer[key].ravel() for layer in grads for key in KEYS], out=g)
            except ValueError:
                raise ValueError("gradients do not fit the parameters: "
                                 "were they computed before a network edit?") from None
        if not math.isfinite(np.add.reduce(g)):   # a sum is nan/inf iff some element is (or it overflows)
            raise FloatingPointError("non-finite gradient: parameters left unchanged")
        t = None
        if self.counts_steps:
            self._steps += 1
            t = int(self._steps[0]) if self._uniform else np.repeat(self._steps, self._lengths)
        self.update(flat, g, self._flat_state, t)

    def _step_arrays(self, params, grads):
        """Any list of {"W", "b"} dicts: one update per array."""
        if len(self.state) > 2 * len(params):   # arrays vanished: drop their state
            live = {id(p) for layer in params for p in layer.values()}
            self.state = {k: s for k, s in self.state.items() if k in live}
        for layer, layer_grads in zip(params, grads):
            for key, p in layer.items():
                s = self.state.get(id(p))
                if s is None or s[0] is not p:   # s holds p, so its id is not reused
                    s = self.state[id(p)] = [p, 0] + [np.zeros_like(p) for _ in range(self.slots)]
                s[1] += 1
                self.update(p, layer_grads[key], s[2:], s[1])

    def _relayout(self, segments, size):
        """Move flat state to a new layout: segments (uid, key, shape, start, stop)
        found in the old layout keep their state, others start at zero."""
        old = {} if self._segments is None else {seg[:3]: seg[3:] for seg in self._segments}
        state = [np.zeros(size) for _ in range(self.slots)]
        steps = np.zeros(len(segments), dtype=np.int64)
        for i, (uid, key, shape, start, stop) in enumerate(segments):
            where = old.get((uid, key, shape))
            if where is not None:
                for new, prev in zip(state, self._flat_state):
                    new[start:stop] = prev[where[0]:where[1]]
                steps[i] = self._steps[self._index[(uid, key, shape)]]
        self._segments, self._flat_state, self._steps = segments, state, steps
        self._grad = np.empty(size)
        self._index = {seg[:3]: i for i, seg in enumerate(segments)}
        self._lengths = np.array([seg[4] - seg[3] for seg in segments])
        self._uniform = bool((steps == steps[0]).all())

    def update(self, p, g, state, t):
        """Update array p in place from gradient g (left unchanged).  state: the
        `slots` arrays shaped like p, the last one scratch space (so that big
        networks make no temporary arrays); t: step number (int, or per-element)."""
        raise NotImplementedError

    def __repr__(self):
        extra = "".join(f", {k}={getattr(self, k)}" for k in self.defaults)
        return f"{type(self).__name__}(learning_rate={self.learning_rate}{extra})"


class SGD(Optimizer):
    """p <- p - lr * g"""

    def update(self, p, g, state, t):
        tmp = state[-1]
        np.multiply(g, self.learning_rate, out=tmp)
        p -= tmp


class Momentum(Optimizer):
    """SGD with (heavy-ball) momentum, as torch.optim.SGD(momentum=m):
    v <- m v + g ;  p <- p - lr v"""

    defaults = {"momentum": 0.9}
    slots = 2

    def __init__(self, learning_rate=0.01, momentum=0.9):
        super().__init__(learning_rate)
        self.momentum = float(momentum)

    def update(self, p, g, state, t):
        v, tmp = state
        v *= self.momentum
        v += g
        np.multiply(v, self.learning_rate, out=tmp)
        p -= tmp


class Adam(Optimizer):
    """Adam (Kingma & Ba), as torch.optim.Adam with its defaults:

    m <- m + (1 - b1)(g - m)          v <- b2 v + (1 - b2) g^2
    p <- p - lr/(1 - b1^t) * m / (sqrt(v)/sqrt(1 - b2^t) + eps)

    computed in the paper's "efficient" order (section 2), one vector
    operation fewer:  p <- p - a_t m / (sqrt(v) + e_t)  with
    a_t = lr sqrt(1 - b2^t)/(1 - b1^t) and e_t = eps sqrt(1 - b2^t).
    """

    defaults = {"beta1": 0.9, "beta2": 0.999, "eps": 1e-8}
    slots = 3
    counts_steps = True

    def __init__(self, learning_rate=0.001, beta1=0.9, beta2=0.999, eps=1e-8):
        self.beta1, self.beta2, self.eps = float(beta1), float(beta2), float(eps)
        super().__init__(learning_rate)

    def update(self, p, g, state, t):
        m, v, tmp = state
        b1, b2 = self.beta1, self.beta2
        np.subtract(g, m, out=tmp)            # m += (1 - b1)(g - m)
        tmp *= 1.0 - b1
        m += tmp
        np.multiply(g, g, out=tmp)            # v = b2 v + (1 - b2) g^2
        tmp *= 1.0 - b2
        v *= b2
        v += tmp
        root_bc2 = (1.0 - b2**t) ** 0.5
        np.sqrt(v, out=tmp)                   # p -= a_t m / (sqrt(v) + e_t)
        tmp += self.eps * root_bc2
        np.divide(m, tmp, out=tmp)
        tmp *= self.learning_rate * root_bc2 / (1.0 - b1**t)
        p -= tmp


OPTIMIZERS = {"sgd": SGD, "momentum": Momentum, "adam": Adam}


def make(name, learning_rate=None, **kwargs):
    """Build an optimizer: make("adam", learning_rate=0.01).
    name: sgd | momentum | adam; other keywords go to its constructor
    (momentum=..., beta1=..., beta2=..., eps=...)."""
    try:
        cls = OPTIMIZERS[name]
    except (KeyError, TypeError):
        raise ValueError(
            f"unknown optimizer {name!r}; valid choices: {', '.join(OPTIMIZERS)}"
        ) from None
    if learning_rate is not None:
        kwargs["learning_rate"] = learning_rate
    return cls(**kwargs)
