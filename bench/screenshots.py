"""The README's pictures: the built page on every dataset, after some training, in headless Chromium.

    python bench/screenshots.py [--steps 300] [--out docs/datasets] [--size 1280x800]

Writes one PNG per dataset (and docs/screenshot.png, the digits, for the README's top) from the built
dist/ (run `python build.py` first). Each picture is the real page training for real: the step count it
waits for is printed beside each file, so a picture that shows an untrained network is noticed.
"""

from __future__ import annotations

import argparse
import functools
import http.server
import sys
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
import build  # noqa: E402

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
DATASETS = ["digits", "mnist", "circle", "xor", "gaussians", "moons", "spiral", "plane", "gaussian_mix",
            "sine"]
STEP = "() => Number(document.querySelector('[data-testid=step]').textContent.replace(/[^0-9]/g, ''))"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=300, help="train at least this many steps first")
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "datasets")
    parser.add_argument("--size", default="1280x800")
    parser.add_argument("--only", nargs="*", default=None, help="some datasets only")
    args = parser.parse_args(argv)
    width, height = map(int, args.size.split("x"))
    args.out.mkdir(parents=True, exist_ok=True)

    handler = functools.partial(build.SiteHandler, directory=str(build.DIST))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}/"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": width, "height": height})
        for name in args.only or DATASETS:
            page = context.new_page()  # a fresh page each time: a new hash alone would not reload it
            page.goto(f"{url}#dataset={name}&autoplay=1")
            page.wait_for_function(f"() => ({STEP})() >= {args.steps}", timeout=600_000)
            page.evaluate("() => window.nnpy.controller.pause()")
            page.wait_for_timeout(400)
            file = args.out / f"{name}.png"
            page.screenshot(path=str(file))
            print(f"{file.relative_to(ROOT)}: step {page.evaluate(STEP)}")
            if name == "digits":
                page.screenshot(path=str(ROOT / "docs" / "screenshot.png"))
            page.close()
        browser.close()
    server.shutdown()
    return 0


if __name__ == "__main__":
    sys.exit(main())
