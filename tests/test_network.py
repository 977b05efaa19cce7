"""Network behaviour: construction and validation, reproducibility, the
snapshot buffer, live edits with optimizer state, the matmul kernel switch,
and learning on small 2-D datasets generated here."""

import math

import numpy as np
import pytest

import nnpy
from nnpy import linalg


def make_net(sizes=(4, 8, 6, 3), seed=0, **kw):
    return nnpy.Network(list(sizes), rng=np.random.default_rng(seed), **kw)


def batch(rng, n=16, d=4, k=3):
    return rng.standard_normal((n, d)), rng.integers(0, k, n)


def train(net, opt, steps, seed=1, reg=None):
    rng = np.random.default_rng(seed)
    d, k = net.sizes[0], net.sizes[-1]
    losses = []
    for _ in range(steps):
        x, y = batch(rng, 16, d, k)
        losses.append(nnpy.train_step(net, opt, x, y, regularizer=reg))
    return losses


# ----- construction ---------------------------------------------------------

def test_shapes_and_zero_biases():
    net = make_net((784, 64, 64, 64, 64, 64, 64, 10))
    assert net.sizes == [784, 64, 64, 64, 64, 64, 64, 10]
    for layer, (n_in, n_out) in zip(net.layers, zip(net.sizes[:-1], net.sizes[1:])):
        assert layer.W.shape == (n_in, n_out) and layer.b.shape == (n_out,)
        assert not layer.b.any()
    assert "Network(sizes=[784, 64" in repr(net)
    assert net.parameter_count() == sum(p.size for d in net.params for p in d.values())


def test_no_hidden_layer_is_logistic_regression():
    net = make_net((3, 2))
    rng = np.random.default_rng(0)
    x, y = batch(rng, 8, 3, 2)
    assert np.isfinite(nnpy.train_step(net, nnpy.optimizers.make("sgd"), x, y))


@pytest.mark.parametrize("init", ["he", "glorot"])
def test_initializer_scale(init):
    net = make_net((400, 300, 10), init=init)
    W = net.layers[0].W
    expected = math.sqrt(2 / 400) if init == "he" else math.sqrt(2 / 700)   # glorot: var = 2/(in+out)
    assert abs(W.std() - expected) / expected < 0.02
    assert abs(W.mean()) < 0.01 * expected * 10


@pytest.mark.parametrize("bad", [[4], [0, 3], [4, 1025], [4, 3.5, 2], [4, -1, 2], [2] + [3] * 17 + [2]])
def test_bad_sizes_rejected(bad):
    with pytest.raises(ValueError):
        nnpy.Network(bad)


@pytest.mark.parametrize("maker,kind", [
    (lambda: nnpy.Network([2, 2], activation="swish"), "relu"),
    (lambda: nnpy.Network([2, 2], loss="hinge"), "cross_entropy"),
    (lambda: nnpy.Network([2, 2], init="zeros"), "glorot"),
    (lambda: nnpy.optimizers.make("rmsprop"), "adam"),
    (lambda: nnpy.regularizers.make("l3", 0.1), "l2"),
    (lambda: nnpy.linalg.use("cuda"), "einsum"),
    (lambda: nnpy.activations.get("__class__"), "leaky_relu"),
])
def test_unknown_names_list_valid_choices(maker, kind):
    with pytest.raises(ValueError, match=kind):
        maker()


def test_loss_output_size_checked():
    with pytest.raises(ValueError, match="1 output"):
        nnpy.Network([2, 4, 3], loss="binary_cross_entropy")
    with pytest.raises(ValueError, match="2 output"):
        nnpy.Network([2, 4, 1], loss="cross_entropy")
    net = nnpy.Network([2, 4, 1], loss="binary_cross_entropy")
    with pytest.raises(ValueError):
        net.set_loss("cross_entropy")
    net.set_loss("mse")
    assert net.criterion.name == "mse"


def test_forward_checks_input_width():
    with pytest.raises(ValueError, match=r"\(batch, 4\)"):
        make_net().forward(np.zeros((2, 5)))


def test_trace_contents():
    net = make_net()
    x = np.random.default_rng(0).standard_normal((5, 4))
    trace = net.forward(x)
    assert trace.inputs is not None and np.array_equal(trace.inputs, x)
    assert [z.shape for z in trace.z] == [(5, 8), (5, 6), (5, 3)]
    assert [a.shape for a in trace.a] == [(5, 4), (5, 8), (5, 6), (5, 3)]
    assert np.allclose(trace.output.sum(axis=1), 1.0)
    assert np.array_equal(trace.a[1], np.maximum(trace.z[0], 0))
    assert "Trace(" in repr(trace)


# ----- reproducibility ------------------------------------------------------

def run(seed, optimizer="adam", edits=True):
    net = make_net((4, 8, 6, 3), seed=seed)
    opt = nnpy.optimizers.make(optimizer, learning_rate=0.01)
    losses = train(net, opt, 50, seed=seed)
    if edits:
        net.resize_layer(0, 11)
        net.insert_layer(1, 5)
        losses += train(net, opt, 20, seed=seed + 1)
    return net, losses


def test_same_seed_same_run_bit_for_bit():
    (a, la), (b, lb) = run(3), run(3)
    assert la == lb
    for pa, pb in zip(a.params, b.params):
        assert np.array_equal(pa["W"], pb["W"]) and np.array_equal(pa["b"], pb["b"])


def test_different_seeds_differ():
    (a, _), (b, _) = run(3, edits=False), run(4, edits=False)
    assert not np.array_equal(a.layers[0].W, b.layers[0].W)


# ----- snapshot ---------------------------------------------------------------

def test_snapshot_layout_slices_back():
    net = make_net((4, 8, 6, 3))
    rng = np.random.default_rng(0)
    x, y = batch(rng)
    grads = net.backward(net.forward(x), y)
    probe = x[0]
    snap = net.snapshot(probe, grads)
    buf, layout = snap.pack()
    assert buf.dtype == np.float32 and buf.ndim == 1 and buf.flags.c_contiguous
    assert layout["sizes"] == [4, 8, 6, 3]
    off = layout["offsets"]
    assert all(isinstance(o, int) for v in off.values() for o in v)
    assert [len(off[k]) for k in ("W", "b", "z", "a", "gW", "gb")] == [3, 3, 3, 4, 3, 3]
    trace = net.forward(probe)
    sizes = layout["sizes"]

    def take(key, i, shape):
        start = off[key][i]
        return buf[start:start + math.prod(shape)].reshape(shape)

    for l in range(3):
        wshape = (sizes[l], sizes[l + 1])
        assert np.array_equal(take("W", l, wshape), net.layers[l].W.astype(np.float32))
        assert np.array_equal(take("b", l, (sizes[l + 1],)), net.layers[l].b.astype(np.float32))
        assert np.array_equal(take("z", l, (sizes[l + 1],)), trace.z[l][0].astype(np.float32))
        assert np.array_equal(take("gW", l, wshape), grads[l]["W"].astype(np.float32))
        assert np.array_equal(take("gb", l, (sizes[l + 1],)), grads[l]["b"].astype(np.float32))
        assert np.array_equal(snap.get("W", l), take("W", l, wshape))
    for l in range(4):
        assert np.array_equal(take("a", l, (sizes[l],)), trace.a[l][0].astype(np.float32))
    assert np.array_equal(take("a", 0, (4,)), probe.astype(np.float32))
    assert np.isclose(take("a", 3, (3,)).sum(), 1.0)          # softmax output
    assert off["gb"][-1] + sizes[-1] == buf.size                # nothing after the last array
    assert "Snapshot(" in repr(snap)


def test_snapshot_without_grads_and_probe_shapes():
    net = make_net()
    probe = np.arange(4.0)
    buf1, layout = net.snapshot(probe).pack()
    buf2, _ = net.snapshot(probe[None, :]).pack()
    assert np.array_equal(buf1, buf2)
    assert layout["offsets"]["gW"] == [-1, -1, -1] and layout["offsets"]["gb"] == [-1, -1, -1]
    assert layout["offsets"]["a"][-1] + 3 == buf1.size
    with pytest.raises(ValueError):
        net.snapshot(np.zeros((2, 4)))


def test_snapshot_is_frozen():
    net = make_net()
    snap = net.snapshot(np.ones(4))
    before = snap.pack()[0].copy()
    train(net, nnpy.optimizers.make("sgd", learning_rate=0.5), 3)
    assert np.array_equal(snap.pack()[0], before)


@pytest.mark.parametrize("bad", [np.nan, np.inf, 1e39])
def test_snapshot_rejects_non_finite(bad):
    net = make_net()
    net.layers[1].params["W"][2, 3] = bad
    with np.errstate(all="ignore"), pytest.raises(FloatingPointError, match=r"W\[1\]"):
        net.snapshot(np.ones(4))


def test_train_step_rejects_non_finite_loss():
    net = make_net()
    net.layers[0].params["W"][0, 0] = np.nan
    before = [p["W"].copy() for p in net.params]
    x, y = batch(np.random.default_rng(0))
    with pytest.raises(FloatingPointError, match="loss"):
        nnpy.train_step(net, nnpy.optimizers.make("sgd"), x, y)
    for p, w in zip(net.params, before):
        assert np.array_equal(p["W"], w, equal_nan=True)


# ----- live edits -------------------------------------------------------------

def test_resize_grow_keeps_weights():
    net = make_net((4, 8, 6, 3))
    W0, b0, W1 = net.layers[0].W.copy(), net.layers[0].b.copy(), net.layers[1].W.copy()
    net.layers[0].params["b"][:] = b0 = np.arange(8.0)
    net.resize_layer(0, 12)
    assert net.sizes == [4, 12, 6, 3]
    assert np.array_equal(net.layers[0].W[:, :8], W0)
    assert np.array_equal(net.layers[0].b[:8], b0) and not net.layers[0].b[8:].any()
    assert net.layers[0].W[:, 8:].std() > 0                      # fresh weights, not zeros
    assert np.array_equal(net.layers[1].W[:8], W1)


def test_resize_shrink_drops_last_neurons():
    net = make_net((4, 8, 6, 3))
    W0, W1, W2 = (l.W.copy() for l in net.layers)
    net.resize_layer(1, 2)
    assert net.sizes == [4, 8, 2, 3]
    assert np.array_equal(net.layers[0].W, W0)
    assert np.array_equal(net.layers[1].W, W1[:, :2])
    assert np.array_equal(net.layers[2].W, W2[:2])


def test_insert_and_remove_layers():
    net = make_net((4, 8, 6, 3))
    W = [l.W.copy() for l in net.layers]
    net.insert_layer(1, 5)                      # new hidden layer 1, between 8 and 6
    assert net.sizes == [4, 8, 5, 6, 3]
    assert np.array_equal(net.layers[0].W, W[0])
    assert np.array_equal(net.layers[2].W[:5], W[1][:5])   # the old 8->6 layer now reads 5 inputs
    assert np.array_equal(net.layers[3].W, W[2])
    net.remove_layer(1)
    assert net.sizes == [4, 8, 6, 3]
    assert np.array_equal(net.layers[0].W, W[0]) and np.array_equal(net.layers[2].W, W[2])
    assert np.array_equal(net.layers[1].W[:5], W[1][:5])
    net.insert_layer(0, 7)
    net.insert_layer(3, 2)
    assert net.sizes == [4, 7, 8, 6, 2, 3]
    for _ in range(4):
        net.remove_layer(0)
    assert net.sizes == [4, 3]
    with pytest.raises(ValueError):
        net.remove_layer(0)


@pytest.mark.parametrize("call", [
    lambda n: n.resize_layer(0, 0), lambda n: n.resize_layer(0, 1025), lambda n: n.resize_layer(2, 4),
    lambda n: n.insert_layer(3, 4), lambda n: n.insert_layer(0, 0), lambda n: n.remove_layer(2),
    lambda n: n.remove_layer(-1), lambda n: n.set_activation("gelu"),
])
def test_bad_edits_rejected(call):
    net = make_net()
    with pytest.raises(ValueError):
        call(net)
    assert net.sizes == [4, 8, 6, 3]


def test_too_many_hidden_layers_rejected():
    net = make_net([2] + [3] * 16 + [2])
    with pytest.raises(ValueError, match="16"):
        net.insert_layer(0, 3)


@pytest.mark.parametrize("optimizer", ["sgd", "momentum", "adam"])
def test_training_continues_after_every_edit(optimizer):
    net = make_net((4, 8, 6, 3))
    opt = nnpy.optimizers.make(optimizer, learning_rate=0.01)
    edits = [lambda: net.resize_layer(0, 16), lambda: net.insert_layer(2, 5),
             lambda: net.set_activation("tanh"), lambda: net.resize_layer(2, 3),
             lambda: net.remove_layer(0), lambda: net.set_activation("leaky_relu"),
             lambda: net.set_loss("mse"), lambda: net.remove_layer(0)]
    for i, edit in enumerate(edits):
        edit()
        if net.criterion.name == "mse":
            rng = np.random.default_rng(i)
            x = rng.standard_normal((16, 4))
            losses = [nnpy.train_step(net, opt, x, rng.standard_normal((16, 3))) for _ in range(10)]
        else:
            losses = train(net, opt, 10, seed=i)
        assert all(np.isfinite(losses))
    assert net.sizes == [4, 3, 3]


def flat_state(opt, net, layer, key, slot):
    """The optimizer's state for one array of the network (reads its flat layout)."""
    for uid, k, shape, start, stop in opt._segments:
        if uid == net.layers[layer].uid and k == key:
            return opt._flat_state[slot][start:stop].reshape(shape)
    return None


def test_optimizer_keeps_state_of_untouched_layers():
    net = make_net((4, 8, 6, 5, 3))
    opt = nnpy.optimizers.make("adam", learning_rate=0.01)
    train(net, opt, 5)
    m0 = flat_state(opt, net, 0, "W", 0).copy()
    v3 = flat_state(opt, net, 3, "b", 1).copy()
    net.resize_layer(1, 9)              # changes layers 1 and 2 only
    x, y = batch(np.random.default_rng(9), 16, 4, 3)
    g = net.backward(net.forward(x), y)
    nnpy.train_step(net, opt, x, y)
    # untouched layers carried their moments over: one more Adam moment update of them ...
    assert np.allclose(flat_state(opt, net, 0, "W", 0), m0 + 0.1 * (g[0]["W"] - m0), rtol=1e-12)
    assert np.allclose(flat_state(opt, net, 3, "b", 1), 0.999 * v3 + 0.001 * g[3]["b"] ** 2, rtol=1e-12)
    # ... while the reshaped layers started afresh, and Adam's step counts say so
    assert np.allclose(flat_state(opt, net, 1, "W", 0), 0.1 * g[1]["W"], rtol=1e-12)
    assert list(opt._steps) == [6, 6, 1, 1, 1, 1, 6, 6]
    opt.reset()
    nnpy.train_step(net, opt, x, y)
    assert list(opt._steps) == [1] * 8


def test_adam_after_edit_matches_fresh_optimizer_for_new_layers():
    """A reshaped layer's first Adam step after an edit is the same as a brand-new
    Adam's first step: |update| = lr for every element with a non-zero gradient."""
    net = make_net((4, 8, 6, 3))
    opt = nnpy.optimizers.make("adam", learning_rate=0.01)
    train(net, opt, 5)
    net.resize_layer(0, 10)
    before = net.layers[0].W.copy()
    x, y = batch(np.random.default_rng(2))
    g = net.backward(net.forward(x), y)[0]["W"]
    nnpy.train_step(net, opt, x, y)
    step = np.abs(net.layers[0].W - before)[np.abs(g) > 1e-6]
    assert np.allclose(step, 0.01, rtol=1e-3)


def test_learning_rate_is_live():
    net = make_net()
    opt = nnpy.optimizers.make("momentum", learning_rate=0.1)
    train(net, opt, 3)
    opt.learning_rate = 0.0
    opt.reset()
    before = [p["W"].copy() for p in net.params]
    train(net, opt, 3)
    assert all(np.array_equal(p["W"], w) for p, w in zip(net.params, before))


def test_params_replaced_from_outside_are_picked_up():
    net = make_net()
    opt = nnpy.optimizers.make("sgd", learning_rate=0.1)
    train(net, opt, 2)
    new = np.zeros((8, 6))
    net.layers[1].params["W"] = new                 # e.g. loading weights
    train(net, opt, 2)
    assert net.layers[1].W.any()                    # it trained from the new values
    assert net.params.flat.size == net.parameter_count()


@pytest.mark.parametrize("optimizer", ["sgd", "momentum", "adam"])
def test_flat_and_per_array_paths_agree(optimizer):
    """Plain lists of arrays (no flat vector) get the same updates."""
    net = make_net()
    plain = [{k: v.copy() for k, v in d.items()} for d in net.params]
    opt_a = nnpy.optimizers.make(optimizer, learning_rate=0.05)
    opt_b = nnpy.optimizers.make(optimizer, learning_rate=0.05)
    rng = np.random.default_rng(0)
    for _ in range(5):
        x, y = batch(rng)
        grads = net.backward(net.forward(x), y)
        opt_a.step(net.params, grads)
        opt_b.step(plain, [{k: v.copy() for k, v in d.items()} for d in grads])
    for d, p in zip(net.params, plain):
        assert np.allclose(d["W"], p["W"], rtol=0, atol=1e-14)
        assert np.allclose(d["b"], p["b"], rtol=0, atol=1e-14)


@pytest.mark.parametrize("optimizer", ["sgd", "momentum", "adam"])
def test_gradient_buffer_path_is_the_same_maths(optimizer):
    """train_step writes the gradients into the network's gradient buffer and the optimizer
    reads its flat vector directly; through an edit, that equals fresh arrays gathered per step."""
    fast, slow = make_net(), make_net()
    opt_fast = nnpy.optimizers.make(optimizer, learning_rate=0.05)
    opt_slow = nnpy.optimizers.make(optimizer, learning_rate=0.05)
    reg = nnpy.regularizers.make("l2", rate=0.01)
    rng = np.random.default_rng(0)
    for step in range(12):
        if step == 6:
            for net in (fast, slow):
                net.resize_layer(0, 5)
        x, y = batch(rng)
        loss = nnpy.train_step(fast, opt_fast, x, y, regularizer=reg)
        trace = slow.forward(x)
        assert math.isclose(loss, slow.loss(trace, y, reg), rel_tol=1e-14)
        opt_slow.step(slow.params, [{k: v.copy() for k, v in d.items()} for d in slow.backward(trace, y, reg)])
        assert np.array_equal(fast.params.flat, slow.params.flat), f"step {step}"
    buffer = fast.gradient_buffer()
    assert buffer.segments is fast.params.segments and buffer.flat.size == fast.parameter_count()
    assert all(np.shares_memory(d[k], buffer.flat) for d in buffer for k in "Wb")
    assert not np.shares_memory(buffer.flat, fast.params.flat)


def test_backward_into_a_buffer_equals_fresh_arrays():
    net = make_net()
    x, y = batch(np.random.default_rng(0))
    trace = net.forward(x)
    fresh = net.backward(trace, y)
    buffer = net.gradient_buffer()
    assert net.backward(trace, y, out=buffer) is buffer
    for a, b in zip(fresh, buffer):
        assert np.array_equal(a["W"], b["W"]) and np.array_equal(a["b"], b["b"])
    net.insert_layer(1, 4)
    assert net.gradient_buffer() is not buffer      # laid out again for the new shapes
    assert [d["W"].shape for d in net.gradient_buffer()] == [d["W"].shape for d in net.params]


def test_class_labels_become_index_type():
    from nnpy.training import Trainer, index_labels
    assert index_labels(np.array([0, 2, 1], np.int64)).dtype == np.intp
    assert index_labels(np.array([[0.5], [1.0]])).dtype == np.float64        # regression targets unchanged
    net = make_net()
    trainer = Trainer(net, nnpy.optimizers.make("sgd"), np.zeros((4, 4)), np.array([0, 1, 2, 0], np.int64))
    assert trainer.y.dtype == np.intp and trainer.y.tolist() == [0, 1, 2, 0]


def test_step_leaves_gradients_untouched():
    net = make_net()
    x, y = batch(np.random.default_rng(0))
    grads = net.backward(net.forward(x), y)
    copy = [{k: v.copy() for k, v in d.items()} for d in grads]
    nnpy.optimizers.make("adam").step(net.params, grads)
    assert all(np.array_equal(a["W"], b["W"]) for a, b in zip(grads, copy))


def test_reprs():
    assert repr(nnpy.optimizers.make("adam", learning_rate=0.5)).startswith("Adam(learning_rate=0.5")
    assert repr(nnpy.regularizers.make("l2", 0.1)) == "L2(rate=0.1)"
    assert repr(nnpy.activations.get("relu")) == "ReLU()"
    assert repr(nnpy.losses.get("mse")) == "MSE()"
    assert repr(make_net().layers[0]) == "Dense(in_features=4, out_features=8)"


# ----- matmul kernel ------------------------------------------------------------

def test_kernel_switch_gives_same_results():
    net = make_net((6, 7, 5, 3))
    x, y = batch(np.random.default_rng(0), 9, 6, 3)
    start = linalg.kernel
    try:
        results = {}
        for name in linalg.KERNELS:
            assert linalg.use(name) == name and linalg.kernel == name
            results[name] = net.backward(net.forward(x), y)
        for name in linalg.KERNELS:
            for a, b in zip(results["blas"], results[name]):
                assert np.allclose(a["W"], b["W"], rtol=1e-12, atol=1e-14)
    finally:
        linalg.use(start)


@pytest.mark.parametrize("shape", [(3, 4, 5), (64, 32, 48)])   # below and above einsum's threshold
def test_every_kernel_writes_into_out(shape):
    n, k, m = shape
    rng = np.random.default_rng(0)
    a, b = rng.normal(size=(n, k)), rng.normal(size=(k, m))
    for name, kernel in linalg.KERNELS.items():
        out = np.full((n, m), np.nan)
        assert kernel(a, b, out) is out, name
        assert np.allclose(out, a @ b, rtol=1e-12, atol=1e-12), name
        assert np.allclose(kernel(a.T.copy().T, b), a @ b, rtol=1e-12, atol=1e-12), name


def test_kernel_detection(monkeypatch):
    config = {"Build Dependencies": {"blas": {"name": "scipy-openblas", "found": True}}}
    monkeypatch.setattr(np.__config__, "CONFIG", config, raising=False)
    assert linalg.has_blas() and linalg.detect() == "blas"
    for no_blas in ({"name": "none"}, {}, {"name": "openblas", "found": False}, {"name": "x", "found": "False"}):
        config["Build Dependencies"]["blas"] = no_blas
        assert not linalg.has_blas() and linalg.detect() == "einsum"
    config["Build Dependencies"] = {}
    assert linalg.detect() == "einsum"


# ----- learning ---------------------------------------------------------------

def xor_data(rng, n):
    x = rng.uniform(-1, 1, (n, 2))
    return x, (x[:, 0] * x[:, 1] > 0).astype(int)


def circle_data(rng, n):
    x = rng.uniform(-1, 1, (n, 2))
    return x, (np.hypot(x[:, 0], x[:, 1]) < 0.65).astype(int)


@pytest.mark.parametrize("data", [xor_data, circle_data])
@pytest.mark.parametrize("loss,out", [("cross_entropy", 2), ("binary_cross_entropy", 1)])
def test_learns_2d_datasets(data, loss, out):
    rng = np.random.default_rng(0)
    x, y = data(rng, 600)
    x_test, y_test = data(rng, 400)
    net = nnpy.Network([2, 16, 16, out], activation="tanh", loss=loss, init="glorot", rng=rng)
    opt = nnpy.optimizers.make("adam", learning_rate=0.03)
    for _ in range(400):
        idx = rng.integers(0, len(x), 32)
        nnpy.train_step(net, opt, x[idx], y[idx])
    p = net.predict(x_test)
    pred = p.argmax(axis=1) if out > 1 else (p[:, 0] > 0.5).astype(int)
    assert (pred == y_test).mean() >= 0.97


# ----- benchmark plumbing (no timing assertions) ----------------------------------

def test_bench_contenders_run_and_table_prints():
    from nnpy import bench

    assert bench.measure("nnpy", "small", "adam", 1e-3, seconds=0.05) > 0
    assert bench.measure("numpy_loop", "small", "sgd", 1e-3, seconds=0.05) > 0
    row = dict.fromkeys([f"{c}_{k}" for c in bench.STEPPERS for k in bench.CASES], None)
    row.update({f"nnpy_vs_{c}_{k}": None for c in ("torch", "numpy_loop") for k in bench.CASES})
    row.update(optimizer="adam", matmul_kernel="blas", torch_threads=None)
    assert "64-32-16-10, 32" in bench.table(row)


@pytest.mark.parametrize("optimizer", ["adam", "sgd"])
def test_bench_numpy_loop_is_the_same_maths(optimizer):
    """The hand loop and nnpy make the same steps from the same start."""
    from nnpy import bench

    sizes, batch_size = bench.CASES["small"]
    step = bench.numpy_loop_stepper(sizes, batch_size, optimizer, 1e-2)
    run_nnpy = bench.nnpy_stepper(sizes, batch_size, optimizer, 1e-2)
    for _ in range(3):
        step()
        run_nnpy()
    flat = [p for layer in run_nnpy.net.params for p in (layer["W"], layer["b"])]
    for ours, theirs in zip(flat, step.params):
        assert np.allclose(ours, theirs, rtol=1e-12, atol=1e-14)


def test_stale_gradients_after_an_edit_are_refused():
    net = make_net()
    x, y = batch(np.random.default_rng(0))
    grads = net.backward(net.forward(x), y)
    net.resize_layer(0, 3)
    with pytest.raises(ValueError, match="edit"):
        nnpy.optimizers.make("adam").step(net.params, grads)


def test_non_finite_gradient_refused_before_any_update():
    net = make_net()
    x, y = batch(np.random.default_rng(0))
    grads = net.backward(net.forward(x), y)
    grads[1]["b"][0] = np.inf
    before = net.params.flat.copy()
    with pytest.raises(FloatingPointError, match="gradient"):
        nnpy.optimizers.make("adam").step(net.params, grads)
    assert np.array_equal(net.params.flat, before)


def test_deepcopy_gives_a_network_that_trains_independently():
    import copy
    rng = np.random.default_rng(3)
    net = nnpy.Network([3, 5, 2], activation="tanh", rng=1)
    twin = copy.deepcopy(net)
    x, y = rng.normal(size=(8, 3)), rng.integers(0, 2, 8)
    before = [p["W"].copy() for p in net.params]
    nnpy.train_step(twin, nnpy.optimizers.make("sgd", learning_rate=0.5), x, y)
    assert all(np.array_equal(b, p["W"]) for b, p in zip(before, net.params))
    assert not np.array_equal(twin.params[0]["W"], before[0])
    assert np.shares_memory(twin.params.flat, twin.layers[0].params["W"])
