"""Hostile input against the built page (issue #7): addresses and model files written to break it.

Every case must end the same way: no script runs (no dialog, no marker set, no element injected),
out-of-range values clamped, a notice or message shown as text, the page usable — and for model
files, the current model exactly as it was (snapshot, figures, step, status, layout).

Page loads cost seconds, so most address cases run in ONE loaded page through the code the page
runs at start-up (ship.Address -> params.parseParams, ship.firstConfigure -> the real Python session,
ship.showNotices), on addresses the browser itself parses (new URL); a handful of real page loads
carry many hostile parameters each. All model-file cases run in one page through its file input.
"""

from __future__ import annotations

import io
import json
import pickle
import re
import struct
import subprocess
import sys
import tempfile
import zipfile
import zlib
from pathlib import Path

import numpy as np
import pytest

from browser import CANVAS_HASH, LOAD_TIMEOUT_MS, ROOT, chromium, dist, server  # noqa: F401  (fixtures)

import nnpy
from nnpy import serialization
from test_serialization import BAD_FILES, build_zip, members_of, npy_bytes, with_config_text

pytestmark = pytest.mark.browser

MARK = "window.__pwned"
SCRIPTY = [
    "<img src=x onerror=window.__pwned=1>",
    "\"><script>window.__pwned=2</script>",
    "<svg/onload=window.__pwned=3>",
    "javascript:window.__pwned=4",
]

# Injected markup, counted after every case (the page's own SVGs are .icon; the probe line has <b>s).
INJECTED = """() => ({
  marker: typeof window.__pwned,
  foreign: document.querySelectorAll('img, iframe, object, embed, frame, svg:not(.icon), script:not([src]):not([type=py]), '
    + 'style, link:not([rel=stylesheet]):not([rel=icon]):not([rel=manifest]):not([rel=apple-touch-icon])'
    + ':not(head > link[rel=preload]):not(head > link[rel=modulepreload]), '   // build.py's start-up hints
    + 'base, meta[http-equiv=refresh], form:not(.weight-editor)').length,
  handlers: [...document.querySelectorAll('*')].filter((e) => [...e.attributes].some((a) => /^on/i.test(a.name))).length,
  bannerChildren: document.querySelector('[data-testid=message]').children.length,
})"""
CLEAN = {"marker": "undefined", "foreign": 0, "handlers": 0, "bannerChildren": 0}

# The model as the renderer sees it: a hash of the snapshot's and figures' bits, the step, the status,
# the layout and the address.
MODEL_STATE = """() => {
  const b = window.nnpy.bridge;
  const hash = (arr) => {
    const u = new Uint8Array(arr.buffer, arr.byteOffset, arr.byteLength);
    let h = 0;
    for (let i = 0; i < u.length; i++) h = (Math.imul(h, 31) + u[i]) | 0;
    return h;
  };
  return {snapshot: hash(b.view.snapshot), length: b.view.snapshot.length, figures: hash(b.view.figures),
          field: b.view.field ? hash(b.view.field) : 0, step: b.figure('step'), status: document.body.dataset.status,
          sizes: b.meta.sizes.join('-'), dataset: b.meta.dataset, hash: location.hash};
}"""

# The weights and biases in the snapshot, layer by layer.
WEIGHTS = """() => {
  const b = window.nnpy.bridge, off = b.meta.layout.offsets, n = b.meta.sizes, out = [];
  for (let l = 0; l + 1 < n.length; l++) {
    out.push(...b.view.snapshot.subarray(off.W[l], off.W[l] + n[l] * n[l + 1]));
    out.push(...b.view.snapshot.subarray(off.b[l], off.b[l] + n[l + 1]));
  }
  return out;
}"""


class Page:
    """One loaded page kept for a whole module, recording dialogs and console errors."""

    def __init__(self, browser, origin, suffix="", viewport=(1280, 800)):
        self.context = browser.new_context(viewport={"width": viewport[0], "height": viewport[1]})
        self.page = self.context.new_page()
        self.origin = origin
        self.dialogs, self.errors = [], []
        self.page.on("dialog", lambda d: (self.dialogs.append(d.message), d.dismiss()))
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("console", lambda m: m.type == "error" and self.errors.append(m.text))
        self.open(suffix)

    def open(self, suffix):
        self.page.goto("about:blank")
        self.page.goto(f"{self.origin}/index.html{suffix}")
        self.page.wait_for_function("() => (window.nnpy && window.nnpy.ready) || document.body.dataset.status === 'error'",
                                    timeout=LOAD_TIMEOUT_MS, polling=100)
        status = self.page.evaluate("document.body.dataset.status")
        assert status in ("ready", "paused", "training"), (suffix[:200], status,
                                                          self.page.inner_text("#error"))

    def troubles(self):
        """Dialogs and console errors since the last call (so one failing case does not fail the next)."""
        found = self.dialogs + self.errors
        self.dialogs.clear()
        self.errors.clear()
        return found

    def js(self, script, arg=None):
        return self.page.evaluate(script, arg)

    def close(self):
        self.context.close()


# --------------------------------------------------------------------------- addresses, in one page

KEYS = ["dataset", "noise", "test", "batch", "hidden", "activation", "loss", "optimizer", "lr", "reg", "regrate",
        "init", "features", "seed", "speed", "discretize", "showtest", "embed", "controls", "autoplay", "origin"]
VALUES = {
    "img": SCRIPTY[0], "script": SCRIPTY[1], "svg": SCRIPTY[2], "1e309": "1e309", "huge": "9" * 40,
    "negative": "-5", "100000": "100000", "10KB": "A" * 10_240, "NaN": "NaN",
}
ODD = {
    "proto key": "__proto__=1&constructor=2&toString=x",
    "markup key": "%3Cimg%20src%3Dx%20onerror%3Dwindow.__pwned%3D5%3E=1",
    "10KB key": "K" * 10_240 + "=1",
    "1000 unknown keys": "&".join(f"k{i}=%3Cb%3E{i}%3C/b%3E" for i in range(1000)),
    "repeated key": "&".join(["lr=1e309"] * 50 + ["lr=0.03"]),
    "broken percent": "lr=%E0%A4%A&hidden=%00%00&dataset=%FF",
    "null bytes": "dataset=spiral%00<script>&seed=1%00",
    "deep hidden": "hidden=" + ",".join(["100000"] * 500),
    "hidden markup list": "hidden=8,<b>8</b>,8",
    "features markup": "features=x1,%3Cimg%20src%3Dx%3E,x2",
    "origin javascript": "origin=javascript:alert(1)",
    "exponent lr": "lr=1e-400&batch=1e2&seed=1e10",
    "unicode": "dataset=\u202espiral&activation=t\u0430nh",
    "all huge": "&".join(f"{k}=1e309" for k in KEYS),
}
VALID = {"seed=100000"}     # a fine seed: nothing to say
URL_CASES = {f"{key}={name}": f"{key}={value}" for key in KEYS for name, value in VALUES.items()} | ODD

RUN_ADDRESS = """async ({suffix, inHash}) => {
  const ship = await import(new URL('./js/ship.js', location.href).href);
  const url = new URL(location.pathname + (inHash ? '#' : '?') + suffix, location.origin);  // as the browser parses it
  const banner = document.querySelector('[data-testid=message]');
  banner.hidden = true;
  banner.textContent = '';
  window.nnpy.controller.reset();    // out of any divergence, then a fresh start as on a page load:
  window.nnpy.configure({dataset: 'spiral'});      // a new dataset drops every earlier setting
  window.nnpy.configure({dataset: 'digits', seed: 0});
  const before = window.nnpy.bridge.figure('step');
  const address = new ship.Address({search: url.search, hash: url.hash});
  let error = null;
  try {
    ship.firstConfigure((changes) => window.nnpy.configure(changes), address);
  } catch (e) {
    error = String(e && e.message || e);
  }
  ship.showNotices(banner, address.notices);
  const shown = banner.hidden ? null : banner.textContent;
  const meta = window.nnpy.bridge.meta;
  const start = window.nnpy.bridge.figure('step');
  window.nnpy.controller.step();
  return {error, notices: address.notices.length, banner: shown, after: banner.hidden ? null : banner.textContent,
          sizes: meta.sizes, lr: meta.learning_rate, batch: meta.batch_size, dataset: meta.dataset,
          stepped: window.nnpy.bridge.figure('step') - start, status: document.body.dataset.status,
          model: address.model, page: address.page, before};
}"""


@pytest.fixture(scope="module")
def address_page(chromium, server):
    p = Page(chromium, server.origin)
    yield p
    p.close()


@pytest.mark.parametrize("case", list(URL_CASES))
def test_hostile_address_is_clamped_explained_and_inert(address_page, case):
    p = address_page
    suffix = URL_CASES[case]
    result = p.js(RUN_ADDRESS, {"suffix": suffix, "inHash": hash(case) % 2 == 0})
    assert result["error"] is None, result
    if case in VALID:
        assert result["notices"] == 0 and result["banner"] is None, result
    else:
        assert result["notices"] >= 1 and result["banner"] and result["banner"].startswith("From the address:"), result
        assert len(result["banner"]) < 700
    assert p.js(INJECTED) == CLEAN, case
    hidden = result["sizes"][1:-1]
    assert len(hidden) <= 6 and all(1 <= n <= 64 for n in hidden), result["sizes"]
    assert 1e-6 <= result["lr"] <= 10 and 1 <= result["batch"] <= 512, result
    assert 0 <= result["model"].get("seed", 0) <= 2**31 - 1
    if result["status"] == "diverged":      # e.g. lr=100000 clamped to 10: the page says so and stops
        assert result["lr"] >= 1 and result["after"].startswith("diverged at step"), result
    else:
        assert result["stepped"] == 1 and result["status"] == "paused", result
    assert p.troubles() == []


# --------------------------------------------------------------------------- addresses, real loads

LOADS = {
    "markup everywhere": "#dataset=%3Cimg%20src%3Dx%20onerror%3Dwindow.__pwned%3D1%3E&lr=1e309&hidden=100000,100000,-5"
                         "&batch=-3&noise=1e309&activation=%22%3E%3Cscript%3Ewindow.__pwned%3D2%3C/script%3E",
    "query and hash": "?activation=%3Csvg/onload%3Dalert(1)%3E&seed=-1&%3Cb%3Ex%3C/b%3E=1#hidden=100000&features=%3Cb%3Ex%3C/b%3E"
                      "&dataset=spiral",
    "10 KB and 300 unknown keys": "?lr=" + "9" * 10_240 + "&" + "&".join(f"k{i}=%3Ci%3E{i}%3C/i%3E" for i in range(300)),
    "too many layers": "#hidden=64,64,64,64,64,64,64,64,64&batch=1e400&speed=NaN&test=0&regrate=1e309&dataset=moons",
    "refused combination": "#dataset=plane&loss=cross_entropy&activation=swish&optimizer=__proto__&init=constructor",
    "embed with bad controls": "?embed=1&controls=dataset,%3Cimg%20src%3Dx%3E,lr&origin=javascript:alert(1)&autoplay=yes"
                               "#dataset=xor&hidden=100000",
}


@pytest.mark.parametrize("case", list(LOADS))
def test_hostile_address_in_a_real_page_load(chromium, server, case):
    p = Page(chromium, server.origin, LOADS[case])
    try:
        banner = p.page.inner_text("[data-testid=message]")
        assert p.page.is_visible("[data-testid=message]") and banner.startswith("From the address:"), banner
        assert p.js(INJECTED) == CLEAN
        sizes = p.js("window.nnpy.bridge.meta.sizes")
        assert all(1 <= n <= 64 for n in sizes[1:-1]) and len(sizes) <= 8, sizes
        if p.js("window.nnpy.controller.status()") != "training":
            p.page.click("[data-testid=play]")
        p.page.wait_for_function("() => window.nnpy.bridge.figure('step') > 20", timeout=60_000)
        p.js("window.nnpy.controller.pause()")
        assert p.js("document.body.dataset.status") == "paused"
        assert p.js(INJECTED) == CLEAN
        assert p.troubles() == []
    finally:
        p.close()


# --------------------------------------------------------------------------- model files, in one page

def page_net(sizes=(2, 8, 8, 2), activation="tanh", loss="cross_entropy", seed=0):
    return nnpy.Network(list(sizes), activation=activation, loss=loss, init="glorot", rng=np.random.default_rng(seed))


def model(sizes=(2, 8, 8, 2), extra=None, **kw):
    return serialization.save_bytes(page_net(sizes, **kw), extra={"dataset": "spiral"} if extra is None else extra)


def zip_surgery(data: bytes, **fields) -> bytes:
    """Rewrite fields of the first local file header (offsets per the zip spec)."""
    out = bytearray(data)
    layout = {"version": (4, "<H"), "flags": (6, "<H"), "method": (8, "<H"), "crc": (14, "<I"),
              "compressed": (18, "<I"), "size": (22, "<I"), "name_len": (26, "<H")}
    for name, value in fields.items():
        offset, fmt = layout[name]
        struct.pack_into(fmt, out, offset, value)
    return bytes(out)


def central_surgery(data: bytes, **fields) -> bytes:
    """Rewrite fields of the end-of-central-directory record."""
    out = bytearray(data)
    end = out.rindex(b"PK\x05\x06")
    layout = {"entries": (10, "<H"), "cd_size": (12, "<I"), "cd_offset": (16, "<I")}
    for name, value in fields.items():
        offset, fmt = layout[name]
        struct.pack_into(fmt, out, end + offset, value)
    return bytes(out)


def every_central_entry(data: bytes, offset: int, fmt: str, value) -> bytes:
    out = bytearray(data)
    start = 0
    while (i := out.find(b"PK\x01\x02", start)) >= 0:
        struct.pack_into(fmt, out, i + offset, value)
        start = i + 4
    return bytes(out)


def config_text(config) -> bytes:
    net = page_net()
    return with_config_text(net, json.dumps(config).encode() if not isinstance(config, bytes) else config)


def good_config(**changes):
    net = page_net()
    config = {"format": "nnpy-model", "version": 1, "network": serialization.network_config(net),
              "extra": {"dataset": "spiral"}}
    for key, value in changes.items():
        if key in config["network"] or key == "sizes":
            config["network"][key] = value
        elif key.startswith("x_"):
            config["extra"][key[2:]] = value
        else:
            config[key] = value
    return config


def settings(**values):
    return model(extra={"dataset": "spiral", "settings": values})


def deflate_bomb() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in members_of(page_net()).items():
            archive.writestr(name, data if name != "W1.npy" else data + b"\0" * 20_000_000)
    return buffer.getvalue()


def stored_with_method(method: int) -> bytes:
    data = model()
    return every_central_entry(zip_surgery(data, method=method), 10, "<H", method)


GOOD = model()
DIGITS_NET = page_net((64, 32, 16, 10), "relu")

IMPORT_CASES = {f"serialization: {name}": data for name, (data, _) in BAD_FILES.items()} | {
    # not a model at all
    "empty file": b"",
    "one byte": b"\0",
    "text": b"hello, I am a model, trust me",
    "html": b"<!doctype html><script>window.__pwned=1</script>",
    "png": b"\x89PNG\r\n\x1a\n" + bytes(200),
    "gzip": zlib.compress(GOOD),
    "pickled arrays": pickle.dumps({"W0": np.zeros((2, 8)), "b0": np.zeros(8)}),
    "pickle protocol 0": pickle.dumps([np.zeros(3)], protocol=0),
    "plain npy": npy_bytes(np.zeros((2, 8))),
    "npz with pickled object": build_zip({"config.npy": npy_bytes(np.array([{"a": 1}], dtype=object))}),
    "random 4 KB": np.random.default_rng(0).integers(0, 256, 4096, dtype=np.uint8).tobytes(),
    "random 100 KB with zip magic": b"PK\x03\x04" + np.random.default_rng(1).integers(0, 256, 100_000, dtype=np.uint8).tobytes(),
    "empty zip": build_zip({}),
    "zip in a zip": build_zip({"model.npz": GOOD}),
    "truncated to 1 KB": GOOD[:1024],
    "truncated by one byte": GOOD[:-1],
    "only the central directory": GOOD[GOOD.index(b"PK\x01\x02"):],
    "17 MB of zeros": bytes(17 * 1024 * 1024),
    "50 MB file": bytes(50 * 1024 * 1024),
    "deflate bomb": deflate_bomb(),
    # lying zip headers
    "sizes lie, local and central": every_central_entry(zip_surgery(GOOD, size=10**9), 24, "<I", 10**9),
    "compressed sizes lie, local and central": every_central_entry(zip_surgery(GOOD, compressed=7), 20, "<I", 7),
    "crc lies": every_central_entry(zip_surgery(GOOD, crc=0xDEADBEEF), 16, "<I", 0xDEADBEEF),
    "encrypted flag": every_central_entry(zip_surgery(GOOD, flags=1), 8, "<H", 1),
    "unknown compression method": stored_with_method(99),
    "bzip2 method claimed": stored_with_method(12),
    "central directory offset lies": central_surgery(GOOD, cd_offset=10**6),
    "central directory size lies": central_surgery(GOOD, cd_size=3),
    "central directory cut short": GOOD[:GOOD.index(b"PK\x01\x02") + 30] + GOOD[GOOD.rindex(b"PK\x05\x06"):],
    "central sizes claim 4 GB": every_central_entry(GOOD, 24, "<I", 0xFFFFFFF0),
    "name length lies": zip_surgery(GOOD, name_len=60_000),
    # lying .npy headers inside a valid zip
    "npy claims more rows": build_zip({**members_of(page_net()), "W0.npy": npy_bytes(np.zeros((3, 8)))}),
    "npy header claims 1e12 elements": build_zip({**members_of(page_net()), "W0.npy":
                                                 b"\x93NUMPY\x01\x00v\x00{'descr': '<f8', 'fortran_order': False, 'shape': (1000000, 1000000), }"
                                                 + b" " * 40 + b"\n"}),
    "npy header is code": build_zip({**members_of(page_net()), "W0.npy":
                                     b"\x93NUMPY\x01\x00F\x00__import__('os').system('x')" + b" " * 40 + b"\n"}),
    "npy header 1 MB": build_zip({**members_of(page_net()), "W0.npy": b"\x93NUMPY\x02\x00" + struct.pack("<I", 10**6)
                                  + b"{" * 10**6}),
    # JSON with NaN, broken JSON, schema lies
    "config NaN": config_text(b'{"format": "nnpy-model", "version": NaN}'),
    "config Infinity": config_text(b'{"format": "nnpy-model", "version": 1, "network": {"sizes": [2, Infinity, 2]}}'),
    "config -Infinity lr": config_text(json.dumps(good_config()).replace('"spiral"', '"spiral", "settings": '
                                                                         '{"learning_rate": -Infinity}').encode()),
    "config 1e999": config_text(json.dumps(good_config(x_seed=12345)).replace("12345", "1e999").encode()),
    "config duplicate key": config_text(b'{"format": "nnpy-model", "format": "nnpy-model"}'),
    "config truncated": config_text(b'{"format": '),
    "config not UTF-8": config_text(b"\xff\xfe{}"),
    "config a list": config_text(b"[1, 2]"),
    "config nested 100000": config_text(b"[" * 100_000 + b"]" * 100_000),
    "config markup": config_text(b"<script>window.__pwned=1</script>"),
    "format keras": config_text(good_config(format="keras")),
    "version 2": config_text(good_config(version=2)),
    "version as text": config_text(good_config(version="1")),
    "activation swish": config_text(good_config(activation="swish")),
    "activation code": config_text(good_config(activation="__import__('os')")),
    "loss hinge": config_text(good_config(loss="hinge")),
    "init zeros": config_text(good_config(init="zeros")),
    "sizes with zero": config_text(good_config(sizes=[2, 0, 8, 2])),
    "sizes negative": config_text(good_config(sizes=[2, -8, 8, 2])),
    "sizes float": config_text(good_config(sizes=[2, 8.5, 8, 2])),
    "sizes a million": config_text(good_config(sizes=[2, 10**6, 8, 2])),
    "sizes text": config_text(good_config(sizes="2,8,8,2")),
    "sizes lie about W": config_text(good_config(sizes=[2, 9, 8, 2])),
    "unexpected config key": config_text(good_config(code="print(1)")),
    "extra a list": config_text({**good_config(), "extra": [1, 2]}),
    # valid files the page cannot use
    "model for digits on spiral": model((64, 32, 16, 10), extra={"dataset": "spiral"}),
    "spiral model claiming digits": model(extra={"dataset": "digits"}),
    "three outputs for two classes": model((2, 8, 3)),
    "regression loss on classes": model((2, 8, 1), loss="mse"),
    "classes loss on regression": model(extra={"dataset": "plane"}),
    "unknown dataset": model(extra={"dataset": "imagenet"}),
    "dataset markup": model(extra={"dataset": SCRIPTY[0]}),
    "dataset a number": model(extra={"dataset": 7}),
    "200 neurons": model((2, 200, 2)),
    "7 hidden layers": model((2, 4, 4, 4, 4, 4, 4, 4, 2)),
    "1024 neurons": model((2, 1024, 2)),
    "learning rate text": settings(learning_rate="0.1"),
    "learning rate list": settings(learning_rate=[0.1]),
    "batch size fraction": settings(batch_size=1.5),
    "batch size boolean": settings(batch_size=True),
    "optimizer code": settings(optimizer="__import__('os')"),
    "regularization markup": settings(regularization=SCRIPTY[1]),
    "features unknown": settings(features=["x1", "<b>x</b>"]),
    "features not a list": settings(features="x1,x2"),
    "features that change the input size": settings(features=["x1", "x2", "x1sq"]),
    "settings a list": model(extra={"dataset": "spiral", "settings": [1]}),
    "step negative": model(extra={"dataset": "spiral", "step": -1}),
    "step astronomical": model(extra={"dataset": "spiral", "step": 10**15}),
    "step fractional": model(extra={"dataset": "spiral", "step": 2.5}),
    "seed negative": model(extra={"dataset": "spiral", "seed": -1}),
    "seed text": model(extra={"dataset": "spiral", "seed": "0"}),
}


def _huge_weight_model() -> bytes:
    net = page_net()
    for layer in net.params:
        layer["W"][...] = 1e300
    return serialization.save_bytes(net, extra={"dataset": "spiral"})


IMPORT_CASES["huge weights"] = _huge_weight_model()
IMPORT_CASES["weights NaN"] = build_zip({**members_of(page_net(), good_config()),
                                         "W1.npy": npy_bytes(np.full((8, 8), np.nan))})
IMPORT_CASES["bias Infinity"] = build_zip({**members_of(page_net(), good_config()),
                                           "b2.npy": npy_bytes(np.array([np.inf, 0]))})


def upload(p: Page, name: str, data: bytes) -> str:
    """Pick ``data`` as file ``name`` in the page's import input; the banner's text afterwards."""
    p.js("() => { const m = document.querySelector('[data-testid=message]'); m.hidden = true; m.textContent = ''; }")
    if len(data) > 256 * 1024:   # a big buffer crawls through the protocol as base64: hand over a path
        folder = Path(tempfile.mkdtemp(prefix="nnpy-hostile-"))
        (folder / name).write_bytes(data)
        files = str(folder / name)
    else:
        files = [{"name": name, "mimeType": "application/zip", "buffer": data}]
    p.page.set_input_files("[data-testid=import-file]", files=files)
    p.page.wait_for_function("() => !document.querySelector('[data-testid=message]').hidden", timeout=30_000)
    return p.page.inner_text("[data-testid=message]")


@pytest.fixture(scope="module")
def import_page(chromium, server):
    p = Page(chromium, server.origin, "#dataset=spiral&hidden=8,8&activation=tanh&seed=3")
    p.page.click("[data-testid=play]")
    p.page.wait_for_function("() => window.nnpy.bridge.figure('step') > 50", timeout=60_000)
    p.page.click("[data-testid=play]")
    assert p.js("document.body.dataset.status") == "paused"
    yield p
    p.close()


@pytest.mark.parametrize("case", list(IMPORT_CASES))
def test_bad_model_file_is_refused_and_the_model_untouched(import_page, case):
    p = import_page
    before = p.js(MODEL_STATE)
    text = upload(p, f"{case}.npz", IMPORT_CASES[case])
    assert text.startswith(f"Could not import {case}.npz: ") and text.endswith("The current model is unchanged."), text
    assert len(text) < 500
    assert p.js(MODEL_STATE) == before
    assert p.js(INJECTED) == CLEAN
    assert p.troubles() == []


def test_file_names_are_shown_as_text(import_page):
    p = import_page
    name = "<img src=x onerror=window.__pwned=1>\u202e" + "x" * 300 + ".npz"
    text = upload(p, name, b"junk")
    assert "<img src=x" in text and "\u202e" not in text and len(text) < 400, text
    assert p.js(INJECTED) == CLEAN


def test_export_then_import_round_trips_and_the_cli_scores_the_file(import_page, tmp_path):
    p = import_page
    with p.page.expect_download() as info:
        p.page.click("[data-testid=export-model]")
    download = info.value
    step = p.js("window.nnpy.bridge.figure('step')")
    assert download.suggested_filename == f"nnpy-spiral-step{step}.npz"
    path = tmp_path / download.suggested_filename
    download.save_as(path)
    exported = path.read_bytes()
    out = subprocess.run([sys.executable, "-m", "nnpy", "evaluate", "--model", str(path), "--json"], cwd=ROOT,
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    scored = json.loads(out.stdout)
    assert scored["dataset"] == "spiral" and scored["sizes"] == [2, 8, 8, 2], scored
    loaded = serialization.read_bytes(exported)
    assert loaded.extra["step"] == step and loaded.extra["seed"] == 3

    # a digits model: the page switches dataset, network, picture and figures
    snapshot = p.js(MODEL_STATE)
    weights = p.js(WEIGHTS)
    assert len(weights) == 2 * 8 + 8 + 8 * 8 + 8 + 8 * 2 + 2
    canvas = p.js(CANVAS_HASH)
    digits = serialization.save_bytes(DIGITS_NET, extra={"dataset": "digits", "seed": 11, "step": 777,
                                                         "settings": {"learning_rate": 0.01, "batch_size": 64}})
    text = upload(p, "digits.npz", digits)
    assert text.startswith("Loaded digits.npz: digits, layers 64-32-16-10, step 777"), text
    after = p.js(MODEL_STATE)
    assert after["sizes"] == "64-32-16-10" and after["step"] == 777 and after["dataset"] == "digits"
    assert after["snapshot"] != snapshot["snapshot"] and after["status"] == "paused"
    assert "dataset=" not in after["hash"] and "seed=11" in after["hash"] and "lr=0.01" in after["hash"]  # digits: the default
    assert p.js("window.nnpy.bridge.meta.learning_rate") == 0.01
    p.page.wait_for_function(f"() => ({CANVAS_HASH})() !== {canvas}", timeout=10_000)
    layer0 = p.js("Array.from(window.nnpy.bridge.view.snapshot.subarray("
                  "window.nnpy.bridge.meta.layout.offsets.W[0], window.nnpy.bridge.meta.layout.offsets.W[0] + 8))")
    assert np.allclose(layer0, DIGITS_NET.params[0]["W"].ravel()[:8].astype(np.float32))

    # and back: the file the page exported restores the spiral model, weights, step and all
    text = upload(p, path.name, exported)
    assert text.startswith(f"Loaded {path.name}: spiral, layers 2-8-8-2, step {step}"), text
    again = p.js(MODEL_STATE)
    assert again["step"] == snapshot["step"] and again["sizes"] == snapshot["sizes"], (again, snapshot)
    assert p.js(WEIGHTS) == weights, "the same weights (the probe example and the plane may differ)"
    p.page.click("[data-testid=step-once]")
    assert p.js("window.nnpy.bridge.figure('step')") == step + 1
    assert p.troubles() == []


def test_import_while_diverged_and_while_training(import_page):
    p = import_page
    p.js("window.nnpy.configure({hidden: [32, 32], learning_rate: 10, optimizer: 'sgd'})")
    p.page.click("[data-testid=play]")
    p.page.wait_for_function("() => document.body.dataset.status === 'diverged'", timeout=30_000)
    before = p.js(MODEL_STATE)
    assert upload(p, "bad.npz", b"PK\x03\x04junk").startswith("Could not import")
    assert p.js(MODEL_STATE) == before and before["status"] == "diverged"
    text = upload(p, "good.npz", model(extra={"dataset": "spiral", "step": 5}))
    assert text.startswith("Loaded good.npz"), text
    assert p.js("document.body.dataset.status") == "paused"
    p.page.click("[data-testid=play]")
    upload(p, "bad2.npz", b"")
    upload(p, "good2.npz", model(extra={"dataset": "moons", "step": 9}))
    p.page.wait_for_function("() => window.nnpy.bridge.figure('step') > 30", timeout=30_000)
    assert p.js("document.body.dataset.status") == "training" and p.js("window.nnpy.bridge.meta.dataset") == "moons"
    p.page.click("[data-testid=play]")
    assert p.troubles() == []
