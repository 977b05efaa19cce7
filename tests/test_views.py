"""The views (web/js/views.js, renderer.js, chart.js, colors.js) in Chromium: each hidden neuron's
own picture of the plane, the connection tip and the weight editor (down to Python's network),
the loss chart's log scale, accuracy and ghost, "Save PNG", and the dark theme.

Two page loads: a 2-D dataset for the pictures and the connections, the default (digits) for the
chart, the PNG and the theme. Plus the session's new parts under CPython.
"""

import math
import re
import struct
import sys

import numpy as np
import pytest

from browser import CANVAS_HASH, ROOT, chromium, dist, server, visit  # noqa: F401  (fixtures)

pytestmark = pytest.mark.browser

sys.path.insert(0, str(ROOT / "web" / "py"))

CHART_HASH = CANVAS_HASH.replace("network", "chart")
STEP_ABOVE = "() => Number(document.querySelector('[data-testid=step]').textContent.replace(/,/g, '')) > {}"
NEURONS = "() => Array.from(window.nnpy.bridge.view.neurons || [])"
FIELD = "() => Array.from(window.nnpy.bridge.view.field || [])"

# A point on the strongest drawn connection between hidden columns 1 and 2 (clear of any neuron;
# 37% of the way, where no other line crosses it exactly), with what it is: [x, y, layer, i, j].
STRONG_LINE = """() => {
  const v = window.nnpy.view, g = v.geometry, snap = v.drawnSnap;
  const s = v.shownLines.find((s) => s.layer === 2);
  let best = -1, bk = 0;
  for (let k = 0; k < s.nIn * s.nOut; k++) {
    const i = (k / s.nOut) | 0, j = k % s.nOut;
    const dy = Math.abs(g.cols[1].ys[i] - g.cols[2].ys[j]);
    if (dy > 20 && Math.abs(snap[s.o + k]) > best) { best = Math.abs(snap[s.o + k]); bk = k; }
  }
  const i = (bk / s.nOut) | 0, j = bk % s.nOut;
  const t = 0.37;
  return [g.cols[1].x + t * (g.cols[2].x - g.cols[1].x), g.cols[1].ys[i] + t * (g.cols[2].ys[j] - g.cols[1].ys[i]), 2, i, j];
}"""
WEIGHT = """([layer, i, j]) => {
  const b = window.nnpy.bridge, off = b.meta.layout.offsets, n = b.meta.sizes[layer];
  return b.view.snapshot[off.W[layer - 1] + i * n + j];
}"""


def _play_until(v, steps):
    v.page.click("[data-testid=play]")
    v.page.wait_for_function(STEP_ABOVE.format(steps), timeout=60_000)
    v.page.click("[data-testid=play]")
    assert v.status() == "paused"


def _tip_number(text):
    m = re.search(r"weight ([−-]?[0-9.]+(?:e[−+-]?[0-9]+)?)", text)
    assert m, f"no weight in the tip {text!r}"
    return float(m.group(1).replace("−", "-"))


def test_neuron_pictures_connection_tip_and_weight_editing(visit):
    v = visit("index.html#dataset=circle")
    v.wait_ready()
    page = v.page
    field0 = page.evaluate(FIELD)
    hash0 = page.evaluate(CANVAS_HASH)

    # switching to spiral: new output heatmap, and one picture per hidden neuron, in [-1, 1]
    page.select_option("[data-testid=dataset]", "spiral")
    page.wait_for_function("() => window.nnpy.bridge.meta.dataset === 'spiral'")
    page.wait_for_timeout(200)
    meta = page.evaluate("() => window.nnpy.bridge.meta")
    grid = meta["neuron_grid"]
    hidden = sum(meta["sizes"][1:-1])
    assert grid == 16
    field1 = page.evaluate(FIELD)
    assert len(field1) == len(field0) == meta["field_size"] ** 2
    assert np.abs(np.subtract(field1, field0)).max() > 0.05, "the output heatmap did not change"
    neurons0 = np.array(page.evaluate(NEURONS))
    assert neurons0.size == hidden * grid * grid
    assert np.abs(neurons0).max() <= 1.0 + 1e-6
    per_neuron = np.abs(neurons0.reshape(hidden, -1)).max(axis=1)
    assert np.all((per_neuron == 0) | (np.abs(per_neuron - 1) < 1e-5)), "each picture is scaled to its own largest |value|"
    cells = page.evaluate("() => window.nnpy.view.geometry.cols.slice(1, -1).map((c) => c.cell)")
    assert all(c >= 12 for c in cells), f"no room for the pictures at 1280x800: {cells}"
    hash1 = page.evaluate(CANVAS_HASH)
    assert hash1 != hash0

    # training changes the pictures and the picture of the network
    _play_until(v, 300)
    page.wait_for_timeout(300)
    neurons1 = np.array(page.evaluate(NEURONS))
    assert neurons1.shape == neurons0.shape
    assert np.abs(neurons1 - neurons0).max() > 0.05, "the neuron pictures did not change with training"
    assert page.evaluate(CANVAS_HASH) != hash1

    # hovering a hidden neuron shows its picture big on the plane
    x, y = page.evaluate("() => { const c = window.nnpy.view.geometry.cols[1]; return [c.x, c.ys[3]]; }")
    box = page.locator("[data-testid=network]").bounding_box()
    before = page.evaluate(CANVAS_HASH)
    page.mouse.move(box["x"] + x, box["y"] + y)
    page.wait_for_function("() => window.nnpy.view.focus && window.nnpy.view.focus.index === 3")
    page.wait_for_timeout(150)
    assert page.evaluate(CANVAS_HASH) != before
    tip = page.inner_text("#tip")
    assert "neuron 4" in tip, tip
    # and its incoming weights, x1 and x2, as the snapshot holds them
    incoming = page.evaluate("""() => { const b = window.nnpy.bridge, o = b.meta.layout.offsets.W[0], n = b.meta.sizes[1];
      return [b.view.snapshot[o + 3], b.view.snapshot[o + n + 3]]; }""")
    assert "incoming weights: " in tip, tip
    for name, w in zip(("x1", "x2"), incoming):
        assert f"{name} {w:.2f}".replace("-", "−") in tip, (name, w, tip)

    # hovering a connection: the tip gives its weight, the one in the snapshot
    x, y, layer, i, j = page.evaluate(STRONG_LINE)
    page.mouse.move(box["x"] + x, box["y"] + y)
    page.wait_for_function("() => !document.getElementById('tip').hidden && document.getElementById('tip').textContent.includes('→')")
    text = page.inner_text("#tip")
    assert f"hidden 1 #{i + 1} → hidden 2 #{j + 1}" in text, text
    w = page.evaluate(WEIGHT, [layer, i, j])
    assert _tip_number(text) == pytest.approx(w, rel=1e-3, abs=1e-3)

    # clicking it opens the editor; bad values are refused with a message, nothing changes
    page.mouse.click(box["x"] + x, box["y"] + y)
    editor = page.locator("[data-testid=weight-editor]")
    assert editor.is_visible()
    assert f"hidden 1 #{i + 1} → hidden 2 #{j + 1}" in editor.inner_text()
    field_before = page.evaluate(FIELD)
    for bad, words in (("abc", "not a number"), ("1e9", "too large"), ("Infinity", "not a number")):
        page.fill("[data-testid=weight-input]", bad)
        page.keyboard.press("Enter")
        assert words in page.inner_text("[data-testid=weight-message]")
        assert editor.is_visible()
        assert page.evaluate(WEIGHT, [layer, i, j]) == w
    # Esc cancels
    page.fill("[data-testid=weight-input]", "5")
    page.keyboard.press("Escape")
    assert not editor.is_visible()
    assert page.evaluate(WEIGHT, [layer, i, j]) == w

    # a good value goes to Python: the republished snapshot (nnpy's own W) and the picture show it
    page.mouse.click(box["x"] + x, box["y"] + y)
    assert editor.is_visible()
    assert f"hidden 1 #{i + 1} → hidden 2 #{j + 1}" in editor.inner_text()
    hash_before = page.evaluate(CANVAS_HASH)
    new = -3.25 if w > 0 else 3.25
    page.fill("[data-testid=weight-input]", str(new))
    page.keyboard.press("Enter")
    assert not editor.is_visible()
    assert page.evaluate(WEIGHT, [layer, i, j]) == new
    page.wait_for_timeout(200)
    assert page.evaluate(CANVAS_HASH) != hash_before
    assert page.evaluate(FIELD) != field_before, "the network's answer was not remade"
    # Python itself refuses what the editor would never send
    err = page.evaluate("() => { try { window.nnpy.bridge.setWeight(1, 0, 0, NaN); return ''; } catch (e) { return String(e.message); } }")
    assert "finite" in err
    # training goes on from the edited weight
    step = v.number("step")
    _play_until(v, step + 50)
    assert page.evaluate(WEIGHT, [layer, i, j]) != new

    # colouring by gradient: the lines are gradients, and the tip gives both numbers
    page.select_option("[data-testid=color-by]", "gradient")
    page.wait_for_timeout(300)
    x, y, layer, i, j = page.evaluate(STRONG_LINE)
    page.mouse.move(box["x"] + x, box["y"] + y)
    page.wait_for_function("() => document.getElementById('tip').textContent.includes('∂L/∂w')")
    text = page.inner_text("#tip")
    assert _tip_number(text) == pytest.approx(page.evaluate(WEIGHT, [layer, i, j]), rel=1e-3, abs=1e-3)
    gradient = page.evaluate("""([layer, i, j]) => {
      const b = window.nnpy.bridge, off = b.meta.layout.offsets, n = b.meta.sizes[layer];
      return b.view.snapshot[off.gW[layer - 1] + i * n + j];
    }""", [layer, i, j])
    shown = float(re.search(r"∂L/∂w ([−-]?[0-9.]+(?:e[−+-]?[0-9]+)?)", text).group(1).replace("−", "-"))
    assert shown == pytest.approx(gradient, rel=1e-3, abs=1e-6)
    assert v.errors == [], v.errors


def test_chart_options_ghost_png_and_dark_theme(visit, tmp_path):
    v = visit()
    v.wait_ready()
    page = v.page
    # light theme: light page, light canvas
    assert page.evaluate("() => getComputedStyle(document.body).backgroundColor") == "rgb(244, 246, 249)"
    corner = "() => Array.from(document.querySelector('[data-testid=network]').getContext('2d').getImageData(3, 3, 1, 1).data.slice(0, 3))"
    assert min(page.evaluate(corner)) > 200

    _play_until(v, 200)
    page.wait_for_timeout(300)
    assert page.is_visible("#key-accuracy")
    assert page.evaluate("() => window.nnpy.chart.hasAccuracy")

    # log scale: a toggle with a state, and other pixels
    chart0 = page.evaluate(CHART_HASH)
    page.click("[data-testid=chart-log]")
    assert page.get_attribute("[data-testid=chart-log]", "aria-pressed") == "true"
    assert page.evaluate(CHART_HASH) != chart0
    page.click("[data-testid=chart-log]")
    assert page.get_attribute("[data-testid=chart-log]", "aria-pressed") == "false"
    assert page.evaluate(CHART_HASH) == chart0

    # Reset keeps the run's test loss as a ghost, with its key entry
    assert not page.is_visible("[data-testid=key-ghost]")
    points = page.evaluate("() => window.nnpy.chart.n")
    page.click("[data-testid=reset]")
    page.wait_for_timeout(200)
    assert page.is_visible("[data-testid=key-ghost]")
    assert page.evaluate("() => window.nnpy.chart.ghost.n") == points
    with_ghost = page.evaluate(CHART_HASH)
    page.evaluate("() => { const c = window.nnpy.chart, g = c.ghost; c.ghost = null; c.draw(); c.ghost = g; }")
    assert page.evaluate(CHART_HASH) != with_ghost, "the ghost is not drawn"

    # Save PNG: a real PNG of the canvas, named after the dataset and the step
    with page.expect_download() as info:
        page.click("[data-testid=export-png]")
    download = info.value
    assert re.fullmatch(r"nnpy-digits-step\d+\.png", download.suggested_filename), download.suggested_filename
    path = tmp_path / "net.png"
    download.save_as(path)
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    size = page.evaluate("() => { const c = document.querySelector('[data-testid=network]'); return [c.width, c.height]; }")
    assert [width, height] == size
    assert len(data) > 5000
    assert data[25] in (2, 6)  # colour type: RGB or RGBA, drawn on an opaque background

    # the system switches to dark: the page and the canvases follow without a reload
    page.emulate_media(color_scheme="dark")
    page.wait_for_function("() => getComputedStyle(document.body).backgroundColor !== 'rgb(244, 246, 249)'")
    page.wait_for_timeout(300)
    bg = page.evaluate("() => getComputedStyle(document.body).backgroundColor")
    rgb = [int(c) for c in re.findall(r"\d+", bg)[:3]]
    assert max(rgb) < 60, bg
    assert max(page.evaluate(corner)) < 60, "the network canvas kept a light background"
    dark_chart = page.evaluate(CHART_HASH)
    assert dark_chart != page.evaluate("() => 0")
    page.emulate_media(color_scheme="light")
    page.wait_for_timeout(300)
    assert min(page.evaluate(corner)) > 200
    assert v.errors == [], v.errors


def test_reduced_motion_turns_transitions_off(visit):
    v = visit()
    v.page.emulate_media(reduced_motion="reduce")
    v.wait_ready()
    duration = v.page.evaluate("() => getComputedStyle(document.querySelector('[data-testid=play]')).transitionDuration")
    assert all(float(d.rstrip("s")) == 0 for d in duration.split(","))


# ---------------------------------------------------------------- the session under CPython

def test_session_neuron_pictures_and_set_weight():
    from nnpy_page import MAX_NEURON_MAPS, NEURON_GRID, Session

    s = Session()
    meta = s.configure({"dataset": "xor", "hidden": [4, 3]})
    assert meta["neuron_grid"] == NEURON_GRID
    maps = s.neurons_buffer.reshape(7, NEURON_GRID, NEURON_GRID)
    # neuron 0 of hidden 1, recomputed: f(x W + b) over the grid, 2x2 means, scaled by its max
    a = s.net.activation.forward(s.grid @ s.net.layers[0].W + s.net.layers[0].b)[:, 0]
    pooled = a.reshape(NEURON_GRID, 2, NEURON_GRID, 2).mean(axis=(1, 3))
    np.testing.assert_allclose(maps[0], pooled / np.abs(pooled).max(), atol=1e-6)

    layout = meta["layout"]["offsets"]
    s.set_weight(1, 2, 1, 0.5)
    assert s.net.layers[1].W[2, 1] == 0.5
    assert s.snapshot_buffer[layout["W"][1] + 2 * 3 + 1] == np.float32(0.5)
    assert s.net.params.flat[s.net.params.segments[2][3] + 2 * 3 + 1] == 0.5  # the optimizer's vector
    for bad in ((1, 2, 1, math.nan), (1, 2, 1, math.inf), (1, 2, 1, 1e6), (5, 0, 0, 1.0), (1, 9, 0, 1.0)):
        with pytest.raises(ValueError):
            s.set_weight(*bad)
    assert s.net.layers[1].W[2, 1] == 0.5
    assert s.train(ms=0, max_steps=5) == "ok"

    big = Session().configure({"dataset": "xor", "hidden": [MAX_NEURON_MAPS, 1]})
    assert big["neuron_grid"] == 0
