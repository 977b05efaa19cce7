"""One training step of a plain numpy network: what both baseline pages run once numpy is loaded
(bench/minimal/ through Pyodide alone, bench/minimal-pyscript/ through PyScript), stamping when it is done."""
import js
import numpy as np
rng = np.random.default_rng(0)
sizes = [64, 32, 16, 10]
Ws = [rng.normal(0, np.sqrt(2 / a), (a, b)) for a, b in zip(sizes, sizes[1:])]
x = rng.random((32, 64)); y = rng.integers(0, 10, 32)
acts = [x]
for i, W in enumerate(Ws):
    z = acts[-1] @ W
    acts.append(np.maximum(z, 0) if i < len(Ws) - 1 else z)
p = np.exp(acts[-1] - acts[-1].max(1, keepdims=True)); p /= p.sum(1, keepdims=True)
delta = p; delta[np.arange(32), y] -= 1; delta /= 32
for i in range(len(Ws) - 1, -1, -1):
    grad = acts[i].T @ delta
    if i: delta = (delta @ Ws[i].T) * (acts[i] > 0)
    Ws[i] -= 0.1 * grad

js.window.firstStepAt = js.performance.now()
js.document.body.dataset.status = "stepped"
