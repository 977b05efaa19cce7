"""build.py: pinned, verified, cached fetching and a dist/ holding only what the page loads."""

import gzip
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import build

ROOT = Path(__file__).resolve().parent.parent


def run_build(*args, cache):
    env = {"NNPY_CACHE": str(cache), "PATH": "/usr/bin:/bin", "HOME": str(cache)}
    return subprocess.run([sys.executable, str(ROOT / "build.py"), *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)


def test_offline_build_with_empty_cache_names_the_missing_file(tmp_path):
    result = run_build("--offline", cache=tmp_path)
    assert result.returncode == 1
    assert "pyodide-0.27.7.tgz is not in the cache" in result.stderr
    assert "npm pack pyodide@0.27.7" in result.stderr


def test_tampered_download_stops_the_build_naming_the_file(tmp_path):
    (tmp_path / build.PYODIDE.filename).write_bytes(b"not the release")
    result = run_build("--offline", cache=tmp_path)
    assert result.returncode == 1
    assert "pyodide-0.27.7.tgz has sha256" in result.stderr
    assert build.PYODIDE.sha256 in result.stderr
    assert "delete" in result.stderr


def test_dist_holds_only_what_the_page_loads():
    files = [p.relative_to(build.DIST).as_posix() for p in build.DIST.rglob("*") if p.is_file()]
    assert "index.html" in files
    assert f"pyodide/{build.NUMPY_WHEEL}" in files
    assert {f"pyodide/{name}" for name in build.PYODIDE_CORE} <= set(files)
    assert not [f for f in files if f.endswith((".map", ".d.ts", ".ts"))]
    assert [f for f in files if f.endswith(".whl")] == [f"pyodide/{build.NUMPY_WHEEL}"]
    assert not [f for f in files if f.startswith("pyscript/") and ("codemirror" in f or "xterm" in f)]
    assert not [f for f in files if Path(f).name in build.NOT_IN_BROWSER]
    for path in build.DIST.rglob("*.js"):
        assert b"sourceMappingURL=" not in path.read_bytes().split(b"\n")[-1], path


def test_numpy_wheel_in_dist_matches_the_official_lock_file():
    lock = json.loads((build.DIST / "pyodide" / "pyodide-lock.json").read_text())
    wheel = (build.DIST / "pyodide" / build.NUMPY_WHEEL).read_bytes()
    assert build.sha256_of(wheel) == lock["packages"]["numpy"]["sha256"]
    assert lock["packages"]["numpy"]["sha256"] == "ebb61241d962b98b21597d7ce43b67668a6d5bab3acec4fbe958657320d7cd08"


def test_pyscript_config_points_at_local_runtime_with_relative_urls():
    config = json.loads((build.DIST / "pyscript.json").read_text())
    assert config["interpreter"] == "./pyodide/pyodide.mjs"
    assert config["packages"] == ["numpy"]
    for source, target in config["files"].items():
        assert source.startswith("./") and target.startswith("./")
        assert (build.DIST / source).is_file(), source
    assert "./nnpy/data/mnist.bin.gz" not in config["files"]  # fetched lazily


@pytest.mark.parametrize("name, count, shape", [("digits", 1797, [8, 8]), ("mnist", 10000, [28, 28])])
def test_prepared_data_files_follow_the_documented_format(name, count, shape):
    raw = gzip.decompress((build.DATA / f"{name}.bin.gz").read_bytes())
    magic, header, body = raw.split(b"\n", 2)
    assert magic == b"NNPYDATA 1"
    meta = json.loads(header)
    assert (meta["name"], meta["count"], meta["shape"]) == (name, count, shape)
    assert len(body) == count * shape[0] * shape[1] + count
    labels = body[-count:]
    assert set(labels) == set(range(10))
    assert max(body[:-count]) == meta["scale"]


def test_zip_of_the_site_unpacks_to_a_servable_folder(tmp_path):
    site = tmp_path / "site"
    shutil.copytree(build.DIST, site)
    target = build.write_zip(site)
    try:
        import zipfile
        with zipfile.ZipFile(target) as archive:
            names = archive.namelist()
        assert "nnpy/index.html" in names and f"nnpy/pyodide/{build.NUMPY_WHEEL}" in names
    finally:
        target.unlink()
