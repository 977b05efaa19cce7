"""Shipping the page three ways — GitHub Pages / any static host, offline on a laptop, embedded in a
blog post — tested in Chromium: the service worker (offline, updates), embed mode and its
postMessage API, the zip, the Content-Security-Policy, and settings in the address.

Screenshots of what a visitor sees are left in test-results/ship/ (full page, embeds at 640x400 and
320x240, the Embed dialog, the update offer).
"""

from __future__ import annotations

import contextlib
import json
import re
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path
from urllib.parse import quote

import pytest

from browser import LOAD_TIMEOUT_MS, RESULTS, ROOT, StaticServer, chromium, dist, server  # noqa: F401

import build

pytestmark = pytest.mark.browser

SHOTS = RESULTS / "ship"

# Collects Content-Security-Policy violations from the first moment of every document (frames too).
CSP_PROBE = """
window.__csp = [];
document.addEventListener('securitypolicyviolation', (e) => window.__csp.push(
  `${e.violatedDirective} blocked ${e.blockedURI || '(inline)'} at ${e.sourceFile}:${e.lineNumber}`));
"""
STEP = "window.nnpy.bridge.figure('step')"


def fn(expression: str) -> str:
    """A predicate as a function: Playwright eval()s bare expressions, which the page's CSP forbids."""
    return expression if expression.lstrip().startswith("()") else f"() => ({expression})"


class Tab:
    """A page in its own context, recording failed requests, errors and CSP violations."""

    def __init__(self, browser, viewport=(1280, 800)):
        self.context = browser.new_context(viewport={"width": viewport[0], "height": viewport[1]})
        self.context.add_init_script(CSP_PROBE)
        self.page = self.context.new_page()
        self.failed, self.errors, self.dialogs = [], [], []
        self.page.on("requestfailed", lambda r: self.failed.append(f"{r.failure} {r.url}"))
        self.page.on("response", lambda r: r.status >= 400 and self.failed.append(f"{r.status} {r.url}"))
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("console", lambda m: m.type == "error" and self.errors.append(m.text))
        self.page.on("dialog", lambda d: (self.dialogs.append(d.message), d.dismiss()))

    def open(self, url):
        self.page.goto(url)
        return self

    def ready(self, frame=None):
        target = frame or self.page
        target.wait_for_function(polling=100, expression=fn("window.nnpy && window.nnpy.ready || document.body.dataset.status === 'error'"),
                                 timeout=LOAD_TIMEOUT_MS)
        status = target.evaluate("document.body.dataset.status")
        if status not in ("ready", "training", "paused"):
            detail = target.evaluate("document.getElementById('error').innerText")
            raise AssertionError(f"status {status}: {detail}")
        return target

    def shot(self, name, **kw):
        SHOTS.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=str(SHOTS / f"{name}.png"), **kw)

    def close(self):
        with contextlib.suppress(Exception):
            self.context.close()


@pytest.fixture
def tabs(chromium, request):
    opened = []
    failed_before = request.session.testsfailed

    def make(viewport=(1280, 800)):
        tab = Tab(chromium, viewport)
        opened.append(tab)
        return tab

    yield make
    failed = request.session.testsfailed > failed_before
    for i, tab in enumerate(opened):
        if failed:
            with contextlib.suppress(Exception):
                tab.shot(f"FAILED-{request.node.name}-{i}")
        tab.close()


def wait_worker(page):
    """Until the service worker is active and its cache holds every file of the build."""
    return page.evaluate("""async () => {
      const reg = await navigator.serviceWorker.ready;
      const keys = await caches.keys();
      const counts = await Promise.all(keys.map(async (k) => (await (await caches.open(k)).keys()).length));
      return {scope: reg.scope, keys, counts, controlled: Boolean(navigator.serviceWorker.controller)};
    }""")


def site_files(site: Path) -> int:
    return sum(1 for p in site.rglob("*") if p.is_file() and p.name != "sw.js") + 1   # + "./"


# ---------------------------------------------------------------- offline and updates

def test_works_offline_after_one_visit(tabs, server, dist):
    tab = tabs().open(f"{server.origin}/index.html")
    tab.ready()
    worker = wait_worker(tab.page)
    assert len(worker["keys"]) == 1 and worker["keys"][0].startswith("nnpy:/:"), worker
    assert worker["counts"] == [site_files(dist)], worker
    tab.context.set_offline(True)
    tab.failed.clear()
    tab.page.reload()
    tab.ready()
    tab.page.click("[data-testid=play]")
    tab.page.wait_for_function(polling=100, expression=fn(f"{STEP} > 50"), timeout=20_000)
    tab.page.select_option("[data-testid=dataset]", "mnist")        # fetched lazily: from the cache now
    tab.page.wait_for_function(polling=100, expression=fn("window.nnpy.bridge.meta.dataset === 'mnist'"), timeout=30_000)
    assert tab.failed == [], tab.failed
    assert tab.errors == [], tab.errors


def test_a_new_deployment_is_offered_then_replaces_the_old(tabs, dist, tmp_path):
    site = tmp_path / "site"
    shutil.copytree(dist, site)
    with StaticServer(site) as srv:
        tab = tabs().open(f"{srv.origin}/")
        tab.ready()
        first = wait_worker(tab.page)
        # version 2: a marker in the page, a freshly stamped worker
        index = site / "index.html"
        index.write_text(index.read_text().replace("<head>", '<head>\n  <meta name="nnpy-test-build" content="2">'))
        shutil.copy(ROOT / "web" / "sw.js", site / "sw.js")
        build.stamp_service_worker(site)
        assert tab.page.evaluate("navigator.serviceWorker.controller !== null")
        tab.page.evaluate("navigator.serviceWorker.getRegistration().then((r) => r.update())")
        tab.page.wait_for_selector("[data-testid=update-offer]", timeout=60_000)
        assert tab.page.query_selector("meta[name=nnpy-test-build]") is None, "switched without asking"
        tab.shot("update-offer")
        tab.page.click("[data-testid=update-reload]")
        tab.page.wait_for_selector("meta[name=nnpy-test-build]", state="attached", timeout=30_000)
        tab.ready()
        second = wait_worker(tab.page)
        assert len(second["keys"]) == 1 and second["keys"] != first["keys"], (first, second)
        assert second["counts"] == [site_files(site)]
        assert tab.errors == [], tab.errors


# ---------------------------------------------------------------- embedding

HOST_PAGE = """<!doctype html><meta charset="utf-8"><title>a blog post</title><link rel="icon" href="data:,">
<body style="margin:0;font:16px sans-serif">
<p>Some words before the figure.</p><div style="height:3000px"></div>
<iframe id="nnpy" width="640" height="400" title="nnpy" style="border:0"></iframe>
<div style="height:1500px"></div>
<script>
  window.messages = [];
  window.addEventListener('message', (e) => window.messages.push({origin: e.origin, data: e.data}));
  document.getElementById('nnpy').src = new URLSearchParams(location.search).get('src');
</script>
"""


@pytest.fixture(scope="module")
def host_server(tmp_path_factory):
    folder = tmp_path_factory.mktemp("host")
    (folder / "host.html").write_text(HOST_PAGE)
    with StaticServer(folder) as srv:
        yield srv


def embed_frame(tab, host_origin, src):
    tab.open(f"{host_origin}/host.html?src={quote(src, safe='')}")
    tab.page.wait_for_function(polling=100, expression=fn("document.getElementById('nnpy').contentWindow !== null"))
    deadline = time.time() + 30
    while time.time() < deadline:
        frames = [f for f in tab.page.frames if f.url.startswith(src.split("?")[0])]
        if frames:
            return frames[0]
        time.sleep(0.05)
    raise AssertionError(f"no frame for {src}: {[f.url for f in tab.page.frames]}")


def test_embed_trains_only_in_view_and_obeys_its_host(tabs, server, host_server):
    host = host_server.origin
    tab = tabs()
    frame = embed_frame(tab, host, f"{server.origin}/index.html?embed=1&autoplay=1&origin={host}")
    tab.ready(frame)
    frame.wait_for_timeout(1500)
    assert frame.evaluate(STEP) == 0, "trained while scrolled out of view"
    assert frame.evaluate("document.body.dataset.status") == "paused"
    frame.evaluate("""() => { window.__resumed = null; window.nnpy.controller.on('status',
        (s) => { if (s === 'training' && window.__resumed === null) window.__resumed = Date.now(); }); }""")
    scrolled = tab.page.evaluate("() => { document.getElementById('nnpy').scrollIntoView(); return Date.now(); }")
    frame.wait_for_function(polling=100, expression=fn("window.__resumed !== null"), timeout=5_000)
    delay = frame.evaluate("window.__resumed") - scrolled
    assert delay < 500, f"resumed {delay} ms after scrolling into view"
    frame.wait_for_function(polling=100, expression=fn(f"{STEP} > 20"), timeout=10_000)
    # out of view again: paused, and steps stop
    tab.page.evaluate("window.scrollTo(0, 0)")
    frame.wait_for_function(polling=100, expression=fn("document.body.dataset.status === 'paused'"), timeout=5_000)
    step = frame.evaluate(STEP)
    frame.wait_for_timeout(400)
    assert frame.evaluate(STEP) == step
    tab.page.evaluate("document.getElementById('nnpy').scrollIntoView()")
    frame.wait_for_function(polling=100, expression=fn("document.body.dataset.status === 'training'"), timeout=5_000)

    # the host's API: pause, subscribe, config, play; replies go to the host alone
    post = "(m) => document.getElementById('nnpy').contentWindow.postMessage(m, '*')"
    tab.page.evaluate(post, {"type": "nnpy:pause"})
    frame.wait_for_function(polling=100, expression=fn("document.body.dataset.status === 'paused'"), timeout=5_000)
    tab.page.evaluate(post, {"type": "nnpy:subscribe"})
    tab.page.evaluate(post, {"type": "nnpy:config", "config": {"dataset": "spiral", "lr": 0.03, "hidden": [6, 6]}})
    frame.wait_for_function(polling=100, expression=fn("window.nnpy.bridge.meta.dataset === 'spiral'"), timeout=10_000)
    assert frame.evaluate("window.nnpy.bridge.meta.learning_rate") == 0.03
    assert frame.evaluate("window.nnpy.bridge.meta.sizes") == [2, 6, 6, 2]
    tab.page.evaluate(post, {"type": "nnpy:play"})
    tab.page.wait_for_function(polling=100, expression=fn("window.messages.filter((m) => m.data.type === 'nnpy:step').length > 5"),
                               timeout=10_000)
    # refused and malformed payloads: an error message, nothing changes
    tab.page.evaluate(post, {"type": "nnpy:config", "config": {"loss": "mse"}})
    tab.page.evaluate(post, {"type": "nnpy:config", "config": {"activation": "<img src=x onerror=alert(1)>"}})
    tab.page.wait_for_function(polling=100, expression=fn("window.messages.filter((m) => m.data.type === 'nnpy:error').length >= 2"),
                               timeout=10_000)
    tab.page.evaluate(post, {"type": "nnpy:pause"})
    messages = tab.page.evaluate("window.messages")
    assert {m["origin"] for m in messages} == {server.origin}
    assert any(m["data"]["type"] == "nnpy:ready" for m in messages)
    steps = [m["data"] for m in messages if m["data"]["type"] == "nnpy:step"]
    assert steps[-1]["step"] > 0 and set(steps[-1]) == {"type", "step", "loss", "accuracy"}
    errors = [m["data"]["errors"] for m in messages if m["data"]["type"] == "nnpy:error"]
    assert any("activation" in e for es in errors for e in es), errors
    assert any("mse needs numbers to predict" in e for es in errors for e in es), errors
    assert frame.evaluate("window.nnpy.bridge.meta.activation") != "<img src=x onerror=alert(1)>"
    assert frame.evaluate("window.nnpy.bridge.meta.dataset") == "spiral"
    assert frame.evaluate("window.__csp") == []
    assert tab.dialogs == [] and tab.errors == [], (tab.dialogs, tab.errors)


def test_a_hidden_tab_pauses_training_and_resumes_when_shown(tabs, server):
    """visibilitychange, as the browser fires it when the tab goes to the background and back."""
    tab = tabs()
    tab.open(f"{server.origin}/?autoplay=1")
    page = tab.ready()
    page.wait_for_function(polling=100, expression=fn(f"{STEP} > 5"), timeout=20_000)
    set_visibility = """(state) => {
        Object.defineProperty(document, 'visibilityState', {configurable: true, get: () => state});
        Object.defineProperty(document, 'hidden', {configurable: true, get: () => state === 'hidden'});
        document.dispatchEvent(new Event('visibilitychange'));
    }"""
    page.evaluate(set_visibility, "hidden")
    page.wait_for_function(polling=100, expression=fn("document.body.dataset.status === 'paused'"), timeout=5_000)
    step = page.evaluate(STEP)
    page.wait_for_timeout(500)
    assert page.evaluate(STEP) == step, "trained while the tab was hidden"
    page.evaluate(set_visibility, "visible")
    page.wait_for_function(polling=100, expression=fn(f"{STEP} > {step}"), timeout=5_000)
    assert page.evaluate("document.body.dataset.status") == "training"


def test_a_visitors_own_pause_survives_hiding_the_tab(tabs, server):
    tab = tabs()
    tab.open(f"{server.origin}/?autoplay=1")
    page = tab.ready()
    page.wait_for_function(polling=100, expression=fn(f"{STEP} > 2"), timeout=20_000)
    page.click("#play")  # the visitor pauses
    page.wait_for_function(polling=100, expression=fn("document.body.dataset.status === 'paused'"), timeout=5_000)
    for state in ("hidden", "visible"):
        page.evaluate("""(state) => {
            Object.defineProperty(document, 'visibilityState', {configurable: true, get: () => state});
            document.dispatchEvent(new Event('visibilitychange'));
        }""", state)
    page.wait_for_timeout(400)
    assert page.evaluate("document.body.dataset.status") == "paused"


def test_embed_ignores_messages_from_an_unexpected_origin(tabs, server, host_server):
    # the same host page, reached as localhost: a different origin from the one the embed names
    trusted = host_server.origin
    other = trusted.replace("127.0.0.1", "localhost")
    tab = tabs()
    frame = embed_frame(tab, other, f"{server.origin}/index.html?embed=1&origin={trusted}")
    tab.page.evaluate("document.getElementById('nnpy').scrollIntoView()")
    tab.ready(frame)
    post = "(m) => document.getElementById('nnpy').contentWindow.postMessage(m, '*')"
    for message in ({"type": "nnpy:subscribe"}, {"type": "nnpy:play"},
                    {"type": "nnpy:config", "config": {"dataset": "xor"}}):
        tab.page.evaluate(post, message)
    frame.wait_for_timeout(600)
    assert frame.evaluate("document.body.dataset.status") == "ready"
    assert frame.evaluate("window.nnpy.bridge.meta.dataset") == "digits"
    assert frame.evaluate(STEP) == 0
    assert tab.page.evaluate("window.messages") == []


@pytest.mark.parametrize("size", [(640, 400), (320, 240)])
def test_embed_mode_is_compact_and_fits(tabs, server, size):
    tab = tabs(viewport=size).open(f"{server.origin}/index.html?embed=1&controls=dataset,lr,activation,bogus")
    tab.ready()
    tab.page.click("[data-testid=play]")
    tab.page.wait_for_function(polling=100, expression=fn(f"{STEP} > 20"), timeout=20_000)
    fit = tab.page.evaluate("""() => {
      const d = document.documentElement;
      const shown = (sel) => [...document.querySelectorAll(sel)].filter((e) => e.offsetParent !== null);
      const inside = shown('button, select, a, canvas, [data-testid=loss], [data-testid=accuracy]')
        .map((e) => e.getBoundingClientRect())
        .every((r) => r.left >= 0 && r.top >= 0 && r.right <= innerWidth + 0.5 && r.bottom <= innerHeight + 0.5);
      const net = document.querySelector('[data-testid=network]').getBoundingClientRect();
      return {scroll: [d.scrollWidth, d.scrollHeight], inside, net: [net.width, net.height],
              visible: shown('button, select').map((e) => e.id)};
    }""")
    tab.shot(f"embed-{size[0]}x{size[1]}")
    assert fit["scroll"] == list(size), fit
    assert fit["inside"], f"something is cut off: {fit}"
    assert sorted(fit["visible"]) == ["activation", "dataset", "learning-rate", "play", "reset"], fit
    assert fit["net"][1] > 0.55 * size[1], f"the network gets too little room: {fit}"
    assert tab.page.evaluate("window.__csp") == [] and tab.errors == []


# ---------------------------------------------------------------- the zip

def test_the_zip_loads_and_trains_from_a_plain_http_server(tabs, dist, tmp_path):
    archive = build.write_zip(dist, tmp_path / "nnpy-site.zip")
    with zipfile.ZipFile(archive) as z:
        z.extractall(tmp_path / "unzipped")
    folder = tmp_path / "unzipped" / "nnpy"
    proc = subprocess.Popen([sys.executable, "-u", "-m", "http.server", "0", "--bind", "127.0.0.1"],
                            cwd=folder, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        line = proc.stdout.readline()
        port = re.search(r"port (\d+)", line).group(1)
        tab = tabs().open(f"http://127.0.0.1:{port}/")
        tab.ready()
        tab.page.click("[data-testid=play]")
        tab.page.wait_for_function(polling=100, expression=fn(f"{STEP} > 50"), timeout=20_000)
        assert tab.failed == [] and tab.errors == [], (tab.failed, tab.errors)
    finally:
        proc.terminate()
        proc.wait(timeout=10)


# ---------------------------------------------------------------- safe to host anywhere

def test_built_html_has_no_inline_script_or_handler(dist):
    html = (dist / "index.html").read_text()
    assert 'http-equiv="Content-Security-Policy"' in html
    policy = re.search(r'http-equiv="Content-Security-Policy" content="([^"]+)"', html).group(1)
    assert "'unsafe-eval'" not in policy and "'unsafe-inline'" not in policy, policy
    for tag in re.findall(r"<script\b[^>]*>", html):
        assert "src=" in tag, f"inline script: {tag}"
    assert not re.search(r"<[^>]+\son[a-z]+\s*=", html), "an on*= attribute in index.html"
    manifest = json.loads((dist / "manifest.webmanifest").read_text())
    sizes = {icon["sizes"] for icon in manifest["icons"]}
    assert {"192x192", "512x512"} <= sizes
    for icon in manifest["icons"]:
        assert (dist / icon["src"]).exists(), icon


def test_no_csp_violations_while_loading_training_and_using_controls(tabs, server):
    tab = tabs().open(f"{server.origin}/index.html")
    tab.ready()
    tab.page.click("[data-testid=play]")
    tab.page.wait_for_function(polling=100, expression=fn(f"{STEP} > 100"), timeout=20_000)
    tab.shot("full-page-1280x800")
    tab.page.select_option("[data-testid=dataset]", "spiral")
    tab.page.select_option("[data-testid=learning-rate]", "0.03")
    tab.page.wait_for_function(polling=100, expression=fn(f"{STEP} > 50"), timeout=20_000)
    tab.page.mouse.move(400, 400)
    tab.page.click("[data-testid=reset]")
    tab.page.click("[data-testid=embed]")
    tab.page.wait_for_selector("[data-testid=embed-dialog][open]")
    snippet = tab.page.input_value("[data-testid=embed-code]")
    tab.shot("embed-dialog")
    assert snippet.startswith("<iframe src=\"") and 'loading="lazy"' in snippet and 'title="' in snippet
    assert "embed=1" in snippet and "dataset=spiral" in snippet and "lr=0.03" in snippet and "seed=1" in snippet
    tab.page.keyboard.press("Escape")
    assert tab.page.evaluate("window.__csp") == []
    assert tab.errors == [], tab.errors


# ---------------------------------------------------------------- settings in the address

def meta_of(page):
    return page.evaluate("""() => { const m = window.nnpy.bridge.meta;
      return {dataset: m.dataset, sizes: m.sizes, activation: m.activation, learning_rate: m.learning_rate,
              optimizer: m.optimizer, batch_size: m.batch_size, inputs: m.input_names, loss: m.loss}; }""")


def test_a_shared_address_reproduces_the_run(tabs, server):
    tab = tabs().open(f"{server.origin}/index.html#dataset=circle&hidden=6,3&activation=tanh&lr=0.03"
                      "&optimizer=sgd&batch=16&features=x1,x2,x1sq&seed=5")
    tab.ready()
    meta = meta_of(tab.page)
    assert meta == {"dataset": "circle", "sizes": [3, 6, 3, 2], "activation": "tanh", "learning_rate": 0.03,
                    "optimizer": "sgd", "batch_size": 16, "inputs": ["x1", "x2", "x1^2"],
                    "loss": meta["loss"]}, meta
    assert tab.page.is_hidden("[data-testid=message]")
    tab.page.select_option("[data-testid=learning-rate]", "0.1")
    address = tab.page.evaluate("location.href")
    assert "lr=0.1" in address and "seed=5" in address and "hidden=6,3" in address, address
    tab.page.click("[data-testid=step-once]")
    weights = tab.page.evaluate("Array.from(window.nnpy.bridge.view.snapshot.slice(0, 64))")

    again = tabs().open(address)
    again.ready()
    assert meta_of(again.page) == {**meta, "learning_rate": 0.1}
    again.page.click("[data-testid=step-once]")
    assert again.page.evaluate("Array.from(window.nnpy.bridge.view.snapshot.slice(0, 64))") == weights, \
        "the same address and one step should give the same weights"
    again.page.click("[data-testid=reset]")
    assert "seed=6" in again.page.evaluate("location.hash")


FUZZ = [
    "#dataset=<img src=x onerror=alert(1)>&lr=1e309",
    "#activation=\"><svg onload=alert(1)>&<script>alert(2)</script>=1",
    "?hidden=" + "9" * 10_000 + "&foo=" + "<b>x</b>" * 1000,
    "?lr=-1&batch=1e309&noise=NaN&seed=1e400&unknown=1&__proto__=x",
    "#dataset=plane&loss=cross_entropy",            # valid values, a combination the model refuses
    "#dataset=sine&features=x2",
]


def test_fuzzed_addresses_never_inject_markup_and_explain_themselves(tabs, server):
    tab = tabs()
    for suffix in FUZZ:
        tab.open("about:blank")     # a new document each time (a hash-only change would not reload)
        tab.open(f"{server.origin}/index.html{suffix}")
        tab.ready()
        page = tab.page
        banner = page.inner_text("[data-testid=message]")
        assert page.is_visible("[data-testid=message]") and banner.startswith("From the address:"), (suffix, banner)
        injected = page.evaluate("""() => ({
          imgs: document.querySelectorAll('img, svg:not(.icon), b:not(.probe b)').length,
          handlers: [...document.querySelectorAll('*')].filter((e) =>
            [...e.attributes].some((a) => a.name.startsWith('on'))).map((e) => e.tagName),
          scripts: [...document.scripts].filter((s) => !s.src && s.type !== 'py').length,
          banner: document.querySelector('[data-testid=message]').children.length,
        })""")
        assert injected == {"imgs": 0, "handlers": [], "scripts": 0, "banner": 0}, (suffix, injected)
        assert len(banner) < 600, (suffix, len(banner))
        page.click("[data-testid=step-once]")
        assert page.evaluate(STEP) == 1
    assert "refused" in tab.page.inner_text("[data-testid=message]")
    assert tab.dialogs == [] and tab.errors == [], (tab.dialogs, tab.errors)
    assert tab.page.evaluate("window.__csp") == []


# ---------------------------------------------------------------- the glue refuses, and stays usable

@pytest.mark.parametrize("changes, words", [
    ({"loss": "mse"}, "mse needs numbers to predict"),
    ({"dataset": "digits", "loss": "binary_cross_entropy"}, "binary_cross_entropy needs two classes"),
    ({"dataset": "plane", "loss": "cross_entropy"}, "cross_entropy needs at least 2"),
    ({"dataset": "sine", "features": ["x2"]}, "1-D data has no x2"),
])
def test_session_refuses_a_combination_and_keeps_training(changes, words):
    sys.path.insert(0, str(ROOT / "web" / "py"))
    from nnpy_page import Session

    s = Session()
    s.configure({"dataset": "spiral"})
    assert s.train(ms=5) == "ok"
    with pytest.raises(ValueError, match=re.escape(words)):
        s.configure(changes)
    assert s.config["dataset"] == "spiral" and s.config["loss"] == "cross_entropy"
    assert s.train(ms=5) == "ok" and s.train(ms=0, max_steps=1) == "ok"
