// Views for the image datasets (digits 8x8, MNIST 28x28), installed from main.js with one call:
//   - probe buttons: Next / Random / Wrong (the next test example the network gets wrong);
//   - tabs in the side column under which the loss chart stays one click away:
//     Loss | Confusion (test-split confusion matrix; a click shows an example of that cell)
//          | Weights (each first-hidden-layer neuron's incoming weights as a small picture)
//          | Draw (a pad: your digit, prepared like the training digits by nnpy.drawing, is fed
//            to the network live while you draw).
// Python chooses probes and prepares drawings (web/py/nnpy_probes.py); this file only draws what
// the bridge holds: bridge.view.snapshot (W of layer 1), bridge.view.confusion, the figures.

import { fitCanvas, uiFont } from "./canvas.js";
import { NEGATIVE, POSITIVE, divergingInto } from "./colors.js";

const PAD_SIZE = 112; // the ink picture sent to Python: PAD_SIZE x PAD_SIZE alpha values
const STROKE = 0.085; // pen width, as a fraction of the pad's side (thick, like the training digits)
const WEIGHTS_EVERY_MS = 120; // the weight pictures follow training at most this often
const TABS = [
  ["loss", "Loss"],
  ["confusion", "Confusion"],
  ["weights", "Weights"],
  ["draw", "Draw"],
];

const el = (tag, props = {}, ...children) => {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (key === "testid") node.dataset.testid = value;
    else if (key in node) node[key] = value;
    else node.setAttribute(key, value);
  }
  node.append(...children);
  return node;
};
// A one-line caption whose whole text stays available on hover when it is cut short.
const say = (node, text) => {
  if (node.textContent !== text) {
    node.textContent = text;
    node.title = text;
  }
};
const cssVar = (name, fallback) =>
  getComputedStyle(document.documentElement).getPropertyValue(name).trim() || fallback;

export function installDigitsViews({ bridge, refresh }) {
  const side = document.querySelector(".side");
  const chartHead = side.querySelector(".side-head");
  const probeLine = document.getElementById("probe");
  const state = { tab: "loss", mode: "next", meta: null, image: false, lastEvals: -1, lastWeights: 0, weightsStep: -1 };

  // ---------------------------------------------------------------- probe buttons
  const probeButtons = {
    next: el("button", { type: "button", className: "btn digits-probe", testid: "probe-next", title: "Show the next test example" }, "Next"),
    random: el("button", { type: "button", className: "btn digits-probe", testid: "probe-random", title: "Show a random test example" }, "Random"),
    misclassified: el("button", { type: "button", className: "btn digits-probe", testid: "probe-wrong", title: "Show the next test example the network gets wrong" }, "Wrong"),
  };
  const probeBar = el("div", { className: "digits-probes", role: "group", "aria-label": "Which test example to show" },
    el("span", { className: "digits-probes-label" }, "Show"), ...Object.values(probeButtons));
  const note = el("p", { className: "digits-note", testid: "probe-note", role: "status" });
  probeLine.after(probeBar, note);
  for (const [mode, button] of Object.entries(probeButtons)) {
    button.addEventListener("click", () => {
      if (state.tab === "draw") pad.active = false; // a probe button leaves drawing mode
      chooseMode({ mode });
    });
  }

  function chooseMode(request) {
    let info;
    try {
      info = bridge.probeMode(request);
    } catch (error) {
      setNote(`Could not change the example: ${error.message}`);
      return null;
    }
    if (request.mode !== "pair") state.mode = request.mode;
    state.pair = request.mode === "pair" ? request : null;
    markMode(request.mode);
    refresh();
    showModeNote(info.found);
    return info;
  }

  function markMode(mode) {
    for (const [name, button] of Object.entries(probeButtons)) button.setAttribute("aria-pressed", String(name === mode));
  }

  function showModeNote(found) {
    if (state.pair) {
      const { true: t, pred: p } = state.pair;
      setNote(found === 0
        ? `No test example of a ${t} is predicted as ${p} right now.`
        : `Showing a ${t} predicted as ${p}${found > 0 ? ` (${found} in the last test pass)` : ""}.`);
    } else if (state.mode === "misclassified" && found === 0) {
      setNote("No mistakes: the network gets every test example right.");
    } else setNote("");
  }

  function setNote(text) {
    if (note.textContent !== text) note.textContent = text;
  }

  // ---------------------------------------------------------------- tabs and panels
  const tabBar = el("div", { className: "digits-tabs", role: "tablist", "aria-label": "Side panel" });
  const tabs = {};
  for (const [name, label] of TABS) {
    tabs[name] = el("button", { type: "button", className: "digits-tab", role: "tab", id: `digits-tab-${name}`, testid: `tab-${name}` }, label);
    tabs[name].addEventListener("click", () => selectTab(name));
    tabBar.append(tabs[name]);
  }
  tabBar.addEventListener("keydown", (event) => {
    const names = TABS.map(([n]) => n);
    const step = event.key === "ArrowRight" ? 1 : event.key === "ArrowLeft" ? -1 : 0;
    if (!step) return;
    event.preventDefault();
    const next = names[(names.indexOf(state.tab) + step + names.length) % names.length];
    selectTab(next);
    tabs[next].focus();
  });
  chartHead.before(tabBar);

  const confusion = makeConfusion();
  const weights = makeWeights();
  const pad = makePad();
  const panels = { confusion: confusion.panel, weights: weights.panel, draw: pad.panel };
  for (const [name, panel] of Object.entries(panels)) {
    panel.id = `digits-panel-${name}`;
    panel.setAttribute("role", "tabpanel");
    panel.setAttribute("aria-labelledby", `digits-tab-${name}`);
    panel.hidden = true;
  }
  const chartBox = side.querySelector(".chart-box");
  (document.getElementById("grad-box") || chartBox).after(...Object.values(panels));

  function selectTab(name) {
    const leavingDraw = state.tab === "draw" && name !== "draw";
    state.tab = name;
    for (const [n, tab] of Object.entries(tabs)) {
      tab.setAttribute("aria-selected", String(n === name));
      tab.tabIndex = n === name ? 0 : -1;
    }
    for (const [n, panel] of Object.entries(panels)) panel.hidden = n !== name;
    document.body.classList.toggle("digits-tab", name !== "loss");
    side.dataset.digitsTab = name;
    if (leavingDraw && pad.active) {
      pad.active = false;
      chooseMode({ mode: state.mode }); // closing the pad: back to the chosen test examples
    }
    if (name === "draw") pad.open();
    state.lastEvals = -1;
    state.weightsStep = -1;
    window.dispatchEvent(new Event("resize")); // the loss chart measures itself again when shown
  }

  // ---------------------------------------------------------------- per frame
  function onMeta(meta) {
    const image = Boolean(meta && meta.image);
    const changedDataset = !state.meta || !meta || state.meta.dataset !== meta.dataset;
    state.meta = meta;
    state.image = image;
    document.body.classList.toggle("digits-on", image);
    for (const button of Object.values(probeButtons)) button.disabled = !image;
    const classes = image && meta.kind === "classification" && meta.output_names.length > 2;
    tabs.confusion.hidden = !classes;
    if (!image && state.tab !== "loss") selectTab("loss");
    if (changedDataset) {
      state.mode = "next";
      state.pair = null;
      pad.active = false;
      pad.clear(false);
      markMode(image ? "next" : "");
      setNote("");
      if (state.tab === "draw" && image) pad.open();
    }
    state.lastEvals = -1;
    state.weightsStep = -1;
  }

  function frame(now) {
    requestAnimationFrame(frame);
    const meta = bridge.meta;
    if (!meta || !bridge.view.figures) return;
    if (meta !== state.meta) onMeta(meta);
    if (!state.image) return;
    // rotation while training: the misclassified mode may run out of mistakes
    if (state.mode === "misclassified" && !state.pair && !pad.active) {
      const m = bridge.figure("mistakes");
      if (m === 0) setNote("No mistakes: the network gets every test example right.");
      else if (m > 0 && note.textContent.startsWith("No mistakes")) setNote("");
    }
    if (state.tab === "confusion") {
      const evals = bridge.figure("evals");
      if (evals !== state.lastEvals) {
        state.lastEvals = evals;
        confusion.draw();
      }
    } else if (state.tab === "weights") {
      const step = bridge.figure("step");
      if (step !== state.weightsStep && now - state.lastWeights >= WEIGHTS_EVERY_MS) {
        state.weightsStep = step;
        state.lastWeights = now;
        weights.draw();
      }
    }
    pad.frame();
  }
  bridge.ready.then(() => requestAnimationFrame(frame)); // no empty frames while the runtime loads

  // ---------------------------------------------------------------- confusion matrix
  function makeConfusion() {
    const canvas = el("canvas", {
      className: "digits-canvas", testid: "confusion", tabIndex: 0, role: "img",
      "aria-label": "Confusion matrix of the test split: true class in rows, predicted class in columns. Arrow keys pick a cell, Enter shows an example of it.",
    });
    const info = el("p", { className: "digits-info", testid: "confusion-info" });
    const panel = el("div", { className: "digits-panel digits-confusion" },
      el("div", { className: "digits-box" }, canvas), info);
    const view = { canvas, ctx: canvas.getContext("2d"), w: 0, h: 0, dpr: 1, grid: null, cursor: null };

    function counts() {
      const data = bridge.view.confusion;
      const k = Math.round(Math.sqrt((data && data.length) || 0));
      return { data, k };
    }

    function draw() {
      const { data, k } = counts();
      const ctx = view.ctx;
      ctx.setTransform(view.dpr, 0, 0, view.dpr, 0, 0);
      ctx.clearRect(0, 0, view.w, view.h);
      if (!k || !view.w) return;
      const ink = cssVar("--ink", "#1b2430");
      const muted = cssVar("--muted", "#6b7685");
      const line = cssVar("--line", "#e2e7ee");
      const font = uiFont();
      const label = Math.max(12, Math.min(22, view.w * 0.07));
      const cell = Math.max(4, Math.floor(Math.min(view.w - label, view.h - label) / k));
      const x0 = Math.floor((view.w - label - cell * k) / 2 + label);
      const y0 = label;
      view.grid = { x0, y0, cell, k };
      canvas.dataset.grid = `${x0},${y0},${cell},${k}`; // where the cells are, for tests and tools
      let total = 0;
      let trace = 0;
      const rows = new Float64Array(k);
      for (let t = 0; t < k; t++) {
        for (let p = 0; p < k; p++) {
          rows[t] += data[t * k + p];
          total += data[t * k + p];
        }
        trace += data[t * k + t];
      }
      ctx.textAlign = "center";
      ctx.textBaseline = "middle";
      ctx.font = `${Math.min(11, label * 0.6)}px ${font}`;
      ctx.fillStyle = muted;
      for (let i = 0; i < k; i++) {
        ctx.fillText(String(i), x0 + (i + 0.5) * cell, y0 - label * 0.45); // predicted, across
        ctx.fillText(String(i), x0 - label * 0.45, y0 + (i + 0.5) * cell); // true, down
      }
      ctx.font = `${Math.max(8, Math.min(11, cell * 0.42))}px ${font}`;
      for (let t = 0; t < k; t++) {
        for (let p = 0; p < k; p++) {
          const n = data[t * k + p];
          const share = rows[t] ? n / rows[t] : 0; // colour: the share of class t's examples
          const x = x0 + p * cell;
          const y = y0 + t * cell;
          const c = t === p ? POSITIVE : NEGATIVE;
          ctx.fillStyle = `rgba(${c[0]},${c[1]},${c[2]},${n ? (0.08 + 0.92 * Math.sqrt(share)).toFixed(3) : 0})`;
          ctx.fillRect(x, y, cell, cell);
          ctx.strokeStyle = line;
          ctx.lineWidth = 1;
          ctx.strokeRect(x + 0.5, y + 0.5, cell - 1, cell - 1);
          if (n && cell >= 13) {
            ctx.fillStyle = share > 0.45 ? "#ffffff" : ink;
            ctx.fillText(String(n), x + cell / 2, y + cell / 2 + 0.5);
          }
        }
      }
      // the diagonal (right answers) framed
      ctx.strokeStyle = ink;
      ctx.lineWidth = 1.5;
      for (let i = 0; i < k; i++) ctx.strokeRect(x0 + i * cell + 1, y0 + i * cell + 1, cell - 2, cell - 2);
      if (view.cursor) {
        ctx.strokeStyle = cssVar("--blue", "#0877bd");
        ctx.lineWidth = 2.5;
        ctx.strokeRect(x0 + view.cursor[1] * cell, y0 + view.cursor[0] * cell, cell, cell);
      }
      view.total = total;
      view.trace = trace;
      if (!info.dataset.cell) {
        say(info, `${trace.toLocaleString("en")} of ${total.toLocaleString("en")} test examples right (rows: true, columns: predicted). Click a cell for an example.`);
      }
    }

    function cellAt(event) {
      const g = view.grid;
      if (!g) return null;
      const r = canvas.getBoundingClientRect();
      const p = Math.floor((event.clientX - r.left - g.x0) / g.cell);
      const t = Math.floor((event.clientY - r.top - g.y0) / g.cell);
      return t >= 0 && p >= 0 && t < g.k && p < g.k ? [t, p] : null;
    }

    function describe([t, p]) {
      const { data, k } = counts();
      const n = data ? data[t * k + p] : 0;
      info.dataset.cell = `${t},${p}`;
      say(info, t === p
        ? `${n} test examples of a ${t} predicted right.`
        : `${n} test examples of a ${t} predicted as ${p}.`);
    }

    function pick(cell) {
      view.cursor = cell;
      describe(cell);
      chooseMode({ mode: "pair", true: cell[0], pred: cell[1] });
      draw();
    }

    canvas.addEventListener("click", (event) => {
      const cell = cellAt(event);
      if (cell) pick(cell);
    });
    canvas.addEventListener("pointermove", (event) => {
      const cell = cellAt(event);
      canvas.style.cursor = cell ? "pointer" : "default";
      if (cell) describe(cell);
    });
    canvas.addEventListener("pointerleave", () => {
      delete info.dataset.cell;
      draw();
    });
    canvas.addEventListener("keydown", (event) => {
      const { k } = counts();
      if (!k) return;
      const moves = { ArrowUp: [-1, 0], ArrowDown: [1, 0], ArrowLeft: [0, -1], ArrowRight: [0, 1] };
      const cur = view.cursor || [0, 0];
      if (moves[event.key]) {
        event.preventDefault();
        view.cursor = [(cur[0] + moves[event.key][0] + k) % k, (cur[1] + moves[event.key][1] + k) % k];
        describe(view.cursor);
        draw();
      } else if (event.key === "Enter" || event.key === " ") {
        event.preventDefault();
        pick(cur);
      }
    });
    observe(canvas, view, draw);
    return { panel, draw, view };
  }

  // ---------------------------------------------------------------- first-layer weights
  function makeWeights() {
    const canvas = el("canvas", {
      className: "digits-canvas", testid: "weights", role: "img",
      "aria-label": "Incoming weights of each first-hidden-layer neuron, drawn as a picture: blue positive, orange negative",
    });
    const info = el("p", { className: "digits-info", testid: "weights-info" });
    const panel = el("div", { className: "digits-panel digits-weights" },
      el("div", { className: "digits-box" }, canvas), info);
    const view = { canvas, ctx: canvas.getContext("2d"), w: 0, h: 0, dpr: 1, grid: null, tile: null, pixels: null, hover: -1 };

    function draw() {
      const meta = bridge.meta;
      const snap = bridge.view.snapshot;
      const ctx = view.ctx;
      ctx.setTransform(view.dpr, 0, 0, view.dpr, 0, 0);
      ctx.clearRect(0, 0, view.w, view.h);
      if (!meta || !meta.image || !snap || !view.w) return;
      const [rows, cols] = meta.input_shape;
      const nIn = meta.sizes[0];
      const nOut = meta.sizes[1];
      const o = meta.layout.offsets.W[0];
      // grid: as many columns as make the tiles largest
      let best = { size: 0, across: 1 };
      for (let across = 1; across <= nOut; across++) {
        const down = Math.ceil(nOut / across);
        const size = Math.min((view.w - 2) / across, (view.h - 2) / down);
        if (size > best.size) best = { size, across };
      }
      const gap = best.size > 24 ? 4 : 2;
      const size = Math.floor(best.size) - gap;
      if (size < 2) return;
      const across = best.across;
      const x0 = Math.floor((view.w - (across * (size + gap) - gap)) / 2);
      const y0 = 1;
      view.grid = { x0, y0: 1, size, gap, across, n: nOut };
      if (!view.tile || view.tile.width !== cols || view.tile.height !== rows) {
        view.tile = el("canvas", { width: cols, height: rows });
        view.pixels = view.tile.getContext("2d").createImageData(cols, rows);
      }
      const tctx = view.tile.getContext("2d");
      const out = view.pixels.data;
      ctx.imageSmoothingEnabled = false;
      const frame = cssVar("--faint", "#c9d1db");
      for (let j = 0; j < nOut; j++) {
        let m = 1e-12;
        for (let i = 0; i < nIn; i++) m = Math.max(m, Math.abs(snap[o + i * nOut + j]));
        for (let i = 0; i < nIn; i++) divergingInto(out, 4 * i, snap[o + i * nOut + j] / m);
        tctx.putImageData(view.pixels, 0, 0);
        const x = x0 + (j % across) * (size + gap);
        const y = y0 + Math.floor(j / across) * (size + gap);
        ctx.drawImage(view.tile, x, y, size, size);
        ctx.strokeStyle = frame;
        ctx.lineWidth = 1;
        ctx.strokeRect(x - 0.5, y - 0.5, size + 1, size + 1); // white is zero: frame each picture
        if (j === view.hover) {
          ctx.strokeStyle = cssVar("--ink", "#1b2430");
          ctx.lineWidth = 2;
          ctx.strokeRect(x - 1, y - 1, size + 2, size + 2);
        }
      }
      if (view.hover < 0) {
        say(info, `What each of the ${nOut} first-layer neurons looks for: its weights from the ${nIn} pixels (blue +, orange −, each scaled to its own largest). Hover or tap one.`);
      } else describe(view.hover);
    }

    function describe(j) {
      const meta = bridge.meta;
      const snap = bridge.view.snapshot;
      const nOut = meta.sizes[1];
      const o = meta.layout.offsets.W[0];
      let m = 0;
      for (let i = 0; i < meta.sizes[0]; i++) m = Math.max(m, Math.abs(snap[o + i * nOut + j]));
      const hidden = meta.sizes.length > 3 ? "Hidden 1" : "Hidden";
      say(info, `${hidden}, neuron ${j + 1} of ${nOut}: weights from each pixel, colour scaled to ±${m.toPrecision(2)}.`);
    }

    function tileAt(event) {
      const g = view.grid;
      if (!g) return -1;
      const r = canvas.getBoundingClientRect();
      const x = event.clientX - r.left - g.x0;
      const y = event.clientY - r.top - g.y0;
      const c = Math.floor(x / (g.size + g.gap));
      const row = Math.floor(y / (g.size + g.gap));
      const j = row * g.across + c;
      return x >= 0 && c < g.across && j >= 0 && j < g.n ? j : -1;
    }
    const hover = (event) => {
      const j = tileAt(event);
      if (j !== view.hover) {
        view.hover = j;
        draw();
      }
    };
    canvas.addEventListener("pointermove", hover);
    canvas.addEventListener("pointerdown", hover);
    canvas.addEventListener("pointerleave", (event) => {
      if (event.pointerType !== "mouse") return;
      view.hover = -1;
      draw();
    });
    observe(canvas, view, draw);
    return { panel, draw, view };
  }

  // ---------------------------------------------------------------- drawing pad
  function makePad() {
    const canvas = el("canvas", {
      className: "digits-pad", testid: "draw-pad", tabIndex: 0, role: "img",
      "aria-label": "Drawing pad: draw a digit with the mouse, a finger or a pen",
    });
    const clear = el("button", { type: "button", className: "btn digits-clear", testid: "draw-clear", "aria-label": "Clear the drawing pad" }, "Clear");
    const wrap = el("div", { className: "digits-pad-wrap" }, canvas, clear);
    const panel = el("div", { className: "digits-panel digits-draw" }, el("div", { className: "digits-box digits-pad-box" }, wrap));
    const view = { canvas, ctx: canvas.getContext("2d"), w: 0, h: 0, dpr: 1 };
    const ink = el("canvas", { width: PAD_SIZE, height: PAD_SIZE }); // what Python reads
    const inkCtx = ink.getContext("2d", { willReadFrequently: true });
    const strokes = []; // each an array of [x, y] in 0..1 of the pad
    let drawing = null;
    const pad = { panel, active: false, dirty: false, canvas, strokes };

    function paint(ctx, size, color) {
      ctx.lineCap = "round";
      ctx.lineJoin = "round";
      ctx.lineWidth = STROKE * size;
      ctx.strokeStyle = color;
      ctx.fillStyle = color;
      for (const s of strokes) {
        if (s.length === 1) {
          ctx.beginPath();
          ctx.arc(s[0][0] * size, s[0][1] * size, (STROKE * size) / 2, 0, 2 * Math.PI);
          ctx.fill();
          continue;
        }
        ctx.beginPath();
        ctx.moveTo(s[0][0] * size, s[0][1] * size);
        for (let i = 1; i < s.length; i++) ctx.lineTo(s[i][0] * size, s[i][1] * size);
        ctx.stroke();
      }
    }

    function draw() {
      const ctx = view.ctx;
      ctx.setTransform(view.dpr, 0, 0, view.dpr, 0, 0);
      ctx.clearRect(0, 0, view.w, view.h);
      if (!strokes.length) {
        // a faint guide: where a digit goes
        ctx.strokeStyle = cssVar("--line", "#e2e7ee");
        ctx.setLineDash([4, 4]);
        ctx.strokeRect(view.w * 0.2, view.h * 0.12, view.w * 0.6, view.h * 0.76);
        ctx.setLineDash([]);
        ctx.fillStyle = cssVar("--muted", "#6b7685");
        ctx.font = `${Math.max(10, Math.min(13, view.w * 0.06))}px ${uiFont()}`;
        ctx.textAlign = "center";
        ctx.textBaseline = "middle";
        ctx.fillText("draw a digit here", view.w / 2, view.h / 2);
      }
      paint(ctx, view.w, cssVar("--ink", "#1b2430"));
    }

    function send() {
      inkCtx.setTransform(1, 0, 0, 1, 0, 0);
      inkCtx.clearRect(0, 0, PAD_SIZE, PAD_SIZE);
      paint(inkCtx, PAD_SIZE, "#000000");
      const rgba = inkCtx.getImageData(0, 0, PAD_SIZE, PAD_SIZE).data;
      const alpha = new Uint8Array(PAD_SIZE * PAD_SIZE);
      for (let i = 0; i < alpha.length; i++) alpha[i] = rgba[4 * i + 3];
      try {
        const info = bridge.drawProbe(alpha, PAD_SIZE, PAD_SIZE);
        pad.active = true;
        markMode("");
        state.pair = null;
        setNote(info.empty ? "The pad is empty: draw a digit to see what the network thinks." : "");
      } catch (error) {
        setNote(`Could not read the drawing: ${error.message}`);
      }
      refresh();
    }

    const point = (event) => {
      const r = canvas.getBoundingClientRect();
      return [Math.min(1, Math.max(0, (event.clientX - r.left) / r.width)), Math.min(1, Math.max(0, (event.clientY - r.top) / r.height))];
    };
    canvas.addEventListener("pointerdown", (event) => {
      if (event.button !== 0 || !state.image) return;
      event.preventDefault();
      canvas.setPointerCapture(event.pointerId);
      drawing = [point(event)];
      strokes.push(drawing);
      pad.dirty = true;
      draw();
    });
    canvas.addEventListener("pointermove", (event) => {
      if (!drawing) return;
      const events = event.getCoalescedEvents ? event.getCoalescedEvents() : [event];
      for (const e of events.length ? events : [event]) drawing.push(point(e));
      pad.dirty = true; // sent once per animation frame, not per event
      draw();
    });
    const end = () => {
      if (!drawing) return;
      drawing = null;
      pad.dirty = true;
    };
    canvas.addEventListener("pointerup", end);
    canvas.addEventListener("pointercancel", end);
    clear.addEventListener("click", () => pad.clear(true));

    pad.clear = (resend) => {
      strokes.length = 0;
      drawing = null;
      draw();
      if (resend) send();
    };
    pad.open = () => {
      if (state.image) send(); // the pad's content (maybe empty) becomes the probe
    };
    pad.frame = () => {
      if (pad.dirty && state.image) {
        pad.dirty = false;
        send();
      }
    };
    const box = panel.querySelector(".digits-pad-box");
    new ResizeObserver(() => {
      const r = box.getBoundingClientRect();
      const side = Math.max(40, Math.floor(Math.min(r.width, r.height - 30))); // Clear goes below
      wrap.style.width = `${side}px`;
      canvas.style.height = `${side}px`;
      if (fitCanvas(view, side, side, window.devicePixelRatio || 1)) draw();
    }).observe(box);
    return pad;
  }

  function observe(canvas, view, draw) {
    new ResizeObserver(() => {
      const r = canvas.parentElement.getBoundingClientRect();
      if (fitCanvas(view, r.width, r.height, window.devicePixelRatio || 1)) draw();
    }).observe(canvas.parentElement);
  }

  selectTab("loss");
  markMode("next");
  return { selectTab, chooseMode, pad, confusion, weights, get tab() { return state.tab; } };
}
