"""Finite-difference checks (float64, central differences) of every
backward pass: activations, losses, regularizers, and whole networks."""

import numpy as np
import pytest

import nnpy
from nnpy import activations, losses, regularizers

H = 1e-6          # finite-difference step
TOL = 1e-6        # relative error allowed


def numeric_grad(f, x):
    """Central-difference gradient of the scalar function f at x (changed in place, restored)."""
    grad = np.zeros_like(x)
    flat, gflat = x.reshape(-1), grad.reshape(-1)
    for i in range(flat.size):
        old = flat[i]
        flat[i] = old + H
        up = f()
        flat[i] = old - H
        down = f()
        flat[i] = old
        gflat[i] = (up - down) / (2 * H)
    return grad


def rel_error(analytic, numeric):
    num = np.linalg.norm(analytic - numeric)
    den = max(np.linalg.norm(analytic) + np.linalg.norm(numeric), 1e-12)
    return num / den


def away_from_zero(rng, shape, margin=0.05):
    """Random values with |z| > margin, so ReLU-type kinks are not straddled."""
    z = rng.standard_normal(shape)
    return np.where(np.abs(z) < margin, z + np.sign(z + 1e-12) * 2 * margin, z)


@pytest.mark.parametrize("name", list(activations.ACTIVATIONS))
def test_activation_backward(name):
    rng = np.random.default_rng(1)
    act = activations.get(name)
    z = away_from_zero(rng, (5, 7)) * 2
    g = rng.standard_normal(z.shape)           # dL/da: L = sum(g * f(z))
    analytic = act.backward(z, act.forward(z), g)
    numeric = numeric_grad(lambda: float(np.sum(g * act.forward(z))), z)
    assert rel_error(analytic, numeric) < TOL


def loss_case(name, rng, n=6, k=4):
    if name == "cross_entropy":
        return rng.standard_normal((n, k)) * 3, rng.integers(0, k, n)
    if name == "binary_cross_entropy":
        return rng.standard_normal((n, 1)) * 3, rng.integers(0, 2, n)
    return rng.standard_normal((n, k)), rng.standard_normal((n, k))


@pytest.mark.parametrize("name", list(losses.LOSSES))
def test_loss_gradient(name):
    rng = np.random.default_rng(2)
    loss = losses.get(name)
    logits, y = loss_case(name, rng)
    analytic = loss.gradient(logits, y)
    numeric = numeric_grad(lambda: loss.value(logits, y), logits)
    assert analytic.shape == logits.shape
    assert rel_error(analytic, numeric) < TOL


@pytest.mark.parametrize("name", ["l1", "l2"])
def test_regularizer_gradient(name):
    rng = np.random.default_rng(3)
    reg = regularizers.make(name, rate=0.03)
    W = away_from_zero(rng, (4, 5))
    numeric = numeric_grad(lambda: reg.penalty([W]), W)
    assert rel_error(reg.gradient(W), numeric) < TOL


def test_no_regularizer_is_zero():
    reg = regularizers.make("none")
    W = np.ones((2, 3))
    assert reg.penalty([W]) == 0.0 and not reg.gradient(W).any() and not reg


def network_case(sizes, activation, loss, rng):
    net = nnpy.Network(sizes, activation=activation, loss=loss, init="glorot", rng=rng)
    for layer in net.layers:               # non-zero biases, to check their gradients too
        layer.params["b"][:] = rng.standard_normal(layer.out_features) * 0.1
    x = rng.standard_normal((5, sizes[0]))
    _, y = loss_case(loss, rng, n=5, k=sizes[-1])
    return net, x, y


@pytest.mark.parametrize("activation", list(activations.ACTIVATIONS))
@pytest.mark.parametrize("loss,out", [("cross_entropy", 3), ("binary_cross_entropy", 1), ("mse", 2)])
@pytest.mark.parametrize("reg_name", ["none", "l2", "l1"])
def test_network_gradients(activation, loss, out, reg_name):
    rng = np.random.default_rng(4)
    net, x, y = network_case([4, 6, 5, 4, out], activation, loss, rng)
    reg = regularizers.make(reg_name, rate=0.01)
    grads = net.backward(net.forward(x), y, reg)
    assert len(grads) == len(net.layers)

    def f():
        return net.loss(net.forward(x), y, reg)

    for layer, g in zip(net.layers, grads):
        for key in ("W", "b"):
            numeric = numeric_grad(f, layer.params[key])
            assert g[key].shape == layer.params[key].shape
            assert rel_error(g[key], numeric) < TOL, (activation, loss, reg_name, key)


def test_deep_mixed_network_gradients():
    """Six hidden layers of different widths, inputs through to a softmax."""
    rng = np.random.default_rng(5)
    net, x, y = network_case([7, 9, 3, 8, 1, 6, 5, 4], "tanh", "cross_entropy", rng)
    grads = net.backward(net.forward(x), y)
    for layer, g in zip(net.layers, grads):
        for key in ("W", "b"):
            numeric = numeric_grad(lambda: net.loss(net.forward(x), y), layer.params[key])
            assert rel_error(g[key], numeric) < TOL


def test_forward_twice_does_not_corrupt_backward():
    rng = np.random.default_rng(6)
    net, x, y = network_case([3, 5, 4, 3], "relu", "cross_entropy", rng)
    expected = net.backward(net.forward(x), y)
    trace = net.forward(x)
    net.forward(rng.standard_normal((9, 3)))     # an unrelated pass in between
    again = net.backward(trace, y)
    for a, b in zip(expected, again):
        assert np.array_equal(a["W"], b["W"]) and np.array_equal(a["b"], b["b"])


@pytest.mark.parametrize("name", list(losses.LOSSES))
def test_value_and_gradient_agree_with_separate_calls(name):
    rng = np.random.default_rng(8)
    loss = losses.get(name)
    logits, y = loss_case(name, rng)
    value, grad = loss.value_and_gradient(logits, y)
    assert value == pytest.approx(loss.value(logits, y), rel=1e-14)
    assert np.allclose(grad, loss.gradient(logits, y), rtol=1e-14, atol=1e-17)
