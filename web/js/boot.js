// Start-up, as early as the page allows. Python's runtime is the long pole (seconds of download and
// compilation, on the main thread), so this small module starts PyScript at once and leaves the page's
// interface (main.js and its many modules) until the runtime is up: loaded earlier, its work slows the
// runtime's own start by ~0.3-0.5 s (bench/browser.py, interleaved cold starts). The markup is laid
// out like the ready page meanwhile, so nothing moves when the interface arrives.
// index.html loads this `async`, after the markup it needs (the loading card, the Python script tag).

import { Loader } from "./loader.js";
import { Bridge } from "./bridge.js";
import { parseParams } from "./params.js";

const STALL_MS = 90000;

export const bridge = new Bridge();
export const loader = new Loader(document.getElementById("loader"));

// Embedded: laid out as an embed from the first frame (main.js then keeps the toolbar's listed controls).
if (parseParams(location.search, location.hash).config.embed) document.documentElement.classList.add("embed");

let ui = null;
/** Loads the page's interface (once). */
export const loadInterface = () => (ui ||= import("./main.js"));

// ------------------------------------------------------------------ trouble before the interface

// What went wrong while loading reaches the interface's error card: queued until main.js takes it,
// and it loads main.js at once, without waiting for a runtime that may never come.
const early = [];
let report = (title, detail) => {
  early.push([title, detail]);
  loadInterface();
};
/** main.js: who shows failures from now on (the queued ones first). */
export function onTrouble(show) {
  report = show;
  for (const failure of early.splice(0)) show(...failure);
}
const trouble = (title, detail) => report(title, detail);
const loading = () => document.body.dataset.status === "loading";

loader.onError = trouble;
// PyScript shows Python errors as a .py-error banner: surfaced in the page's card instead.
new MutationObserver((records) => {
  for (const record of records) {
    for (const node of record.addedNodes) {
      if (node.nodeType === 1 && node.classList.contains("py-error") && !loader.failed) {
        const text = node.textContent.trim();
        trouble(loading() ? "Python failed to start" : "Python raised an error", text.split("\n").filter(Boolean).pop() || text);
      }
    }
  }
}).observe(document.body, { childList: true });
window.addEventListener("error", (event) => {
  if (loading() && !loader.failed) trouble("The page failed while loading", event.message);
});
window.addEventListener("unhandledrejection", (event) => {
  const reason = event.reason;
  if (loading() && !loader.failed) trouble("The page failed while loading", String((reason && reason.message) || reason));
});

// Nothing arriving for a long time is a failure too.
let lastProgress = performance.now();
let lastSeen = "";
const watchdog = setInterval(() => {
  if (!loading()) return clearInterval(watchdog);
  const seen = `${loader.percent} ${loader.files.size} ${bridge.marks.length}`;
  if (seen !== lastSeen) {
    lastSeen = seen;
    lastProgress = performance.now();
  } else if (performance.now() - lastProgress > STALL_MS) {
    clearInterval(watchdog);
    trouble("Loading stalled", `Nothing arrived for ${STALL_MS / 1000} s while: ${loader.headline.textContent}`);
  }
}, 1000);

// ------------------------------------------------------------------ Python

bridge.expose(); // before PyScript starts: app.py looks for globalThis.nnpyBridge
bridge.onStage = (stage, text) => loader.stage(stage, text);
document.addEventListener("py:ready", () => { // PyScript's event: the runtime is up, app.py runs next
  bridge.mark("Python runtime ready");
  loadInterface();
}, { once: true });
loader.install();

/** Resolves once PyScript's core module has loaded: to null, or to the Error that stopped it. */
export const pyscript = import("../pyscript/core.js").then(() => null, (error) => {
  trouble("Could not load PyScript", `pyscript/core.js: ${error.message || error}`);
  return error;
});
