// The baseline the page's cold start is measured against: boot Pyodide, load numpy, run one training
// step of a plain numpy network — nothing else. Served from the same dist/, so it uses the same files.
import { loadPyodide } from "../pyodide/pyodide.mjs";

const pyodide = await loadPyodide({ indexURL: new URL("../pyodide/", import.meta.url).href });
await pyodide.loadPackage("numpy");
pyodide.runPython(`
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
`);
window.firstStepAt = performance.now();
window.pyodide = pyodide;  // the benchmark runs timed Python through it
document.getElementById("out").textContent = "one step done";
document.body.dataset.status = "stepped";
