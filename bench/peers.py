"""nnpy against its peers, in ONE run on one machine: the figures for the README's comparison table.

    python bench/peers.py [--json] [--seconds 2] [--runs 3] [--offline]

Same networks everywhere: 64-32-16-10 batch 32 ("small") and 784-128-64-10 batch 64 ("big"), ReLU hidden
layers, softmax cross-entropy on the logits (mean over the batch), plain SGD with learning rate 0.1; He-normal
weights and zero biases drawn ONCE (numpy, seed 0) and handed to every contender, so their first ten losses
must agree (the table shows how closely: a check that it is the same maths everywhere).

- in headless Chromium: nnpy inside Pyodide 0.27.7 (float64), booted by bench/browser.py's in_browser_speed
  (the minimal Pyodide+numpy page, nnpy's .py files copied into Pyodide's file system), beside a plain numpy
  loop of the same maths; TensorFlow.js 4.22.0 with the `wasm` and the `cpu` backend (float32: TF.js's only
  float dtype). TF.js's step is the fastest, in a short probe, of tf.tidy + optimizer.minimize over
  tf.variables (layers as tf.fused.matMul, or as matMul/add/relu) and model.trainOnBatch;
- natively, each in a fresh process: nnpy (+ the plain loop) and PyTorch CPU (float64) with their default
  threads, then both again with one BLAS/OpenMP thread (Pyodide has one thread);
- cold start and bytes of the page vs a plain Pyodide page loading numpy: bench/browser.py's cold_start and
  transferred, median of --runs fresh contexts.

Timing, the same for every contender: 10 warm-up steps, then 4 rounds of --seconds/4, best round. In the
browser the rounds of nnpy, the plain loop and both TF.js backends are interleaved (rotating order), so a
busy spell on a shared machine hits them alike. TF.js comes from `npm pack` into the user cache
(build.cache_dir()/peers), pinned by sha256, served by the local server on 127.0.0.1; the browser resolves
no other host and the TF.js pages abort any request elsewhere. Prints a table; with --json the last line is
one JSON object. Figures only, never assertions.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tarfile
import time
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
HERE = Path(__file__).resolve().parent / "peers"
sys.path.insert(0, str(ROOT))
import build  # noqa: E402

CASES = {"small": ([64, 32, 16, 10], 32), "big": ([784, 128, 64, 10], 64)}
ROUNDS = 4
CHROMIUM = os.environ.get("NNPY_CHROMIUM", "/usr/bin/chromium")

TFJS_VERSION = "4.22.0"
TFJS = build.NpmTarball(f"@tensorflow/tfjs@{TFJS_VERSION}", f"tensorflow-tfjs-{TFJS_VERSION}.tgz",
                        "56505c191e24116787477b3bb5bb1cc0cf1c2bdce8112b9c402a8a2d31cf2f00")
TFJS_WASM = build.NpmTarball(f"@tensorflow/tfjs-backend-wasm@{TFJS_VERSION}",
                             f"tensorflow-tfjs-backend-wasm-{TFJS_VERSION}.tgz",
                             "5cd6f5e18657c12fb94f4ec3dcef485c8c1a9ca39f3ef1d261c1cb13c1a231c3")
# What the TF.js page needs of each tarball (the UMD bundles expose `tf` and `tf.wasm`).
TFJS_FILES = {TFJS: ["dist/tf.min.js"],
              TFJS_WASM: ["dist/tf-backend-wasm.min.js", "dist/tfjs-backend-wasm.wasm",
                          "dist/tfjs-backend-wasm-simd.wasm", "dist/tfjs-backend-wasm-threaded-simd.wasm"]}

# Any host but 127.0.0.1 fails to resolve: nothing the pages do can leave the machine.
LOCAL_ONLY = ["--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1"]


def progress(message: str) -> None:
    print(f"peers: {message} ...", file=sys.stderr, flush=True)


class Unavailable(Exception):
    """A tool the benchmark needs is missing; the message says which and how to get it."""


# ---------------------------------------------------------------- Python run in both interpreters

# The problem and the timer, shared by every Python contender (native, Pyodide, torch worker).
PY_COMMON = r"""
import json, time
import numpy as np

CASES = {"small": ([64, 32, 16, 10], 32), "big": ([784, 128, 64, 10], 64)}

def problem(sizes, batch):
    # He-normal weights (in, out), zero biases, a uniform batch, labels: the same numbers for everyone.
    rng = np.random.default_rng(0)
    Ws = [rng.normal(0.0, np.sqrt(2.0 / a), (a, b)) for a, b in zip(sizes, sizes[1:])]
    x = rng.random((batch, sizes[0]))
    y = rng.integers(0, sizes[-1], batch)
    return Ws, x, y

def timed(step, seconds):
    # One round: steps per second over `seconds`.
    n, start = 0, time.perf_counter()
    end = start + seconds
    while True:
        step()
        n += 1
        now = time.perf_counter()
        if now >= end:
            return n / (now - start)

def rate(step, seconds, rounds):
    # 10 warm-up steps, then `rounds` rounds sharing `seconds`, best round.
    for _ in range(10):
        step()
    return max(timed(step, seconds / rounds) for _ in range(rounds))
"""

# nnpy's train_step and a plain numpy loop of the same maths.
PY_NNPY = PY_COMMON + r"""
import nnpy

def nnpy_stepper(sizes, Ws, x, y):
    net = nnpy.Network(sizes, activation="relu", loss="cross_entropy", init="he",
                       rng=np.random.default_rng(0))
    for layer, W in zip(net.params, Ws):
        layer["W"][...] = W
        layer["b"][...] = 0.0
    opt = nnpy.optimizers.make("sgd", learning_rate=0.1)
    return lambda: float(nnpy.train_step(net, opt, x, y))

def plain_stepper(sizes, Ws, x, y):
    Ws = [W.copy() for W in Ws]
    bs = [np.zeros(W.shape[1]) for W in Ws]
    rows, batch = np.arange(len(y)), len(y)
    def step():
        acts = [x]
        for i, (W, b) in enumerate(zip(Ws, bs)):
            z = acts[-1] @ W + b
            acts.append(np.maximum(z, 0.0) if i < len(Ws) - 1 else z)
        z = acts[-1]
        shifted = z - z.max(axis=1, keepdims=True)
        e = np.exp(shifted)
        s = e.sum(axis=1, keepdims=True)
        loss = float(np.mean(np.log(s[:, 0]) - shifted[rows, y]))
        delta = e / s
        delta[rows, y] -= 1.0
        delta /= batch
        for i in range(len(Ws) - 1, -1, -1):
            gW, gb = acts[i].T @ delta, delta.sum(axis=0)
            if i:
                delta = (delta @ Ws[i].T) * (acts[i] > 0)
            Ws[i] -= 0.1 * gW
            bs[i] -= 0.1 * gb
        return loss
    return step

MAKERS = {"nnpy": nnpy_stepper, "plain_numpy": plain_stepper}
result = {"numpy": np.__version__, "matmul_kernel": nnpy.linalg.kernel}
"""

# Natively: every contender timed in turn (the worker reads `result`).
PY_NATIVE = PY_NNPY + r"""
for key, (sizes, batch) in CASES.items():
    Ws, x, y = problem(sizes, batch)
    for name in NAMES:
        step = MAKERS[name](sizes, Ws, x, y)
        result[f"losses_{name}_{key}"] = [step() for _ in range(10)]
        result[f"{name}_{key}"] = rate(MAKERS[name](sizes, Ws, x, y), SECONDS, ROUNDS)
"""

# In Pyodide: warm steppers that bench/peers.py times round by round, interleaved with TF.js's rounds
# (one_round); the last expression is what runPython hands back.
PY_BROWSER = PY_NNPY + r"""
STEPPERS = {}
for key, (sizes, batch) in CASES.items():
    Ws, x, y = problem(sizes, batch)
    for name, make in MAKERS.items():
        step = make(sizes, Ws, x, y)
        result[f"losses_{name}_{key}"] = [step() for _ in range(10)]
        STEPPERS[name, key] = step = make(sizes, Ws, x, y)
        for _ in range(10):
            step()

def one_round(name, key, seconds):
    return timed(STEPPERS[name, key], seconds)

json.dumps(result)
"""


def common() -> dict:
    namespace: dict = {}
    exec(PY_COMMON, namespace)
    return namespace


def nnpy_worker(seconds: float, names=("nnpy", "plain_numpy")) -> dict:
    namespace: dict = {"SECONDS": seconds, "ROUNDS": ROUNDS, "NAMES": names}
    exec(PY_NATIVE, namespace)
    return namespace["result"]


def torch_worker(seconds: float, suffix: str = "") -> dict:
    import torch

    if suffix:
        torch.set_num_threads(1)
    ns = common()
    out = {"torch": torch.__version__, f"torch{suffix}_threads": torch.get_num_threads()}
    lossf = torch.nn.CrossEntropyLoss()   # softmax cross-entropy on logits, mean over the batch
    for key, (sizes, batch) in CASES.items():
        Ws, x, y = ns["problem"](sizes, batch)
        X, Y = torch.from_numpy(x), torch.from_numpy(y)

        def stepper():
            layers = []
            for i, W in enumerate(Ws):
                linear = torch.nn.Linear(*W.shape, dtype=torch.float64)
                with torch.no_grad():
                    linear.weight.copy_(torch.from_numpy(W.T))
                    linear.bias.zero_()
                layers += [linear, torch.nn.ReLU()] if i < len(Ws) - 1 else [linear]
            model = torch.nn.Sequential(*layers)
            opt = torch.optim.SGD(model.parameters(), lr=0.1)

            def step():
                opt.zero_grad(set_to_none=True)
                loss = lossf(model(X), Y)
                loss.backward()
                opt.step()
                return loss

            return step

        step = stepper()
        out[f"losses_torch{suffix}_{key}"] = [float(step().detach()) for _ in range(10)]
        out[f"torch{suffix}_{key}"] = ns["rate"](stepper(), seconds, ROUNDS)
    return out


def single_thread_worker(seconds: float) -> dict:
    """nnpy and torch with ONE thread each (BLAS, OpenMP): like for like with single-threaded Pyodide, and
    robust on a busy machine, where threaded BLAS/OpenMP spin-waits make small products many times slower."""
    nnpy = nnpy_worker(seconds, names=("nnpy",))
    out = {f"{prefix}nnpy_1thread_{key}": nnpy[f"{prefix}nnpy_{key}"] for key in CASES for prefix in ("", "losses_")}
    return {**out, **torch_worker(seconds, suffix="_1thread")}


ONE_THREAD = {"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
WORKERS = {"nnpy": (lambda s: nnpy_worker(s), {}), "torch": (lambda s: torch_worker(s), {}),
           "single": (single_thread_worker, ONE_THREAD)}


def native(contender: str, seconds: float) -> dict:
    """One contender in a fresh CPython process: torch's OpenMP and numpy's BLAS threads never share one."""
    command = [sys.executable, str(Path(__file__).resolve()), "--worker", contender, "--seconds", str(seconds)]
    env = {**os.environ, **WORKERS[contender][1]}
    done = subprocess.run(command, capture_output=True, text=True, cwd=ROOT, env=env)
    if done.returncode != 0:
        tail = "\n  ".join(done.stderr.strip().splitlines()[-4:])
        print(f"peers: native {contender} failed:\n  {tail}", file=sys.stderr)
        return {}
    return json.loads(done.stdout.strip().splitlines()[-1])


# ---------------------------------------------------------------- TensorFlow.js files

def extract(tgz: Path, names: list[str]) -> dict[str, bytes]:
    wanted = {"package/" + name for name in names}
    out = {}
    with tarfile.open(tgz, "r:gz") as archive:
        for item in archive:
            if item.name in wanted:
                out[Path(item.name).name] = archive.extractfile(item).read()
    missing = [name for name in names if Path(name).name not in out]
    if missing:
        raise Unavailable(f"{tgz.name} lacks {', '.join(sorted(missing))}")
    return out


def tfjs_files(offline: bool) -> dict[str, bytes]:
    """The pinned TF.js files, from the user cache (fetched with `npm pack` and checked on first use)."""
    fetcher = build.Fetcher(offline)
    fetcher.root = build.cache_dir() / "peers"
    fetcher.root.mkdir(parents=True, exist_ok=True)
    out = {}
    for tarball, names in TFJS_FILES.items():
        try:
            fetcher.npm(tarball)   # fetches when missing, verifies the sha256 either way
        except build.BuildError as error:
            raise Unavailable(f"TensorFlow.js ({tarball.spec}): {error} Install Node.js/npm, or put "
                              f"{tarball.filename} in {fetcher.root}.") from None
        for name, data in extract(fetcher.root / tarball.filename, names).items():
            out[name] = build.strip_source_map(data) if name.endswith(".js") else data
    return out


# ---------------------------------------------------------------- in the browser

def install_peer_page(site, files: dict[str, bytes]) -> None:
    """bench/peers/ and the TF.js files into the served copy (a temporary folder), under /peers/."""
    target = site.folder / "peers"
    shutil.copytree(HERE, target, dirs_exist_ok=True)
    for name, data in files.items():
        build.write(target / "tfjs" / name, data)


def serve_working_tree_nnpy(site) -> bool:
    """Put the working tree's nnpy into the served copy (its wheel, rebuilt from the tree), so browser and
    native run the same code. True when dist/ held another wheel (a build older than the tree)."""
    target = site.folder / "py" / build.site_wheel_name()
    data = build.site_wheel()
    stale = not target.exists() or target.read_bytes() != data
    build.write(target, data)
    return stale


def pyodide_page(page_bench, browser, site):
    """The minimal Pyodide page with nnpy loaded and the steppers warm, plus the setup's result; it stays
    open so its rounds can be interleaved with TF.js's."""
    page = page_bench.pyodide_with_nnpy(browser, site)
    try:
        return page, page_bench.run_python(page, PY_BROWSER)
    except Exception:
        page.close()
        raise


class Contender:
    """One timed thing in the browser: a warm stepper that runs one round at a time."""

    def __init__(self, name, round_):
        self.name, self.round, self.rates = name, round_, []

    def best(self):
        return max(self.rates) if self.rates else None


def interleave(contenders, seconds: float, rounds: int) -> None:
    """`rounds` rounds of every contender, the order rotating each round, so that a busy spell of the
    machine hits them all alike; each contender's figure is its best round."""
    for r in range(rounds):
        for c in contenders[r % len(contenders):] + contenders[:r % len(contenders)]:
            try:
                c.rates.append(c.round(seconds / rounds))
            except Exception as error:
                print(f"peers: {c.name} round failed: {str(error).splitlines()[0][:200]}", file=sys.stderr)


def tfjs_pages(browser, site):
    """One page per TF.js backend, in a context that lets no request leave 127.0.0.1."""
    context = browser.new_context()
    offsite, fetched = [], set()

    def guard(route):
        if urlparse(route.request.url).hostname == "127.0.0.1":
            route.continue_()
        else:
            offsite.append(route.request.url)
            route.abort()

    context.route("**/*", guard)
    context.on("requestfinished", lambda request: fetched.add(urlparse(request.url).path))
    pages = {}
    for backend in ("wasm", "cpu"):
        page = context.new_page()
        page.goto(site.url + "peers/tfjs.html")
        page.wait_for_function("() => document.body.dataset.status === 'ready'", timeout=60_000)
        page.evaluate("(b) => window.tfjsUse(b)", backend)
        pages[backend] = page
    return context, pages, offsite, fetched


def tfjs_contender(page, backend: str, key: str, problem: dict, probe: float, out: dict) -> Contender:
    """Probe every way of writing the TF.js step (interleaved, 2 short rounds each), keep the fastest."""
    methods = page.evaluate("window.tfjsMethods")
    ids = {m: page.evaluate("([m, p]) => window.tfjsPrepare(m, p)", [m, problem]) for m in methods}
    trial = [Contender(m, lambda s, i=ids[m]: page.evaluate("([i, s]) => window.tfjsRound(i, s)", [i, s]))
             for m in methods]
    interleave(trial, 2 * probe, 2)
    best = max(trial, key=lambda c: c.best() or 0).name
    for m, i in ids.items():
        if m != best:
            page.evaluate("(i) => window.tfjsFinish(i)", i)
    out[f"tfjs_{backend}_{key}_method"] = best
    out[f"tfjs_{backend}_{key}_probes"] = {c.name: c.best() for c in trial}
    out[f"losses_tfjs_{backend}_{key}"] = page.evaluate("([m, p]) => window.tfjsLosses(m, p)", [best, problem])
    contender = Contender(f"tfjs_{backend}", lambda s: page.evaluate(
        "([i, s]) => window.tfjsRound(i, s)", [ids[best], s]))
    contender.finish = lambda: page.evaluate("(i) => window.tfjsFinish(i)", ids[best])
    return contender


def in_browser(page_bench, browser, site, seconds: float, problems: dict) -> dict:
    """nnpy and the plain loop in Pyodide, TF.js wasm and cpu: rounds interleaved, per network."""
    out: dict = {}
    py_page = None
    try:
        py_page, out["setup"] = pyodide_page(page_bench, browser, site)
    except Exception as error:
        print(f"peers: nnpy in Pyodide not measured: {str(error).splitlines()[0][:300]}", file=sys.stderr)
    context = None
    try:
        context, pages, offsite, fetched = tfjs_pages(browser, site)
        out["tfjs_info"] = pages["wasm"].evaluate("window.tfjsInfo()")
    except Exception as error:
        print(f"peers: TF.js not measured: {str(error).splitlines()[0][:300]}", file=sys.stderr)
        pages, offsite, fetched = {}, [], set()
    try:
        for key, problem in problems.items():
            contenders = []
            if py_page:
                for name in ("nnpy", "plain_numpy"):
                    contenders.append(Contender(f"{name}_browser", lambda s, n=name, k=key: py_page.evaluate(
                        "(c) => window.pyodide.runPython(c)", f"one_round({n!r}, {k!r}, {s!r})")))
            for backend, page in pages.items():
                try:
                    contenders.append(tfjs_contender(page, backend, key, problem, max(0.2, seconds / 8), out))
                except Exception as error:
                    print(f"peers: TF.js {backend} {key} not measured: {str(error).splitlines()[0][:200]}",
                          file=sys.stderr)
            interleave(contenders, seconds, ROUNDS)
            for c in contenders:
                out[f"{c.name}_{key}"] = c.best()
                if hasattr(c, "finish"):
                    out[f"{c.name}_{key}_leaked_tensors"] = c.finish()
    finally:
        if py_page:
            py_page.close()
        if context:
            out["offsite"] = offsite
            out["tfjs_bytes"] = page_bench.transferred(site, fetched)
            out["tfjs_wasm_binaries"] = sorted(Path(p).name for p in fetched if p.endswith(".wasm"))
            context.close()
    return out


def cold_starts(page_bench, browser, site, runs: int) -> dict:
    """bench/browser.py's cold start (fresh context each time) and bytes, ours and the baseline."""
    out = {"ours": None, "baseline": None, "ours_bytes": (None, None), "baseline_bytes": (None, None)}
    for name, page_kind in (("ours", "ours"), ("baseline", "bare")):
        times, paths = [], set()
        for _ in range(runs):
            try:
                elapsed, fetched = page_bench.cold_start(browser, site.url, page_kind)
            except Exception as error:  # the page may not train yet: say so, once, and move on
                print(f"peers: cold start ({name}) not measured: {error.__class__.__name__}: "
                      f"{str(error).splitlines()[0][:160]}", file=sys.stderr)
                break
            times.append(elapsed)
            paths |= fetched
        out[name] = statistics.median(times) if times else None
        out[f"{name}_bytes"] = page_bench.transferred(site, paths) if times else (None, None)
    return out


# ---------------------------------------------------------------- the run

def problems_for_js() -> dict:
    ns = common()
    out = {}
    for key, (sizes, batch) in CASES.items():
        Ws, x, y = ns["problem"](sizes, batch)
        out[key] = {"sizes": sizes, "batch": batch, "Ws": [W.ravel().tolist() for W in Ws],
                    "x": x.ravel().tolist(), "y": [int(v) for v in y]}
    return out


def preflight(offline: bool) -> tuple:
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        raise Unavailable("the Python package `playwright` is missing: pip install playwright") from None
    if not Path(CHROMIUM).exists():
        raise Unavailable(f"no Chromium at {CHROMIUM}: install it (apt-get install chromium) or point "
                          f"NNPY_CHROMIUM at a Chromium/Chrome binary")
    return sync_playwright, tfjs_files(offline)


def run(seconds: float, runs: int, offline: bool) -> dict:
    sync_playwright, files = preflight(offline)
    from bench import browser as page_bench   # Site, CHROMIUM_ARGS, cold_start, transferred, in_browser_speed

    started = time.perf_counter()
    r: dict = {"seconds_per_measure": seconds, "rounds": ROUNDS, "tfjs_version": TFJS_VERSION,
               "python": platform.python_version(), "machine_cpus": os.cpu_count()}
    r["load_average_before"] = os.getloadavg()[0]
    progress("native CPython: nnpy and a plain numpy loop")
    nat = native("nnpy", seconds)
    progress("native CPython: PyTorch")
    tor = native("torch", seconds)
    progress("native CPython: nnpy and PyTorch on one thread")
    one = native("single", seconds)
    problems = problems_for_js()
    try:
        site = page_bench.Site()
    except build.BuildError as error:
        raise Unavailable(f"dist/ is missing and could not be built: {error}") from None
    try:
        install_peer_page(site, files)
        with sync_playwright() as p:
            try:
                browser = p.chromium.launch(executable_path=CHROMIUM,
                                            args=page_bench.CHROMIUM_ARGS + LOCAL_ONLY)
            except Exception as error:
                raise Unavailable(f"Chromium at {CHROMIUM} did not start: {str(error).splitlines()[0]}") \
                    from None
            r["chromium"] = browser.version
            progress(f"browser: cold starts, nnpy page and Pyodide+numpy page, {runs} each")
            cold = cold_starts(page_bench, browser, site, runs)   # --runs 0: skipped
            r["dist_older_than_tree"] = serve_working_tree_nnpy(site)
            progress("browser: nnpy and a plain numpy loop in Pyodide vs TF.js wasm and cpu, interleaved")
            web = in_browser(page_bench, browser, site, seconds, problems)
            browser.close()
    finally:
        site.close()

    setup = web.get("setup", {})
    for key in CASES:
        for name in ("nnpy_browser", "plain_numpy_browser", "tfjs_wasm", "tfjs_cpu"):
            r[f"{name}_{key}"] = web.get(f"{name}_{key}")
        r[f"nnpy_native_{key}"] = nat.get(f"nnpy_{key}")
        r[f"plain_numpy_native_{key}"] = nat.get(f"plain_numpy_{key}")
        r[f"torch_native_{key}"] = tor.get(f"torch_{key}")
        r[f"nnpy_native_1thread_{key}"] = one.get(f"nnpy_1thread_{key}")
        r[f"torch_native_1thread_{key}"] = one.get(f"torch_1thread_{key}")
        for backend in ("wasm", "cpu"):
            for suffix in ("method", "probes", "leaked_tensors"):
                r[f"tfjs_{backend}_{key}_{suffix}"] = web.get(f"tfjs_{backend}_{key}_{suffix}")
        for name, source in (("nnpy_native", nat.get(f"losses_nnpy_{key}")),
                             ("nnpy_browser", setup.get(f"losses_nnpy_{key}")),
                             ("torch_native", tor.get(f"losses_torch_{key}")),
                             ("tfjs_wasm", web.get(f"losses_tfjs_wasm_{key}")),
                             ("tfjs_cpu", web.get(f"losses_tfjs_cpu_{key}"))):
            r[f"losses_{name}_{key}"] = source

    def ratio(a, b):
        return r[a] / r[b] if r.get(a) and r.get(b) else None

    for key in CASES:
        r[f"nnpy_vs_tfjs_wasm_{key}"] = ratio(f"nnpy_browser_{key}", f"tfjs_wasm_{key}")
        r[f"nnpy_vs_tfjs_cpu_{key}"] = ratio(f"nnpy_browser_{key}", f"tfjs_cpu_{key}")
        r[f"nnpy_browser_vs_native_{key}"] = ratio(f"nnpy_browser_{key}", f"nnpy_native_{key}")
        r[f"nnpy_browser_vs_native_1thread_{key}"] = ratio(f"nnpy_browser_{key}", f"nnpy_native_1thread_{key}")
        r[f"nnpy_browser_vs_torch_{key}"] = ratio(f"nnpy_browser_{key}", f"torch_native_{key}")
        r[f"nnpy_native_vs_torch_{key}"] = ratio(f"nnpy_native_{key}", f"torch_native_{key}")
        r[f"nnpy_native_vs_torch_1thread_{key}"] = ratio(f"nnpy_native_1thread_{key}",
                                                          f"torch_native_1thread_{key}")
        r[f"nnpy_vs_plain_browser_{key}"] = ratio(f"nnpy_browser_{key}", f"plain_numpy_browser_{key}")
        r[f"nnpy_vs_plain_native_{key}"] = ratio(f"nnpy_native_{key}", f"plain_numpy_native_{key}")
        ref = r.get(f"losses_nnpy_native_{key}")
        for name in ("nnpy_browser", "torch_native", "tfjs_wasm", "tfjs_cpu"):
            other = r.get(f"losses_{name}_{key}")
            r[f"loss_max_diff_{name}_{key}"] = (max(abs(a - b) for a, b in zip(ref, other))
                                                if ref and other else None)

    info = web.get("tfjs_info", {})
    tfjs_bytes = web.get("tfjs_bytes", (None, None))
    r.update({
        "tfjs_wasm_simd": info.get("simd"), "tfjs_wasm_threads": info.get("threads"),
        "tfjs_wasm_multithread_support": info.get("multithread_support"),
        "cross_origin_isolated": info.get("cross_origin_isolated"),
        "shared_array_buffer": info.get("shared_array_buffer"),
        "tfjs_wasm_binaries": web.get("tfjs_wasm_binaries"),
        "offsite_requests_blocked": len(web["offsite"]) if "offsite" in web else None,
        "tfjs_page_bytes": tfjs_bytes[0], "tfjs_page_gzip_bytes": tfjs_bytes[1],
        "numpy_native": nat.get("numpy"), "numpy_browser": setup.get("numpy"),
        "matmul_kernel_native": nat.get("matmul_kernel"), "matmul_kernel_browser": setup.get("matmul_kernel"),
        "torch": tor.get("torch"), "torch_threads": tor.get("torch_threads"),
        "cold_start_ms": cold["ours"], "baseline_cold_start_ms": cold["baseline"],
        "cold_start_runs": runs,
        "page_bytes": cold["ours_bytes"][0], "page_gzip_bytes": cold["ours_bytes"][1],
        "baseline_bytes": cold["baseline_bytes"][0], "baseline_gzip_bytes": cold["baseline_bytes"][1],
    })
    r["cold_start_vs_baseline"] = ratio("cold_start_ms", "baseline_cold_start_ms")
    r["page_bytes_vs_baseline"] = ratio("page_bytes", "baseline_bytes")
    r["wall_seconds"] = time.perf_counter() - started
    r["load_average_after"] = os.getloadavg()[0]
    r["machine_busy"] = max(r["load_average_before"], r["load_average_after"]) > (os.cpu_count() or 1)
    return r


def fmt(value, digits=None) -> str:
    if value is None:
        return "n/a"
    if isinstance(value, str):
        return value
    if digits is not None:
        return f"{value:.{digits}f}"
    return f"{value:,.0f}" if abs(value) >= 100 else f"{value:.2f}" if abs(value) >= 1 else f"{value:.3f}"


def table(r: dict) -> str:
    simd = {True: "SIMD", False: "no SIMD"}.get(r["tfjs_wasm_simd"], "SIMD?")
    threads = r["tfjs_wasm_threads"]
    rows = [
        (f"nnpy in Pyodide (Chromium {r.get('chromium', '?')}), float64", "nnpy_browser"),
        ("  plain numpy loop, same interpreter", "plain_numpy_browser"),
        (f"TF.js {r['tfjs_version']} wasm ({simd}, {threads} thread{'s' if threads != 1 else ''}), "
         "float32", "tfjs_wasm"),
        (f"TF.js {r['tfjs_version']} cpu, float32", "tfjs_cpu"),
        (f"nnpy native CPython {r['python']}, float64", "nnpy_native"),
        ("  plain numpy loop, native", "plain_numpy_native"),
        (f"PyTorch {r.get('torch') or '?'} CPU native, float64, {r.get('torch_threads')} threads",
         "torch_native"),
        ("nnpy native, 1 BLAS thread", "nnpy_native_1thread"),
        ("PyTorch CPU native, 1 thread", "torch_native_1thread"),
    ]
    ratios = [
        ("nnpy browser / TF.js wasm", "nnpy_vs_tfjs_wasm"),
        ("nnpy browser / TF.js cpu", "nnpy_vs_tfjs_cpu"),
        ("nnpy browser / nnpy native (goal >= 0.5)", "nnpy_browser_vs_native"),
        ("nnpy browser / nnpy native, 1 BLAS thread", "nnpy_browser_vs_native_1thread"),
        ("nnpy browser / PyTorch native", "nnpy_browser_vs_torch"),
        ("nnpy native / PyTorch native", "nnpy_native_vs_torch"),
        ("nnpy native / PyTorch native, both 1 thread", "nnpy_native_vs_torch_1thread"),
        ("nnpy / plain loop, browser", "nnpy_vs_plain_browser"),
        ("nnpy / plain loop, native", "nnpy_vs_plain_native"),
    ]
    width = 62
    head = f"{'training steps/s (SGD lr 0.1, ReLU, softmax CE; best round)':<{width}}{'64-32-16-10 b32':>17}{'784-128-64-10 b64':>19}"
    lines = [head, "-" * len(head)]
    for name, key in rows:
        lines.append(f"{name:<{width}}{fmt(r.get(f'{key}_small')):>17}{fmt(r.get(f'{key}_big')):>19}")
    lines.append("  TF.js step (fastest of 3 in a probe): "
                 + "; ".join(f"{b} {r[f'tfjs_{b}_small_method']} / {r[f'tfjs_{b}_big_method']}"
                             for b in ("wasm", "cpu")))
    lines.append("")
    for name, key in ratios:
        lines.append(f"{name:<{width}}{fmt(r.get(f'{key}_small'), 2):>17}{fmt(r.get(f'{key}_big'), 2):>19}")
    lines.append("")
    lines.append("same maths: max |loss - nnpy native loss| over the first 10 steps")
    for name, label in (("nnpy_browser", "nnpy in Pyodide"), ("torch_native", "PyTorch"),
                        ("tfjs_wasm", "TF.js wasm (float32)"), ("tfjs_cpu", "TF.js cpu (float32)")):
        small, big = r.get(f"loss_max_diff_{name}_small"), r.get(f"loss_max_diff_{name}_big")
        lines.append(f"  {label:<{width - 2}}{'n/a' if small is None else f'{small:.1e}':>17}"
                     f"{'n/a' if big is None else f'{big:.1e}':>19}")
    lines.append("")
    lines.append(f"{'page (bench/browser.py measures; median of ' + str(r['cold_start_runs']) + ' cold runs)':<{width}}"
                 f"{'nnpy page':>17}{'Pyodide+numpy':>19}")
    lines.append(f"{'  cold start to first training step, ms':<{width}}"
                 f"{fmt(r['cold_start_ms']):>17}{fmt(r['baseline_cold_start_ms']):>19}")
    for label, raw, packed in (("  bytes transferred, raw", "page_bytes", "baseline_bytes"),
                               ("  bytes transferred, gzip", "page_gzip_bytes", "baseline_gzip_bytes")):
        lines.append(f"{label:<{width}}{fmt(r[raw]):>17}{fmt(r[packed]):>19}")
    lines.append(f"{'  TF.js page for comparison (tf.min.js + wasm backend), raw / gzip':<{width}}"
                 f"{fmt(r['tfjs_page_bytes']) + ' / ' + fmt(r['tfjs_page_gzip_bytes']):>36}")
    lines.append("")
    lines.append(f"TF.js wasm: SIMD {r['tfjs_wasm_simd']}, threads {r['tfjs_wasm_threads']} "
                 f"(multithread support {r['tfjs_wasm_multithread_support']}: crossOriginIsolated "
                 f"{r['cross_origin_isolated']}, SharedArrayBuffer {r['shared_array_buffer']}); "
                 f"binary {', '.join(r['tfjs_wasm_binaries'] or []) or '?'}")
    lines.append(f"numpy {r['numpy_native']} native (matmul {r['matmul_kernel_native']}), "
                 f"{r['numpy_browser']} in Pyodide (matmul {r['matmul_kernel_browser']}); "
                 f"{r['machine_cpus']} CPUs; off-site requests blocked: {r['offsite_requests_blocked']}; "
                 f"load average {r['load_average_before']:.1f} before, {r['load_average_after']:.1f} after; "
                 f"run took {r['wall_seconds']:.0f} s")
    if r.get("machine_busy"):
        lines.append(f"note: the machine was busy (load average above its {r['machine_cpus']} CPUs): every figure is "
                     "noisy, and threaded BLAS/OpenMP (the native default-thread rows) can collapse several-fold; "
                     "the 1-thread rows are the steadier like-for-like comparison with single-threaded Pyodide")
    if r.get("dist_older_than_tree"):
        lines.append("note: dist/ holds an older nnpy than the working tree; the speed figures use the tree's "
                     "files, the page figures dist/ (run `python build.py --offline` to refresh it)")
    return "\n".join(lines)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description="nnpy vs TensorFlow.js, native nnpy and PyTorch, in one run.")
    parser.add_argument("--json", action="store_true", help="print one JSON object as the last line")
    parser.add_argument("--seconds", type=float, default=2.0, help="timed seconds per contender and network")
    parser.add_argument("--runs", type=int, default=3, help="cold starts per page (median); 0 skips them")
    parser.add_argument("--offline", action="store_true", help="TF.js from the cache only, never npm")
    parser.add_argument("--worker", choices=sorted(WORKERS), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        print(json.dumps(WORKERS[args.worker][0](args.seconds)))
        return 0
    try:
        r = run(args.seconds, args.runs, args.offline)
    except Unavailable as error:
        print(f"peers: {error}", file=sys.stderr)
        return 2
    print(table(r))
    if args.json:
        print(json.dumps(r))
    return 0


if __name__ == "__main__":
    sys.exit(main())
