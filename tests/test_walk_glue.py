"""web/py/nnpy_walk.py under CPython: the step-through's glue shows nnpy.explain's numbers,
commits exactly the walked step, discards without a trace, and colours by the probe's gradients."""

import json
import sys

import numpy as np
import pytest

from nnpy import explain

sys.path.insert(0, str(__import__("pathlib").Path(__file__).resolve().parent.parent / "web" / "py"))

from nnpy_page import Session  # noqa: E402
from nnpy_walk import GradientMonitor, Walker  # noqa: E402


def session(**config):
    s = Session()
    s.configure({"dataset": "digits", "seed": 0, **config})
    return s


def weights(s):
    return [layer.W.copy() for layer in s.net.layers], [layer.b.copy() for layer in s.net.layers]


def test_start_gives_explain_numbers_as_json_and_float32_arrays():
    s = session()
    info, arrays = Walker().handle(s, {"action": "start", "mode": "example"})
    json.dumps(info, allow_nan=False)            # plain JSON, as the page receives it
    i = s._probe()
    ref = explain.walk_through(s.net, s.optimizer, s.test_x[i:i + 1], s.test_y[i:i + 1],
                               regularizer=s.regularizer, top_k=6)
    assert info["mode"] == "example" and info["example"] == i and info["batch"] == 1
    assert info["loss"]["formula"] == ref.loss_text()[1]
    assert info["loss"]["total"] == ref.loss and info["update"]["loss_after"]["total"] == ref.loss_after
    assert [(c["layer"], c["i"], c["j"]) for c in info["backprop"]["most_responsible"]] == \
        [(c.layer, c.i, c.j) for c in ref.most_responsible(6)]
    for key, arr in arrays.items():
        assert arr.dtype == np.float32 and arr.flags.c_contiguous, key
    L = len(s.net.layers)
    for l in range(L):
        np.testing.assert_array_equal(arrays[f"forward.W.{l}"], ref.W_before[l].astype(np.float32))
        np.testing.assert_array_equal(arrays[f"backprop.dL_dW.{l}"], ref.grads[l]["W"].astype(np.float32))
        np.testing.assert_array_equal(arrays[f"update.W_after.{l}"], ref.W_after[l].astype(np.float32))
        np.testing.assert_allclose(arrays[f"forward.s.{l}"], ref.trace.z[l][0] - ref.b_before[l], rtol=1e-6, atol=1e-7)
    for k in range(1, L + 1):
        g = ref.dL_dz[-1] if k == L else ref.dL_da[k]
        np.testing.assert_allclose(arrays[f"backprop.node.{k}"], g.sum(axis=0), rtol=1e-6, atol=1e-9)
    assert set(info["arrays"]) <= set(arrays)


def test_commit_takes_exactly_the_walked_step_and_discard_nothing():
    s = session()
    walker = Walker()
    W0, b0 = weights(s)
    walker.handle(s, {"action": "start", "mode": "example"})
    walker.handle(s, {"action": "discard"})
    W1, b1 = weights(s)
    assert all(np.array_equal(a, b) for a, b in zip(W0 + b0, W1 + b1)) and s.step == 0
    with pytest.raises(ValueError):
        walker.handle(s, {"action": "commit"})    # nothing to commit after a discard

    walker.handle(s, {"action": "start", "mode": "example"})
    walk = walker.walk
    result, _ = walker.handle(s, {"action": "commit"})
    assert result["step"] == s.step == 1
    for layer, W, b in zip(s.net.layers, walk.W_after, walk.b_after):
        np.testing.assert_array_equal(layer.W, W)
        np.testing.assert_array_equal(layer.b, b)
    assert s.figures[0] == 1, "the page's step figure follows"


@pytest.mark.parametrize("dataset", ["xor", "plane", "sine", "gaussians"])
def test_every_kind_of_network_walks_and_commits(dataset):
    """2-D classification, regression (mse), one input: JSON-able, committed exactly."""
    s = Session()
    s.configure({"dataset": dataset, "seed": 3})
    for mode in ("example", "batch"):
        walker = Walker()
        info, arrays = walker.handle(s, {"action": "start", "mode": mode})
        json.dumps(info, allow_nan=False)
        assert ("loss.probabilities" in arrays) == (s.config["loss"] != "mse")
        walk = walker.walk
        walker.handle(s, {"action": "commit"})
        for layer, W in zip(s.net.layers, walk.W_after):
            np.testing.assert_array_equal(layer.W, W)
    assert s.step == 2


def test_batch_mode_walks_the_next_mini_batch():
    s = session()
    walker = Walker()
    info, _ = walker.handle(s, {"action": "start", "mode": "batch"})
    assert info["mode"] == "batch" and info["batch"] == s.config["batch_size"]
    assert "(1/32)" in info["loss"]["formula"]
    walker.handle(s, {"action": "commit"})
    assert s.step == 1
    with pytest.raises(ValueError):
        walker.handle(s, {"action": "start", "mode": "everything"})


def test_colour_by_gradient_puts_the_probe_gradients_in_the_snapshot():
    s = session()
    assert s.meta["layout"]["offsets"]["gW"][0] == -1
    info, _ = Walker().handle(s, {"action": "color_by", "value": "gradient"})
    off = info["meta"]["layout"]["offsets"]
    assert off["gW"][0] != -1 and s.meta is info["meta"]
    assert off["W"] == session().meta["layout"]["offsets"]["W"], "the weights stay where they were"
    i = s._probe()
    grads = s.net.backward(s.net.forward(s.test_x[i:i + 1]), s.test_y[i:i + 1], s.regularizer)
    for l, g in enumerate(grads):
        n = g["W"].size
        np.testing.assert_array_equal(s.snapshot_buffer[off["gW"][l]:off["gW"][l] + n],
                                      g["W"].astype(np.float32).ravel())
    # training and rebuilding keep the gradients in the picture until switched off
    assert s.train(ms=0, max_steps=3) == "ok"
    assert s.configure({"hidden": [8]})["layout"]["offsets"]["gW"][0] != -1
    info, _ = Walker().handle(s, {"action": "color_by", "value": "weight"})
    assert info["meta"]["layout"]["offsets"]["gW"][0] == -1
    with pytest.raises(ValueError):
        Walker().handle(s, {"action": "color_by", "value": "bias"})


def test_gradient_monitor_samples_norms_per_layer():
    s = session(activation="sigmoid", hidden=[8, 8, 8, 8])
    m = GradientMonitor()
    assert not m.sample(s), "off until the chart is shown"
    m.active = True
    assert m.sample(s, force=True)
    count, step, layers, *norms = m.values
    assert (count, step, layers) == (1, 0, 5) and len(norms) == 5
    assert not m.sample(s), "no new sample while the step count stands still"
    x, y = s.train_x[:64], s.train_y[:64]
    ref = explain.gradient_norms(s.net.backward(s.net.forward(x), y, s.regularizer))
    np.testing.assert_allclose(norms, ref)
    assert norms[0] < norms[-1], "a deep sigmoid network: smaller gradients towards the input"
