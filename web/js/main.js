// The page: loading, controls, and the frame loop.
//
// State flows one way: controls -> config -> Python model -> snapshot -> renderer.
// Each animation frame: ask Python to train for a time budget, then draw what it left in the
// shared typed arrays. The budget adapts so a frame (train + draw) stays within ~14 ms, which
// keeps 60 fps and lets clicks and key presses through between frames.

import { formatBytes } from "./loader.js";
import { bridge, loader, pyscript, onTrouble } from "./boot.js";
import { NetworkView } from "./renderer.js";
import { LossChart, compact } from "./chart.js";
import { pauseWhenHidden } from "./embed.js";
import { installLearning } from "./learning.js";
import { installControls } from "./controls.js";
import { installViews } from "./views.js";
import { installDigitsViews } from "./digits-views.js";
import { installCustomData } from "./customdata.js";
import { installModelFile } from "./modelfile.js";
import { enableOffline } from "./offline.js";
import * as ship from "./ship.js";

const FRAME_MS = 1000 / 60;
const MIN_BUDGET = 5; // ms of training per frame, adaptive between these
const MAX_BUDGET = 9;
const MIN_LINES = 300; // connection lines per layer gap, adaptive between these
const MAX_LINES = 2400;
const PROBE_EVERY_MS = 1600;

const $ = (id) => document.getElementById(id);
const ui = {
  play: $("play"),
  playLabel: $("play").querySelector(".label"),
  step: $("step"),
  reset: $("reset"),
  dataset: $("dataset"),
  lr: $("learning-rate"),
  statStep: $("stat-step"),
  statLoss: $("stat-loss"),
  statAccuracy: $("stat-accuracy"),
  network: $("network"),
  chart: $("chart"),
  message: $("message"),
  busy: $("busy"),
  probe: $("probe"),
  note: $("note"),
  statusText: $("status-text"),
  perf: $("perf"),
  error: $("error"),
  errorTitle: $("error-title"),
  errorDetail: $("error-detail"),
};

const LEARNING_RATES = [...ui.lr.options].map((option) => Number(option.value)); // the menu's, in the markup
const address = new ship.Address(); // settings from the URL (hash and query), via params.js
const view = new NetworkView(ui.network);
const chart = new LossChart(ui.chart);
let learning = null; // learning.js: step-through, colour by gradient, Learn panel (set up below)
let controls = null; // controls.js: the settings panel and the hidden-layer buttons (set up below)
let views = null; // views.js: theme, neuron focus, connection tips and editing, chart options, PNG

const state = {
  status: "loading",
  seed: 0,
  lastEvals: -1,
  lastProbeAt: 0,
  budget: 8,
  onTime: 0,
  drawMs: 2,
  lastFrame: 0,
  frames: 0,
  steps: 0,
  fps: 0,
  stepsPerSecond: 0,
  windowStart: 0,
  dirty: true,
  busy: false,
  hover: null,
  shown: {},
};

// ------------------------------------------------------------------ status and errors

function setStatus(status) {
  const changed = state.status !== status;
  state.status = status;
  if (changed) emit("status", status);
  document.body.dataset.status = status;
  const labels = { loading: "Loading", ready: "Ready", training: "Training", paused: "Paused", diverged: "Diverged", error: "Error" };
  ui.statusText.textContent = labels[status] || status;
  ui.playLabel.textContent = status === "training" ? "Pause" : status === "diverged" ? "Restart" : "Play";
  ui.play.setAttribute("aria-label", ui.playLabel.textContent);
  const usable = status !== "loading" && status !== "error" && !state.busy;
  for (const el of [ui.play, ui.step, ui.reset, ui.dataset, ui.lr]) el.disabled = !usable;
  if (learning) learning.setEnabled(usable && status !== "diverged");
  if (controls) controls.setEnabled(usable);
  if (status === "diverged") ui.step.disabled = true;
}

function showError(title, detail) {
  if (state.status === "error") return;
  ui.errorTitle.textContent = title;
  ui.errorDetail.textContent = detail || "";
  ui.error.hidden = false;
  setStatus("error");
  console.warn(`nnpy: ${title}${detail ? ` — ${detail}` : ""}`);
}

$("reload").addEventListener("click", () => location.reload());

// ------------------------------------------------------------------ start-up

async function start() {
  onTrouble(showError); // what went wrong before this module ran (boot.js queued it), and from now on
  if (state.status === "error") return;
  observeSizes();
  if (await pyscript) return; // failed: shown by boot.js's report
  await bridge.ready;
  bridge.mark("Python attached");
  if (state.status === "error") return;
  loader.stage("python", "Building the network");
  await nextFrame();
  try {
    // The first network comes from the address (validated by params.js; refused combos fall back).
    state.seed = address.model.seed ?? state.seed;
    if (address.model.dataset === "mnist" && !bridge.hasData("mnist")) await fetchData("mnist");
    applyMeta(ship.firstConfigure((changes) => bridge.configure(changes), address));
    ship.showNotices(ui.message, address.notices);
  } catch (error) {
    showError("Could not build the network", error.message);
    return;
  }
  bridge.mark("First network built");
  loader.done();
  setStatus("ready");
  window.nnpy.ready = true;
  requestAnimationFrame(frame);
  if (address.page.autoplay) controller.play();
  enableOffline(ship.offerUpdate);
}

// A frame, or 100 ms when frames do not come (an iframe scrolled out of view gets none): loading
// must not wait for a reader to scroll.
const nextFrame = () => new Promise((resolve) => {
  requestAnimationFrame(() => resolve());
  setTimeout(resolve, 100);
});

function fillSelect(select, options, selected) {
  select.replaceChildren(
    ...options.map(([value, label]) => {
      const option = document.createElement("option");
      option.value = value;
      option.textContent = label;
      option.selected = value === selected;
      return option;
    }),
  );
}

// ------------------------------------------------------------------ model changes

function applyMeta(meta, keepChart = false) {
  if (learning) learning.onMeta(meta);
  view.setMeta(meta);
  if (controls) controls.onMeta(meta);
  if (!keepChart) chart.reset();
  if (views) views.onMeta(meta);
  state.lastEvals = -1;
  state.shown = {};
  const lr = String(meta.learning_rate);
  if (![...ui.lr.options].some((o) => o.value === lr)) {
    const values = [...new Set([...LEARNING_RATES, meta.learning_rate])].sort((a, b) => a - b);
    fillSelect(ui.lr, values.map((v) => [String(v), String(v)]), lr);
  }
  ui.lr.value = lr;
  ui.dataset.value = meta.dataset;
  ui.message.hidden = true;
  readFigures();
  state.dirty = true;
}

function configure(changes) {
  const meta = bridge.configure(changes);
  address.update(changes); // the address bar follows, so copying it reproduces the run
  const rebuilt = meta.rebuilt; // a new network: new titles, a fresh chart (false: edited in place, training goes on)
  if (meta.sizes.join() !== view.meta.sizes.join() || "dataset" in changes || rebuilt) applyMeta(meta, !rebuilt);
  else {
    bridge.meta = meta;
    readFigures();
  }
  state.dirty = true;
  return meta;
}

function play() {
  if (learning) learning.beforePlay(); // leaving a step-through discards its step
  if (state.status === "diverged") reset();
  state.lastProbeAt = performance.now();
  setStatus("training");
}

function pause() {
  setStatus("paused");
}

function reset(sameSeed = false) {
  if (sameSeed !== true) state.seed += 1; // (a click passes an event: a new seed)
  configure(sameSeed === true ? { seed: state.seed, restart: true } : { seed: state.seed });
  if (state.status === "diverged") setStatus("paused");
}

function stepOnce() {
  if (learning) learning.beforePlay();
  if (state.status === "training") pause();
  const status = bridge.train(1000, 1);
  handleTrainStatus(status);
  if (state.status === "ready") setStatus("paused");
  state.dirty = true;
}

async function chooseDataset(name) {
  const wasTraining = state.status === "training";
  try {
    if (!bridge.hasData(name) && (name === "mnist")) {
      await fetchData(name);
    }
    configure({ dataset: name, seed: state.seed });
    setStatus(wasTraining ? "training" : "paused");
  } catch (error) {
    ui.dataset.value = bridge.meta.dataset;
    setBusy("");
    ui.message.textContent = `Could not load ${name}: ${error.message}`;
    ui.message.hidden = false;
    setStatus("paused");
  }
}

// Large data files are fetched only when chosen, with a byte count on screen.
async function fetchData(name) {
  const url = new URL(`./nnpy/data/${name}.bin.gz`, location.href);
  setBusy(`Loading ${name}…`);
  const response = await fetch(url);
  if (!response.ok) throw new Error(`HTTP ${response.status} for ${url.pathname}`);
  const total = Number(response.headers.get("content-length")) || 0;
  const reader = response.body.getReader();
  const chunks = [];
  let loaded = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    loaded += value.byteLength;
    setBusy(`Loading ${name} — ${total ? `${Math.floor((100 * loaded) / total)}% of ${formatBytes(total)}` : formatBytes(loaded)}`);
  }
  const bytes = new Uint8Array(loaded);
  let pos = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, pos);
    pos += chunk.byteLength;
  }
  setBusy(`Preparing ${name}…`);
  await nextFrame();
  bridge.putData(name, bytes);
  setBusy("");
}

function setBusy(text) {
  state.busy = Boolean(text);
  ui.busy.textContent = text;
  ui.busy.hidden = !text;
  setStatus(state.status);
}

ui.play.addEventListener("click", () => (state.status === "training" ? pause() : play()));
ui.step.addEventListener("click", stepOnce);
ui.reset.addEventListener("click", reset);
ui.lr.addEventListener("change", () => {
  configure({ learning_rate: Number(ui.lr.value) });
  if (state.status === "diverged") {
    ui.message.textContent = `${state.divergedText} · press Restart to try ${ui.lr.value}`;
  }
});
ui.dataset.addEventListener("change", () => chooseDataset(ui.dataset.value));
ui.network.addEventListener("click", (event) => {
  if (state.status === "loading" || state.status === "error") return;
  const rect = ui.network.getBoundingClientRect();
  if (view.hitInput(event.clientX - rect.left, event.clientY - rect.top)) {
    bridge.probe();
    state.lastProbeAt = performance.now();
    readFigures();
    state.dirty = true;
  }
});
// Hover: name and numbers of the neuron under the pointer, refreshed as training changes them.
const tip = $("tip");
const hoverAt = (event) => {
  const rect = ui.network.getBoundingClientRect();
  state.hover = { x: event.clientX - rect.left, y: event.clientY - rect.top };
  updateTip();
};
ui.network.addEventListener("pointermove", hoverAt);
// touch has no hover: a tap shows the tip, which stays until the next tap
ui.network.addEventListener("pointerdown", (event) => event.pointerType !== "mouse" && hoverAt(event));
ui.network.addEventListener("pointerleave", (event) => {
  if (event.pointerType !== "mouse") return;
  state.hover = null;
  tip.hidden = true;
});

// The strongest weights into neuron `hit` (W is (inputs, outputs), row-major in the snapshot).
const TIP_WEIGHTS = 3;
function incoming(meta, snap, hit, fmt) {
  const nIn = meta.sizes[hit.layer - 1];
  const nOut = meta.sizes[hit.layer];
  const base = meta.layout.offsets.W[hit.layer - 1] + hit.index;
  const order = Array.from({ length: nIn }, (_, i) => i)
    .sort((p, q) => Math.abs(snap[base + q * nOut]) - Math.abs(snap[base + p * nOut]))
    .slice(0, TIP_WEIGHTS);
  const from = (i) => {
    if (hit.layer > 1) return `#${i + 1}`;
    return meta.image ? `(${Math.floor(i / meta.input_shape[1]) + 1},${(i % meta.input_shape[1]) + 1})` : meta.input_names[i];
  };
  const shown = order.map((i) => `${from(i)} ${fmt(snap[base + i * nOut])}`).join(", ");
  return `${nIn > TIP_WEIGHTS ? "strongest incoming weights" : "incoming weights"}: ${shown}`;
}

function updateTip() {
  const meta = bridge.meta;
  const hit = state.hover && meta && state.status !== "loading" && view.hit(state.hover.x, state.hover.y);
  ui.network.style.cursor = hit && hit.layer === 0 && meta.image ? "pointer" : "default";
  const line = !hit && views && meta ? views.tip(state.hover.x, state.hover.y) : ""; // a connection
  if ((!hit || hit.plane) && !line) {
    tip.hidden = true;
    return;
  }
  const snap = bridge.view.snapshot;
  const off = meta.layout.offsets;
  const L = meta.sizes.length - 1;
  const a = hit ? snap[off.a[hit.layer] + hit.index] : NaN;
  const fmt = (v) => (Math.abs(v) >= 100 ? v.toFixed(0) : v.toFixed(Math.abs(v) >= 10 ? 1 : 2)).replace("-", "−");
  let text = line || (learning ? learning.tip(hit) : "");
  if (text) {
    // the step-through's numbers (stepthrough.js)
  } else if (hit.layer === 0) {
    const name = meta.image
      ? `pixel (${Math.floor(hit.index / meta.input_shape[1]) + 1}, ${(hit.index % meta.input_shape[1]) + 1})`
      : meta.input_names[hit.index];
    text = `Input ${name} = ${fmt(a)}${meta.image ? " · click for another example" : ""}`;
  } else {
    const z = snap[off.z[hit.layer - 1] + hit.index];
    const b = snap[off.b[hit.layer - 1] + hit.index];
    if (hit.layer === L) {
      const name = meta.output_names[hit.index];
      const p = bridge.outputs()[hit.index];
      text = meta.kind === "classification"
        ? `Output ${name}: probability ${(100 * p).toFixed(1)}% · logit ${fmt(z)} · bias ${fmt(b)}`
        : `Output ${name} = ${fmt(z)} · bias ${fmt(b)}`;
    } else {
      const hidden = meta.sizes.length > 3 ? `Hidden ${hit.layer}` : "Hidden";
      text = `${hidden}, neuron ${hit.index + 1}: activation ${fmt(a)} · z ${fmt(z)} · bias ${fmt(b)}`;
    }
    text += ` · ${incoming(meta, snap, hit, fmt)}`;
  }
  if (learning && !learning.steps.active) text += learning.tipLive(hit);
  if (tip.textContent !== text) tip.textContent = text;
  tip.hidden = false;
  const panel = ui.network.getBoundingClientRect();
  const x = Math.min(state.hover.x + 14, panel.width - tip.offsetWidth - 6);
  const y = state.hover.y + 18 + tip.offsetHeight > panel.height ? state.hover.y - tip.offsetHeight - 10 : state.hover.y + 18;
  tip.style.transform = `translate(${Math.max(6, x)}px, ${Math.max(6, y)}px)`;
}

document.addEventListener("keydown", (event) => {
  if (event.target instanceof HTMLSelectElement || event.target instanceof HTMLButtonElement) return;
  if (event.code === "Space" && !ui.play.disabled) {
    event.preventDefault();
    ui.play.click();
  }
});

// ------------------------------------------------------------------ the loop

function handleTrainStatus(status) {
  if (status === "layout") applyMeta(bridge.meta);
  if (status === "diverged") {
    const k = bridge.figure("diverged_step");
    setStatus("diverged");
    state.divergedText = `diverged at step ${k} — try a smaller learning rate`;
    ui.message.textContent = state.divergedText;
    ui.message.hidden = false;
  }
  readFigures();
}

function frame(now) {
  requestAnimationFrame(frame);
  const dt = state.lastFrame ? now - state.lastFrame : FRAME_MS;
  state.lastFrame = now;
  if (state.status === "training") {
    adapt(dt);
    const steps = controls ? controls.stepsPerFrame() : 0; // 0: as many as the time budget allows
    const status = steps ? bridge.train(50, steps, 0) : bridge.train(state.budget);
    handleTrainStatus(status);
    state.steps += bridge.figure("steps_done");
    // when the first step was taken: the cold-start figure (bench/browser.py), timed in the page as the baseline is
    if (!state.firstStepAt && bridge.figure("step") >= 1) {
      state.firstStepAt = performance.now();
      bridge.mark("First step", state.firstStepAt);
    }
    if (now - state.lastProbeAt > PROBE_EVERY_MS) {
      bridge.probe();
      state.lastProbeAt = now;
      readFigures();
    }
    state.dirty = true;
  }
  if (state.dirty) {
    const t0 = performance.now();
    draw();
    state.drawMs = 0.9 * state.drawMs + 0.1 * (performance.now() - t0);
    state.dirty = false;
    if (state.hover) updateTip();
  }
  if (learning) learning.frame();
  // frames per second and steps per second, over one-second windows
  state.frames++;
  if (now - state.windowStart >= 1000) {
    const seconds = (now - state.windowStart) / 1000;
    state.fps = state.frames / seconds;
    state.stepsPerSecond = state.steps / seconds;
    state.frames = 0;
    state.steps = 0;
    state.windowStart = now;
    ui.perf.textContent = state.status === "training"
      ? `${Math.round(state.fps)} fps · ${compact(state.stepsPerSecond)} steps/s`
      : "";
  }
}

// Rendering throttles itself: when frames arrive late (a missed vsync), draw fewer connection
// lines and train a little less per frame; when they are on time again, creep back up. Input
// is never dropped: events run between frames whatever the budgets are.
function adapt(dt) {
  if (dt > FRAME_MS * 1.3) {
    state.onTime = 0;
    if (view.maxLines > MIN_LINES) view.maxLines = Math.max(MIN_LINES, Math.round(view.maxLines * 0.85));
    else state.budget = Math.max(MIN_BUDGET, state.budget * 0.95);
  } else if (++state.onTime > 20) {
    view.maxLines = Math.min(MAX_LINES, view.maxLines + 20);
    state.budget = Math.min(MAX_BUDGET, state.budget + 0.1);
  }
}

function draw() {
  if (learning && learning.steps.active) {
    learning.drawSteps();
    chart.draw();
    return;
  }
  const outputs = bridge.outputs();
  view.draw(bridge.view.snapshot, outputs, {
    pred: bridge.figure("probe_pred"),
    label: bridge.figure("probe_label"),
    field: controls ? controls.field(bridge.view.field) : bridge.view.field,
    probe: [bridge.figure("probe_x1"), bridge.figure("probe_x2")],
    weights: learning && learning.liveWeights(),
    neurons: bridge.view.neurons,
  });
  if (controls) controls.afterDraw();
  chart.draw();
  if (views) views.afterDraw();
  const notes = view.notes;
  if (notes.length) {
    const shown = notes.reduce((a, n) => a + n.shown, 0);
    const total = bridge.meta.sizes.slice(1).reduce((a, n, l) => a + n * bridge.meta.sizes[l], 0);
    setText(ui.note, "note", `Showing the strongest ${shown.toLocaleString("en")} of ${total.toLocaleString("en")} connections.`);
  } else {
    setText(ui.note, "note", "");
  }
}

function setText(el, key, text) {
  if (state.shown[key] !== text) {
    state.shown[key] = text;
    el.textContent = text;
  }
}

function readFigures() {
  const f = (name) => bridge.figure(name);
  // "Your data" with too few points: the session describes a placeholder, not a result worth showing
  const noData = Boolean(bridge.meta.custom && bridge.meta.custom.problem);
  const evals = f("evals");
  if (evals !== state.lastEvals) {
    state.lastEvals = evals;
    if (!noData) chart.add(f("eval_step"), f("train_loss"), f("test_loss"), f("test_accuracy"));
  }
  const testLoss = noData ? NaN : f("test_loss");
  const accuracy = noData ? NaN : f("test_accuracy");
  setText(ui.statStep, "step", f("step").toLocaleString("en"));
  if (controls) controls.figures(f);
  emit("step", { step: f("step"), loss: testLoss, accuracy: accuracy });
  setText(ui.statLoss, "loss", Number.isFinite(testLoss) ? testLoss.toFixed(3) : "–");
  setText(ui.statAccuracy, "acc", Number.isFinite(accuracy) ? `${(100 * accuracy).toFixed(1)}%` : "–");
  const meta = bridge.meta;
  const label = f("probe_label");
  const pred = f("probe_pred");
  let probe;
  if (noData) {
    probe = [meta.custom.problem];
  } else if (meta.kind === "classification") {
    const single = meta.output_names.length === 1; // one sigmoid output: P(class 1)
    const names = single ? ["0", "1"] : meta.output_names;
    const p = single ? (pred === 1 ? bridge.outputs()[0] : 1 - bridge.outputs()[0]) : bridge.outputs()[pred];
    if (f("probe_index") < 0) { // the learner's drawing (digits-views.js): no true class
      probe = Number.isFinite(pred) ? ["Your drawing: predicted ", ["", names[pred]], ` (${Math.round(100 * p)}%)`] : ["Your drawing: the pad is empty"];
    } else probe = [
      `Example ${f("probe_index") + 1} of ${meta.test_size}: true `, ["", names[label]],
      ", predicted ", [label === pred ? "" : "wrong", names[pred]], ` (${Math.round(100 * p)}%)`,
    ];
  } else {
    probe = [`Example ${f("probe_index") + 1} of ${meta.test_size}`];
  }
  const key = JSON.stringify(probe);
  if (state.shown.probe !== key) {
    state.shown.probe = key;
    // text nodes and <b> elements only: nothing is parsed as HTML
    ui.probe.replaceChildren(
      ...probe.map((part) => {
        if (typeof part === "string") return document.createTextNode(part);
        const b = document.createElement("b");
        if (part[0]) b.className = part[0];
        b.textContent = part[1];
        return b;
      }),
    );
  }
}

// ------------------------------------------------------------------ sizes

function observeSizes() {
  const resize = () => {
    const dpr = window.devicePixelRatio || 1;
    const a = ui.network.getBoundingClientRect();
    const b = ui.chart.getBoundingClientRect();
    const changed = view.resize(a.width, a.height, dpr) | chart.resize(b.width, b.height, dpr);
    if (changed && state.status !== "loading") {
      state.dirty = true;
    }
  };
  new ResizeObserver(resize).observe(ui.network);
  new ResizeObserver(resize).observe(ui.chart);
  window.addEventListener("resize", resize);
  resize();
}

// ------------------------------------------------------------------ controller

// What embedding code (js/embed.js: pause when hidden, postMessage API) drives: the same
// functions the buttons call, so every change still goes controls -> config -> Python.
const listeners = { step: new Set(), status: new Set() };
function emit(event, value) {
  for (const fn of listeners[event] || []) fn(value);
}
const controller = {
  play: () => state.status !== "training" && state.status !== "loading" && state.status !== "error" && play(),
  pause: () => state.status === "training" && pause(),
  playing: () => state.status === "training",
  step: () => state.status !== "loading" && state.status !== "error" && stepOnce(),
  reset: () => state.status !== "loading" && state.status !== "error" && reset(),
  setConfig: (changes) => {
    if (state.status === "loading" || state.status === "error") return;
    if ("dataset" in changes) {
      const { dataset, ...rest } = changes;
      return chooseDataset(dataset).then(() => Object.keys(rest).length && configure(rest));
    }
    return configure(changes); // a refused change throws; the caller reports it
  },
  status: () => state.status,
  on: (event, fn) => listeners[event] && listeners[event].add(fn),
};

learning = installLearning({
  bridge,
  view,
  controller,
  redraw: () => (state.dirty = true),
  pause: () => state.status === "training" && pause(),
  committed: () => {
    readFigures();
    state.dirty = true;
  },
});

controls = installControls({
  bridge, view, state, address, configure, reset,
  recover: () => state.status === "diverged" && setStatus("paused"), // a new network after a divergence
  redraw: () => (state.dirty = true),
});

views = installViews({
  bridge,
  view,
  chart,
  controller,
  learning,
  redraw: () => (state.dirty = true),
  committed: () => {
    readFigures();
    state.dirty = true;
  },
  status: () => state.status,
});
const customData = installCustomData({ bridge, view, configure, controller, redraw: () => (state.dirty = true),
  message: ui.message, host: ui.network.parentElement }); // "Your data": points placed on the plane, CSV

// For tests and the curious: read-only handles, no eval.
window.nnpy = {
  ready: false,
  bridge,
  state,
  view,
  controller,
  learning,
  views,
  chart,
  customData,
  selfCheck: (request) => bridge.selfCheck(request),
  configure: (changes) => configure(changes),
  stats: () => ({ fps: state.fps, stepsPerSecond: state.stepsPerSecond, budget: state.budget, drawMs: state.drawMs }),
};

installDigitsViews({ bridge, refresh: () => { readFigures(); state.dirty = true; } });
pauseWhenHidden(controller);
ship.applyEmbedMode(address.page);
ship.installEmbedDialog(address);
ship.enableHostMessages(controller, address);
installModelFile({ bridge, controller, message: ui.message, fetchData, adopt: ({ changes }) => {
  address.update(changes); // an imported model: its settings become the address, as a change would
  state.seed = changes.seed;
  applyMeta(bridge.meta);
  if (state.status !== "training") setStatus("paused");
} });
start();
