"""1-D data in the browser: the sine set draws a plot of its points and the network's curve in the
input column (web/js/curve.js), and the curve follows training towards the data.

Needs dist/ (built on demand by tests/browser.py) and /usr/bin/chromium.
"""

import pytest

from browser import chromium, dist, server, visit  # noqa: F401  (fixtures)

pytestmark = pytest.mark.browser

# A fingerprint of the plot's pixels only (the rest of the canvas changes as it trains anyway).
PLOT_HASH = """() => {
  const v = window.nnpy.view;
  const r = v.geometry.cols[0].curve;
  const d = v.ctx.getImageData(Math.round(r.x * v.dpr), Math.round(r.y * v.dpr),
                               Math.round(r.w * v.dpr), Math.round(r.h * v.dpr)).data;
  let h = 0;
  for (let i = 0; i < d.length; i += 3) h = (h * 31 + d[i]) | 0;
  return h;
}"""

# How far the published curve is from the training points: mean |curve(x) - y|, the curve read
# from the session's buffer (linear between its grid values) at each point's x.
CURVE_ERROR = """() => {
  const b = window.nnpy.bridge;
  const f = b.view.field;
  const [lo, hi] = b.meta.curve.x;
  const pts = b.meta.train_points;
  let sum = 0;
  for (const [x, y] of pts) {
    const t = ((x - lo) / (hi - lo)) * (f.length - 1);
    const i = Math.min(f.length - 2, Math.max(0, Math.floor(t)));
    const v = f[i] + (f[i + 1] - f[i]) * (t - i);
    sum += Math.abs(v - y);
  }
  return sum / pts.length;
}"""


def test_sine_draws_its_points_and_a_curve_that_learns_the_data(visit):
    v = visit("index.html#dataset=sine")
    v.wait_ready()
    meta = v.page.evaluate("() => { const m = window.nnpy.bridge.meta; return {curve: m.curve, plane: m.plane, "
                           "sizes: m.sizes, n: m.train_points.length, pair: m.train_points[0].length} }")
    assert meta["plane"] is False and meta["sizes"][0] == 1
    assert meta["curve"]["size"] == v.page.evaluate("() => window.nnpy.bridge.view.field.length") == 128
    assert meta["n"] > 100 and meta["pair"] == 2
    # the plot sits in the input column, left of the x1 neuron, inside the canvas
    geo = v.page.evaluate("() => { const g = window.nnpy.view.geometry; const c = g.cols[0]; "
                          "return {rect: c.curve, plane: c.plane || null, x: c.x, next: g.cols[1].x, "
                          "w: window.nnpy.view.w, h: window.nnpy.view.h} }")
    r = geo["rect"]
    assert geo["plane"] is None
    assert r["w"] > 120 and r["h"] > 90, r
    assert r["x"] >= 0 and r["y"] > 0 and r["y"] + r["h"] < geo["h"]
    assert r["x"] + r["w"] < geo["x"] < geo["next"]
    hash0 = v.page.evaluate(PLOT_HASH)
    error0 = v.page.evaluate(CURVE_ERROR)
    v.page.click("[data-testid=play]")
    v.page.wait_for_function(
        "() => Number(document.querySelector('[data-testid=step]').textContent.replace(/,/g, '')) > 1500",
        timeout=90_000)
    v.page.click("[data-testid=play]")
    assert v.status() == "paused"
    # one Step evaluates in full: the curve is then the current network's, not the last timed evaluation's
    step = v.page.evaluate("() => window.nnpy.bridge.figure('step')")
    v.page.click("[data-testid=step-once]")
    v.page.wait_for_function(f"() => window.nnpy.bridge.figure('step') === {step + 1}")
    v.page.wait_for_timeout(300)
    error1 = v.page.evaluate(CURVE_ERROR)
    hash1 = v.page.evaluate(PLOT_HASH)
    assert hash1 != hash0, "the plot did not change as the network trained"
    assert error1 < 0.2 and error1 < 0.4 * error0, f"curve error went from {error0:.3f} to {error1:.3f}"
    # showing the test points draws them on the plot too
    v.page.click("[data-testid=show-test]")
    v.page.wait_for_timeout(300)
    assert v.page.evaluate(PLOT_HASH) != hash1, "the test points did not appear"
    assert v.errors == [], f"console errors: {v.errors}"
