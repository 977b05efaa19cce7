"""Training speed, steps per second: nnpy vs PyTorch (CPU, same dtype) vs a
minimal hand-written numpy loop of the same maths, in one run.

    python -m nnpy.bench            # table
    python -m nnpy.bench --json     # table, then ONE line of JSON (the last line)

Same network (ReLU hidden layers, softmax cross-entropy), same random batch,
same optimizer (Adam by default), float64 everywhere.  Each contender runs in
its own process (torch's OpenMP threads and numpy's OpenBLAS threads slow
each other badly when they share one); they take turns for 5 rounds and
each keeps its best.  "torch" uses torch's default thread count, "torch 1thr"
one thread; ``--threads N`` gives every library N threads.  Figures only:
nothing here asserts a speed.  PyTorch is optional (null when missing).
"""

import argparse
import json
import math
import os
import platform
import subprocess
import sys
import time

import numpy as np

from . import linalg
from .network import Network, train_step
from .optimizers import make

CASES = {"small": ([64, 32, 16, 10], 32), "big": ([784, 128, 64, 10], 64)}


def _data(sizes, batch, seed=0):
    rng = np.random.default_rng(seed)
    return rng.standard_normal((batch, sizes[0])), rng.integers(0, sizes[-1], batch)


def nnpy_stepper(sizes, batch, optimizer, lr):
    net = Network(sizes, "relu", "cross_entropy", "he", np.random.default_rng(0))
    opt = make(optimizer, learning_rate=lr)
    x, y = _data(sizes, batch)

    def step():
        return train_step(net, opt, x, y)

    step.net = net
    return step


def numpy_loop_stepper(sizes, batch, optimizer, lr):
    """The same maths written out by hand: no classes, no checks."""
    rng = np.random.default_rng(0)
    P = []
    for n_in, n_out in zip(sizes[:-1], sizes[1:]):
        P += [rng.standard_normal((n_in, n_out)) * np.sqrt(2.0 / n_in), np.zeros(n_out)]
    M = [np.zeros_like(p) for p in P]
    V = [np.zeros_like(p) for p in P]
    x, y = _data(sizes, batch)
    rows, t = np.arange(batch), [0]

    def step():
        acts = [x]
        for i in range(0, len(P), 2):
            z = acts[-1] @ P[i] + P[i + 1]
            acts.append(np.maximum(z, 0.0) if i + 2 < len(P) else z)
        e = np.exp(acts[-1] - acts[-1].max(axis=1, keepdims=True))
        d = e / e.sum(axis=1, keepdims=True)
        d[rows, y] -= 1.0
        d /= batch
        G = [None] * len(P)
        for i in range(len(P) - 2, -1, -2):
            G[i], G[i + 1] = acts[i // 2].T @ d, d.sum(axis=0)
            if i:
                d = (d @ P[i].T) * (acts[i // 2] > 0)
        t[0] += 1
        for p, g, m, v in zip(P, G, M, V):
            if optimizer == "sgd":
                p -= lr * g
                continue
            m += 0.1 * (g - m)
            v *= 0.999
            v += 0.001 * (g * g)
            p -= (lr / (1 - 0.9 ** t[0])) * m / (np.sqrt(v) / math.sqrt(1 - 0.999 ** t[0]) + 1e-8)

    step.params = P
    return step


def torch_stepper(sizes, batch, optimizer, lr):
    import torch

    torch.manual_seed(0)
    mods = []
    for i, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:])):
        mods.append(torch.nn.Linear(n_in, n_out, dtype=torch.float64))
        if i < len(sizes) - 2:
            mods.append(torch.nn.ReLU())
    model = torch.nn.Sequential(*mods)
    opt = (torch.optim.Adam(model.parameters(), lr=lr) if optimizer == "adam"
           else torch.optim.SGD(model.parameters(), lr=lr))
    xn, yn = _data(sizes, batch)
    x, y = torch.from_numpy(xn), torch.from_numpy(yn)
    lossf = torch.nn.CrossEntropyLoss()

    def step():
        opt.zero_grad()
        loss = lossf(model(x), y)
        loss.backward()
        opt.step()
        return loss.item()   # nnpy returns a float loss too

    return step


def steps_in(step, seconds):
    """Steps per second of step() over about ``seconds``."""
    count, start = 0, time.perf_counter()
    deadline = start + seconds
    while time.perf_counter() < deadline:
        for _ in range(10):
            step()
        count += 10
    return count / (time.perf_counter() - start)


STEPPERS = {"nnpy": nnpy_stepper, "numpy_loop": numpy_loop_stepper, "torch": torch_stepper,
            "torch_1thread": torch_stepper}


def make_step(contender, case, optimizer, lr):
    """The step function of one contender on one case, set up in THIS process."""
    sizes, batch = CASES[case]
    if contender.startswith("torch"):
        import torch

        threads = os.environ.get("OMP_NUM_THREADS")
        if contender == "torch_1thread" or threads:
            torch.set_num_threads(1 if contender == "torch_1thread" else int(threads))
    step = STEPPERS[contender](sizes, batch, optimizer, lr)
    for _ in range(20):   # warm-up
        step()
    return step


def measure(contender, case, optimizer, lr, seconds):
    """steps/s of one contender, in this process (used by the tests)."""
    return steps_in(make_step(contender, case, optimizer, lr), seconds)


def worker(contender, case, optimizer, lr):
    """Child process: set up, say "ready", then answer each line "SECONDS" on
    stdin with the steps/s of one timed round, until stdin closes."""
    step = make_step(contender, case, optimizer, lr)
    print("ready", flush=True)
    for line in sys.stdin:
        print(steps_in(step, float(line)), flush=True)


THREAD_VARIABLES = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")


def measure_apart(contenders, case, optimizer, lr, seconds, kernel, threads=None, rounds=5):
    """{contender: best steps/s}.  Each contender runs in its own process (so
    torch's OpenMP threads and numpy's OpenBLAS threads never wait on each
    other); they take turns, round after round, so a busy machine slows them
    alike; each keeps its best round.  ``threads``: if given, every library
    gets that many threads."""
    env = dict(os.environ)
    if threads:
        env.update(dict.fromkeys(THREAD_VARIABLES, str(threads)))
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    procs = {}
    try:
        for name in contenders:
            procs[name] = subprocess.Popen(
                [sys.executable, "-m", "nnpy.bench", "--worker", name, case, "--optimizer", optimizer,
                 "--lr", repr(lr), "--kernel", kernel],
                stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, cwd=root, env=env)
            if procs[name].stdout.readline().strip() != "ready":
                raise RuntimeError(f"benchmark worker {name} failed to start")
        best = dict.fromkeys(contenders, 0.0)
        for _ in range(rounds):
            for name, proc in procs.items():
                proc.stdin.write(f"{seconds / rounds}\n")
                proc.stdin.flush()
                best[name] = max(best[name], float(proc.stdout.readline()))
        return best
    finally:
        for proc in procs.values():
            proc.stdin.close()
            proc.wait()


def _torch_threads():
    try:
        import torch
    except ImportError:
        return None
    return torch.get_num_threads()


def run(seconds=2.0, optimizer="adam", lr=1e-3, kernel="auto", threads=None):
    default_threads = _torch_threads()
    results = {}
    for case in CASES:
        contenders = [c for c in STEPPERS if default_threads is not None or not c.startswith("torch")]
        results.update({f"{c}_{case}": None for c in STEPPERS})
        best = measure_apart(contenders, case, optimizer, lr, seconds, kernel, threads)
        results.update({f"{c}_{case}": v for c, v in best.items()})

    def ratio(a, b):
        return None if results[a] is None or results[b] is None else results[a] / results[b]

    for case in CASES:
        results[f"nnpy_vs_torch_{case}"] = ratio(f"nnpy_{case}", f"torch_{case}")
        results[f"nnpy_vs_torch_1thread_{case}"] = ratio(f"nnpy_{case}", f"torch_1thread_{case}")
        results[f"nnpy_vs_numpy_loop_{case}"] = ratio(f"nnpy_{case}", f"numpy_loop_{case}")
    results.update({
        "optimizer": optimizer,
        "dtype": "float64",
        "torch_threads": threads or default_threads,
        "threads_forced": threads,
        "matmul_kernel": linalg.use(kernel),
        "numpy": np.__version__,
        "python": platform.python_version(),
        "seconds_per_measure": seconds,
    })
    return results


def table(r):
    def fmt(v, spec):
        return "n/a" if v is None else format(v, spec)

    threads = r.get("threads_forced")
    lines = [f"steps/s, float64, optimizer={r['optimizer']}, matmul={r['matmul_kernel']}, "
             + (f"all libraries {threads} thread(s)" if threads else
                f"library default threads (torch: {r['torch_threads']})"),
             f"{'network, batch':<24}{'nnpy':>9}{'numpy loop':>12}{'torch':>9}{'torch 1thr':>12}"
             f"{'nnpy/torch':>12}{'nnpy/loop':>11}"]
    for case, (sizes, batch) in CASES.items():
        lines.append(
            f"{'-'.join(map(str, sizes)) + ', ' + str(batch):<24}"
            f"{fmt(r[f'nnpy_{case}'], '9.0f')}{fmt(r[f'numpy_loop_{case}'], '12.0f')}"
            f"{fmt(r[f'torch_{case}'], '9.0f')}{fmt(r[f'torch_1thread_{case}'], '12.0f')}"
            f"{fmt(r[f'nnpy_vs_torch_{case}'], '12.2f')}{fmt(r[f'nnpy_vs_numpy_loop_{case}'], '11.2f')}")
    return "\n".join(lines)


def main(argv=None):
    ap = argparse.ArgumentParser(prog="python -m nnpy.bench", description=__doc__.splitlines()[0])
    ap.add_argument("--json", action="store_true", help="print one JSON line last")
    ap.add_argument("--seconds", type=float, default=2.0, help="time per measurement")
    ap.add_argument("--optimizer", choices=["adam", "sgd"], default="adam")
    ap.add_argument("--lr", type=float, default=1e-3, help="learning rate")
    ap.add_argument("--kernel", choices=["auto", *linalg.KERNELS], default="auto",
                    help="nnpy matmul kernel")
    ap.add_argument("--threads", type=int, default=None,
                    help="threads for every library (default: each library's own default)")
    ap.add_argument("--worker", nargs=2, metavar=("CONTENDER", "CASE"), help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    linalg.use(args.kernel)
    if args.worker:
        return worker(*args.worker, args.optimizer, args.lr)
    r = run(args.seconds, args.optimizer, args.lr, args.kernel, args.threads)
    print(table(r))
    if args.json:
        print(json.dumps(r))


if __name__ == "__main__":
    main()
