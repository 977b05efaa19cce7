"""build.py: pinned, verified, cached fetching and a dist/ holding only what the page loads."""

import base64
import csv
import gzip
import hashlib
import io
import json
import re
import shutil
import subprocess
import sys
import zipfile
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
    assert sorted(f for f in files if f.endswith(".whl")) == [f"py/{build.site_wheel_name()}",
                                                              f"pyodide/{build.NUMPY_WHEEL}"]
    # nnpy's modules, the glue and the eager data travel in the wheel, not as loose files
    assert not [f for f in files if f.endswith(".py") and f != "py/app.py"]
    assert [f for f in files if f.startswith("nnpy/")] == ["nnpy/data/mnist.bin.gz"]
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
    # both go to Pyodide's loadPackage at start-up, so they download side by side
    assert config["packages"] == ["numpy", f"./py/{build.site_wheel_name()}"]
    assert (build.DIST / config["packages"][1]).is_file()
    assert "files" not in config   # nothing is copied file by file after numpy is in


def _wheel_members():
    with zipfile.ZipFile(build.DIST / "py" / build.site_wheel_name()) as wheel:
        assert wheel.testzip() is None
        return {name: wheel.read(name) for name in wheel.namelist()}


def test_site_wheel_is_a_valid_wheel_of_nnpy_the_glue_and_the_digits():
    members = _wheel_members()
    info = f"nnpy-{build.project_version()}.dist-info"
    assert f"{info}/METADATA" in members and f"{info}/WHEEL" in members
    assert b"Name: nnpy\n" in members[f"{info}/METADATA"]
    assert b"Root-Is-Purelib: true" in members[f"{info}/WHEEL"]
    assert b"Tag: py3-none-any" in members[f"{info}/WHEEL"]
    # RECORD lists every other member with its sha256 and size
    record = {}
    for row in csv.reader(io.StringIO(members[f"{info}/RECORD"].decode())):
        record[row[0]] = row[1:]
    assert set(record) == set(members)
    for name, data in members.items():
        if name == f"{info}/RECORD":
            continue
        digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
        assert record[name] == [f"sha256={digest}", str(len(data))], name
    expected = {p.relative_to(ROOT).as_posix() for p in (ROOT / "nnpy").glob("*.py")
                if p.name not in build.NOT_IN_BROWSER}
    expected |= {p.name for p in (ROOT / "web" / "py").glob("nnpy_*.py")}
    # each module's bytecode beside it, compiled by Pyodide's Python 3.12 (unchecked-hash, PEP 552)
    bytecode = {build.pyc_name(name): name for name in expected}
    expected.add("nnpy/data/digits.bin.gz")
    assert {n for n in members if not n.startswith(info)} == expected | set(bytecode)
    assert bytecode["nnpy/__pycache__/network.cpython-312.pyc"] == "nnpy/network.py"
    for pyc in bytecode:
        header = members[pyc][:8]
        assert header[:4] == (3531).to_bytes(2, "little") + b"\r\n", pyc  # CPython 3.12's magic number
        assert int.from_bytes(header[4:8], "little") == 0b01, pyc  # hash-based, not checked against the source
    assert members["nnpy/data/digits.bin.gz"] == (build.DATA / "digits.bin.gz").read_bytes()
    # the same tree gives the same bytes (the service worker's version depends on them)
    assert build.site_wheel() == (build.DIST / "py" / build.site_wheel_name()).read_bytes()


def test_site_wheel_installs_and_its_nnpy_reads_the_digits_beside_it(tmp_path):
    with zipfile.ZipFile(build.DIST / "py" / build.site_wheel_name()) as wheel:
        wheel.extractall(tmp_path)
    code = ("import nnpy, nnpy_page; from nnpy import datasets; "
            "print(nnpy.__file__); print(nnpy_page.__file__); print(datasets.data_path('digits')); "
            "print(len(datasets.load('digits').x))")
    env = {"PYTHONPATH": str(tmp_path), "PATH": "/usr/bin:/bin", "OPENBLAS_NUM_THREADS": "1"}
    result = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, env=env,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    nnpy_file, glue_file, data_file, count = result.stdout.split()
    assert nnpy_file == str(tmp_path / "nnpy" / "__init__.py")
    assert glue_file == str(tmp_path / "nnpy_page.py")
    assert data_file == str(tmp_path / "nnpy" / "data" / "digits.bin.gz")
    assert int(count) == 1797


def test_index_preloads_the_start_up_files_it_was_built_with():
    html = (build.DIST / "index.html").read_text()
    assert "__NNPY_PRELOADS__" not in html
    hints = re.findall(r'<link rel="(modulepreload|preload)" href="\./([^"]+)"([^>]*)>', html)
    names = [name for _, name, _ in hints]
    for rel, name, rest in hints:
        assert (build.DIST / name).is_file(), name
        # modules are imported, the rest fetched: the hint must match the request or it is wasted
        if name.endswith((".js", ".mjs")):
            assert rel == "modulepreload", name
        else:
            assert rel == "preload" and rest == ' as="fetch" crossorigin', name
    assert f"py/{build.site_wheel_name()}" in names and f"pyodide/{build.NUMPY_WHEEL}" in names
    assert {"pyodide/pyodide.asm.wasm", "pyscript.json", "pyscript/core.js", "js/boot.js"} <= set(names)
    # boot.js and everything it imports, found in its import statements; not the interface (main.js),
    # which boot.js imports once the runtime is up
    boot = build.static_imports(build.DIST, build.BOOT_ENTRY)
    assert {"js/loader.js", "js/bridge.js", "js/params.js"} <= set(boot) <= set(names)
    assert "js/main.js" not in names and "js/main.js" not in boot
    assert html.index("modulepreload") < html.index('rel="stylesheet"')


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


def test_without_node_the_wheel_ships_source_only(tmp_path, monkeypatch, capsys):
    """Node.js compiles the bytecode; a machine without it still builds a working (source-only) wheel."""
    shutil.copy(build.cache_dir() / build.PYODIDE.filename, tmp_path)
    monkeypatch.setenv("NNPY_CACHE", str(tmp_path))
    monkeypatch.setenv("PATH", str(tmp_path / "nothing-here"))
    assert build.pyodide_bytecode({"nnpy/a.py": b"x = 1\n"}) == {}
    assert "no bytecode: could not run Node.js" in capsys.readouterr().out
    assert not (tmp_path / "bytecode").exists()
