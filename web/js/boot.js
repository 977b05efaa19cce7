// Start-up, as early as the page allows. Python's runtime is the long pole (seconds of download
// and compilation), so this small module starts PyScript while the rest of the page's JavaScript
// (main.js and its many modules) is still loading; main.js picks up the same bridge and loader.
// index.html loads it `async`, after the markup it needs (the loading card, the Python script tag).

import { Loader } from "./loader.js";
import { Bridge } from "./bridge.js";

export const bridge = new Bridge();
export const loader = new Loader(document.getElementById("loader"));

bridge.expose(); // before PyScript starts: app.py looks for globalThis.nnpyBridge
document.addEventListener("py:ready", () => bridge.mark("Python runtime ready"), { once: true }); // PyScript's event
loader.install();

/** Resolves once PyScript's core module has loaded: to null, or to the Error that stopped it. */
export const pyscript = import("../pyscript/core.js").then(() => null, (error) => error);
