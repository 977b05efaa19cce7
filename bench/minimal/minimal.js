// The baseline the page's cold start is measured against: boot Pyodide, load numpy, run one training
// step of a plain numpy network (step.py) — nothing else. Served from the same dist/, so it uses the same files.
import { loadPyodide } from "../pyodide/pyodide.mjs";

const step = fetch("./step.py").then((response) => response.text()); // in parallel with the runtime
const pyodide = await loadPyodide({ indexURL: new URL("../pyodide/", import.meta.url).href });
await pyodide.loadPackage("numpy");
window.pyodide = pyodide; // the benchmark runs timed Python through it
pyodide.runPython(await step); // stamps window.firstStepAt and body[data-status=stepped]
document.getElementById("out").textContent = "one step done";
