"""'Your data' in Chromium: points placed by clicking the plane, erased, cleared and undone; training
goes on with the same network while points change; the points survive a reload; CSV export reads back
to the same points; a bad or hostile CSV leaves the data untouched and its message stays text.

Needs dist/ (built on demand by tests/browser.py) and /usr/bin/chromium.
"""

import random

import pytest

from browser import CANVAS_HASH, chromium, dist, server, visit  # noqa: F401  (fixtures)

pytestmark = pytest.mark.browser

POINTS = "() => window.nnpy.customData.points(window.nnpy.bridge.meta.dataset)"
META_POINTS = "() => window.nnpy.bridge.meta.points.length"
VIEW_POINTS = "() => window.nnpy.view.meta.points.length"


def plane(v):
    """The data plane's rect in page pixels, and a function from data coordinates to a page point."""
    x, y, w, h = v.page.evaluate("""() => {
      const p = window.nnpy.view.geometry.cols[0].plane;
      const r = document.querySelector('[data-testid=network]').getBoundingClientRect();
      return [p.x + r.left, p.y + r.top, p.w, p.h];
    }""")
    r = v.page.evaluate("() => window.nnpy.bridge.meta.extent")
    return lambda x1, x2: (x + (x1 + r) / (2 * r) * w, y + (r - x2) / (2 * r) * h)


def click_at(v, at, x1, x2):
    v.page.mouse.click(*at(x1, x2))


def steps(v):
    return v.page.evaluate("() => window.nnpy.bridge.figure('step')")


def wait_steps_above(v, n):
    v.page.wait_for_function(f"() => window.nnpy.bridge.figure('step') > {n}", timeout=60_000)


def test_click_to_add_erase_clear_train_reload_and_csv(visit, tmp_path):
    v = visit("index.html#dataset=custom")
    v.wait_ready()
    assert v.page.evaluate("() => window.nnpy.bridge.meta.dataset") == "custom"
    assert v.page.is_visible("[data-testid=custom-tools]")
    assert v.page.evaluate(META_POINTS) == 0
    assert "Add 2 more orange and 2 more blue points" in v.text("custom-hint")

    # too few points: Play is refused with the reason
    v.page.click("[data-testid=play]")
    v.page.wait_for_function("() => document.body.dataset.status === 'paused'")
    assert "Add 2 more orange" in v.text("message") and steps(v) == 0

    # clicks add points of the chosen class where they land
    at = plane(v)
    hash0 = v.page.evaluate(CANVAS_HASH)
    v.page.click("[data-testid=custom-add0]")
    for x1, x2 in [(-4, 3), (-3, -2), (-2, 1)]:
        click_at(v, at, x1, x2)
    v.page.click("[data-testid=custom-add1]")
    for x1, x2 in [(4, 3), (3, -2), (2.5, 0.5)]:
        click_at(v, at, x1, x2)
    pts = v.page.evaluate(POINTS)
    assert len(pts) == 6 and [p[2] for p in pts] == [0, 0, 0, 1, 1, 1]
    assert all(abs(p[0] - e[0]) < 0.1 and abs(p[1] - e[1]) < 0.1
               for p, e in zip(pts, [(-4, 3), (-3, -2), (-2, 1), (4, 3), (3, -2), (2.5, 0.5)]))
    assert v.page.evaluate(META_POINTS) == 6 and v.page.evaluate(VIEW_POINTS) == 6
    assert v.page.evaluate("() => window.nnpy.bridge.meta.custom.counts") == [3, 3]
    v.page.wait_for_timeout(100)
    assert v.page.evaluate(CANVAS_HASH) != hash0, "the new points were not drawn"
    assert "6 points (3 orange, 3 blue)" in v.text("custom-hint")

    # training goes on while points are added: same network, the step never restarts
    v.page.click("[data-testid=play]")
    wait_steps_above(v, 100)
    v.page.click("[data-testid=play]")
    assert v.status() == "paused"
    weights = """() => { const m = window.nnpy.bridge.meta, o = m.layout.offsets;
      return Array.from(window.nnpy.bridge.view.snapshot.subarray(o.W[0], o.W[0] + m.sizes[0] * m.sizes[1])); }"""
    w0, s0 = v.page.evaluate(weights), steps(v)
    click_at(v, at, 1, 4)
    assert v.page.evaluate(META_POINTS) == 7
    assert v.page.evaluate(weights) == w0, "adding a point changed the weights"
    assert steps(v) == s0, "adding a point restarted training"
    v.page.click("[data-testid=play]")
    click_at(v, at, 1.5, -4)                        # while training
    wait_steps_above(v, s0 + 100)
    assert v.page.evaluate(META_POINTS) == 8 and v.status() == "training"
    v.page.click("[data-testid=play]")

    # erase: a click near a point removes it; undo brings it back; clear empties
    v.page.click("[data-testid=custom-erase]")
    hash1 = v.page.evaluate(CANVAS_HASH)
    click_at(v, at, -4.05, 3.05)
    pts = v.page.evaluate(POINTS)
    assert len(pts) == 7 and [-4, 3, 0] not in pts
    assert v.page.evaluate(META_POINTS) == 7 and v.page.evaluate(CANVAS_HASH) != hash1
    click_at(v, at, 0, -5.5)                        # nowhere near a point: nothing happens
    assert v.page.evaluate(META_POINTS) == 7
    v.page.click("[data-testid=custom-undo]")
    assert v.page.evaluate(META_POINTS) == 8
    saved = v.page.evaluate(POINTS)
    v.page.click("[data-testid=custom-clear]")
    assert v.page.evaluate(META_POINTS) == 0 and v.page.evaluate(POINTS) == []
    v.page.click("[data-testid=custom-undo]")
    assert v.page.evaluate(POINTS) == saved

    # export -> a CSV that imports back to the same points
    with v.page.expect_download() as download:
        v.page.click("[data-testid=custom-export]")
    csv = tmp_path / "mine.csv"
    download.value.save_as(csv)
    text = csv.read_text()
    assert text.splitlines()[1] == "x1,x2,label" and len(text.strip().splitlines()) == 2 + len(saved)
    v.page.click("[data-testid=custom-clear]")
    v.page.set_input_files("[data-testid=custom-file]", str(csv))
    v.page.wait_for_function("() => window.nnpy.bridge.meta.points.length === 8")
    assert v.page.evaluate(POINTS) == saved
    assert "Imported 8 points" in v.text("message")

    # a bad file: the message names the line, the data stays as it was
    bad = tmp_path / "bad.csv"
    bad.write_text("x1,x2,label\n1,2,0\n3,four,1\n")
    v.page.set_input_files("[data-testid=custom-file]", str(bad))
    v.page.wait_for_function("() => document.querySelector('[data-testid=message]').textContent.includes('line 3')")
    assert "'four' is not a number" in v.text("message") and "bad.csv" in v.text("message")
    assert v.page.evaluate(POINTS) == saved and v.page.evaluate(META_POINTS) == 8

    # hostile content never becomes markup
    rng = random.Random(6)
    pieces = ["<img src=x id=pwn>", "<b>", "</p><script>x()</script>", "&lt;", "\u202e", "1", ",", "\n", "-0.5",
              "nan", "7", "\"", "'", "<svg onload=1>", "x1,x2,label", " "]
    for i in range(6):
        fuzz = tmp_path / f"<i>fuzz{i}.csv"
        fuzz.write_text("".join(rng.choice(pieces) for _ in range(rng.randint(1, 40))) + "\n<img src=y id=pwn2>,1,0\n")
        v.page.set_input_files("[data-testid=custom-file]", str(fuzz))
        v.page.wait_for_function(f"() => document.querySelector('[data-testid=message]').textContent.includes('fuzz{i}')")
        assert v.page.evaluate("() => document.querySelector('[data-testid=message]').children.length") == 0
        assert v.page.evaluate("() => document.querySelectorAll('#pwn, #pwn2, script:not([src]):not([type])').length") == 0
        assert v.page.evaluate(POINTS) == saved

    # the points survive a reload (localStorage)
    v.page.reload()
    v.wait_ready()
    v.page.wait_for_function("() => window.nnpy.bridge.meta.points.length === 8")
    assert v.page.evaluate(POINTS) == saved
    assert v.page.evaluate("() => window.nnpy.bridge.meta.custom.counts") == [3, 5]
    assert v.errors == [], f"console errors: {v.errors}"
    assert v.outside == []


def test_regression_points_edit_a_toy_dataset_and_blocked_storage(visit):
    """Storage blocked (as in some iframes): your data still works for the visit, with a notice.
    'Edit these points' copies the spiral; regression points take the slider's value."""
    v = visit("index.html#dataset=spiral")
    v.context.add_init_script(
        "Storage.prototype.getItem = Storage.prototype.setItem = () => { throw new Error('blocked'); };")
    v.page.reload()
    v.wait_ready()
    assert v.page.is_visible("[data-testid=custom-from-current]")
    assert not v.page.is_visible("[data-testid=custom-clear]")
    v.page.click("[data-testid=custom-from-current]")
    v.page.wait_for_function("() => window.nnpy.bridge.meta.dataset === 'custom'")
    n = v.page.evaluate(META_POINTS)
    assert n == 1000 and len(v.page.evaluate(POINTS)) == 1000    # every spiral point, all drawn
    assert "for this visit only" in v.text("custom-hint")
    assert "dataset=custom" in v.page.evaluate("() => location.hash")
    assert "points" not in v.page.evaluate("() => location.href")
    v.page.click("[data-testid=custom-add0]")
    at = plane(v)
    click_at(v, at, 0.2, 0.3)
    assert v.page.evaluate(META_POINTS) == 1001

    # regression: the value comes from the slider
    v.page.select_option("[data-testid=dataset]", "custom_regression")
    v.page.wait_for_function("() => window.nnpy.bridge.meta.dataset === 'custom_regression'")
    assert v.page.evaluate("() => window.nnpy.bridge.meta.kind") == "regression"
    assert v.page.is_visible("[data-testid=custom-value]") and not v.page.is_visible("[data-testid=custom-add0]")
    at = plane(v)
    for value, (x1, x2) in [(-1, (-3, -3)), (-0.5, (-1, -1)), (0.5, (1, 1)), (1, (3, 3))]:
        v.page.fill("[data-testid=custom-value]", str(value))
        click_at(v, at, x1, x2)
    assert [p[2] for p in v.page.evaluate(POINTS)] == [-1, -0.5, 0.5, 1]
    v.page.click("[data-testid=play]")
    wait_steps_above(v, 50)
    v.page.click("[data-testid=play]")
    assert v.errors == [], f"console errors: {v.errors}"
