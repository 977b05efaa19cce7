"""Figures for the page, measured in one run in headless Chromium on the built site.

    python bench/browser.py [--json] [--runs 5] [--parts cold,speed,frames]

- cold start: navigation to first training step, ours vs a minimal page that only boots Pyodide, loads
  numpy and runs one step (bench/minimal/), and vs the same through PyScript (bench/minimal-pyscript/:
  the share of the start-up that is PyScript's), each in a fresh browser context (cold cache), the three
  pages in turn each round; medians, and the median of per-round ratios;
- bytes the page transfers, raw and gzip;
- training steps per second of nnpy inside Pyodide, for 64-32-16-10 batch 32 and 784-128-64-10 batch 64,
  beside a plain numpy loop of the same maths in the same interpreter (the limit for this code);
- renderer frame time for the default network and for 784-64-32-10.

Prints a table; with --json the last line is one JSON object. Figures, never assertions: machines are noisy.
"""

from __future__ import annotations

import argparse
import gzip
import json
import shutil
import statistics
import sys
import tempfile
import threading
import functools
import http.server
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
import build  # noqa: E402

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]

# Timed Python run inside Pyodide: nnpy's own train_step and a plain numpy loop of the same maths.
# Both start from the same weights and train on the same 16 batches in turn; they take turns, a
# short burst each (weights reset before every burst), so a moment of load on a shared machine
# hits both alike. Figures: the median burst of each, and the median of the per-round ratios.
STEPS_PER_SECOND = r"""
import time, json
import numpy as np
import nnpy
from nnpy.training import index_labels

def setup(sizes, batch):
    rng = np.random.default_rng(0)
    net = nnpy.Network(sizes, activation="relu", loss="cross_entropy", init="he", rng=rng)
    start = [(layer.W.copy(), layer.b.copy()) for layer in net.layers]
    xs = list(rng.random((16, batch, sizes[0]))); ys = list(rng.integers(0, sizes[-1], (16, batch)))
    return net, start, xs, ys

def plain_loop(sizes, batch):
    _, start, xs, ys = setup(sizes, batch)
    Ws = [W.copy() for W, _ in start]; bs = [b.copy() for _, b in start]
    rows = np.arange(batch)
    def reset():
        for W, b, (W0, b0) in zip(Ws, bs, start):
            W[...] = W0; b[...] = b0
    def step(i):
        x, y = xs[i], ys[i]
        acts = [x]
        for i, (W, b) in enumerate(zip(Ws, bs)):
            z = acts[-1] @ W + b
            acts.append(np.maximum(z, 0) if i < len(Ws) - 1 else z)
        p = np.exp(acts[-1] - acts[-1].max(1, keepdims=True)); p /= p.sum(1, keepdims=True)
        delta = p; delta[rows, y] -= 1; delta /= batch
        for i in range(len(Ws) - 1, -1, -1):
            gW = acts[i].T @ delta; gb = delta.sum(0)
            if i: delta = (delta @ Ws[i].T) * (acts[i] > 0)
            Ws[i] -= 0.1 * gW; bs[i] -= 0.1 * gb
    return reset, step

def nnpy_loop(sizes, batch):
    net, start, xs, ys = setup(sizes, batch)
    ys = [index_labels(y) for y in ys]     # as nnpy's Trainer and the page hand labels to train_step
    opt = nnpy.optimizers.make("sgd", learning_rate=0.1)
    def reset():
        for layer, (W0, b0) in zip(net.layers, start):
            layer.W[...] = W0; layer.b[...] = b0
        opt.reset()
    def step(i):
        nnpy.train_step(net, opt, xs[i], ys[i])
    return reset, step

def burst(reset, step, steps):
    reset()
    began = time.perf_counter()
    for i in range(steps):
        step(i % 16)
    return steps / (time.perf_counter() - began)

def median(values):
    values = sorted(values)
    return values[len(values) // 2]

result = {}
for key, sizes, batch, steps, rounds in (("small", [64, 32, 16, 10], 32, 200, 25), ("big", [784, 128, 64, 10], 64, 8, 7)):
    plain, ours = plain_loop(sizes, batch), nnpy_loop(sizes, batch)
    burst(*plain, steps); burst(*ours, steps)                     # warm up: wasm tiers up hot code
    rates = {"plain": [], "nnpy": []}
    for _ in range(rounds):
        rates["plain"].append(burst(*plain, steps))
        rates["nnpy"].append(burst(*ours, steps))
    result[f"plain_numpy_{key}"] = median(rates["plain"])
    result[f"nnpy_{key}"] = median(rates["nnpy"])
    result[f"nnpy_vs_plain_{key}"] = median([a / b for a, b in zip(rates["nnpy"], rates["plain"])])
result["matmul_kernel"] = nnpy.linalg.kernel
json.dumps(result)
"""


class Site:
    """dist/ plus the minimal baseline page, served on 127.0.0.1 from a thread."""

    def __init__(self):
        if not (build.DIST / "index.html").exists():
            build.build(offline=False)
        self.folder = Path(tempfile.mkdtemp(prefix="nnpy-bench-"))
        shutil.copytree(build.DIST, self.folder, dirs_exist_ok=True)
        for baseline in BASELINES.values():
            shutil.copytree(ROOT / "bench" / baseline.strip("/"), self.folder / baseline.strip("/"))
        handler = functools.partial(build.SiteHandler, directory=str(self.folder))
        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/"

    def close(self):
        self.server.shutdown()
        shutil.rmtree(self.folder, ignore_errors=True)


# The pages our cold start is compared with, each in this folder (served beside dist/): Pyodide alone,
# and the same runtime through PyScript as the page loads it; both load numpy and run one step.
BASELINES = {"bare": "minimal/", "pyscript": "minimal-pyscript/"}


def cold_start(browser, url: str, page_kind: str, timeout_ms: int = 30_000, marks: list | None = None
               ) -> tuple[float, set[str]]:
    """Milliseconds from navigation to the first training step, in a fresh context (empty cache).
    page_kind: "ours" (the page, ?autoplay=1) or a key of BASELINES. For ours, ``marks`` (a list) gets the
    page's start-up milestones, [[what, ms since navigation], ...] (``window.nnpy.bridge.marks``)."""
    context = browser.new_context()
    fetched: set[str] = set()
    context.on("requestfinished", lambda request: fetched.add(urlparse(request.url).path))
    page = context.new_page()
    try:
        if page_kind == "ours":
            page.goto(url + "?autoplay=1")
            # Functions, not strings: the page's CSP forbids evaluating strings as code.
            page.wait_for_function("() => Number(document.querySelector('[data-testid=step]')?.textContent"
                                   ".replace(/[^0-9]/g, '')) >= 1", timeout=timeout_ms, polling="raf")
            # stamped by the page itself when its first step returned, like the baselines' firstStepAt
            elapsed = page.evaluate("() => window.nnpy.state.firstStepAt || performance.now()")
            if marks is not None:
                marks.extend(page.evaluate("() => window.nnpy.bridge.marks"))
            # What the page requested before its first step, by its own Resource Timing: the service
            # worker's precache of the rest runs in the worker, and may overlap the stamp, so it is not here.
            needed = page.evaluate("(t) => performance.getEntriesByType('resource').filter((e) => e.startTime < t)"
                                   ".map((e) => new URL(e.name).pathname)", elapsed)
            return elapsed, {urlparse(page.url).path, *needed}
        page.goto(url + BASELINES[page_kind])
        page.wait_for_function("() => document.body.dataset.status === 'stepped'", timeout=timeout_ms, polling="raf")
        return page.evaluate("() => window.firstStepAt"), fetched
    finally:
        context.close()


def cold_starts(browser, url: str, runs: int) -> tuple[dict, dict, set[str]]:
    """``runs`` rounds of the three pages, the order turned each round; per page the times (ms), per
    milestone of ours the times from the milestone before (ms), and the paths our page requested
    before its first step."""
    times = {"ours": [], **{kind: [] for kind in BASELINES}}
    paths: set[str] = set()
    phases: dict[str, list[float]] = {}
    for round_ in range(runs):
        kinds = list(times) if round_ % 2 == 0 else list(times)[::-1]
        for kind in kinds:
            marks: list = []
            elapsed, fetched = cold_start(browser, url, kind, marks=marks)
            times[kind].append(elapsed)
            if kind == "ours":
                paths |= fetched
                # each milestone's time since the one before (the first: since navigation)
                for (what, at), (_, before) in zip(marks, [("", 0.0), *marks]):
                    phases.setdefault(what, []).append(at - before)
    return times, phases, paths


def transferred(site: Site, paths: set[str]) -> tuple[int, int]:
    raw = packed = 0
    for path in paths:
        file = site.folder / path.lstrip("/")
        if file.is_dir():
            file = file / "index.html"
        if file.is_file():
            data = file.read_bytes()
            raw += len(data)
            packed += len(gzip.compress(data, 6, mtime=0))
    return raw, packed


def pyodide_with_nnpy(browser, site: Site):
    """A page with Pyodide, numpy and this tree's nnpy importable (the minimal page, plus the wheel the page
    lists in pyscript.json's packages, installed by Pyodide's loadPackage). The caller closes it."""
    page = browser.new_page()
    try:
        page.goto(site.url + "minimal/")
        page.wait_for_function("() => document.body.dataset.status === 'stepped'", timeout=60_000)
        packages = json.loads((site.folder / "pyscript.json").read_text())["packages"]
        wheels = [p for p in packages if p.endswith(".whl")]
        page.evaluate("""async (wheels) => {
            const urls = wheels.map((path) => new URL('../' + path, location.href).href);
            await window.pyodide.loadPackage(urls);
            window.pyodide.runPython("import nnpy");  // a wheel that failed to install fails here
        }""", wheels)
        return page
    except Exception:
        page.close()
        raise


def run_python(page, code: str):
    """Run code in the page's Pyodide; its last expression must be a JSON string."""
    return json.loads(page.evaluate("(code) => window.pyodide.runPython(code)", code))


def in_browser_speed(browser, site: Site) -> dict:
    page = pyodide_with_nnpy(browser, site)
    try:
        return run_python(page, STEPS_PER_SECOND)
    finally:
        page.close()


def frame_times(browser, site: Site) -> dict:
    """Median time the renderer takes to draw one frame while training (the page's own running average
    of draw() alone, `window.nnpy.stats().drawMs`, sampled for two seconds after three of training)."""
    out = {}
    for key, query in (("default", "?autoplay=1"), ("784-64-32-10", "?autoplay=1&dataset=mnist&hidden=64,32")):
        page = browser.new_page(viewport={"width": 1280, "height": 800})
        try:
            page.goto(site.url + query)
            page.wait_for_function("() => document.body.dataset.status === 'training'", timeout=90_000)
            page.wait_for_timeout(3000)
            samples = []
            for _ in range(8):
                samples.append(page.evaluate("() => window.nnpy.stats().drawMs"))
                page.wait_for_timeout(250)
            out[key] = statistics.median(samples)
        except Exception as error:  # say what could not be measured rather than stop the whole run
            out[key] = None
            print(f"  frame time {key}: not measured ({error.__class__.__name__}: {error})", file=sys.stderr)
        finally:
            page.close()
    return out


PARTS = ("cold", "speed", "frames")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description="Browser figures for the built page.")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--runs", type=int, default=5, help="cold starts of each page (median)")
    parser.add_argument("--parts", default=",".join(PARTS),
                        help="what to measure, comma-separated: cold, speed, frames (default: all)")
    args = parser.parse_args(argv)
    parts = set(args.parts.split(","))
    if not parts <= set(PARTS):
        parser.error(f"--parts: choose from {', '.join(PARTS)}")
    from playwright.sync_api import sync_playwright

    site = Site()
    times, phases, speed, frames, raw, packed = {}, {}, {}, {}, None, None
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
            if "cold" in parts:
                times, phases, paths = cold_starts(browser, site.url, args.runs)
                raw, packed = transferred(site, paths)
            if "speed" in parts:
                speed = in_browser_speed(browser, site)
            if "frames" in parts:
                frames = frame_times(browser, site)
            browser.close()
    finally:
        site.close()

    median = lambda values: statistics.median(values) if values else None   # noqa: E731
    ours, base, pyscript = times.get("ours", []), times.get("bare", []), times.get("pyscript", [])
    phases = {what: median(ms) for what, ms in phases.items()}
    paired = lambda a, b: median([x / y for x, y in zip(a, b)])   # noqa: E731  (one round's pages, compared)
    r = {
        "cold_start_ms": median(ours), "baseline_cold_start_ms": median(base),
        "pyscript_cold_start_ms": median(pyscript),
        "cold_start_vs_baseline_paired": paired(ours, base), "pyscript_vs_baseline_paired": paired(pyscript, base),
        "cold_start_phases_ms": phases,
        "bytes": raw, "gzip_bytes": packed,
        **{f"steps_per_s_{k}": v for k, v in speed.items() if k.startswith(("nnpy_small", "nnpy_big", "plain"))},
        "nnpy_vs_plain_small": speed.get("nnpy_vs_plain_small"), "nnpy_vs_plain_big": speed.get("nnpy_vs_plain_big"),
        "matmul_kernel": speed.get("matmul_kernel"),
        "frame_ms_default": frames.get("default"), "frame_ms_784_64_32_10": frames.get("784-64-32-10"),
    }
    r["cold_start_vs_baseline"] = r["cold_start_ms"] / r["baseline_cold_start_ms"] if ours else None

    rows = [
        ("cold start, ours (median ms)", r["cold_start_ms"], "goal <= 1.1x baseline and < 3000"),
        ("cold start, Pyodide+numpy baseline (ms)", r["baseline_cold_start_ms"], ""),
        ("cold start ratio", r["cold_start_vs_baseline"], ""),
        ("  same, median of per-round ratios", r["cold_start_vs_baseline_paired"], ""),
        ("cold start, PyScript+numpy baseline (ms)", r["pyscript_cold_start_ms"], ""),
        ("  PyScript alone / Pyodide alone (paired)", r["pyscript_vs_baseline_paired"], ""),
        ("bytes transferred (raw)", r["bytes"], ""),
        ("bytes transferred (gzip)", r["gzip_bytes"], ""),
        ("steps/s nnpy 64-32-16-10 b32", r.get("steps_per_s_nnpy_small"), "goal >= 4000"),
        ("steps/s plain numpy loop, same", r.get("steps_per_s_plain_numpy_small"), ""),
        ("nnpy / plain loop, small (paired)", r["nnpy_vs_plain_small"], ""),
        ("steps/s nnpy 784-128-64-10 b64", r.get("steps_per_s_nnpy_big"), "goal >= 180"),
        ("steps/s plain numpy loop, same", r.get("steps_per_s_plain_numpy_big"), ""),
        ("nnpy / plain loop, big (paired)", r["nnpy_vs_plain_big"], ""),
        ("frame ms, default network", r["frame_ms_default"], "goal < 8"),
        ("frame ms, 784-64-32-10", r["frame_ms_784_64_32_10"], "goal < 16"),
    ]
    for name, value, goal in rows:
        shown = "n/a" if value is None else (f"{value:,.0f}" if value >= 100 else f"{value:.2f}")
        print(f"{name:<42} {shown:>14}  {goal}")
    if phases:
        print("our cold start, milestone by milestone (median ms from the milestone before to this one):")
        for what, ms in phases.items():
            print(f"  {what:<40} {ms:>14,.0f}")
    if args.json:
        print(json.dumps(r))
    return 0


if __name__ == "__main__":
    sys.exit(main())
