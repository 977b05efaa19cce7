// The settings panel — TensorFlow Playground's controls on our page — and the hidden-layer
// buttons over the network canvas.
//
// Every control calls main.js's configure(changes): controls -> config -> Python session. The
// panel never keeps its own idea of the model: after every change (and every new network, a
// dataset switch or the first build from the address) it shows what the session reports in
// meta.config. A change the session refuses is shown in the #message banner and the control goes
// back to the session's value. Page-only settings (speed, test points, discretized output) live
// in the address too (ship.js Address.page).
//
// main.js calls: onMeta(meta) / figures(f) / setEnabled(usable) / stepsPerFrame() / field(f) /
// afterDraw().

import { ACTIVATIONS, LOSSES, OPTIMIZERS, REGULARIZATIONS, INITS, FEATURES, SPEEDS } from "./params.js";
import { CONTROL_IDS } from "./ship.js";
import { lastLine } from "./embed.js";
import { diverging, INK } from "./colors.js";
import { el } from "./dom.js";
import { drawCurvePoints } from "./curve.js";

const LABELS = {
  relu: "ReLU", leaky_relu: "Leaky ReLU", tanh: "Tanh", sigmoid: "Sigmoid", linear: "Linear",
  cross_entropy: "Cross-entropy", binary_cross_entropy: "Binary cross-entropy", mse: "Mean squared error",
  sgd: "SGD", momentum: "Momentum", adam: "Adam",
  none: "None", l1: "L1", l2: "L2",
  he: "He", glorot: "Glorot",
};
// URL spelling (params.js FEATURES) -> what the learner reads, and the session's own name
const FEATURE_TEXT = { x1: "x₁", x2: "x₂", x1sq: "x₁²", x2sq: "x₂²", x1x2: "x₁x₂", sinx1: "sin x₁",
  sinx2: "sin x₂", cosx1: "cos x₁", cosx2: "cos x₂" };
const FEATURE_NAME = { x1: "x1", x2: "x2", x1sq: "x1^2", x2sq: "x2^2", x1x2: "x1*x2", sinx1: "sin(x1)",
  sinx2: "sin(x2)", cosx1: "cos(x1)", cosx2: "cos(x2)" };
const REG_RATES = [0, 0.00001, 0.0001, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1];
const MAX_LAYERS = 6;
const MAX_NEURONS = { plane: 32, image: 64 };
const NARROW = "(max-width: 699px)";

const options = (values, label = (v) => LABELS[v] || String(v)) =>
  values.map((v) => el("option", { value: String(v), text: label(v) }));

export function installControls({ bridge, view, state, address, configure, reset, recover, redraw }) {
  const message = document.getElementById("message");
  const page = address.page;
  let meta = null;
  let usable = false;
  let busy = false; // a change in progress: its own sync must not be undone by a re-entrant event
  let applies = {}; // which settings apply to the current dataset

  // ------------------------------------------------------------------ the panel

  const TESTIDS = { loss: "loss-function" }; // "loss" is the test loss figure's
  const ids = (name) => ({ id: CONTROL_IDS[name] || name, "data-testid": TESTIDS[name] || CONTROL_IDS[name] || name });
  const c = {
    noise: el("input", { type: "range", min: "0", max: "0.5", step: "0.05", ...ids("noise") }),
    trainShare: el("input", { type: "range", min: "10", max: "90", step: "10", ...ids("test") }),
    batch: el("input", { type: "number", min: "1", max: "512", step: "1", inputmode: "numeric", ...ids("batch") }),
    showTest: el("input", { type: "checkbox", ...ids("showtest") }),
    discretize: el("input", { type: "checkbox", ...ids("discretize") }),
    activation: el("select", ids("activation"), options(ACTIVATIONS)),
    loss: el("select", ids("loss"), options(LOSSES)),
    init: el("select", ids("init"), options(INITS)),
    optimizer: el("select", ids("optimizer"), options(OPTIMIZERS)),
    regularization: el("select", ids("regularization"), options(REGULARIZATIONS)),
    regRate: el("select", ids("regrate"), options(REG_RATES, String)),
    speed: el("select", ids("speed"), options(SPEEDS, (v) => (v === "max" ? "Max" : `${v} step${v === "1" ? "" : "s"}/frame`))),
    seed: el("input", { type: "number", min: "0", max: String(2 ** 31 - 1), step: "1", inputmode: "numeric", ...ids("seed") }),
  };
  const out = { noise: el("output", { for: c.noise.id, "data-testid": "noise-value" }),
    trainShare: el("output", { for: c.trainShare.id, "data-testid": "test-ratio-value" }) };
  const featureButtons = FEATURES.map((name) => el("button", {
    type: "button", class: "feature", "data-feature": name, "data-testid": `feature-${name}`,
    "aria-pressed": "false", "aria-label": `Input feature ${FEATURE_TEXT[name]}`, text: FEATURE_TEXT[name],
  }));
  const features = el("div", { class: "features", role: "group", "aria-labelledby": "features-label", ...ids("features") }, featureButtons);
  const restart = el("button", { type: "button", class: "btn small", "data-testid": "restart-same", text: "Restart",
    title: "Start again from the same random weights (same seed)" });
  const newSeed = el("button", { type: "button", class: "btn small", "data-testid": "restart-new", text: "New seed",
    title: "Start again from new random weights" });
  const dataNote = el("p", { class: "set-note", "data-testid": "data-note", hidden: "" });

  const row = (text, control, extra = []) => el("div", { class: "set-row" }, [
    el("label", { for: control.id, text }), control, ...extra,
  ]);
  const check = (text, control) => el("div", { class: "set-row set-check" }, [control, el("label", { for: control.id, text })]);
  const rows = {
    noise: row("Noise", c.noise, [out.noise]),
    test: row("Training data", c.trainShare, [out.trainShare]),
    batch: row("Batch size", c.batch),
    showtest: check("Show test data", c.showTest),
    discretize: check("Discretize output", c.discretize),
    features: el("div", { class: "set-row set-features" }, [el("span", { id: "features-label", class: "set-label", text: "Inputs" }), features]),
    activation: row("Activation", c.activation),
    loss: row("Loss", c.loss),
    init: row("Initialization", c.init),
    optimizer: row("Optimizer", c.optimizer),
    regularization: row("Regularization", c.regularization),
    regrate: row("Reg. rate", c.regRate),
    speed: row("Speed", c.speed),
    seed: row("Seed", c.seed, [el("div", { class: "set-buttons" }, [restart, newSeed])]),
  };
  const section = (title, names, extra = []) => el("section", { class: "set-section" }, [
    el("h3", { text: title }), ...extra, ...names.map((n) => rows[n]),
  ]);
  // The panel, its close button and the epoch counter are in the page's markup (laid out before any
  // script runs, busy and empty); the sections go in here.
  const panel = document.getElementById("settings");
  const close = panel.querySelector(".settings-close");
  panel.append(
    section("Data", ["noise", "test", "batch", "showtest", "discretize", "features"], [dataNote]),
    section("Network", ["activation", "loss", "init"]),
    section("Training", ["optimizer", "regularization", "regrate", "speed", "seed"]),
  );
  const controls = [...Object.values(c), ...featureButtons, restart, newSeed];
  // Until the session's values arrive (the first sync) the controls hold only the markup's defaults:
  // the panel stays "pending" (empty and busy), its controls disabled, not showing settings the network
  // does not have.
  for (const control of controls) control.disabled = true; // setEnabled() decides once Python is there
  const epoch = document.getElementById("stat-epoch");

  // the hidden-layer buttons over the network canvas
  const networkPanel = document.querySelector(".network-panel");
  const layerAdd = el("button", { type: "button", class: "strip-btn", "data-testid": "hidden-add", "aria-label": "Add a hidden layer", text: "+" });
  const layerRemove = el("button", { type: "button", class: "strip-btn", "data-testid": "hidden-remove", "aria-label": "Remove the last hidden layer", text: "−" });
  const layerCount = el("span", { class: "strip-label", "data-testid": "hidden-count", "aria-live": "polite" });
  const strip = el("div", { id: CONTROL_IDS.hidden, class: "hidden-strip", role: "group", "aria-label": "Hidden layers" }, [
    el("div", { class: "strip-layers" }, [layerAdd, layerRemove, layerCount]),
  ]);
  let neuronGroups = [];
  let stripKey = "";

  // ------------------------------------------------------------------ placing it on the page

  const embed = Boolean(page.embed);
  const stage = document.querySelector(".stage");
  const toolbar = document.querySelector(".controls");
  const opener = document.getElementById("settings-open");
  if (embed) {
    panel.remove();
    opener.remove();
    stage.classList.remove("with-settings");
    // only the listed settings, moved into the toolbar (ship.js then keeps them, hides the rest)
    for (const name of page.controls || []) {
      if (rows[name] && toolbar) {
        rows[name].classList.add("set-inline");
        toolbar.append(rows[name]);
      }
    }
    if ((page.controls || []).includes("hidden")) showStrip();
  } else {
    showStrip();
    opener.addEventListener("click", () => openDrawer(!panel.classList.contains("open")));
    close.addEventListener("click", () => openDrawer(false));
    panel.addEventListener("keydown", (event) => {
      if (event.key === "Escape" && panel.classList.contains("open")) {
        event.preventDefault();
        openDrawer(false);
      }
    });
    window.matchMedia(NARROW).addEventListener("change", (e) => !e.matches && openDrawer(false, false));
  }

  function showStrip() {
    networkPanel.append(strip);
    networkPanel.classList.add("has-strip");
  }

  function openDrawer(open, returnFocus = true) {
    panel.classList.toggle("open", open);
    opener.setAttribute("aria-expanded", String(open));
    if (open) close.focus();
    else if (returnFocus && window.matchMedia(NARROW).matches) opener.focus();
  }

  // ------------------------------------------------------------------ changes

  const say = (text) => {
    message.textContent = text;
    message.title = "";
    message.hidden = false;
  };

  /** Send changes to the session; on refusal show why and put every control back. */
  function apply(changes) {
    if (!meta || busy) return false;
    busy = true;
    try {
      const result = configure(changes);
      if (result.rebuilt && recover) recover();
      sync(result);
      return true;
    } catch (error) {
      sync(bridge.meta);
      say(`Not applied: ${lastLine(error).replace(/^\w*Error: /, "")}`);
      return false;
    } finally {
      busy = false;
    }
  }

  const setPage = (name, value) => {
    page[name] = value;
    address.write();
  };

  c.noise.addEventListener("input", () => (out.noise.textContent = Number(c.noise.value).toFixed(2)));
  c.noise.addEventListener("change", () => apply({ noise: Number(c.noise.value) }));
  c.trainShare.addEventListener("input", () => (out.trainShare.textContent = `${c.trainShare.value}%`));
  c.trainShare.addEventListener("change", () => apply({ test_ratio: Math.round(100 - Number(c.trainShare.value)) / 100 }));
  c.batch.addEventListener("change", () => {
    const n = Number(c.batch.value);
    if (!Number.isInteger(n) || n < 1 || n > 512) {
      say("Not applied: the batch size is a whole number from 1 to 512");
      return sync(bridge.meta);
    }
    apply({ batch_size: n });
  });
  for (const name of ["activation", "loss", "init", "optimizer"]) {
    c[name].addEventListener("change", () => apply({ [name]: c[name].value }));
  }
  c.regularization.addEventListener("change", () => {
    // L1 or L2 at rate 0 would change nothing: start from a small rate the learner can tune
    const rate = Number(c.regRate.value) || (c.regularization.value === "none" ? 0 : 0.001);
    apply({ regularization: c.regularization.value, reg_rate: rate });
  });
  c.regRate.addEventListener("change", () => apply({ reg_rate: Number(c.regRate.value) }));
  c.seed.addEventListener("change", () => {
    const n = Number(c.seed.value);
    if (c.seed.value.trim() === "" || !Number.isInteger(n)) {
      say("Not applied: the seed is a whole number");
      return sync(bridge.meta);
    }
    if (apply({ seed: n })) state.seed = n;
  });
  restart.addEventListener("click", () => {
    reset(true);
    sync(bridge.meta);
  });
  newSeed.addEventListener("click", () => {
    reset();
    sync(bridge.meta);
  });
  c.speed.addEventListener("change", () => setPage("speed", c.speed.value));
  c.showTest.addEventListener("change", () => {
    setPage("show_test", c.showTest.checked);
    redraw();
  });
  c.discretize.addEventListener("change", () => {
    setPage("discretize", c.discretize.checked);
    redraw();
  });
  for (const button of featureButtons) {
    button.addEventListener("click", () => {
      const on = featureButtons.filter((b) => b.getAttribute("aria-pressed") === "true").map((b) => b.dataset.feature);
      const name = button.dataset.feature;
      const next = on.includes(name) ? on.filter((f) => f !== name) : FEATURES.filter((f) => f === name || on.includes(f));
      if (!next.length) {
        say("Keep at least one input feature: the network needs something to look at");
        return;
      }
      apply({ features: next });
    });
  }

  const hidden = () => meta.sizes.slice(1, -1);
  const maxNeurons = () => (meta.image ? MAX_NEURONS.image : MAX_NEURONS.plane);
  layerAdd.addEventListener("click", () => {
    const h = hidden();
    if (h.length < MAX_LAYERS) apply({ hidden: [...h, h.length ? h[h.length - 1] : 4] });
  });
  layerRemove.addEventListener("click", () => {
    const h = hidden();
    if (h.length) apply({ hidden: h.slice(0, -1) });
  });
  function neurons(layer, delta) {
    const h = hidden();
    const n = h[layer] + delta;
    if (n >= 1 && n <= maxNeurons()) {
      h[layer] = n;
      apply({ hidden: h });
    }
  }

  // ------------------------------------------------------------------ showing the session's values

  function sync(m) {
    if (!m) return;
    panel.classList.remove("pending");
    panel.removeAttribute("aria-busy");
    // the plane shows the training points; test points are drawn on top when asked for
    if ((m.plane || m.curve) && m.train_points && !m.test_points) {
      m.test_points = m.points;
      m.points = m.train_points;
    }
    meta = m;
    const cfg = m.config || {};
    const image = m.image || (m.input_shape.length === 2);
    const twoD = m.plane;
    const oneD = !image && !twoD;
    const noise = Number(cfg.noise || 0);
    c.noise.value = String(noise);
    out.noise.textContent = noise.toFixed(2);
    const share = Math.round(100 * (1 - Number(cfg.test_ratio ?? 0.5)));
    c.trainShare.value = String(share);
    out.trainShare.textContent = `${share}%`;
    c.batch.value = String(cfg.batch_size ?? m.batch_size);
    for (const name of ["activation", "loss", "init", "optimizer", "regularization"]) {
      if (cfg[name] !== undefined) c[name].value = cfg[name];
    }
    const rate = Number(cfg.reg_rate ?? 0);
    if (![...c.regRate.options].some((o) => Number(o.value) === rate)) {
      c.regRate.append(el("option", { value: String(rate), text: String(rate) }));
    }
    c.regRate.value = [...c.regRate.options].find((o) => Number(o.value) === rate).value;
    c.seed.value = String(cfg.seed ?? state.seed);
    c.speed.value = page.speed || "max";
    c.showTest.checked = Boolean(page.show_test);
    c.discretize.checked = Boolean(page.discretize);
    // inputs: the session's names (meta.input_names) shown as toggles
    const chosen = new Set(image ? [] : m.input_names);
    for (const b of featureButtons) {
      const on = chosen.has(FEATURE_NAME[b.dataset.feature]);
      b.setAttribute("aria-pressed", String(on));
      b.classList.toggle("on", on);
    }
    // what does not apply to this dataset is disabled, and the note says why
    const classes = m.kind === "classification" ? (m.loss === "binary_cross_entropy" ? 2 : m.output_names.length) : 0;
    const lossOk = { cross_entropy: classes >= 2, binary_cross_entropy: classes === 2, mse: m.kind === "regression" };
    for (const o of c.loss.options) {
      o.disabled = !lossOk[o.value];
      o.title = lossOk[o.value] ? "" : m.kind === "regression" ? "needs classes; this data has numbers to predict" : classes > 2 ? "needs two classes" : "needs numbers to predict";
    }
    applies = {
      noise: !image, test: true, batch: true, showtest: twoD || Boolean(m.curve), discretize: twoD, features: !image,
      regrate: cfg.regularization && cfg.regularization !== "none",
    };
    for (const b of featureButtons) b.dataset.na = String(oneD && b.dataset.feature.includes("x2"));
    dataNote.textContent = image
      ? "Images: every pixel is an input. Noise, input features and the data plane belong to the 2-D sets."
      : oneD ? "1-D data: only x₁ features; the plot shows the data and the network's curve." : "";
    dataNote.hidden = !dataNote.textContent;
    applyEnabled();
  }

  function applyEnabled() {
    const set = (control, ok, why = "") => {
      control.disabled = !usable || !ok;
      const rowEl = control.closest(".set-row");
      if (rowEl) {
        rowEl.classList.toggle("na", !ok);
        if (why) rowEl.title = ok ? "" : why;
      }
    };
    set(c.noise, applies.noise !== false, "Noise applies to the 2-D and 1-D sets");
    set(c.showTest, applies.showtest !== false, "Test points are drawn on the 2-D plane");
    set(c.discretize, applies.discretize !== false, "The 2-D plane's output");
    set(c.regRate, Boolean(applies.regrate), "Choose L1 or L2 first");
    for (const b of featureButtons) set(b, applies.features !== false && b.dataset.na !== "true", "Input features belong to the 2-D sets");
    for (const control of [c.trainShare, c.batch, c.activation, c.loss, c.init, c.optimizer, c.regularization, c.speed, c.seed, restart, newSeed]) {
      control.disabled = !usable;
    }
    stripKey = ""; // the strip's buttons too
    placeStrip();
  }

  // ------------------------------------------------------------------ the strip over the canvas

  function placeStrip() {
    if (!strip.isConnected || !meta) return;
    const g = view.geometry;
    if (!g) return;
    const h = hidden();
    const xs = g.cols.slice(1, -1).map((col) => Math.round(col.x));
    const key = `${h.join()}|${xs.join()}|${usable}|${view.canvas.offsetLeft}`;
    if (key === stripKey) return;
    stripKey = key;
    // columns too close for side-by-side buttons: stack them, and show the layer count as a number
    // (some slack before leaving that mode: the taller strip moves the columns a little)
    const gaps = xs.slice(1).map((x, i) => x - xs[i]);
    const room = Math.min(...gaps, xs.length ? xs[0] - 160 : Infinity);
    const tight = strip.classList.contains("tight") ? room < 58 : room < 50;
    strip.classList.toggle("tight", tight);
    networkPanel.classList.toggle("strip-tight", tight);
    // columns closer than a button: spread the groups evenly around the columns' middle
    const at = xs.slice();
    if (Math.min(...gaps) < 24) {
      const middle = xs.reduce((a, b) => a + b, 0) / xs.length;
      at.forEach((_, i) => (at[i] = middle + (i - (xs.length - 1) / 2) * 24));
    }
    layerCount.textContent = `${h.length} hidden layer${h.length === 1 ? "" : "s"}`;
    layerCount.dataset.count = String(h.length);
    layerAdd.disabled = !usable || h.length >= MAX_LAYERS;
    layerRemove.disabled = !usable || !h.length;
    for (const group of neuronGroups) group.remove();
    neuronGroups = h.map((n, l) => {
      const add = el("button", { type: "button", class: "strip-btn", "data-testid": `neurons-add-${l + 1}`,
        "aria-label": `Add a neuron to hidden layer ${l + 1} (${n} now)`, text: "+" });
      const remove = el("button", { type: "button", class: "strip-btn", "data-testid": `neurons-remove-${l + 1}`,
        "aria-label": `Remove a neuron from hidden layer ${l + 1} (${n} now)`, text: "−" });
      add.disabled = !usable || n >= maxNeurons();
      remove.disabled = !usable || n <= 1;
      add.addEventListener("click", () => neurons(l, +1));
      remove.addEventListener("click", () => neurons(l, -1));
      const group = el("div", { class: "strip-neurons", role: "group", "aria-label": `Hidden layer ${l + 1}` }, [add, remove]);
      group.style.left = `${view.canvas.offsetLeft + at[l]}px`; // CSSOM: allowed under the CSP
      strip.append(group);
      return group;
    });
    // keep focus on a rebuilt button (keyboard users press + several times)
    const focused = strip.dataset.focus;
    if (focused) {
      const again = strip.querySelector(`[data-testid="${focused}"]`);
      if (again && !again.disabled) again.focus();
      delete strip.dataset.focus;
    }
  }
  strip.addEventListener("click", (e) => {
    const b = e.target.closest("button");
    if (b && b.closest(".strip-neurons")) strip.dataset.focus = b.dataset.testid;
  });

  // ------------------------------------------------------------------ the test points

  function drawTestPoints() {
    const g = view.geometry;
    if (g && g.cols[0].curve && page.show_test && meta && meta.test_points) {
      drawCurvePoints(view.ctx, g.cols[0].curve, meta.curve, meta.test_points, true, view.dpr); // 1-D data
    }
    const plane = g && g.cols[0].plane;
    if (!plane || !page.show_test || !meta || !meta.test_points) return;
    const ctx = view.ctx;
    const { x, y, w, h } = plane;
    const e = meta.extent;
    const r = Math.max(1.6, Math.min(3, w / 90));
    const classes = meta.kind === "classification";
    ctx.save();
    ctx.setTransform(view.dpr, 0, 0, view.dpr, 0, 0);
    for (const [a, b, t] of meta.test_points) {
      ctx.beginPath();
      ctx.arc(x + ((a + e) / (2 * e)) * w, y + ((e - b) / (2 * e)) * h, r, 0, 2 * Math.PI);
      ctx.fillStyle = diverging(classes ? (t > 0.5 ? 1 : -1) : t);
      ctx.fill();
      ctx.lineWidth = 1;
      ctx.strokeStyle = INK; // test points: a dark ring, training points: a white one
      ctx.stroke();
    }
    ctx.restore();
  }

  let discrete = null;

  return {
    onMeta: sync,
    figures(f) {
      const e = String(f("epoch"));
      if (epoch.textContent !== e) epoch.textContent = e;
    },
    setEnabled(on) {
      usable = on;
      applyEnabled();
    },
    /** Steps per animation frame: 0 = as many as the time budget allows (the default). */
    stepsPerFrame() {
      return !page.speed || page.speed === "max" ? 0 : Number(page.speed);
    },
    /** The plane's colours: the network's answer, or only its sign when discretized. */
    field(f) {
      if (!page.discretize || !f || !meta || !meta.plane) return f; // the 1-D curve stays a curve
      if (!discrete || discrete.length !== f.length) discrete = new Float32Array(f.length);
      for (let i = 0; i < f.length; i++) discrete[i] = f[i] > 0 ? 1 : -1;
      return discrete;
    },
    afterDraw() {
      drawTestPoints();
      placeStrip();
    },
    panel,
  };
}
