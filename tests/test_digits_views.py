"""The image datasets' views in Chromium (web/js/digits-views.js, web/py/nnpy_probes.py): probe
buttons, the drawing pad fed live to the network, the first-layer weight pictures and the
confusion matrix. One page load per dataset; each step asserts on the model and on the picture."""

import math

import pytest

from browser import CANVAS_HASH, chromium, dist, server, visit  # noqa: F401  (fixtures)

pytestmark = pytest.mark.browser

FIG = "(name) => window.nnpy.bridge.figure(name)"
OUTPUTS = "() => Array.from(window.nnpy.bridge.outputs())"
CONFUSION = "() => Array.from(window.nnpy.bridge.view.confusion)"
STEP_ABOVE = "(n) => Number(document.querySelector('[data-testid=step]').textContent.replace(/,/g, '')) > n"


def fig(v, name):
    return v.page.evaluate(FIG, name)


def hash_of(v, testid):
    return v.page.evaluate(CANVAS_HASH.replace("network", testid))


def draw_one(v):
    """A "1" with a little flag, drawn with the mouse on the pad."""
    box = v.page.locator("[data-testid=draw-pad]").bounding_box()
    at = lambda fx, fy: (box["x"] + fx * box["width"], box["y"] + fy * box["height"])  # noqa: E731
    v.page.mouse.move(*at(0.45, 0.23))
    v.page.mouse.down()
    v.page.mouse.move(*at(0.52, 0.15), steps=6)
    v.page.mouse.move(*at(0.52, 0.85), steps=14)
    v.page.mouse.up()


def wait_text(v, where, text):
    """Wait until the element with data-testid ``where`` (or the element #where) shows ``text``."""
    v.page.wait_for_function(
        "([id, t]) => (document.querySelector(`[data-testid=${id}]`) || document.getElementById(id)).textContent.includes(t)",
        arg=[where, text], timeout=20_000)


def check_confusion(v):
    counts = v.page.evaluate(CONFUSION)
    k = round(math.sqrt(len(counts)))
    assert k == 10
    total = sum(counts)
    trace = sum(counts[i * k + i] for i in range(k))
    assert total == v.page.evaluate("() => window.nnpy.bridge.meta.test_size")
    assert trace / total == pytest.approx(fig(v, "test_accuracy"), abs=1e-6)
    assert round(100 * trace / total, 1) == v.number("accuracy")
    return counts


def test_digits_probe_buttons_confusion_weights_and_drawing(visit):
    v = visit()
    v.wait_ready()
    page = v.page
    for testid in ("probe-next", "probe-random", "probe-wrong", "tab-loss", "tab-confusion", "tab-weights", "tab-draw"):
        assert page.is_visible(f"[data-testid={testid}]"), testid

    # ---- probe buttons (untrained: plenty of mistakes)
    page.click("[data-testid=probe-wrong]")
    assert fig(v, "probe_label") != fig(v, "probe_pred")
    assert page.locator("[data-testid=probe-wrong]").get_attribute("aria-pressed") == "true"
    wrong = fig(v, "probe_index")
    page.click("[data-testid=probe-wrong]")           # the next wrong one
    assert fig(v, "probe_index") != wrong and fig(v, "probe_label") != fig(v, "probe_pred")
    page.click("[data-testid=probe-next]")
    before = fig(v, "probe_index")
    page.click("[data-testid=probe-next]")
    assert fig(v, "probe_index") == before + 1
    hash0 = page.evaluate(CANVAS_HASH)
    page.click("[data-testid=probe-random]")
    assert fig(v, "probe_index") != before + 1
    assert page.evaluate(CANVAS_HASH) != hash0, "the network picture shows the new example"

    # ---- confusion matrix before training; a click on a cell shows that pair
    page.click("[data-testid=tab-confusion]")
    assert not page.is_visible("[data-testid=chart]"), "the tab takes the loss chart's place"
    counts = check_confusion(v)
    cell = max((c, t, p) for t in range(10) for p in range(10) if t != p for c in [counts[t * 10 + p]])
    _, t, p = cell
    page.wait_for_function("() => document.querySelector('[data-testid=confusion]').dataset.grid")
    x0, y0, size, _ = map(float, page.locator("[data-testid=confusion]").get_attribute("data-grid").split(","))
    box = page.locator("[data-testid=confusion]").bounding_box()
    page.mouse.click(box["x"] + x0 + (p + 0.5) * size, box["y"] + y0 + (t + 0.5) * size)
    assert (fig(v, "probe_label"), fig(v, "probe_pred")) == (t, p)
    wait_text(v, "probe-note", f"a {t} predicted as {p}")

    # ---- weights pictures, then train
    page.click("[data-testid=tab-weights]")
    page.wait_for_timeout(200)
    weights0 = hash_of(v, "weights")
    page.click("[data-testid=probe-next]")
    page.click("[data-testid=play]")
    page.wait_for_function(STEP_ABOVE, arg=1500, timeout=90_000)
    page.click("[data-testid=play]")
    assert v.status() == "paused"
    page.wait_for_timeout(300)
    assert hash_of(v, "weights") != weights0, "the weight pictures follow training"
    wait_text(v, "weights-info", "first-layer neurons")
    page.click("[data-testid=tab-confusion]")
    check_confusion(v)
    page.click("[data-testid=probe-wrong]")
    if fig(v, "mistakes") > 0:
        assert fig(v, "probe_label") != fig(v, "probe_pred")
    else:
        wait_text(v, "probe-note", "No mistakes")

    # ---- draw a 1: a prediction, probabilities that sum to 1, the network lights up
    page.click("[data-testid=tab-draw]")
    wait_text(v, "probe-note", "pad is empty")
    assert sum(page.evaluate(OUTPUTS)) == 0, "an empty pad predicts nothing"
    assert math.isnan(fig(v, "probe_pred"))
    hash_empty = page.evaluate(CANVAS_HASH)
    assert page.evaluate("() => document.documentElement.scrollHeight <= innerHeight && "
                         "document.documentElement.scrollWidth <= innerWidth"), "no page scrollbars with the pad open"
    pad_empty = hash_of(v, "draw-pad")
    draw_one(v)
    wait_text(v, "probe", "Your drawing: predicted")
    page.wait_for_timeout(100)
    outputs = page.evaluate(OUTPUTS)
    assert sum(outputs) == pytest.approx(1, abs=1e-5)
    assert fig(v, "probe_index") == -1 and fig(v, "probe_pred") == 1, f"the network read the 1 as {fig(v, 'probe_pred')}"
    assert hash_of(v, "draw-pad") != pad_empty
    assert page.evaluate(CANVAS_HASH) != hash_empty, "the activations changed"

    # training keeps the drawing as the probe (the periodic rotation does not replace it)
    step = v.number("step")
    page.click("[data-testid=play]")
    page.wait_for_function(STEP_ABOVE, arg=step + 200, timeout=60_000)
    page.wait_for_timeout(1800)                        # longer than the 1.6 s rotation
    assert fig(v, "probe_index") == -1
    page.click("[data-testid=play]")

    # Clear: the empty state again; a probe button leaves drawing mode
    page.click("[data-testid=draw-clear]")
    wait_text(v, "probe", "pad is empty")
    page.click("[data-testid=probe-next]")
    assert fig(v, "probe_index") >= 0
    page.click("[data-testid=tab-loss]")
    assert page.is_visible("[data-testid=chart]")
    assert v.errors == [], f"console errors: {v.errors}"


def test_mnist_drawing_weights_and_confusion(visit):
    v = visit("index.html#dataset=mnist")
    v.wait_ready()
    page = v.page
    assert page.evaluate("() => window.nnpy.bridge.meta.input_shape") == [28, 28]
    page.click("[data-testid=tab-draw]")
    draw_one(v)
    wait_text(v, "probe", "Your drawing: predicted")
    assert sum(page.evaluate(OUTPUTS)) == pytest.approx(1, abs=1e-5)
    page.click("[data-testid=tab-weights]")
    page.wait_for_timeout(200)
    assert hash_of(v, "weights") != 0
    wait_text(v, "weights-info", "64 first-layer neurons")
    page.click("[data-testid=tab-confusion]")
    check_confusion(v)
    assert v.errors == [], f"console errors: {v.errors}"
