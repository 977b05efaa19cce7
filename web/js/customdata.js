// "Your data": the learner's own 2-D points, placed by clicking/tapping the data plane or loaded
// from a CSV. The page owns the points (localStorage, so they survive a reload); Python owns what
// they mean: every change goes through main.js's configure({points}) (web/py/nnpy_custom.py), which
// re-splits the data WITHOUT rebuilding the network, so training goes on and the boundary moves.
// The CSV is read and written by nnpy.customdata (one parser, the one the tests check).
//
// main.js calls installCustomData({...}) once; the rest is driven by the controller's "step" and
// "status" events (a new meta arrives with every configure) and a cheap per-frame position check.

import { lastLine } from "./embed.js";
import { el, icon } from "./dom.js";

const CUSTOM = ["custom", "custom_regression"];
const STORAGE_KEY = "nnpy.customdata.v1";
const MAX_POINTS = 2000; // nnpy.customdata.MAX_POINTS (Python refuses more anyway)
const MAX_BYTES = 256 * 1024; // nnpy.customdata.MAX_BYTES: larger files are refused before reading
const MAX_UNDO = 50;
const ERASE_PX = 14; // a click this close to a point (CSS px) erases it

const ICONS = {
  erase: "M9.6 2.2l4.2 4.2-6.9 6.9H3.6L2 11.7a1.4 1.4 0 0 1 0-2zM3.7 9.1l-.9.9 1.4 1.5h2.4l.6-.6zM8 14h6v-1.4H8z",
  undo: "M6 3.5V1L1.5 5 6 9V6.5h3a3.2 3.2 0 0 1 0 6.4H5V15h4a5.2 5.2 0 0 0 0-10.4H6z",
  clear: "M5.5 1.5h5l.5 1.5h3v1.5H2V3h3zM3.2 5.5h9.6l-.8 9H4z",
  import: "M7.2 1.5h1.6v7l2.6-2.6 1.1 1.1L8 11.5 3.5 7l1.1-1.1 2.6 2.6zM2 13h12v1.5H2z",
  export: "M7.2 11V4l-2.6 2.6-1.1-1.1L8 1l4.5 4.5-1.1 1.1L8.8 4v7zM2 13h12v1.5H2z",
  edit: "M11.3 1.3l3.4 3.4-9 9H2.3v-3.4zM10 4.8L3.8 11v1.2H5l6.2-6.2z",
};


// ------------------------------------------------------------------ storage (may be blocked)

function readStore() {
  try {
    const raw = window.localStorage.getItem(STORAGE_KEY);
    if (!raw) return { ok: true, data: {} };
    const parsed = JSON.parse(raw);
    const data = {};
    for (const name of CUSTOM) data[name] = cleanPoints(parsed && parsed[name], name);
    return { ok: true, data };
  } catch {
    return { ok: false, data: {} }; // blocked (sandboxed iframe, privacy mode) or unreadable
  }
}

function writeStore(data) {
  try {
    window.localStorage.setItem(STORAGE_KEY, JSON.stringify({ custom: data.custom || [], custom_regression: data.custom_regression || [] }));
    return true;
  } catch {
    return false;
  }
}

// Stored points are checked again here (and once more by Python): a hand-edited or stale store
// must not stop the page. Bad rows are dropped.
function cleanPoints(list, name) {
  if (!Array.isArray(list)) return [];
  const out = [];
  for (const row of list.slice(0, MAX_POINTS)) {
    if (!Array.isArray(row) || row.length !== 3 || !row.every((v) => typeof v === "number" && Number.isFinite(v))) continue;
    const [a, b, t] = row;
    if (Math.abs(a) > 6 || Math.abs(b) > 6) continue;
    if (name === "custom" ? t !== 0 && t !== 1 : Math.abs(t) > 100) continue;
    out.push([a, b, t]);
  }
  return out;
}

const round3 = (v) => Math.round(v * 1000) / 1000;

// ------------------------------------------------------------------ the tool bar

export function installCustomData({ bridge, view, configure, controller, redraw, message, host }) {
  const canvas = view.canvas;
  const stored = readStore();
  const points = { custom: stored.data.custom || [], custom_regression: stored.data.custom_regression || [] };
  const undo = { custom: [], custom_regression: [] };
  const sent = { custom: null, custom_regression: null }; // the list object Python last received
  let storageOk = stored.ok;
  let mode = "add1"; // add0 | add1 | erase (classification); add | erase (regression)
  let shownMeta = null;
  let lastRect = "";

  // ---- elements
  const modeButton = (id, label, title, child) => {
    const b = el("button", { type: "button", class: "btn custom-btn", "data-testid": `custom-${id}`, "aria-label": label,
      title, "aria-pressed": "false" }, [child]);
    b.dataset.mode = id;
    b.addEventListener("click", () => setMode(id));
    return b;
  };
  const dot = (cls) => el("span", { class: `custom-dot ${cls}`, "aria-hidden": "true" });
  const add0 = modeButton("add0", "Add orange points (class 0)", "Click the plane to add orange points (class 0)", dot("orange"));
  const add1 = modeButton("add1", "Add blue points (class 1)", "Click the plane to add blue points (class 1)", dot("blue"));
  const addValue = modeButton("add", "Add points with the chosen value", "Click the plane to add a point with the value on the slider", dot("value"));
  const erase = modeButton("erase", "Erase points", "Click a point to erase it", icon(ICONS.erase));
  const slider = el("input", { type: "range", min: "-1", max: "1", step: "0.05", value: "0.5", "data-testid": "custom-value",
    "aria-label": "Value of new points", class: "custom-slider" });
  const sliderText = el("output", { class: "custom-value-text", "aria-hidden": "true" });
  const sliderBox = el("span", { class: "custom-slider-box" }, [slider, sliderText]);
  const actionButton = (id, label, title, child, onClick) => {
    const b = el("button", { type: "button", class: "btn custom-btn", "data-testid": `custom-${id}`, "aria-label": label, title }, [child]);
    b.addEventListener("click", onClick);
    return b;
  };
  const undoButton = actionButton("undo", "Undo", "Undo the last change to your points", icon(ICONS.undo), () => undoLast());
  const clearButton = actionButton("clear", "Clear all points", "Remove every point (Undo brings them back)", icon(ICONS.clear), () => clearAll());
  const fileInput = el("input", { type: "file", accept: ".csv,.txt,text/csv,text/plain", "data-testid": "custom-file",
    class: "custom-file", tabindex: "-1", "aria-hidden": "true" });
  const importButton = el("button", { type: "button", class: "btn custom-btn custom-text", "data-testid": "custom-import",
    title: "Load points from a CSV file: lines of x1,x2,label (label 0 or 1; a value for regression), x1 and x2 in -6..6" },
  [icon(ICONS.import), el("span", { text: "Import CSV" })]);
  importButton.setAttribute("aria-label", "Import points from a CSV file");
  const exportButton = el("button", { type: "button", class: "btn custom-btn custom-text", "data-testid": "custom-export",
    title: "Download your points as a CSV file" }, [icon(ICONS.export), el("span", { text: "Export CSV" })]);
  exportButton.setAttribute("aria-label", "Export your points as a CSV file");
  const hint = el("p", { class: "custom-hint", "data-testid": "custom-hint", "aria-live": "polite" });
  const editTools = el("div", { class: "custom-rows" }, [
    el("div", { class: "custom-row" }, [add0, add1, addValue, sliderBox, erase, undoButton, clearButton]),
    el("div", { class: "custom-row" }, [importButton, exportButton]),
  ]);
  const fromButton = el("button", { type: "button", class: "btn custom-btn custom-text custom-from", "data-testid": "custom-from-current",
    title: "Copy these points into “Your data”, to edit them" }, [icon(ICONS.edit), el("span", { text: "Edit these points" })]);
  const bar = el("div", { class: "custom-tools", role: "toolbar", "aria-label": "Your data", "data-testid": "custom-tools", hidden: "" },
    [editTools, fromButton, hint, fileInput]);
  host.append(bar);

  // ---- state -> UI
  const current = () => (bridge.meta && CUSTOM.includes(bridge.meta.dataset) ? bridge.meta.dataset : null);

  function setMode(id) {
    mode = id;
    for (const b of [add0, add1, addValue, erase]) b.setAttribute("aria-pressed", String(b.dataset.mode === mode));
  }

  function updateSliderText() {
    const v = Number(slider.value);
    sliderText.textContent = (v > 0 ? "+" : "") + v.toFixed(2).replace("-", "−");
    sliderBox.style.setProperty("--value-pos", `${((v - Number(slider.min)) / (Number(slider.max) - Number(slider.min))) * 100}%`);
  }
  slider.addEventListener("input", () => {
    updateSliderText();
    setMode("add"); // choosing a value means adding points with it
  });

  function refresh() {
    const meta = bridge.meta;
    const name = current();
    const plane = Boolean(meta && meta.plane);
    bar.hidden = !plane || !usable();
    if (bar.hidden) return;
    const custom = Boolean(name);
    bar.classList.toggle("is-custom", custom);
    editTools.hidden = !custom;
    fromButton.hidden = custom;
    hint.hidden = !custom;
    if (!custom) return;
    const regression = name === "custom_regression";
    add0.hidden = add1.hidden = regression;
    addValue.hidden = sliderBox.hidden = !regression;
    if (regression && (mode === "add0" || mode === "add1")) setMode("add");
    if (!regression && mode === "add") setMode("add1");
    if (regression && meta.custom) {
      const [lo, hi] = meta.custom.target_range;
      slider.min = String(lo);
      slider.max = String(hi);
      slider.step = hi - lo > 4 ? "0.1" : "0.05";
      updateSliderText();
    }
    undoButton.disabled = !undo[name].length;
    clearButton.disabled = exportButton.disabled = !points[name].length;
    const info = meta.custom || { count: 0, counts: [0, 0], problem: "" };
    const count = `${info.count} point${info.count === 1 ? "" : "s"}`;
    const detail = regression ? "" : ` (${info.counts[0]} orange, ${info.counts[1]} blue)`;
    const compact = bar.classList.contains("compact");
    let text = info.problem ? `${compact ? "" : `${count}${detail}. `}${info.problem}`
      : `${count}${detail}.${compact ? "" : " Click the plane to add more."}`;
    if (info.count >= MAX_POINTS) text = `${count}: the most there can be.`;
    if (!storageOk) text += " Your browser blocks storage here: these points last for this visit only.";
    hint.textContent = text;
    bar.classList.toggle("has-problem", Boolean(info.problem));
  }

  const usable = () => !["loading", "error"].includes(controller.status());

  function place() {
    const g = view.geometry;
    const plane = g && g.cols[0].plane;
    if (!plane || bar.hidden) return;
    // the geometry is in canvas pixels; the bar sits in the panel, where the canvas may be offset (the
    // hidden-layer strip of controls.js sits above it)
    const dx = canvas.offsetLeft;
    const dy = canvas.offsetTop;
    const key = `${plane.x},${plane.y},${plane.w},${plane.h},${view.w},${view.h},${dx},${dy},${bar.className},${hint.textContent}`;
    if (key === lastRect) return;
    if (bar.classList.contains("compact") !== g.small) {
      bar.classList.toggle("compact", g.small); // one row of icons, a one-line hint
      refresh();
    }
    // Left of the first hidden layer if it fits (below the plane's "x1" label, else above the plane);
    // otherwise wider, below. Never over the plane.
    bar.style.left = `${plane.x + dx}px`;
    const hidden = g.cols[1];
    const most = Math.min(view.w - 2 * plane.x, g.small ? 250 : 236);
    const below = plane.y + plane.h + (g.small ? 16 : 20);
    let top = below;
    for (const limit of [hidden.x - hidden.r - 8 - plane.x, most]) {
      bar.style.width = `${Math.max(plane.w, Math.min(limit, most))}px`;
      const height = bar.offsetHeight;
      const above = plane.y - height - 6;
      if (below + height <= view.h - 4) break;
      if (above >= g.top - 4) {
        top = above;
        break;
      }
    }
    bar.style.top = `${top + dy}px`;
    lastRect = `${plane.x},${plane.y},${plane.w},${plane.h},${view.w},${view.h},${dx},${dy},${bar.className},${hint.textContent}`;
  }

  function watch() {
    requestAnimationFrame(watch);
    if (bridge.meta !== shownMeta) onMeta();
    place();
  }

  // A new meta (every configure): sync the page's points to Python once per dataset and edit.
  function onMeta() {
    shownMeta = bridge.meta;
    const name = current();
    if (name && sent[name] !== points[name]) {
      queueMicrotask(() => send(name, points[name], null));
      return;
    }
    if (name && view.meta !== bridge.meta && view.meta && view.meta.dataset === name) {
      follow(); // same network, new points: keep the view in step
      redraw();
    }
    lastRect = "";
    refresh();
  }

  // The view draws the new meta. Same network and data kind: swap it in without dropping the
  // geometry (setMeta would, and clicks until the next frame would find no plane).
  function follow() {
    const a = view.meta;
    const b = bridge.meta;
    if (a && a.dataset === b.dataset && a.sizes.join() === b.sizes.join() && a.field_size === b.field_size) view.meta = b;
    else view.setMeta(b);
  }

  // Hand the points to Python; on refusal keep (or go back to) `fallback` and say why.
  function send(name, list, fallback) {
    if (current() !== name) return false;
    try {
      configure({ points: list });
    } catch (error) {
      if (fallback) points[name] = fallback;
      else points[name] = [];
      showMessage(`Your data was not accepted: ${lastLine(error)}`);
      sent[name] = null;
      return false;
    } finally {
      if (view.meta !== bridge.meta) follow();
      shownMeta = bridge.meta;
      lastRect = "";
      refresh();
      redraw();
    }
    sent[name] = list;
    holdIfNoData();
    return true;
  }

  function change(name, list) {
    const before = points[name];
    points[name] = list;
    if (!send(name, list, before)) return false;
    undo[name].push(before);
    if (undo[name].length > MAX_UNDO) undo[name].shift();
    persist();
    refresh();
    return true;
  }

  function persist() {
    const ok = writeStore(points);
    if (ok !== storageOk) {
      storageOk = ok;
      refresh();
    }
  }

  function undoLast() {
    const name = current();
    if (!name || !undo[name].length) return;
    const list = undo[name].pop();
    const before = points[name];
    points[name] = list;
    if (!send(name, list, before)) return;
    persist();
    refresh();
  }

  function clearAll() {
    const name = current();
    if (!name || !points[name].length) return;
    change(name, []);
    showMessage("Cleared your points — Undo brings them back.", true);
  }

  // Text only, never markup. Notes (not errors) go away after a while if nothing replaced them.
  function showMessage(text, note = false) {
    message.textContent = text;
    message.hidden = false;
    if (note) {
      setTimeout(() => {
        if (message.textContent === text) message.hidden = true;
      }, 6000);
    }
  }

  // Training needs enough points: Play is refused (paused again) with the reason.
  function holdIfNoData() {
    const meta = bridge.meta;
    if (current() && meta.custom && meta.custom.problem && controller.playing()) {
      queueMicrotask(() => controller.pause());
      showMessage(meta.custom.problem);
    }
  }
  controller.on("status", (status) => status === "training" && holdIfNoData());

  // ---- the plane: click / tap / pen
  const toData = (event) => {
    if (!view.geometry && view.meta && view.w) view._layout(); // a new meta, not yet drawn
    const g = view.geometry;
    const plane = g && g.cols[0].plane;
    if (!plane || !bridge.meta) return null;
    const rect = canvas.getBoundingClientRect();
    const x = event.clientX - rect.left;
    const y = event.clientY - rect.top;
    if (x < plane.x || x > plane.x + plane.w || y < plane.y || y > plane.y + plane.h) return null;
    const r = bridge.meta.extent;
    return { x, y, plane, x1: ((x - plane.x) / plane.w) * 2 * r - r, x2: r - ((y - plane.y) / plane.h) * 2 * r };
  };

  canvas.addEventListener("pointerdown", (event) => {
    const name = current();
    if (!name || !usable() || event.button > 0) return;
    const at = toData(event);
    if (!at) return;
    event.preventDefault();
    const list = points[name];
    if (mode === "erase") {
      const r = bridge.meta.extent;
      const scale = at.plane.w / (2 * r);
      let best = -1;
      let bestD = ERASE_PX;
      list.forEach(([a, b], i) => {
        const d = Math.hypot((a - at.x1) * scale, (b - at.x2) * scale);
        if (d <= bestD) {
          bestD = d;
          best = i;
        }
      });
      if (best >= 0) change(name, list.filter((_, i) => i !== best));
      return;
    }
    if (list.length >= MAX_POINTS) {
      showMessage(`Your data holds at most ${MAX_POINTS} points: erase some first.`);
      return;
    }
    const target = name === "custom" ? (mode === "add0" ? 0 : 1) : round3(Number(slider.value));
    const r = bridge.meta.extent;
    const clamp = (v) => Math.max(-r, Math.min(r, round3(v)));
    change(name, [...list, [clamp(at.x1), clamp(at.x2), target]]);
  });
  canvas.addEventListener("pointermove", (event) => {
    canvas.classList.toggle("custom-editing", Boolean(current() && usable() && toData(event)));
  });
  canvas.addEventListener("pointerleave", () => canvas.classList.remove("custom-editing"));

  // ---- CSV in and out (parsed and written by nnpy.customdata)
  importButton.addEventListener("click", () => fileInput.click());
  fileInput.addEventListener("change", async () => {
    const file = fileInput.files && fileInput.files[0];
    fileInput.value = "";
    const name = current();
    if (!file || !name) return;
    const shown = file.name.length > 40 ? `${file.name.slice(0, 37)}…` : file.name;
    if (file.size > MAX_BYTES) {
      showMessage(`Could not import ${shown}: it is ${file.size.toLocaleString("en")} bytes, more than ${MAX_BYTES.toLocaleString("en")}.`);
      return;
    }
    let list;
    try {
      const text = await file.text();
      list = bridge.customData({ action: "read_csv", dataset: name, text }).points;
    } catch (error) {
      showMessage(`Could not import ${shown}: ${lastLine(error)}`);
      return;
    }
    if (change(name, list.map(([a, b, t]) => [a, b, t]))) {
      showMessage(`Imported ${list.length} point${list.length === 1 ? "" : "s"} from ${shown} — Undo brings the old ones back.`, true);
    }
  });

  exportButton.addEventListener("click", () => {
    const name = current();
    if (!name) return;
    let text;
    try {
      text = bridge.customData({ action: "write_csv", dataset: name, points: points[name] }).text;
    } catch (error) {
      showMessage(`Could not export: ${lastLine(error)}`);
      return;
    }
    const url = URL.createObjectURL(new Blob([text], { type: "text/csv" }));
    const link = el("a", { href: url, download: name === "custom" ? "nnpy-your-data.csv" : "nnpy-your-data-regression.csv" });
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
  });

  // ---- "Edit these points": the shown 2-D dataset becomes your data
  fromButton.addEventListener("click", () => {
    const meta = bridge.meta;
    if (!meta || !meta.plane || current()) return;
    let list;
    try {
      list = bridge.customData({ action: "copy", dataset: meta.dataset }).points;
    } catch (error) {
      showMessage(`Could not copy these points: ${lastLine(error)}`);
      return;
    }
    const name = meta.kind === "regression" ? "custom_regression" : "custom";
    const before = points[name];
    points[name] = list;
    try {
      configure({ dataset: name, points: list, seed: meta.seed ?? 0 });
    } catch (error) {
      points[name] = before;
      showMessage(`Could not copy these points: ${lastLine(error)}`);
      return;
    }
    sent[name] = list;
    if (before.length) undo[name].push(before);
    persist();
    onMeta();
    showMessage(`Copied ${list.length} points: click to add more, Erase to remove.`, true);
  });

  setMode("add1");
  updateSliderText();
  // Frames only once Python is attached: a loop of empty frames while the runtime loads takes the
  // processor it needs (measured: ~0.5 s of main and compositor thread time on a 2-core machine).
  bridge.ready.then(() => requestAnimationFrame(watch));

  return {
    // read-only views for tests and the curious
    points: (name) => (points[name] || []).map((p) => p.slice()),
    storageOk: () => storageOk,
  };
}
