"""Soak: does memory stay flat over a long run? 50,000 training steps with rendering, in headless Chromium.

    python bench/soak.py [--steps 50000] [--base 5000] [--every 5000] [--dataset digits] [--json]

The page trains as a visitor's would (Play; every frame trains and draws). At the base step and then
every ``--every`` steps the run pauses and measures, after forced garbage collection:

- JS heap: CDP ``HeapProfiler.collectGarbage`` then ``Runtime.getHeapUsage`` (used bytes);
- wasm heap: the size of Pyodide's linear memory (``HEAPU8.length``; it only grows, so growth is the
  signal), read by the bridge's ``memory()`` with Python's live object count (leaked proxies show there).

Prints a table; the last line is JSON: the figures and whether each is within 5% of its level at the
base step (the issue's bar). Figures, never timing assertions. tests/test_soak.py runs a short version.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from browser import CHROMIUM, CHROMIUM_ARGS, LOAD_TIMEOUT_MS, StaticServer, ensure_dist  # noqa: E402

TOLERANCE = 0.05
STEP = "() => window.nnpy.bridge.figure('step')"


def open_page(browser, origin: str, dataset: str):
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    errors: list = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("console", lambda m: m.type == "error" and errors.append(m.text))
    page.goto(f"{origin}/index.html#dataset={dataset}")
    page.wait_for_function("() => window.nnpy && window.nnpy.ready", timeout=LOAD_TIMEOUT_MS, polling=200)
    cdp = context.new_cdp_session(page)
    cdp.send("HeapProfiler.enable")
    return context, page, cdp, errors


def measure(page, cdp) -> dict:
    """Memory after forced garbage collection (training paused meanwhile)."""
    for _ in range(3):      # a few rounds: finalizers of collected objects free more on the next one
        cdp.send("HeapProfiler.collectGarbage")
        page.evaluate("() => window.gc && window.gc()")
    heap = cdp.send("Runtime.getHeapUsage")
    mem = page.evaluate("() => window.nnpy.bridge.memory()")
    return {"step": page.evaluate(STEP), "js_heap": heap["usedSize"], "wasm_heap": mem["wasm"],
            "py_objects": mem["objects"], "time": time.time()}


def train_to(page, target: int, timeout_s: float = 3600.0) -> None:
    """Play until the step counter reaches ``target``, then pause."""
    page.evaluate("() => window.nnpy.controller.play()")
    page.wait_for_function(f"() => window.nnpy.bridge.figure('step') >= {int(target)}", timeout=timeout_s * 1000,
                           polling=250)
    page.evaluate("() => window.nnpy.controller.pause()")


def growth(base: dict, last: dict) -> dict:
    return {key: (last[key] - base[key]) / base[key] for key in ("js_heap", "wasm_heap", "py_objects")}


def soak(browser, origin, steps=50_000, base_step=5_000, every=5_000, dataset="digits", report=print) -> dict:
    context, page, cdp, errors = open_page(browser, origin, dataset)
    try:
        samples = []
        targets = [base_step] + list(range(base_step + every, steps, every)) + [steps]
        start = time.time()
        for target in dict.fromkeys(targets):
            train_to(page, target)
            samples.append(measure(page, cdp))
            report(row(samples[-1], samples[0], start))
        status = page.evaluate("() => document.body.dataset.status")
    finally:
        context.close()
    base, last = samples[0], samples[-1]
    change = growth(base, last)
    return {"dataset": dataset, "steps": last["step"], "base_step": base["step"], "seconds": round(last["time"] - start, 1),
            "base": {k: base[k] for k in ("js_heap", "wasm_heap", "py_objects")},
            "end": {k: last[k] for k in ("js_heap", "wasm_heap", "py_objects")},
            "growth": {k: round(v, 4) for k, v in change.items()},
            "within_5_percent": {k: abs(change[k]) <= TOLERANCE for k in ("js_heap", "wasm_heap")},
            "max_js_heap": max(s["js_heap"] for s in samples), "status": status, "errors": errors[:5],
            "samples": [{k: s[k] for k in ("step", "js_heap", "wasm_heap", "py_objects")} for s in samples]}


HEADER = f"{'step':>8} {'seconds':>8} {'JS heap':>12} {'vs base':>8} {'wasm heap':>12} {'vs base':>8} {'Py objects':>11} {'vs base':>8}"


def row(sample: dict, base: dict, start: float) -> str:
    g = growth(base, sample)
    return (f"{sample['step']:>8,} {sample['time'] - start:>8.1f} {sample['js_heap'] / 2**20:>9.2f} MB {100 * g['js_heap']:>+7.2f}%"
            f" {sample['wasm_heap'] / 2**20:>9.1f} MB {100 * g['wasm_heap']:>+7.2f}% {sample['py_objects']:>11,}"
            f" {100 * g['py_objects']:>+7.2f}%")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--steps", type=int, default=50_000)
    parser.add_argument("--base", type=int, default=5_000, help="the step whose memory is the reference")
    parser.add_argument("--every", type=int, default=5_000, help="measure every this many steps after the base")
    parser.add_argument("--dataset", default="digits")
    args = parser.parse_args(argv)
    from playwright.sync_api import sync_playwright

    with StaticServer(ensure_dist()) as server, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            print(f"soak: {args.steps:,} steps of {args.dataset} with rendering; memory after forced GC", flush=True)
            print(HEADER, flush=True)
            result = soak(browser, server.origin, args.steps, args.base, args.every, args.dataset,
                          report=lambda line: print(line, flush=True))
        finally:
            browser.close()
    ok = all(result["within_5_percent"].values())
    print(f"JS heap {100 * result['growth']['js_heap']:+.2f}%, wasm heap {100 * result['growth']['wasm_heap']:+.2f}% "
          f"from step {result['base_step']:,} to {result['steps']:,}: {'within' if ok else 'NOT within'} 5%"
          f"; status {result['status']}; console errors: {len(result['errors'])}")
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
