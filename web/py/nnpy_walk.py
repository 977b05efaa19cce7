"""Step-through and gradient views for the page: ``nnpy.explain`` wired to the Session.

Pure Python + nnpy (no ``js`` import), so CPython tests drive it exactly as the page does;
``app.py`` only moves its results across (JSON text, and float32 arrays into typed arrays).

    walker = Walker()
    info, arrays = walker.handle(session, {"action": "start", "mode": "example"})   # or "batch"
    info, arrays = walker.handle(session, {"action": "commit"})     # the live model takes the step
    info, arrays = walker.handle(session, {"action": "discard"})    # nothing changes
    info, _ = walker.handle(session, {"action": "color_by", "value": "gradient"})   # or "weight"

    monitor = GradientMonitor()    # per-layer ||dL/dW|| over time, for the gradient chart
    monitor.active = True
    monitor.sample(session)        # -> True when monitor.values holds a new sample

Every number the page shows in the step-through comes from ``nnpy.explain.walk_through`` (through
``StepWalkthrough.to_dict``), never from JavaScript arithmetic.
"""

from __future__ import annotations

import math
import time

import numpy as np


TOP_K = 6              # "most responsible" connections marked in the picture
MONITOR_BATCH = 64     # training examples the gradient chart measures on (always the same ones)
MONITOR_EVERY_MS = 150.0


class Walker:
    """One step-through at a time: start on the probe example or the next mini-batch, then
    commit (the live network takes exactly the walked step) or discard (nothing changes)."""

    def __init__(self):
        self.walk = None
        self.mode = None
        self.index = None

    def handle(self, session, request: dict):
        """JSON-able request -> (JSON-able info, {key: float32 array} or None)."""
        action = request.get("action")
        if action == "start":
            return self.start(session, request.get("mode", "example"), int(request.get("top_k", TOP_K)))
        if action == "commit":
            return self.commit(session), None
        if action == "discard":
            self.discard()
            return {"ok": True}, None
        if action == "color_by":
            return color_by(session, request.get("value", "weight")), None
        raise ValueError(f"unknown step-through action {action!r}")

    def start(self, session, mode: str = "example", top_k: int = TOP_K):
        if mode == "example":
            i = session._probe()
            x, y = session.test_x[i:i + 1], session.test_y[i:i + 1]
            self.index = [int(i)]
        elif mode == "batch":
            # the next mini-batch the training loop would take (drawing it moves the cursor on:
            # a discarded walk skips that batch, which training never notices)
            x, y = session._batch()
            self.index = None
        else:
            raise ValueError(f"mode must be 'example' or 'batch', got {mode!r}")
        from nnpy import explain   # on first use: start-up does not need the step-through's engine
        walk = explain.walk_through(session.net, session.optimizer, x, y,
                                    regularizer=session.regularizer, top_k=top_k)
        arrays: dict = {}
        info = walk.to_dict(max_elements=0, arrays=arrays)
        # the weighted sum Σ a·w of each neuron for the example drawn (the first of the batch)
        for l, (z, b) in enumerate(zip(walk.trace.z, walk.b_before)):
            arrays[f"forward.s.{l}"] = np.ascontiguousarray(z[0] - b, dtype=np.float32)
        # what each neuron's colour shows in the backprop picture: dL/da (dL/dz for the outputs,
        # whose function belongs to the loss), summed over the batch as explain.direction reads it
        L = len(walk.dL_dz)
        for k in range(1, L + 1):
            g = walk.dL_dz[-1] if k == L else walk.dL_da[k]
            arrays[f"backprop.node.{k}"] = np.ascontiguousarray(g.sum(axis=0), dtype=np.float32)
        info["mode"] = mode
        info["example"] = self.index[0] if self.index else None
        info["step"] = int(session.step)
        info["loss"]["rose"] = bool(walk.loss_after > walk.loss)
        self.walk, self.mode = walk, mode
        return info, arrays

    def commit(self, session) -> dict:
        """The live network and optimizer take the walked step (checked by ``apply_to``)."""
        if self.walk is None:
            raise ValueError("no step-through to commit")
        walk, self.walk = self.walk, None
        loss = walk.apply_to(session.net, session.optimizer)
        session.step += 1
        session.loss_sum += loss
        session.loss_count += 1
        session.steps_done, session.train_ms = 1, 0.0
        session._evaluate()
        session._pack()
        session._write_figures()
        return {"ok": True, "loss": loss, "step": int(session.step)}

    def discard(self) -> None:
        self.walk = None


# ---------------------------------------------------------------------- colour by gradient

def probe_gradients(session, i: int):
    """dL/dW, dL/db of the loss on test example i (the one the picture shows), as training
    computes them (regularizer included); for the snapshot's gW / gb."""
    x, y = session.test_x[i:i + 1], session.test_y[i:i + 1]
    net = session.net
    return net.backward(net.forward(x), y, session.regularizer)


def color_by(session, value: str) -> dict:
    """Put the probe's gradients into every snapshot ("gradient") or leave them out ("weight").
    Returns the new meta (the snapshot's layout gains or loses its gW / gb offsets)."""
    if value not in ("weight", "gradient"):
        raise ValueError(f"colour by 'weight' or 'gradient', got {value!r}")
    session.gradient_source = probe_gradients if value == "gradient" else None
    session.meta = {}
    session._pack()
    session._write_figures()
    return {"color_by": value, "meta": session.meta}


# ---------------------------------------------------------------------- gradient chart

class GradientMonitor:
    """||dL/dW|| of each weight layer on a fixed set of training examples, sampled at most every
    MONITOR_EVERY_MS while the step count moves: vanishing / exploding gradients show as lines
    falling / rising apart on a log scale.

    ``values`` (float64): [samples taken, step, layers, norm_1 .. norm_L]."""

    def __init__(self):
        self.active = False
        self.values = np.zeros(3, dtype=np.float64)
        self.last_ms = -math.inf
        self.last_step = -1
        self.count = 0

    def sample(self, session, force: bool = False) -> bool:
        if not self.active or session.net is None:
            return False
        now = time.perf_counter() * 1000.0
        if not force and (session.step == self.last_step or now - self.last_ms < MONITOR_EVERY_MS):
            return False
        x, y = session.train_x[:MONITOR_BATCH], session.train_y[:MONITOR_BATCH]
        net = session.net
        try:
            grads = net.backward(net.forward(x), y, session.regularizer)
        except FloatingPointError:
            return False
        from nnpy import explain
        norms = explain.gradient_norms(grads)
        if not np.isfinite(norms).all():
            return False
        self.count += 1
        self.last_ms, self.last_step = now, session.step
        self.values = np.concatenate([[self.count, session.step, len(norms)], norms]).astype(np.float64)
        return True
