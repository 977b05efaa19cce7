"""nnpy against PyTorch in float64: same initial weights, same batches, same
optimizer settings -> the same weights after 200 steps (to 1e-6), and the
same loss values and gradients for every loss."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F

import nnpy

torch.set_default_dtype(torch.float64)

TORCH_ACT = {
    "relu": torch.relu,
    "leaky_relu": lambda z: F.leaky_relu(z, 0.01),
    "tanh": torch.tanh,
    "sigmoid": torch.sigmoid,
    "linear": lambda z: z,
}


def torch_loss(name, logits, y):
    if name == "cross_entropy":
        return F.cross_entropy(logits, y)
    if name == "binary_cross_entropy":
        return F.binary_cross_entropy_with_logits(logits[:, 0], y.to(torch.float64))
    return F.mse_loss(logits, y)


def make_targets(name, rng, n, k):
    if name == "cross_entropy":
        return rng.integers(0, k, n)
    if name == "binary_cross_entropy":
        return rng.integers(0, 2, n)
    return rng.standard_normal((n, k))


def torch_optimizer(name, params, lr):
    if name == "sgd":
        return torch.optim.SGD(params, lr=lr)
    if name == "momentum":
        return torch.optim.SGD(params, lr=lr, momentum=0.9)
    return torch.optim.Adam(params, lr=lr)


LR = {"sgd": 0.1, "momentum": 0.03, "adam": 0.01}


def run_both(optimizer, loss="cross_entropy", activation="relu", reg=("l2", 1e-3),
             sizes=(6, 16, 12, 4), steps=200, batch=16, seed=0):
    rng = np.random.default_rng(seed)
    sizes = list(sizes)
    if loss == "binary_cross_entropy":
        sizes[-1] = 1
    net = nnpy.Network(sizes, activation=activation, loss=loss, init="he", rng=rng)
    for layer in net.layers:
        layer.params["b"][:] = rng.standard_normal(layer.out_features) * 0.1
    Ws = [torch.tensor(layer.W.copy(), requires_grad=True) for layer in net.layers]
    bs = [torch.tensor(layer.b.copy(), requires_grad=True) for layer in net.layers]
    opt = nnpy.optimizers.make(optimizer, learning_rate=LR[optimizer])
    topt = torch_optimizer(optimizer, Ws + bs, LR[optimizer])
    regularizer = nnpy.regularizers.make(*reg)
    f = TORCH_ACT[activation]

    for _ in range(steps):
        x = rng.standard_normal((batch, sizes[0]))
        y = make_targets(loss, rng, batch, sizes[-1])
        ours = nnpy.train_step(net, opt, x, y, regularizer=regularizer)

        topt.zero_grad()
        a = torch.from_numpy(x)
        for i, (W, b) in enumerate(zip(Ws, bs)):
            a = a @ W + b
            if i < len(Ws) - 1:
                a = f(a)
        t = torch_loss(loss, a, torch.from_numpy(np.asarray(y)))
        if reg[0] == "l2":      # nnpy's L2 is rate/2 * sum(W^2), weights only
            t = t + reg[1] / 2 * sum((W * W).sum() for W in Ws)
        elif reg[0] == "l1":
            t = t + reg[1] * sum(W.abs().sum() for W in Ws)
        t.backward()
        topt.step()
        assert ours == pytest.approx(t.item(), rel=1e-9, abs=1e-9)

    for layer, W, b in zip(net.layers, Ws, bs):
        assert np.abs(layer.W - W.detach().numpy()).max() < 1e-6
        assert np.abs(layer.b - b.detach().numpy()).max() < 1e-6
    return net


@pytest.mark.parametrize("optimizer", ["sgd", "momentum", "adam"])
def test_optimizers_match_torch_with_l2(optimizer):
    run_both(optimizer)


@pytest.mark.parametrize("loss", ["mse", "binary_cross_entropy"])
@pytest.mark.parametrize("optimizer", ["sgd", "adam"])
def test_other_losses_match_torch(loss, optimizer):
    run_both(optimizer, loss=loss, steps=100)


@pytest.mark.parametrize("activation", ["leaky_relu", "tanh", "sigmoid", "linear"])
def test_activations_match_torch(activation):
    run_both("momentum", activation=activation, reg=("l1", 1e-3), steps=100)


def test_no_regularizer_deep_network():
    run_both("adam", reg=("none", 0.0), sizes=(5, 8, 8, 8, 8, 8, 8, 3), steps=100)


@pytest.mark.parametrize("name", ["cross_entropy", "binary_cross_entropy", "mse"])
def test_loss_value_and_gradient_match_torch(name):
    rng = np.random.default_rng(7)
    k = 1 if name == "binary_cross_entropy" else 5
    logits = rng.standard_normal((8, k)) * 20      # large logits too
    y = make_targets(name, rng, 8, k)
    loss = nnpy.losses.get(name)
    tl = torch.tensor(logits, requires_grad=True)
    t = torch_loss(name, tl, torch.from_numpy(np.asarray(y)))
    t.backward()
    assert loss.value(logits, y) == pytest.approx(t.item(), rel=1e-12)
    assert np.allclose(loss.gradient(logits, y), tl.grad.numpy(), rtol=1e-10, atol=1e-14)
    probs = {"cross_entropy": torch.softmax, "binary_cross_entropy": lambda z, dim: torch.sigmoid(z),
             "mse": lambda z, dim: z}[name](tl.detach(), dim=1)
    assert np.allclose(loss.output(logits), probs.numpy(), rtol=1e-12, atol=1e-15)


def test_cross_entropy_on_extreme_logits_is_exact():
    logits = np.array([[1000.0, 0.0, -1000.0]])
    ce = nnpy.losses.get("cross_entropy")
    assert ce.value(logits, np.array([2])) == 2000.0
    assert ce.value(logits, np.array([1])) == 1000.0
    assert ce.value(logits, np.array([0])) == 0.0
    g = ce.gradient(logits, np.array([2]))
    assert np.isfinite(g).all()
    assert np.array_equal(g, [[1.0, 0.0, -1.0]])
    t = F.cross_entropy(torch.tensor(logits), torch.tensor([2]))
    assert t.item() == 2000.0


def test_binary_cross_entropy_on_extreme_logits():
    bce = nnpy.losses.get("binary_cross_entropy")
    logits = np.array([[1000.0], [-1000.0], [30.0]])
    y = np.array([0, 1, 1])
    t = F.binary_cross_entropy_with_logits(torch.tensor(logits[:, 0]), torch.tensor(y, dtype=torch.float64))
    assert bce.value(logits, y) == pytest.approx(t.item(), rel=1e-15)
    assert np.isfinite(bce.gradient(logits, y)).all()
