// Export and import the trained model as nnpy's .npz file (web/py/nnpy_modelfile.py does the work).
//
// Export downloads nnpy-<dataset>-step<k>.npz, which `python -m nnpy evaluate --model FILE` scores.
// Import reads a file the visitor picks; Python checks everything (nnpy.serialization treats every
// file as hostile) and either adopts the model — network, dataset, settings, step — or answers with
// a reason, shown as text in the #message banner, the current model untouched.
// main.js calls installModelFile({...}) once; the buttons go at the foot of the settings panel.

import { lastLine } from "./embed.js";
import { el, icon } from "./dom.js";

const MAX_FILE_BYTES = 16 * 1024 * 1024; // the biggest page model is ~0.6 MB; Python checks again



// A file name as the message shows it: printable, and short.
const shortName = (name) => {
  const plain = String(name).replace(/[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g, "?");
  return plain.length > 60 ? `${plain.slice(0, 40)}…${plain.slice(-16)}` : plain;
};

const formatSize = (bytes) => (bytes >= 1024 * 1024 ? `${(bytes / 1024 / 1024).toFixed(1)} MB` : `${Math.ceil(bytes / 1024)} KB`);

/**
 * @param {object} hooks
 * @param {import("./bridge.js").Bridge} hooks.bridge
 * @param {object} hooks.controller   main.js's controller (status, on("status"))
 * @param {HTMLElement} hooks.message the #message banner
 * @param {(result: object) => void} hooks.adopt       main.js: a model was imported (meta in bridge.meta)
 * @param {(name: string) => Promise<void>} hooks.fetchData  main.js: fetch a dataset's data file
 */
export function installModelFile({ bridge, controller, message, adopt, fetchData }) {
  const toolbar = document.querySelector(".controls");
  if (!toolbar || document.documentElement.classList.contains("embed")) return null;

  const exportButton = el("button", { type: "button", class: "btn", id: "export-model", "data-testid": "export-model",
    title: "Download the trained model (.npz; python -m nnpy evaluate --model FILE scores it)" }, [
    icon("M8 2v8M4.5 6.5 8 10l3.5-3.5M2.5 13.5h11", { stroked: true }),
    el("span", { class: "label", text: "Export" }),
  ]);
  const importButton = el("button", { type: "button", class: "btn", id: "import-model", "data-testid": "import-model",
    title: "Load a model file (.npz) exported from this page or saved by python -m nnpy train --save" }, [
    icon("M8 10V2M4.5 5.5 8 2l3.5 3.5M2.5 13.5h11", { stroked: true }),
    el("span", { class: "label", text: "Import" }),
  ]);
  const input = el("input", { type: "file", accept: ".npz,application/zip", hidden: "",
    "data-testid": "import-file", "aria-label": "Model file to import" });
  // one group: at the foot of the settings panel (controls.js) when there is one, else in the toolbar
  const group = el("span", { class: "model-file", role: "group", "aria-label": "Model file" },
    [exportButton, importButton, input]);
  group.style.display = "inline-flex"; // CSSOM from JS: allowed under the page's CSP
  group.style.gap = "8px";
  const settings = document.getElementById("settings");
  if (settings) {
    settings.append(el("section", { class: "set-section" }, [el("h3", { text: "Model file" }), group]));
  } else toolbar.append(group);

  const say = (text) => {
    message.textContent = text; // text only: file names and reasons are never parsed as markup
    message.title = text;
    message.hidden = false;
  };

  const setEnabled = (status) => {
    const usable = status !== "loading" && status !== "error";
    exportButton.disabled = !usable;
    importButton.disabled = !usable;
  };
  setEnabled(controller.status());
  controller.on("status", setEnabled);

  exportButton.addEventListener("click", () => {
    let file;
    try {
      file = bridge.exportModel();
    } catch (error) {
      say(`Could not export the model: ${lastLine(error)}`);
      return;
    }
    const url = URL.createObjectURL(new Blob([file.bytes], { type: "application/zip" }));
    const link = el("a", { href: url, download: file.name });
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
  });

  importButton.addEventListener("click", () => input.click());

  let busy = false;
  input.addEventListener("change", async () => {
    const file = input.files && input.files[0];
    input.value = ""; // picking the same file again fires "change" again
    if (!file || busy) return;
    busy = true;
    try {
      say(await importFile(file));
    } finally {
      busy = false;
    }
  });

  async function importFile(file) {
    const name = shortName(file.name);
    const refused = (why) => `Could not import ${name}: ${why}. The current model is unchanged.`;
    if (file.size === 0) return refused("the file is empty");
    if (file.size > MAX_FILE_BYTES) {
      return refused(`the file is ${formatSize(file.size)}; the page takes model files up to ${formatSize(MAX_FILE_BYTES)}`);
    }
    let result;
    try {
      const bytes = new Uint8Array(await file.arrayBuffer());
      result = bridge.importModel(bytes);
      if (result.need) {
        await fetchData(result.need);
        result = bridge.importModel(bytes);
      }
    } catch (error) {
      return refused(lastLine(error));
    }
    if (result.error) return refused(result.error.slice(0, 300));
    if (!result.meta) return refused("no answer from Python");
    adopt(result);
    const notes = result.notices.length ? ` (${result.notices.slice(0, 3).join("; ")})` : "";
    return `Loaded ${name}: ${result.dataset}, layers ${result.meta.sizes.join("-")}, step ${result.step.toLocaleString("en")}${notes}.`;
  }

  return { exportButton, importButton, input };
}
