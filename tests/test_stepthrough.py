"""The step-through, colour by gradient and the Learn panel, driven in Chromium on the page's
seeded start (digits, seed 0, test example 1). Every number the page shows is compared, to display
precision (4 significant digits), with nnpy's own numbers for the same seeded setup under CPython.

Two page loads in all (one browser for the module, as tests/browser.py gives it).
"""

import re
import sys

import numpy as np
import pytest

from browser import CANVAS_HASH, ROOT, chromium, dist, server, visit  # noqa: F401  (fixtures)

pytestmark = pytest.mark.browser

sys.path.insert(0, str(ROOT / "web" / "py"))

TOP_K = 6
NUMBER = re.compile(r"[−-]?\d+(?:\.\d*)?(?:e[+−-]?\d+)?")

def numbers(text):
    return [float(t.replace("−", "-")) for t in NUMBER.findall(text)]


def close(shown, ref, what=""):
    """shown (parsed from 4 significant digits) equals ref to display precision."""
    assert abs(shown - ref) <= 6e-4 * abs(ref) + 1e-9, f"{what}: page shows {shown}, nnpy {ref}"


def reference():
    """The page's start-up network and the walk nnpy takes on its first probe, under CPython."""
    from nnpy import explain
    from nnpy_page import Session

    s = Session()
    s.configure({"dataset": "digits", "seed": 0})
    i = s._probe()
    walk = explain.walk_through(s.net, s.optimizer, s.test_x[i:i + 1], s.test_y[i:i + 1],
                                regularizer=s.regularizer, top_k=TOP_K)
    return s, walk


def neuron_xy(v, layer, index):
    return v.page.evaluate("""([l, i]) => {
      const r = document.querySelector('[data-testid=network]').getBoundingClientRect();
      const c = window.nnpy.view.geometry.cols[l];
      return [r.left + c.xs[i], r.top + c.ys[i]];
    }""", [layer, index])


def hover(v, layer, index):
    x, y = neuron_xy(v, layer, index)
    v.page.mouse.move(x, y)
    v.page.wait_for_function("() => !document.getElementById('tip').hidden")
    return v.page.inner_text("#tip")


def stage_title(v):
    settle(v)
    return v.text("walk-title")


def settle(v):
    """Two animation frames: the page has drawn what the last input asked for."""
    v.page.evaluate("() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)))")


def test_step_through_shows_nnpys_numbers_and_commits_the_step(visit):
    s, walk = reference()
    v = visit()
    v.page.emulate_media(reduced_motion="reduce")       # no reveal animation: stable pictures
    v.wait_ready()
    meta = v.page.evaluate("window.nnpy.bridge.meta")
    assert meta["sizes"] == s.sizes and meta["learning_rate"] == s.config["learning_rate"]
    live0 = v.page.evaluate("Array.from(window.nnpy.bridge.view.snapshot)")

    v.page.click("[data-testid=walk-open]")
    assert v.page.is_visible("[data-testid=walk-panel]")
    assert stage_title(v) == "1 · Forward pass"

    # 1. forward: the tooltips carry Σa·w, bias, z and a of the hovered neuron
    for layer, index in [(1, 3), (2, 7), (3, 0)]:
        shown = numbers(hover(v, layer, index).split(":", 1)[1])
        z = walk.trace.z[layer - 1][0, index]
        b = walk.b_before[layer - 1][index]
        a = walk.trace.a[layer][0, index]
        for got, ref, what in zip(shown, [z - b, b, z, a], ["Σa·w", "bias", "z", "a"]):
            close(got, ref, f"layer {layer} neuron {index} {what}")
    # ... and the output table its logits and probabilities
    for row in v.page.query_selector_all("[data-testid=walk-out-row]"):
        j = int(row.get_attribute("data-i"))
        z, p = numbers(row.inner_text())[-2:]
        close(z, walk.trace.z[-1][0, j], f"logit {j}")
        close(p, walk.trace.output[0, j], f"probability {j}")

    # 2. loss: nnpy's own formula with the numbers filled in
    v.page.keyboard.press("ArrowRight")
    assert stage_title(v) == "2 · Loss"
    template, formula = walk.loss_text()
    assert v.text("walk-loss-formula") == formula
    assert v.text("walk-penalty-formula") == walk.penalty_text()[1]
    close(numbers(v.text("walk-total-formula"))[-1], walk.loss, "total loss")
    assert v.text("walk-target") == str(int(walk.y[0]))
    assert v.text("walk-pred") == str(int(walk.prediction()[0]))
    loss_picture = v.page.evaluate(CANVAS_HASH)

    # 3. backprop: the most responsible connections are the largest |dL/dW| of the whole network
    v.page.keyboard.press("ArrowRight")
    assert stage_title(v) == "3 · Backpropagation"
    flat = [(abs(g["W"][i, j]), l, i, j) for l, g in enumerate(walk.grads)
            for i in range(g["W"].shape[0]) for j in range(g["W"].shape[1])]
    largest = sorted(flat, key=lambda t: -t[0])[:TOP_K]
    rows = v.page.query_selector_all("[data-testid=walk-mr-row]")
    marked = [tuple(int(r.get_attribute(f"data-{k}")) for k in ("layer", "i", "j")) for r in rows]
    assert marked == [(l, i, j) for _, l, i, j in largest]
    for row, (_, l, i, j) in zip(rows, largest):
        close(numbers(row.query_selector("td:nth-child(3)").inner_text())[0],
              walk.grads[l]["W"][i, j], f"dL/dW[{l}][{i},{j}]")
    # the first mark's badge sits in the middle of its line, dark on the picture
    l, i, j = marked[0]
    pixel = v.page.evaluate("""([l, i, j]) => {
      const view = window.nnpy.view, g = view.geometry, a = g.cols[l], b = g.cols[l + 1];
      const x = (a.xs[i] + b.xs[j]) / 2, y = (a.ys[i] + b.ys[j]) / 2;
      // 5 px left of the centre: inside the round badge, beside its white digit
      return Array.from(view.ctx.getImageData(Math.round((x - 5) * view.dpr), Math.round(y * view.dpr), 1, 1).data);
    }""", [l, i, j])
    assert max(pixel[:3]) < 80, f"no dark 'most responsible' badge at the line's middle: {pixel}"
    # neurons: dL/da and the direction it means
    tip = hover(v, 2, 7)
    g = walk.dL_da[2][0, 7]
    close(numbers(tip.split("=", 1)[1])[0], g, "dL/da")
    assert ("too strong" if g > 0 else "too weak") in tip
    norms = numbers(v.text("walk-norms").split("—")[1])[1::2]
    for got, ref in zip(norms, explain_norms(walk)):
        close(got, ref, "gradient norm")

    # Back restores the previous stage, picture and all
    v.page.keyboard.press("ArrowLeft")
    assert stage_title(v) == "2 · Loss"
    assert v.text("walk-loss-formula") == formula
    v.page.mouse.move(2, 2)
    settle(v)
    assert v.page.evaluate(CANVAS_HASH) == loss_picture
    v.page.keyboard.press("ArrowRight")
    v.page.keyboard.press("ArrowRight")

    # 4. update: before / after / change of the marked weights, and the loss recomputed
    assert stage_title(v) == "4 · Gradient descent"
    for row, (_, l, i, j) in zip(v.page.query_selector_all("[data-testid=walk-up-row]"), largest):
        cells = [c.inner_text() for c in row.query_selector_all("td")]
        close(numbers(cells[2])[0], walk.W_before[l][i, j], "before")
        close(numbers(cells[3])[0], walk.W_after[l][i, j], "after")
        close(numbers(cells[4])[0], walk.W_step[l][i, j], "change")
    before, after = numbers(v.text("walk-loss-after"))[-2:]
    close(before, walk.loss, "loss before")
    close(after, walk.loss_after, "loss after")
    honest = v.text("walk-honest")
    assert ("went UP" in honest) == (walk.loss_after > walk.loss)

    # Esc discards: the live network is untouched
    v.page.keyboard.press("Escape")
    assert not v.page.is_visible("[data-testid=walk-panel]")
    assert v.text("step") == "0"
    assert v.page.evaluate("Array.from(window.nnpy.bridge.view.snapshot)") == live0

    # Keep commits exactly the walked step
    v.page.click("[data-testid=walk-open]")
    for _ in range(3):
        v.page.click("[data-testid=walk-next]")
    v.page.click("[data-testid=walk-keep]")
    assert v.text("step") == "1"
    live = v.page.evaluate("""() => {
      const b = window.nnpy.bridge, off = b.meta.layout.offsets, s = b.meta.sizes;
      return off.W.map((o, l) => Array.from(b.view.snapshot.subarray(o, o + s[l] * s[l + 1])));
    }""")
    for l, W in enumerate(walk.W_after):
        np.testing.assert_allclose(live[l], W.astype(np.float32).ravel(), rtol=0, atol=1e-6)
    assert v.errors == [], f"console errors: {v.errors}"


def explain_norms(walk):
    from nnpy import explain

    return explain.gradient_norms(walk.grads)


def test_gradient_colours_chart_and_learn_panel(visit):
    s, _ = reference()
    v = visit()
    v.wait_ready()
    assert not v.page.is_visible("[data-testid=learn-panel]"), "Learn is closed by default"
    assert not v.page.is_visible("#grad-box")
    weights_picture = v.page.evaluate(CANVAS_HASH)

    # colour by gradient: the live picture changes, and the lines are nnpy's gradients
    v.page.select_option("[data-testid=color-by]", "gradient")
    settle(v)
    assert v.page.evaluate(CANVAS_HASH) != weights_picture
    assert v.page.is_visible("#grad-box") and v.page.is_visible(".legend-grad")
    shown = v.page.evaluate("""() => {
      const b = window.nnpy.bridge, off = b.meta.layout.offsets, s = b.meta.sizes;
      return off.gW.map((o, l) => Array.from(b.view.snapshot.subarray(o, o + s[l] * s[l + 1])));
    }""")
    i = s._probe()
    grads = s.net.backward(s.net.forward(s.test_x[i:i + 1]), s.test_y[i:i + 1], s.regularizer)
    for l, g in enumerate(grads):
        np.testing.assert_allclose(shown[l], g["W"].astype(np.float32).ravel(), rtol=0, atol=1e-6)

    # the per-layer chart fills as training steps
    for _ in range(3):
        v.page.click("[data-testid=step-once]")
        v.page.wait_for_timeout(170)   # the monitor samples at most every 150 ms
    grad = v.page.evaluate("Array.from(window.nnpy.bridge.view.grad)")
    assert grad[0] >= 2 and grad[2] == len(s.sizes) - 1 and all(x > 0 for x in grad[3:])
    ink = v.page.evaluate("""() => {
      const c = document.querySelector('[data-testid=grad-chart]');
      const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
      let n = 0;
      for (let k = 3; k < d.length; k += 4) n += d[k] > 0;
      return n;
    }""")
    assert ink > 200, "the gradient chart drew nothing"
    v.page.select_option("[data-testid=color-by]", "weight")
    assert not v.page.is_visible("#grad-box")
    assert v.page.evaluate("window.nnpy.bridge.meta.layout.offsets.gW[0]") == -1

    # Learn: opens, a "Show me" sets the network up through the controller, closes
    v.page.click("[data-testid=learn-open]")
    assert v.page.is_visible("[data-testid=learn-panel]")
    assert v.page.get_attribute("[data-testid=learn-open]", "aria-expanded") == "true"
    v.page.click("details[data-topic=nonlinear] summary")
    v.page.click("[data-testid=show-nonlinear]")
    v.page.wait_for_function("() => window.nnpy.bridge.meta.activation === 'linear'")
    meta = v.page.evaluate("window.nnpy.bridge.meta")
    assert meta["dataset"] == "circle" and meta["sizes"][1:-1] == [8, 8]
    v.page.wait_for_function("() => document.body.dataset.status === 'training'")
    assert "straight" in v.text("learn-status")
    v.page.click("[data-testid=show-nonlinear-more]")
    v.page.wait_for_function("() => window.nnpy.bridge.meta.activation === 'tanh'")
    assert v.page.evaluate("window.nnpy.view.meta.activation") == "tanh", "the picture's titles follow"
    v.page.click("[data-testid=learn-close]")
    assert not v.page.is_visible("[data-testid=learn-panel]")
    assert v.page.is_visible("[data-testid=chart]")

    # the step-through on a 2-D classifier (training: opening it pauses) and on a regression
    # network, in both modes, with the gradient colours on
    v.page.select_option("[data-testid=color-by]", "gradient")
    for dataset in ("circle", "plane"):
        if dataset == "plane":
            v.page.evaluate("window.nnpy.configure({dataset: 'plane'})")
        for mode in ("example", "batch"):
            v.page.click("[data-testid=walk-open]")
            assert v.status() == "paused"
            if mode == "batch":
                v.page.select_option("[data-testid=walk-mode]", "batch")
            for k in range(3):
                v.page.keyboard.press("ArrowRight")
            assert stage_title(v) == "4 · Gradient descent"
            before, after = numbers(v.text("walk-loss-after"))[-2:]
            assert before > 0 and after > 0
            v.page.keyboard.press("Escape")
    step = v.number("step")
    v.page.click("[data-testid=walk-open]")
    v.page.select_option("[data-testid=walk-mode]", "batch")
    for k in range(3):
        v.page.click("[data-testid=walk-next]")
    v.page.click("[data-testid=walk-keep]")
    assert v.number("step") == step + 1
    assert v.errors == [], f"console errors: {v.errors}"
