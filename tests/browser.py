"""Playwright fixtures for the built page (dist/): a local static server, Chromium, and a page
that blocks and counts every request to another origin, collects console errors, and leaves a
screenshot and the console log in test-results/ when its test fails.

Used by tests/test_page.py (``from browser import ...``). dist/ is built with ``python build.py``
(which reuses its download cache) when it is missing or older than web/ or nnpy/.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import http.server
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
from pathlib import Path
from urllib.parse import urlsplit

import pytest

ROOT = Path(__file__).resolve().parent.parent
DIST = ROOT / "dist"
RESULTS = ROOT / "test-results"
CHROMIUM = os.environ.get("NNPY_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run",
                 "--js-flags=--expose-gc"]
LOAD_TIMEOUT_MS = 120_000

sys.path.insert(0, str(ROOT))
import build  # noqa: E402  (the same static handler `python build.py serve` uses)


# A cheap fingerprint of the network canvas's pixels: it changes when the picture does.
CANVAS_HASH = """() => {
  const c = document.querySelector('[data-testid=network]');
  const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
  let h = 0;
  for (let i = 0; i < d.length; i += 7) h = (h * 31 + d[i]) | 0;
  return h;
}"""


def _newest(folder: Path) -> float:
    times = [p.stat().st_mtime for p in folder.rglob("*") if p.is_file() and "__pycache__" not in p.parts]
    return max(times, default=0.0)


def ensure_dist() -> Path:
    """dist/ as build.py makes it; rebuilt when missing or older than web/ or nnpy/."""
    index = DIST / "index.html"
    stale = not index.exists() or not (DIST / "pyscript.json").exists()
    if not stale:
        built = index.stat().st_mtime
        stale = _newest(ROOT / "web") > built or _newest(ROOT / "nnpy") > built + 1
    if stale:
        result = subprocess.run([sys.executable, str(ROOT / "build.py")], cwd=ROOT,
                                capture_output=True, text=True, timeout=900)
        if result.returncode != 0:
            pytest.fail(f"python build.py failed:\n{result.stdout}\n{result.stderr}")
    return DIST


class _QuietServer(http.server.ThreadingHTTPServer):
    def handle_error(self, request, client_address):
        # a browser context closed mid-download: not a test failure, not worth a traceback
        if not isinstance(sys.exc_info()[1], (BrokenPipeError, ConnectionResetError)):
            super().handle_error(request, client_address)


class StaticServer:
    """A ThreadingHTTPServer over ``root`` on 127.0.0.1 with a free port, in a thread."""

    def __init__(self, root: Path):
        handler = functools.partial(build.SiteHandler, directory=str(root))
        self.httpd = _QuietServer(("127.0.0.1", 0), handler)
        self.origin = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture(scope="session")
def dist() -> Path:
    return ensure_dist()


@pytest.fixture(scope="session")
def server(dist):
    with StaticServer(dist) as srv:
        yield srv


@pytest.fixture(scope="session")
def subpath_server(dist):
    """Serves a folder whose ``nnpy/`` is dist/, so the page lives at /nnpy/."""
    parent = Path(tempfile.mkdtemp(prefix="nnpy-subpath-"))
    try:
        (parent / "nnpy").symlink_to(dist, target_is_directory=True)
    except OSError:
        shutil.copytree(dist, parent / "nnpy")
    with StaticServer(parent) as srv:
        yield srv
    shutil.rmtree(parent, ignore_errors=True)


_SHARED: dict = {"users": 0}


@pytest.fixture(scope="session")
def chromium():
    """One Playwright and one browser for the whole run. Each test module that imports this fixture
    gets its own session-scoped copy, and two live sync Playwrights fail ("Sync API inside the
    asyncio loop"), so the copies share one, counted, and the last one out closes it."""
    sync_api = pytest.importorskip("playwright.sync_api")
    if not Path(CHROMIUM).exists():
        pytest.skip(f"no Chromium at {CHROMIUM}")
    if not _SHARED["users"]:
        _SHARED["playwright"] = sync_api.sync_playwright().start()
        _SHARED["browser"] = _SHARED["playwright"].chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    _SHARED["users"] += 1
    try:
        yield _SHARED["browser"]
    finally:
        _SHARED["users"] -= 1
        if not _SHARED["users"]:
            _SHARED.pop("browser").close()
            _SHARED.pop("playwright").stop()


@dataclasses.dataclass
class Visit:
    """One page in its own browser context, with what it tried and what it logged."""

    page: object
    context: object
    origin: str
    outside: list = dataclasses.field(default_factory=list)      # blocked requests to other origins
    console: list = dataclasses.field(default_factory=list)      # every console line, "type: text"
    errors: list = dataclasses.field(default_factory=list)       # console errors and page errors
    failed: list = dataclasses.field(default_factory=list)       # HTTP >= 400 responses on the origin

    def wait_ready(self, timeout=LOAD_TIMEOUT_MS):
        # a function, not an expression: Playwright eval()s expressions, which the page's CSP forbids
        self.page.wait_for_function("() => document.body.dataset.status !== 'loading'", timeout=timeout)
        status = self.status()
        assert status == "ready", f"page status is {status!r}: {self.error_text()}"

    def status(self) -> str:
        return self.page.evaluate("document.body.dataset.status")

    def error_text(self) -> str:
        return self.page.evaluate(
            "() => { const e = document.getElementById('error'); return e && !e.hidden ? e.innerText : ''; }")

    def text(self, testid: str) -> str:
        return self.page.inner_text(f"[data-testid={testid}]")

    def number(self, testid: str) -> float:
        text = self.text(testid).replace(",", "").rstrip("%")
        return float(text) if re.fullmatch(r"-?[0-9.]+", text) else float("nan")


@pytest.fixture
def visit(chromium, server, request):
    """``visit(path="index.html", origin=server.origin, viewport=(1280, 800)) -> Visit``."""
    visits: list[Visit] = []
    failed_before = request.session.testsfailed

    def open_page(path="index.html", origin=None, viewport=(1280, 800), route=None, scale=1):
        origin = origin or server.origin
        context = chromium.new_context(viewport={"width": viewport[0], "height": viewport[1]},
                                       device_scale_factor=scale)
        page = context.new_page()
        v = Visit(page=page, context=context, origin=origin)

        def guard(route_, req):
            parts = urlsplit(req.url)
            if f"{parts.scheme}://{parts.netloc}" != origin and parts.scheme not in ("data", "blob"):
                v.outside.append(req.url)
                return route_.abort("blockedbyclient")
            if route and route(route_, req):
                return None
            return route_.continue_()

        context.route("**/*", guard)
        page.on("console", lambda m: (v.console.append(f"{m.type}: {m.text}"),
                                      m.type == "error" and v.errors.append(m.text)))
        page.on("pageerror", lambda e: (v.console.append(f"pageerror: {e}"), v.errors.append(str(e))))
        page.on("response", lambda r: r.status >= 400 and v.failed.append(f"{r.status} {r.url}"))
        page.goto(f"{origin}/{path}")
        visits.append(v)
        return v

    yield open_page

    failed = request.session.testsfailed > failed_before
    for i, v in enumerate(visits):
        if failed:
            RESULTS.mkdir(exist_ok=True)
            stem = re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.name) + (f"-{i}" if i else "")
            with contextlib.suppress(Exception):
                v.page.screenshot(path=str(RESULTS / f"{stem}.png"))
            log = "\n".join(v.console + [f"outside-origin request: {u}" for u in v.outside]
                            + [f"http error: {u}" for u in v.failed])
            (RESULTS / f"{stem}.log").write_text(log + "\n")
        with contextlib.suppress(Exception):
            v.context.close()
