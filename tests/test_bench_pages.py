"""The benchmark's baseline pages (bench/minimal/ and bench/minimal-pyscript/) work: the cold-start figures
compare the page with them, so each must boot from the built site's own files, load numpy, take its one
step and stamp when, with no request leaving the origin and no console error."""

import importlib.util

import pytest

from browser import ROOT, chromium, dist, server, visit  # noqa: F401  (fixtures)

pytestmark = pytest.mark.browser

# bench/browser.py, loaded under its own name (tests/browser.py is "browser" here)
_spec = importlib.util.spec_from_file_location("bench_browser", ROOT / "bench" / "browser.py")
bench = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(bench)


@pytest.fixture(scope="module")
def site(dist):
    served = bench.Site()
    yield served
    served.close()


@pytest.mark.parametrize("kind", sorted(bench.BASELINES))
def test_baseline_page_steps_from_its_own_origin(visit, site, kind):
    v = visit(bench.BASELINES[kind], origin=site.url.rstrip("/"))   # visit blocks and counts other origins
    v.page.wait_for_function("() => document.body.dataset.status === 'stepped'", timeout=90_000)
    stamped = v.page.evaluate("() => window.firstStepAt")
    assert 0 < stamped < v.page.evaluate("() => performance.now()")
    assert v.outside == [] and v.errors == [] and v.failed == []
    # the step ran in this page's interpreter: numpy is imported there
    if kind == "bare":
        assert v.page.evaluate("() => window.pyodide.runPython('import sys; \"numpy\" in sys.modules')")


def test_page_stamps_its_start_up_milestones_in_order(visit):
    """bench/browser.py breaks our cold start down by these marks: all there, in time order."""
    v = visit("index.html?autoplay=1")
    v.page.wait_for_function("() => window.nnpy && window.nnpy.state.firstStepAt > 0", timeout=90_000)
    marks = v.page.evaluate("() => window.nnpy.bridge.marks")
    names = [name for name, _ in marks]
    assert names == ["Python runtime ready", "Importing numpy", "Importing nnpy", "Python attached",
                     "First network built", "First step"], names
    times = [at for _, at in marks]
    assert times == sorted(times) and 0 < times[0]
    assert times[-1] == v.page.evaluate("() => window.nnpy.state.firstStepAt")
