"""The settings panel and the hidden-layer buttons in Chromium (web/js/controls.js).

Each control is driven as a learner would (click, select, keyboard) and checked twice: on the model
(window.nnpy.bridge.meta and figures, i.e. what the Python session reports) and on the picture
(CANVAS_HASH). Page loads are few and each carries many checks: a load costs seconds.
"""

import re

import pytest

from browser import CANVAS_HASH, chromium, dist, server, visit  # noqa: F401  (fixtures)

pytestmark = pytest.mark.browser

META = "() => window.nnpy.bridge.meta"
STEP = "() => window.nnpy.bridge.figure('step')"
FRAMES = """async (n) => {
  const fig = (k) => window.nnpy.bridge.figure(k);
  const before = fig('step');
  let frames = 0, most = 0;
  while (frames < n) {
    await new Promise((r) => requestAnimationFrame(r));
    frames++;
    most = Math.max(most, fig('steps_done'));
  }
  return { delta: fig('step') - before, frames, most };
}"""


SNAPSHOT = "() => Array.from(window.nnpy.bridge.view.snapshot.slice(0, 64))"


def meta(v):
    return v.page.evaluate(META)


def step(v):
    return v.page.evaluate(STEP)


def wait_steps(v, n):
    v.page.wait_for_function("(n) => window.nnpy.bridge.figure('step') > n", arg=n, timeout=60_000)


def changed(v, before):
    return v.page.evaluate(CANVAS_HASH) != before


def test_every_setting_changes_the_model_and_the_picture_and_the_address_keeps_them(visit):
    v = visit("index.html#dataset=xor")
    v.wait_ready()
    page = v.page
    # one screen at 1280x800: the panel is in view, the page itself does not scroll
    box = page.locator("[data-testid=settings]").bounding_box()
    assert box and box["x"] >= 0 and box["y"] + box["height"] <= 800
    assert page.evaluate("() => document.documentElement.scrollHeight <= innerHeight && document.documentElement.scrollWidth <= innerWidth")
    assert not page.is_visible("[data-testid=settings-open]")
    m = meta(v)
    assert m["sizes"] == [2, 8, 8, 2] and m["config"]["activation"] == "tanh"
    assert page.input_value("[data-testid=activation]") == "tanh"
    assert page.input_value("[data-testid=batch-size]") == "10"
    assert page.input_value("[data-testid=speed]") == "max"

    # --- hidden layers while training: a column of neurons more, and the steps go on
    page.click("[data-testid=play]")
    wait_steps(v, 60)
    hash0 = page.evaluate(CANVAS_HASH)
    before = step(v)
    page.click("[data-testid=hidden-add]")
    after = step(v)
    assert meta(v)["sizes"] == [2, 8, 8, 8, 2]
    assert after >= before > 0, f"the step counter went from {before} to {after}: the network was rebuilt"
    assert v.text("hidden-count").lower() == "3 hidden layers"
    wait_steps(v, after + 30)
    page.click("[data-testid=neurons-remove-1]")
    assert meta(v)["sizes"] == [2, 7, 8, 8, 2]
    page.click("[data-testid=neurons-add-3]")
    assert meta(v)["sizes"] == [2, 7, 8, 9, 2]
    page.click("[data-testid=hidden-remove]")
    assert meta(v)["sizes"] == [2, 7, 8, 2]
    assert step(v) >= after
    assert changed(v, hash0)
    # the epoch counter: 250 training points in batches of 10 = 25 steps an epoch
    epoch = page.evaluate("() => window.nnpy.bridge.figure('epoch')")
    assert epoch >= 2 and v.number("epoch") >= epoch - 1
    page.click("[data-testid=play]")
    assert v.status() == "paused"

    # --- network and training settings: each reaches the session, and the weights three steps later
    # differ from the previous setting's (activation and init show at once: new weights, new picture)
    assert page.is_disabled("[data-testid=reg-rate]")      # no regularization: no rate to choose
    page.click("[data-testid=restart-same]")
    for _ in range(3):
        page.click("[data-testid=step-once]")
    weights = page.evaluate(SNAPSHOT)
    for testid, value, key, at_once in (("activation", "relu", "activation", True), ("optimizer", "sgd", "optimizer", False),
                                        ("init", "he", "init", True), ("regularization", "l2", "regularization", False),
                                        ("reg-rate", "0.1", "reg_rate", False)):
        h = page.evaluate(CANVAS_HASH)
        page.select_option(f"[data-testid={testid}]", value)
        assert str(meta(v)["config"][key]) == value, testid
        assert step(v) == 0
        if at_once:
            page.wait_for_function(f"(h) => ({CANVAS_HASH})() !== h", arg=h)
        for _ in range(3):
            page.click("[data-testid=step-once]")
        now = page.evaluate(SNAPSHOT)
        assert now != weights, f"{testid}={value} changed nothing in training"
        weights = now
    # losses: only those that fit two classes are offered; binary cross-entropy has one output
    disabled = page.evaluate("() => [...document.querySelectorAll('[data-testid=loss-function] option')].filter((o) => o.disabled).map((o) => o.value)")
    assert disabled == ["mse"]
    page.select_option("[data-testid=loss-function]", "binary_cross_entropy")
    assert meta(v)["sizes"][-1] == 1
    page.fill("[data-testid=batch-size]", "32")
    page.press("[data-testid=batch-size]", "Enter")
    assert meta(v)["batch_size"] == 32

    # --- data: noise moves the points, features change the input column, the split changes sizes
    points = meta(v)["points"]
    page.focus("[data-testid=noise]")
    for _ in range(4):
        page.keyboard.press("ArrowRight")
    assert meta(v)["config"]["noise"] == pytest.approx(0.2)
    assert meta(v)["points"] != points
    assert v.text("noise-value") == "0.20"
    train_size = meta(v)["train_size"]
    page.focus("[data-testid=test-ratio]")
    page.keyboard.press("ArrowRight")
    assert meta(v)["train_size"] > train_size and v.text("test-ratio-value") == "60%"
    h = page.evaluate(CANVAS_HASH)
    page.click("[data-testid=feature-x1sq]")
    m = meta(v)
    assert m["sizes"][0] == 3 and m["input_names"] == ["x1", "x2", "x1^2"]
    assert page.get_attribute("[data-testid=feature-x1sq]", "aria-pressed") == "true"
    page.wait_for_function(f"(h) => ({CANVAS_HASH})() !== h", arg=h)
    page.click("[data-testid=feature-x1]")
    page.click("[data-testid=feature-x2]")
    assert meta(v)["input_names"] == ["x1^2"]
    page.click("[data-testid=feature-x1sq]")          # the last one stays on
    assert meta(v)["input_names"] == ["x1^2"]
    assert "at least one" in v.text("message")
    # test points and the discretized output are drawn on the plane
    for testid in ("show-test", "discretize"):
        h = page.evaluate(CANVAS_HASH)
        page.check(f"[data-testid={testid}]")
        page.wait_for_function(f"(h) => ({CANVAS_HASH})() !== h", arg=h)

    # --- a change the session refuses: a message, the control back, the model untouched
    page.click("[data-testid=play]")
    wait_steps(v, step(v) + 20)
    page.click("[data-testid=play]")
    m0, s0 = meta(v), step(v)
    page.fill("[data-testid=seed]", "-5")
    page.press("[data-testid=seed]", "Enter")
    assert page.is_visible("[data-testid=message]")
    assert "Not applied" in v.text("message") and "negative" in v.text("message")
    assert page.input_value("[data-testid=seed]") == "0"
    assert step(v) == s0 and meta(v)["config"] == m0["config"]

    # --- speed: one step per frame, so a learner can watch single steps
    page.select_option("[data-testid=speed]", "1")
    page.click("[data-testid=play]")
    run = page.evaluate(FRAMES, 20)
    page.click("[data-testid=play]")
    assert run["most"] == 1 and 1 <= run["delta"] <= run["frames"] + 1, run

    # --- the address keeps every setting; a reload with it gives the same configuration
    hash_ = page.evaluate("() => location.hash")
    for part in ("dataset=xor", "hidden=7,8", "activation=relu", "loss=binary_cross_entropy", "optimizer=sgd",
                 "batch=32", "reg=l2", "regrate=0.1", "noise=0.2", "init=he", "features=x1sq", "speed=1",
                 "discretize=1", "showtest=1"):
        assert part in hash_, f"{part} missing from {hash_}"
    config = meta(v)["config"]
    page.reload()
    v.wait_ready()
    m = meta(v)
    for key in ("dataset", "hidden", "activation", "loss", "optimizer", "batch_size", "regularization",
                "reg_rate", "noise", "init", "features", "test_ratio", "seed"):
        assert m["config"][key] == config[key], key
    assert m["sizes"] == [1, 7, 8, 1]
    assert page.input_value("[data-testid=activation]") == "relu"
    assert page.input_value("[data-testid=speed]") == "1"
    assert page.is_checked("[data-testid=discretize]") and page.is_checked("[data-testid=show-test]")
    assert page.get_attribute("[data-testid=feature-x1]", "aria-pressed") == "false"
    assert v.errors == [], v.errors


def test_restart_same_seed_repeats_a_run_and_new_seed_does_not(visit):
    v = visit("index.html#dataset=circle&seed=7")
    v.wait_ready()
    page = v.page
    assert page.input_value("[data-testid=seed]") == "7"
    w0 = page.evaluate("() => Array.from(window.nnpy.bridge.view.snapshot.slice(0, 16))")
    page.click("[data-testid=step-once]")
    assert step(v) == 1
    page.click("[data-testid=restart-same]")
    assert step(v) == 0
    assert page.evaluate("() => Array.from(window.nnpy.bridge.view.snapshot.slice(0, 16))") == w0
    page.click("[data-testid=restart-new]")
    assert page.input_value("[data-testid=seed]") == "8"
    assert meta(v)["config"]["seed"] == 8
    assert page.evaluate("() => Array.from(window.nnpy.bridge.view.snapshot.slice(0, 16))") != w0
    page.fill("[data-testid=seed]", "3")
    page.press("[data-testid=seed]", "Enter")
    assert meta(v)["config"]["seed"] == 3 and "seed=3" in page.evaluate("() => location.hash")
    # the header's Reset goes on from the seed chosen here
    page.click("[data-testid=reset]")
    assert meta(v)["config"]["seed"] == 4
    assert v.errors == [], v.errors


def test_phone_drawer_digits_and_a_dataset_switch(visit):
    v = visit("index.html", viewport=(390, 800))
    v.wait_ready()
    page = v.page
    assert page.evaluate("() => document.documentElement.scrollHeight <= innerHeight && document.documentElement.scrollWidth <= innerWidth")
    # the drawer: closed, then open with focus inside, Esc closes and focus returns to the button
    assert page.is_visible("[data-testid=settings-open]")
    assert not page.is_visible("[data-testid=activation]")
    page.click("[data-testid=settings-open]")
    page.wait_for_function("() => getComputedStyle(document.getElementById('settings')).display !== 'none'")
    assert page.evaluate("() => document.activeElement.dataset.testid") == "settings-close"
    assert page.get_attribute("[data-testid=settings-open]", "aria-expanded") == "true"
    # digits: features, noise and the plane's options do not apply, and a note says why
    assert page.is_disabled("[data-testid=noise]") and page.is_disabled("[data-testid=feature-x1]")
    assert page.is_disabled("[data-testid=show-test]")
    assert "pixel" in v.text("data-note")
    page.keyboard.press("Escape")
    page.wait_for_function("() => getComputedStyle(document.getElementById('settings')).display === 'none'")
    assert page.evaluate("() => document.activeElement.dataset.testid") == "settings-open"
    # every control: a name, reachable by keyboard
    unnamed = page.evaluate("""() => [...document.querySelectorAll('#settings input, #settings select, #settings button, .hidden-strip button')]
      .filter((e) => !(e.labels && e.labels.length) && !e.getAttribute('aria-label') && !e.textContent.trim())
      .map((e) => e.outerHTML.slice(0, 80))""")
    assert unnamed == []
    assert page.evaluate("() => [...document.querySelectorAll('#settings input, #settings select, #settings button')].every((e) => e.tabIndex >= 0)")
    # hidden neurons: digits allow up to 64
    page.click("[data-testid=neurons-add-2]")
    assert meta(v)["sizes"] == [64, 32, 17, 10]
    # a dataset switch: the panel shows the new dataset's defaults (nnpy.datasets.DEFAULTS)
    page.select_option("[data-testid=dataset]", "spiral")
    page.wait_for_function("() => window.nnpy.bridge.meta.dataset === 'spiral'")
    m = meta(v)
    assert m["sizes"] == [2, 32, 32, 2]
    page.click("[data-testid=settings-open]")
    assert page.input_value("[data-testid=activation]") == "relu"
    assert page.input_value("[data-testid=batch-size]") == "10"
    assert page.is_enabled("[data-testid=noise]") and page.is_enabled("[data-testid=feature-x1sq]")
    assert page.get_attribute("[data-testid=feature-x1]", "aria-pressed") == "true"
    assert page.is_disabled("[data-testid=neurons-add-1]")     # 32 is the most for 2-D data
    page.click("[data-testid=settings-close]")
    assert page.evaluate("() => document.activeElement.dataset.testid") == "settings-open"
    assert v.errors == [], v.errors


def test_embed_shows_only_the_listed_settings(visit):
    v = visit("index.html?embed=1&controls=activation,hidden&dataset=xor", viewport=(640, 400))
    v.wait_ready()
    page = v.page
    assert page.is_visible("[data-testid=activation]")
    assert page.is_visible("[data-testid=hidden-add]")
    for hidden in ("optimizer", "noise", "settings-open", "settings", "dataset"):
        assert not page.is_visible(f"[data-testid={hidden}]"), hidden
    assert page.evaluate("() => document.documentElement.scrollHeight <= innerHeight && document.documentElement.scrollWidth <= innerWidth")
    page.select_option("[data-testid=activation]", "sigmoid")
    assert meta(v)["activation"] == "sigmoid"
    page.click("[data-testid=hidden-add]")
    assert meta(v)["sizes"] == [2, 8, 8, 8, 2]
    assert re.search(r"hidden=8,8,8", page.evaluate("() => location.hash"))
    assert v.errors == [], v.errors


LAID_OUT = ["#settings", ".network-panel", ".side", "#play", "#dataset", "#learning-rate", "#embed", "#stat-epoch"]


def test_the_loading_page_is_laid_out_as_the_ready_one(visit):
    """While Python loads, the page's interface (main.js) is not loaded yet: boot.js loads it once the runtime
    is up. The markup is laid out as the ready page meanwhile: the settings panel keeps its place, marked busy
    and holding no values (not the markup's defaults as if they were the network's), and nothing moves when
    the interface and the first network arrive."""
    held = []

    def hold_numpy(route, request):
        if request.url.endswith(".whl") and "/numpy-" in request.url:
            held.append(route)          # answered below, once the loading state has been looked at
            return True
        return False

    def boxes():
        return v.page.evaluate("""(selectors) => selectors.map((selector) => {
            const r = document.querySelector(selector).getBoundingClientRect();
            return [selector, Math.round(r.x), Math.round(r.y), Math.round(r.width), Math.round(r.height)];
        })""", LAID_OUT)

    v = visit(route=hold_numpy)
    v.page.wait_for_function("() => document.querySelector('#loader [data-role=bar]')?.style.transform", timeout=60_000)
    v.page.wait_for_timeout(500)
    if not held:                       # the preload and Pyodide's fetch may share one request
        pytest.fail("the numpy wheel was never requested")
    panel = v.page.locator("[data-testid=settings]")
    assert v.status() == "loading"
    assert panel.get_attribute("aria-busy") == "true" and "pending" in panel.get_attribute("class")
    assert v.page.eval_on_selector_all("[data-testid=settings] :is(select, input, output)", "(l) => l.length") == 0
    scripts = v.page.evaluate("() => performance.getEntriesByType('resource').map((e) => e.name.split('/').pop())")
    assert "boot.js" in scripts and "main.js" not in scripts, scripts
    loading = boxes()
    for route in held:
        route.continue_()
    v.wait_ready()
    assert panel.get_attribute("aria-busy") is None and "pending" not in panel.get_attribute("class")
    assert v.page.input_value("[data-testid=optimizer]") == "adam"
    assert v.page.is_enabled("[data-testid=optimizer]")
    assert boxes() == loading
    assert v.errors == []
