"""A short soak (the long one is ``python bench/soak.py``): 4,000 steps with rendering in one page, memory
measured after forced garbage collection at step 1,000 and at the end. The wasm heap and Python's live
object count must not grow (a PyProxy or JsProxy made per step and never destroyed shows in both);
the JS heap may move a little (V8 compiles and collects on its own schedule), but not by a leak's slope.
No timing assertions."""

from __future__ import annotations

import sys

import pytest

from browser import ROOT, chromium, dist, server  # noqa: F401  (fixtures)

sys.path.insert(0, str(ROOT / "bench"))
from soak import soak  # noqa: E402

pytestmark = pytest.mark.browser


def test_memory_stays_flat_over_4000_steps(chromium, server):
    result = soak(chromium, server.origin, steps=4000, base_step=1000, every=1500, dataset="digits",
                  report=lambda line: None)
    assert result["errors"] == [] and result["status"] == "paused", result
    assert result["steps"] >= 4000
    growth = result["growth"]
    assert growth["wasm_heap"] == 0, result["samples"]           # Pyodide's memory did not have to grow
    assert abs(growth["py_objects"]) < 0.01, result["samples"]   # no Python object per step left behind
    assert growth["js_heap"] < 0.05, result["samples"]           # 3,000 steps: a per-step leak of ~20 bytes shows
