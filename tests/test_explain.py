"""The step-through walkthrough (nnpy.explain): its numbers are the engine's own,
bit for bit; the live network and optimizer stay untouched until apply_to,
which then equals one train_step; to_dict is plain JSON."""

import copy
import itertools
import json

import numpy as np
import pytest

import nnpy
from nnpy import explain

LOSSES = ["cross_entropy", "binary_cross_entropy", "mse"]
OPTIMIZERS = ["sgd", "momentum", "adam"]
REGULARIZERS = [None, ("l1", 1e-3), ("l2", 1e-2)]
ACTIVATIONS = ["relu", "leaky_relu", "tanh", "sigmoid", "linear"]


def outputs_for(loss):
    return {"cross_entropy": 3, "binary_cross_entropy": 1, "mse": 2}[loss]


def make_net(loss="cross_entropy", hidden=(5, 4), activation="tanh", seed=0, n_in=4):
    return nnpy.Network([n_in, *hidden, outputs_for(loss)], activation=activation, loss=loss,
                        rng=np.random.default_rng(seed))


def make_data(loss, batch, seed=1, n_in=4):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((batch, n_in))
    if loss == "mse":
        y = rng.standard_normal((batch, 2))
    else:
        y = rng.integers(0, outputs_for(loss) if loss == "cross_entropy" else 2, batch)
    return x, y


def make_reg(spec):
    return None if spec is None else nnpy.regularizers.make(*spec)


def warmed(loss, opt_name, reg, steps=3, lr=0.05, **kw):
    """A network and optimizer that have trained a few steps (so the optimizer has state)."""
    net, opt = make_net(loss, **kw), nnpy.optimizers.make(opt_name, learning_rate=lr)
    for s in range(steps):
        nnpy.train_step(net, opt, *make_data(loss, 8, seed=10 + s), regularizer=reg)
    return net, opt


def params_equal(a, b):
    return all(np.array_equal(p[k], q[k]) for p, q in zip(a.params, b.params) for k in ("W", "b"))


def state_of(opt):
    """The optimizer's state as plain arrays (flat path), for comparisons."""
    return [s.copy() for s in opt._flat_state], None if opt._steps is None else opt._steps.copy()


def assert_same_state(a, b):
    (sa, ta), (sb, tb) = state_of(a), state_of(b)
    assert len(sa) == len(sb) and all(np.array_equal(x, y) for x, y in zip(sa, sb))
    assert (ta is None and tb is None) or np.array_equal(ta, tb)


# ----- the numbers are the engine's own ---------------------------------------

@pytest.mark.parametrize("loss,opt_name,reg", itertools.product(LOSSES, OPTIMIZERS, REGULARIZERS))
def test_numbers_equal_the_engine(loss, opt_name, reg):
    reg = make_reg(reg)
    net, opt = warmed(loss, opt_name, reg)
    ref, ref_opt = warmed(loss, opt_name, reg)          # identically seeded and trained
    x, y = make_data(loss, 5)
    walk = explain.walk_through(net, opt, x, y, regularizer=reg)

    trace = ref.forward(x)
    for k in range(len(trace.a)):
        assert np.array_equal(walk.trace.a[k], trace.a[k])
    for l in range(len(trace.z)):
        assert np.array_equal(walk.trace.z[l], trace.z[l])
    assert walk.loss == ref.loss(trace, y, reg)
    assert walk.loss_data == ref.loss(trace, y)
    assert walk.loss == walk.loss_data + walk.penalty
    grads = ref.backward(trace, y, reg)
    for g, h in zip(walk.grads, grads):
        assert np.array_equal(g["W"], h["W"]) and np.array_equal(g["b"], h["b"])
    assert np.array_equal(walk.dL_dz[-1], ref.criterion.gradient(trace.z[-1], y))
    for l, g in enumerate(walk.grads):        # the deltas are the ones the weight gradients came from
        assert np.array_equal(g["b"], walk.dL_dz[l].sum(axis=0))
        data_dW = nnpy.linalg.matmul(trace.layer_inputs[l].T, walk.dL_dz[l])
        if reg:
            data_dW += reg.gradient(ref.layers[l].W)
        assert np.array_equal(g["W"], data_dW)

    for layer, W, b in zip(ref.layers, walk.W_before, walk.b_before):
        assert np.array_equal(layer.W, W) and np.array_equal(layer.b, b)
    ref_opt.step(ref.params, grads)
    for layer, W, b, dW, db in zip(ref.layers, walk.W_after, walk.b_after, walk.W_step, walk.b_step):
        assert np.array_equal(layer.W, W) and np.array_equal(layer.b, b)
    for l in range(len(ref.layers)):
        assert np.array_equal(walk.W_step[l], walk.W_after[l] - walk.W_before[l])
        assert np.array_equal(walk.b_step[l], walk.b_after[l] - walk.b_before[l])
    after = ref.forward(x)
    assert walk.loss_after == ref.loss(after, y, reg)
    assert np.array_equal(walk.trace_after.output, after.output)


def test_sgd_step_is_minus_lr_times_gradient():
    net, opt = make_net(), nnpy.optimizers.make("sgd", learning_rate=0.1)
    x, y = make_data("cross_entropy", 4)
    walk = explain.walk_through(net, opt, x, y)
    for l, g in enumerate(walk.grads):
        np.testing.assert_allclose(walk.W_step[l], -0.1 * g["W"], rtol=1e-9, atol=1e-15)
        np.testing.assert_allclose(walk.b_step[l], -0.1 * g["b"], rtol=1e-9, atol=1e-15)


@pytest.mark.parametrize("activation", ACTIVATIONS)
@pytest.mark.parametrize("loss", LOSSES)
def test_dL_da_and_dL_dx_by_finite_differences(activation, loss):
    """dL/da[k] = dL/dz[k] W[k]^T: check it against central differences of the
    loss as a function of a[k] (running the rest of the network from there)."""
    net = make_net(loss, hidden=(5, 4, 3), activation=activation)
    x, y = make_data(loss, 3)
    walk = explain.walk_through(net, nnpy.optimizers.make("sgd"), x, y)
    f = net.activation.forward

    def loss_from(k, a):
        for l in range(k, len(net.layers)):
            z = net.layers[l].forward(a)
            a = f(z) if l < len(net.layers) - 1 else z
        return net.criterion.value(a, y)

    h = 1e-6
    for k in range(len(net.layers)):       # k = 0 is dL/dx
        a = walk.trace.a[k].copy()
        numeric = np.zeros_like(a)
        for idx in np.ndindex(a.shape):
            old = a[idx]
            a[idx] = old + h
            up = loss_from(k, a)
            a[idx] = old - h
            down = loss_from(k, a)
            a[idx] = old
            numeric[idx] = (up - down) / (2 * h)
        np.testing.assert_allclose(walk.dL_da[k], numeric, rtol=1e-5, atol=1e-8)


@pytest.mark.parametrize("hidden", [(), (3,), (4, 3, 5, 2, 3, 4)])
@pytest.mark.parametrize("loss", LOSSES)
def test_any_depth(hidden, loss):
    net, opt = make_net(loss, hidden=hidden, activation="relu"), nnpy.optimizers.make("momentum")
    x, y = make_data(loss, 2)
    walk = explain.walk_through(net, opt, x, y)
    L = len(hidden) + 1
    assert len(walk.dL_dz) == len(walk.dL_da) == len(walk.grads) == L
    d = walk.to_dict(max_elements=None)
    assert len(d["forward"]["a"]) == len(d["backprop"]["direction"]) == L + 1
    assert d["backprop"]["dL_da"][-1] is None
    json.dumps(d, allow_nan=False)


# ----- one example: shapes and the step lowers the loss ------------------------

@pytest.mark.parametrize("loss,opt_name,reg", itertools.product(LOSSES, OPTIMIZERS, REGULARIZERS))
def test_loss_after_is_lower(loss, opt_name, reg):
    """(With velocity or moments from earlier batches, a step may well raise the
    loss on this example: momentum carries the old direction.)"""
    reg = make_reg(reg)
    lr = {"sgd": 0.01, "momentum": 0.01, "adam": 0.001}[opt_name]
    net, _ = warmed(loss, opt_name, reg, lr=lr)
    opt = nnpy.optimizers.make(opt_name, learning_rate=lr)   # fresh: a step along -gradient (or its sign)
    x, y = make_data(loss, 1)
    walk = explain.walk_through(net, opt, x[0], y[0], regularizer=reg)    # a single example
    assert walk.x.shape == (1, 4) and walk.batch == 1
    assert walk.loss_after < walk.loss
    xb, yb = make_data(loss, 6)
    walk = explain.walk_through(net, opt, xb, yb, regularizer=reg)        # a mini-batch
    assert walk.loss_after < walk.loss


def test_contributions_sum_to_z():
    net = make_net(hidden=(6,))
    x, y = make_data("cross_entropy", 3)
    walk = explain.walk_through(net, nnpy.optimizers.make("sgd"), x, y)
    c = walk.contributions(0, 2, example=1)
    assert c["i"] == [0, 1, 2, 3] and c["count"] == 4 and c["rest"] == 0.0
    assert np.allclose(c["product"], x[1] * net.layers[0].W[:, 2])
    assert np.isclose(sum(c["product"]) + c["bias"], c["z"], rtol=1e-12)
    assert c["z"] == walk.trace.z[0][1, 2] and c["a"] == walk.trace.a[1][1, 2]
    top = walk.contributions(1, 0, example=2, top=2)
    products = walk.trace.a[1][2] * net.layers[1].W[:, 0]
    assert top["i"] == np.argsort(-np.abs(products), kind="stable")[:2].tolist()
    assert np.isclose(sum(top["product"]) + top["rest"] + top["bias"], top["z"], rtol=1e-12)
    assert top["a"] == walk.trace.output[2, 0]
    json.dumps(top, allow_nan=False)


# ----- most responsible connections ---------------------------------------------

@pytest.mark.parametrize("k", [1, 5, 17, 1000])
def test_most_responsible_is_the_true_top_k(k):
    net = make_net(hidden=(6, 5), activation="relu")
    x, y = make_data("cross_entropy", 4)
    walk = explain.walk_through(net, nnpy.optimizers.make("sgd"), x, y)
    everything = [(-abs(g["W"][i, j]), l, i, j) for l, g in enumerate(walk.grads)
                  for i, j in np.ndindex(g["W"].shape)]
    expected = [(l, i, j) for _, l, i, j in sorted(everything)[:k]]   # ties: lowest (layer, i, j)
    got = walk.most_responsible(k)
    assert [(c.layer, c.i, c.j) for c in got] == expected
    assert all(c.gradient == walk.grads[c.layer]["W"][c.i, c.j] for c in got)
    # and the same via a plain argsort over all |dW|
    flat = np.concatenate([np.abs(g["W"]).ravel() for g in walk.grads])
    assert sorted(abs(c.gradient) for c in got) == sorted(np.sort(flat)[::-1][:min(k, flat.size)])


def test_most_responsible_ties_are_deterministic():
    net = make_net(hidden=(3,))
    x = np.array([1.0, 0.0, 0.0, 0.0])           # rows 1..3 of dW[0] are 0: a 9-way tie
    walk = explain.walk_through(net, nnpy.optimizers.make("sgd"), x, 1)
    assert np.count_nonzero(walk.grads[0]["W"]) + np.count_nonzero(walk.grads[1]["W"]) == 12
    got = walk.most_responsible(15)
    top = [(c.layer, c.i, c.j) for c in got]
    assert top == sorted(top, key=lambda t: (-abs(walk.grads[t[0]]["W"][t[1:]]), t))
    zeros = [t for t, c in zip(top, got) if c.gradient == 0]
    assert zeros == [(0, 1, 0), (0, 1, 1), (0, 1, 2)]         # the rest of the tie in (layer, i, j) order


def test_direction_is_the_sign_of_the_gradient():
    net = make_net(hidden=(5, 4))
    x, y = make_data("cross_entropy", 3)
    walk = explain.walk_through(net, nnpy.optimizers.make("sgd"), x, y)
    for k in range(3):
        assert np.array_equal(walk.direction(k), np.sign(walk.dL_da[k].sum(axis=0)))
    assert np.array_equal(walk.direction(3), np.sign(walk.dL_dz[-1].sum(axis=0)))


# ----- live objects untouched; apply_to equals train_step ------------------------

@pytest.mark.parametrize("opt_name", OPTIMIZERS)
@pytest.mark.parametrize("loss", LOSSES)
def test_live_untouched_then_apply_equals_train_step(loss, opt_name):
    reg = nnpy.regularizers.make("l2", 1e-3)
    net, opt = warmed(loss, opt_name, reg)
    ref, ref_opt = warmed(loss, opt_name, reg)
    params, flat = net.params, net.params.flat.copy()
    state = state_of(opt)
    x, y = make_data(loss, 4)

    walk = explain.walk_through(net, opt, x, y, regularizer=reg)
    assert net.params is params and np.array_equal(net.params.flat, flat)
    assert params_equal(net, ref)
    assert_same_state(opt, ref_opt)
    assert opt._segments is net.params.segments and np.array_equal(state[1], opt._steps)

    expected = nnpy.train_step(ref, ref_opt, x, y, regularizer=reg)
    loss_value = walk.apply_to(net, opt)
    assert np.isclose(loss_value, expected, rtol=0, atol=1e-15)
    assert params_equal(net, ref)
    assert_same_state(opt, ref_opt)                      # velocities, moments, Adam's step count
    if opt_name == "adam":
        assert (opt._steps == 4).all()
    for layer, W in zip(net.layers, walk.W_after):
        assert np.array_equal(layer.W, W)
    # the states behave the same from here on, too
    x2, y2 = make_data(loss, 4, seed=7)
    nnpy.train_step(net, opt, x2, y2, regularizer=reg)
    nnpy.train_step(ref, ref_opt, x2, y2, regularizer=reg)
    assert params_equal(net, ref)


def test_apply_refuses_a_changed_network():
    net, opt = warmed("cross_entropy", "adam", None)
    x, y = make_data("cross_entropy", 4)
    walk = explain.walk_through(net, opt, x, y)
    opt.learning_rate = 0.5
    with pytest.raises(ValueError, match="settings"):
        walk.apply_to(net, opt)
    opt.learning_rate = 0.05
    nnpy.train_step(net, opt, x, y)                       # the live model moved on
    snapshot = net.params.flat.copy()
    with pytest.raises(ValueError, match="weights"):
        walk.apply_to(net, opt)
    assert np.array_equal(net.params.flat, snapshot)       # refused without touching anything


def test_after_a_live_edit():
    """Optimizer state of untouched layers carries over in the copy as in the live model."""
    net, opt = warmed("cross_entropy", "adam", None, hidden=(5, 4))
    ref, ref_opt = warmed("cross_entropy", "adam", None, hidden=(5, 4))
    for n in (net, ref):
        n.insert_layer(1, 3)
    x, y = make_data("cross_entropy", 4)
    walk = explain.walk_through(net, opt, x, y)
    walk.apply_to(net, opt)
    nnpy.train_step(ref, ref_opt, x, y)
    assert params_equal(net, ref)
    assert_same_state(opt, ref_opt)


def test_stepped_copy_can_be_adopted():
    """walk.network / walk.optimizer are a working pair (the copy's W are views of its flat vector)."""
    net, opt = warmed("mse", "momentum", None)
    ref, ref_opt = warmed("mse", "momentum", None)
    x, y = make_data("mse", 4)
    walk = explain.walk_through(net, opt, x, y)
    twin, twin_opt = walk.network, walk.optimizer
    assert all(np.shares_memory(layer.W, twin.params.flat) for layer in twin.layers)
    assert not any(np.shares_memory(a.W, b.W) for a, b in zip(twin.layers, net.layers))
    nnpy.train_step(ref, ref_opt, x, y)
    for s in range(2):
        batch = make_data("mse", 4, seed=20 + s)
        nnpy.train_step(twin, twin_opt, *batch)
        nnpy.train_step(ref, ref_opt, *batch)
    assert params_equal(twin, ref)


def test_clone_network_trains_unlike_a_bare_deepcopy():
    net = make_net()
    x, y = make_data("cross_entropy", 4)
    twin = explain.clone_network(net)
    before = twin.layers[0].W.copy()
    nnpy.train_step(twin, nnpy.optimizers.make("sgd", 0.1), x, y)
    assert not np.array_equal(twin.layers[0].W, before)
    assert np.array_equal(net.layers[0].W, before)
    assert [l.uid for l in twin.layers] == [l.uid for l in net.layers]


def test_not_finite_raises_like_train_step():
    net = make_net(loss="mse", hidden=(3,))
    x, y = make_data("mse", 2)
    with pytest.raises(FloatingPointError):
        explain.walk_through(net, nnpy.optimizers.make("sgd"), x, y * np.inf)


# ----- for the page ------------------------------------------------------------

def test_to_dict_is_json_with_the_numbers():
    net = make_net(hidden=(5,))
    x, y = make_data("cross_entropy", 1)
    reg = nnpy.regularizers.make("l2", 1e-3)
    walk = explain.walk_through(net, nnpy.optimizers.make("adam"), x[0], y[0], regularizer=reg)
    d = walk.to_dict(max_elements=None)
    text = json.dumps(d, allow_nan=False)
    assert json.loads(text) == d
    p = walk.trace.output[0, y[0]]
    assert d["loss"]["formula"] == f"L = −log p[y] = −log({p:.4g}) = {walk.loss_data:.4g}"
    assert d["loss"]["penalty_formula"].endswith(f"= {walk.penalty:.4g}")
    assert d["loss"]["total"] == walk.loss and d["update"]["loss_after"]["total"] == walk.loss_after
    assert d["update"]["loss_after"]["total"] < d["loss"]["total"]
    assert d["forward"]["W"][0] == net.layers[0].W.tolist()
    assert d["update"]["W_after"][1] == walk.W_after[1].tolist()
    assert d["loss"]["target"] == [int(y[0])] and len(d["loss"]["probabilities"][0]) == 3
    assert len(d["backprop"]["most_responsible"]) == 8
    first = d["backprop"]["most_responsible"][0]
    assert first["weight"] == net.layers[first["layer"]].W[first["i"], first["j"]]
    assert d["backprop"]["gradient_norms"] == explain.gradient_norms(walk.grads).tolist()
    assert d["arrays"] == {} and d["optimizer"]["name"] == "adam"


def test_to_dict_moves_big_arrays_out_as_float32():
    net = nnpy.Network([64, 32, 10], rng=0)
    rng = np.random.default_rng(0)
    x, y = rng.random((16, 64)), rng.integers(0, 10, 16)
    walk = explain.walk_through(net, nnpy.optimizers.make("sgd"), x, y)
    arrays = {}
    d = walk.to_dict(max_elements=256, arrays=arrays)
    json.dumps(d, allow_nan=False)
    assert d["forward"]["W"][0] == {"array": "forward.W.0", "shape": [64, 32]}
    assert d["forward"]["a"][0] == {"array": "forward.a.0", "shape": [16, 64]}
    assert d["forward"]["b"][0] == net.layers[0].b.tolist()             # small: inline
    assert set(arrays) == set(d["arrays"]) and d["arrays"]["update.W_step.1"] == [32, 10]
    for key, arr in arrays.items():
        assert arr.dtype == np.float32 and arr.flags.c_contiguous and list(arr.shape) == d["arrays"][key]
    assert np.array_equal(arrays["forward.W.0"], net.layers[0].W.astype(np.float32))
    assert np.array_equal(walk.array("backprop.dL_dW.0"), walk.grads[0]["W"].astype(np.float32))
    assert walk.to_dict(max_elements=0)["loss"]["per_example"] == {"array": "loss.per_example",
                                                                   "shape": [16]}


@pytest.mark.parametrize("loss", LOSSES)
@pytest.mark.parametrize("batch", [1, 5])
def test_formulas(loss, batch):
    net = make_net(loss)
    x, y = make_data(loss, batch)
    walk = explain.walk_through(net, nnpy.optimizers.make("sgd"), x, y)
    template, formula = walk.loss_text()
    assert formula.startswith(template.split(" = ")[0])
    assert formula.endswith(f"= {walk.loss_data:.4g}".replace("-", "−"))
    per = walk.per_example_loss()
    assert per.shape == (batch,) and np.isclose(per.mean(), walk.loss_data, rtol=1e-12)
    if batch > 1:
        assert f"/ {batch}" in formula or f"{batch}·2" in formula
    if loss == "binary_cross_entropy" and batch == 1:
        p = walk.trace.output[0, 0]
        assert (f"−log({p:.4g})" if y[0] == 1 else f"−log(1 − {p:.4g})") in formula
    if loss == "mse" and batch == 1:
        assert f"({walk.trace.output[0, 0]:.4g} − ".replace("(-", "(−") in formula
    assert walk.to_dict()["loss"]["formula"] == formula


def test_gradient_norms():
    net = make_net(hidden=(6, 5, 4))
    x, y = make_data("cross_entropy", 8)
    grads = net.backward(net.forward(x), y)
    norms = explain.gradient_norms(grads)
    assert norms.shape == (4,)
    assert np.array_equal(norms, [np.linalg.norm(g["W"]) for g in grads])
    assert np.allclose(explain.gradient_mean_abs(grads), [np.abs(g["W"]).mean() for g in grads])


def test_walk_through_does_not_mutate_inputs():
    net = make_net()
    x, y = make_data("cross_entropy", 3)
    x0, y0 = x.copy(), y.copy()
    explain.walk_through(net, nnpy.optimizers.make("adam"), x, y)
    assert np.array_equal(x, x0) and np.array_equal(y, y0)
    assert "StepWalkthrough(sizes=[4, 5, 4, 3]" in repr(explain.walk_through(net, copy.deepcopy(
        nnpy.optimizers.make("sgd")), x, y))


def test_exact_with_the_einsum_kernel_too():
    """Pyodide's numpy has no BLAS and uses the einsum kernel: same exactness there."""
    kernel = nnpy.linalg.kernel
    try:
        nnpy.linalg.use("einsum")
        net, ref = make_net(), make_net()
        x, y = make_data("cross_entropy", 3)
        walk = explain.walk_through(net, nnpy.optimizers.make("adam"), x, y)
        ref_opt = nnpy.optimizers.make("adam")
        nnpy.train_step(ref, ref_opt, x, y)
        walk.apply_to(net, nnpy.optimizers.make("adam"))
        assert params_equal(net, ref)
        for g, h in zip(walk.grads, make_net().backward(make_net().forward(x), y)):
            assert np.array_equal(g["W"], h["W"])
    finally:
        nnpy.linalg.use(kernel)
