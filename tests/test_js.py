"""The page's pure JavaScript modules, tested with node's built-in test runner."""

import shutil
import subprocess
from pathlib import Path

import pytest

JS_TESTS = sorted((Path(__file__).parent / "js").glob("*.test.mjs"))


@pytest.mark.parametrize("path", JS_TESTS, ids=lambda p: p.name)
def test_javascript_module(path):
    node = shutil.which("node")
    assert node, "node is needed for the JavaScript unit tests (it ships with the machine image)"
    result = subprocess.run([node, "--test", str(path)], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
