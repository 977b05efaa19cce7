// "Step through": ONE training step taken apart into its four stages — forward, loss, backprop,
// update — drawn on the live network with the numbers nnpy computed.
//
// Every number here comes from nnpy.explain.walk_through (web/py/nnpy_walk.py, via the bridge):
// the walk's JSON (scalars, formulas, the most responsible connections) and its arrays as
// Float32Arrays in bridge.view.walk. This module only arranges those numbers into snapshots in the
// renderer's layout (docs/ARCHITECTURE.md) and into text; it does no arithmetic nnpy does.
//
// Leaving: "Keep this step" commits (the live network takes exactly the walked step, via
// walk.apply_to); Esc, ✕ or "Discard" leave the live network untouched.

import { diverging, rgba, inkAlpha, POSITIVE, NEGATIVE, PAPER, INK, MUTED } from "./colors.js";

export const STAGES = [
  { key: "forward", title: "Forward pass", short: "Forward" },
  { key: "loss", title: "Loss", short: "Loss" },
  { key: "backprop", title: "Backpropagation", short: "Backprop" },
  { key: "update", title: "Gradient descent", short: "Update" },
];
const LAYER_MS = 380; // reveal speed: one layer gap per LAYER_MS

// A number as nnpy prints it (explain._num): 4 significant digits, a true minus sign.
export function num(v) {
  if (typeof v !== "number" || !Number.isFinite(v)) return String(v);
  if (v === 0) return "0";
  const e = Math.floor(Math.log10(Math.abs(v)));
  let s;
  if (e < -4 || e >= 4) {
    s = v.toExponential(3).replace(/\.?0+e/, "e").replace(/e([+-])(\d)$/, "e$10$2");
  } else {
    s = v.toPrecision(4);
    if (s.includes(".") && !s.includes("e")) s = s.replace(/\.?0+$/, "");
  }
  return s.replace("-", "−");
}
const signed = (v) => (v > 0 ? "+" : "") + num(v);

// Small DOM builder: text only, never HTML.
function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(props)) {
    if (k === "text") node.textContent = v;
    else if (k === "class") node.className = v;
    else if (k === "data") Object.assign(node.dataset, v);
    else node.setAttribute(k, v);
  }
  for (const child of children.flat()) {
    if (child == null || child === false) continue;
    node.append(typeof child === "string" ? document.createTextNode(child) : child);
  }
  return node;
}

export class StepThrough {
  /**
   * @param {object} o  bridge, view (NetworkView), host (where the panel docks), redraw(),
   *   pause(), committed() (after the live model took the step), outputNames()
   */
  constructor(o) {
    Object.assign(this, o);
    this.active = false;
    this.stage = 0;
    this.mode = "example";
    this.walk = null;
    this.snaps = null;
    this.reveal = 1;
    this.animating = false;
    this.reduceMotion = window.matchMedia ? window.matchMedia("(prefers-reduced-motion: reduce)") : { matches: false };
    this._build();
    document.addEventListener("keydown", (e) => this._key(e), true);
  }

  // ------------------------------------------------------------------ panel

  _build() {
    const p = (this.panel = el("section", { class: "panel walk-panel", id: "walk", "data-testid": "walk-panel", "aria-label": "Step through one training step", hidden: "" }));
    this.modeSelect = el("select", { "data-testid": "walk-mode", "aria-label": "Step on" },
      el("option", { value: "example", text: "the example shown" }),
      el("option", { value: "batch", text: "the next mini-batch" }));
    this.modeSelect.addEventListener("change", () => this.open(this.modeSelect.value));
    this.close_ = el("button", { type: "button", class: "walk-x", "aria-label": "Close (discard the step)", title: "Close — discard the step (Esc)", "data-testid": "walk-close", text: "✕" });
    this.close_.addEventListener("click", () => this.close(false));
    this.dots = el("ol", { class: "walk-dots" }, STAGES.map((s, i) => {
      const b = el("button", { type: "button", "data-stage": String(i), text: `${i + 1} ${s.short}`, title: s.title });
      b.addEventListener("click", () => this.go(i));
      return el("li", {}, b);
    }));
    this.titleEl = el("h2", { "data-testid": "walk-title" });
    this.body = el("div", { class: "walk-body", "data-testid": "walk-body" });
    this.back = el("button", { type: "button", class: "btn", "data-testid": "walk-back", text: "← Back" });
    this.next = el("button", { type: "button", class: "btn primary", "data-testid": "walk-next", text: "Next →" });
    this.discard = el("button", { type: "button", class: "btn", "data-testid": "walk-discard", text: "Discard" });
    this.back.addEventListener("click", () => this.go(this.stage - 1));
    this.next.addEventListener("click", () => (this.stage === 3 ? this.close(true) : this.go(this.stage + 1)));
    this.discard.addEventListener("click", () => this.close(false));
    this.foot = el("p", { class: "walk-foot", text: "Keep: the live network takes exactly this step. Discard or Esc: it stays as it was." });
    p.append(
      el("div", { class: "walk-head" }, el("span", { class: "walk-kicker", text: "One training step, on" }), this.modeSelect, this.close_),
      this.dots, this.titleEl, this.body,
      el("div", { class: "walk-nav" }, this.back, this.discard, this.next), this.foot,
    );
    this.host.append(p);
  }

  _key(e) {
    if (!this.active || e.target instanceof HTMLSelectElement || e.altKey || e.ctrlKey || e.metaKey) return;
    if (e.key === "ArrowRight") { if (this.stage < 3) this.go(this.stage + 1); }
    else if (e.key === "ArrowLeft") this.go(this.stage - 1);
    else if (e.key === "Escape") this.close(false);
    else if (e.code === "Space" && !(e.target instanceof HTMLButtonElement)) { /* no training underneath */ }
    else return;
    e.preventDefault();
    e.stopImmediatePropagation();
  }

  // ------------------------------------------------------------------ open / close

  open(mode = this.mode) {
    this.pause();
    if (this.active) this.bridge.walk({ action: "discard" });
    this.mode = mode;
    this.modeSelect.value = mode;
    this.walk = this.bridge.walk({ action: "start", mode });
    this.arrays = this.bridge.view.walk;
    this._snapshots();
    this.foot.textContent = mode === "example"
      ? "Keep: the live network takes exactly this step (on a test example: the test set teaches once). Discard or Esc: nothing changes."
      : "Keep: the live network takes exactly this step, as training would. Discard or Esc: nothing changes (this batch is skipped).";
    const batchOption = this.modeSelect.options[1];
    batchOption.textContent = `the next mini-batch (${this.bridge.meta.batch_size})`;
    this.active = true;
    document.body.classList.add("walking");
    this.panel.hidden = false;
    this.go(0, true);
    this.next.focus({ preventScroll: true });
  }

  close(commit) {
    if (!this.active) return;
    const result = this.bridge.walk({ action: commit ? "commit" : "discard" });
    this.active = false;
    this.walk = null;
    this.arrays = null;
    this.bridge.view.walk = null;
    this.snaps = null;
    this.panel.hidden = true;
    document.body.classList.remove("walking");
    this.committed(commit ? result : null);
    this.redraw();
  }

  go(stage, force = false) {
    if (!this.active || stage < 0 || stage > 3 || (stage === this.stage && !force)) return;
    const from = this.stage;
    this.stage = stage;
    this.titleEl.textContent = `${stage + 1} · ${STAGES[stage].title}`;
    this.panel.dataset.stage = STAGES[stage].key;
    [...this.dots.querySelectorAll("button")].forEach((b, i) => {
      b.classList.toggle("on", i === stage);
      b.classList.toggle("done", i < stage);
      b.setAttribute("aria-current", i === stage ? "step" : "false");
    });
    this.back.disabled = stage === 0;
    this.next.textContent = stage === 3 ? "Keep this step" : "Next →";
    this.next.dataset.testid = stage === 3 ? "walk-keep" : "walk-next";
    this.body.replaceChildren(...this[`_${STAGES[stage].key}Body`]());
    // the signal travels: left to right in the forward pass, right to left in backprop
    const animate = (stage === 0 || stage === 2) && (force || from !== stage) && !this.reduceMotion.matches;
    this._animate(animate ? stage : -1);
    this.redraw();
  }

  _animate(stage) {
    const L = this.bridge.meta.sizes.length - 1;
    if (stage < 0) {
      this.reveal = 1;
      this.animating = false;
      return;
    }
    const t0 = performance.now();
    const total = LAYER_MS * L;
    this.animating = true;
    this.reveal = 0;
    const tick = (now) => {
      if (!this.active || this.stage !== stage) return;
      this.reveal = Math.max(0, Math.min(1, (now - t0) / total));
      this.redraw();
      if (this.reveal < 1) requestAnimationFrame(tick);
      else this.animating = false;
    };
    requestAnimationFrame(tick);
  }

  // ------------------------------------------------------------------ numbers

  A(key) {
    return this.arrays[key];
  }

  shape(key) {
    return this.walk.arrays[key];
  }

  // Snapshots in the renderer's layout, one per picture: forward (the step's inputs), backprop
  // (gradients where the weights were), update (each weight's change).
  _snapshots() {
    const meta = this.bridge.meta;
    const off = meta.layout.offsets;
    const { sizes } = meta;
    const L = sizes.length - 1;
    const n = this.bridge.view.snapshot.length;
    const make = (W, b, node) => {
      const s = new Float32Array(n);
      for (let l = 0; l < L; l++) {
        s.set(this.A(W(l)), off.W[l]);
        s.set(this.A(b(l)), off.b[l]);
        s.set(this.A(`forward.z.${l}`).subarray(0, sizes[l + 1]), off.z[l]);
      }
      s.set(this.A("forward.a.0").subarray(0, sizes[0]), off.a[0]);
      for (let k = 1; k <= L; k++) s.set(node(k).subarray(0, sizes[k]), off.a[k]);
      return s;
    };
    this.snaps = {
      forward: make((l) => `forward.W.${l}`, (l) => `forward.b.${l}`, (k) => this.A(`forward.a.${k}`)),
      backprop: make((l) => `backprop.dL_dW.${l}`, (l) => `backprop.dL_db.${l}`, (k) => this.A(`backprop.node.${k}`)),
      update: make((l) => `update.W_step.${l}`, (l) => `update.b_step.${l}`,
        (k) => (k === L ? this.A("update.output_after") : this.A(`update.b_step.${k - 1}`))),
    };
    const out = this.A("loss.probabilities");
    this.outputs = {
      before: out ? out.subarray(0, sizes[L]) : new Float32Array(sizes[L]),
      after: this.A("update.output_after").subarray(0, sizes[L]),
    };
  }

  // What main.js hands the renderer while stepping through.
  picture() {
    const key = STAGES[this.stage].key;
    const snap = key === "loss" ? this.snaps.forward : this.snaps[key];
    const outputs = key === "update" ? this.outputs.after : this.outputs.before;
    const target = this.A("loss.target")[0];
    const pred = this.A("loss.prediction")[0];
    return { snap, outputs, pred, label: this.bridge.meta.kind === "classification" ? target : NaN };
  }

  _names(short = false) {
    const meta = this.bridge.meta;
    const L = meta.sizes.length - 1;
    if (short) {
      // compact, for the tables: in 5, px (2,3), h1 #4, out 3
      return (k, i) => {
        if (k === 0) return meta.image ? `px (${Math.floor(i / meta.input_shape[1]) + 1},${(i % meta.input_shape[1]) + 1})` : `in ${meta.input_names[i] || i + 1}`;
        if (k === L) return `out ${meta.output_names[i]}`;
        return `${L > 2 ? `h${k}` : "h"} #${i + 1}`;
      };
    }
    return (k, i) => {
      if (k === 0) {
        if (meta.image) return `pixel (${Math.floor(i / meta.input_shape[1]) + 1}, ${(i % meta.input_shape[1]) + 1})`;
        return `input ${meta.input_names[i] || i + 1}`;
      }
      if (k === L) return `output ${meta.output_names[i]}`;
      return `${L > 2 ? `hidden ${k}` : "hidden"} #${i + 1}`;
    };
  }

  _exampleText() {
    const w = this.walk;
    const meta = this.bridge.meta;
    const target = this.A("loss.target");
    if (w.mode === "batch") return `${w.batch} training examples (the picture shows the first)`;
    const truth = meta.kind === "classification" ? `, true answer ${meta.output_names.length > 1 ? meta.output_names[target[0]] : target[0]}` : "";
    return `test example ${w.example + 1}${truth}`;
  }

  // ------------------------------------------------------------------ stage bodies

  _forwardBody() {
    const w = this.walk;
    const meta = this.bridge.meta;
    const L = meta.sizes.length - 1;
    const rows = [];
    const z = this.A(`forward.z.${L - 1}`);
    const a = this.A(`forward.a.${L}`);
    const names = meta.output_names;
    const n = meta.sizes[L];
    const order = [...Array(n).keys()];
    if (meta.kind === "classification" && n > 1) order.sort((i, j) => a[j] - a[i]);
    for (const i of order.slice(0, 5)) {
      rows.push(el("tr", { "data-testid": "walk-out-row", data: { i: String(i) } },
        el("td", { text: names[i] || String(i) }), el("td", { text: num(z[i]) }),
        el("td", { text: meta.kind === "classification" && n > 1 ? num(a[i]) : num(a[i]) })));
    }
    // how the top output got its number, as the forward pass computed it
    const top = order[0];
    const sum = this.A(`forward.s.${L - 1}`)[top];
    const bias = this.A(`forward.b.${L - 1}`)[top];
    const fn = { cross_entropy: "softmax", binary_cross_entropy: "sigmoid", mse: "identity" }[meta.loss] || "output";
    const example = el("p", { class: "walk-formula", "data-testid": "walk-neuron-formula",
      text: `output ${names[top]}: z = Σ a·w + b = ${num(sum)} + ${num(bias)} = ${num(z[top])};  ${fn}(z) → ${num(a[top])}` });
    const outHead = meta.loss === "cross_entropy" ? "probability" : meta.loss === "binary_cross_entropy" ? "P(1)" : "output";
    return [
      el("p", { class: "walk-text", text: `The input (${this._exampleText()}) enters on the left. Every neuron adds up its inputs times their weights (Σ a·w), adds its bias b, and passes that sum z through its activation, here ${w.activation}: a = ${w.activation}(z). Layer by layer the signal reaches the output.` }),
      example,
      el("p", { class: "walk-hint", text: "Hover or tap any neuron for its numbers." }),
      el("table", { class: "walk-table" },
        el("thead", {}, el("tr", {}, el("th", { text: "output" }), el("th", { text: "z (logit)" }), el("th", { text: outHead }))),
        el("tbody", {}, rows)),
    ];
  }

  _lossBody() {
    const w = this.walk;
    const meta = this.bridge.meta;
    const loss = w.loss;
    const parts = [];
    if (meta.kind === "classification") {
      const names = meta.output_names.length > 1 ? meta.output_names : ["0", "1"];
      const pred = this.A("loss.prediction")[0];
      const target = this.A("loss.target")[0];
      const p = this.outputs.before;
      const single = meta.sizes.at(-1) === 1;
      const pOf = (c) => (single ? (c === 1 ? p[0] : 1 - p[0]) : p[c]);
      parts.push(el("div", { class: "walk-vs" },
        el("div", { class: pred === target ? "right" : "wrong" }, el("small", { text: "prediction" }), el("b", { "data-testid": "walk-pred", text: names[pred] }), el("small", { text: `p = ${num(pOf(pred))}` })),
        el("div", {}, el("small", { text: "correct answer" }), el("b", { "data-testid": "walk-target", text: names[target] }), el("small", { text: `p = ${num(pOf(target))}` }))));
    } else {
      const y = this.A("loss.target");
      const out = this.A("forward.a." + (meta.sizes.length - 1));
      parts.push(el("div", { class: "walk-vs" },
        el("div", {}, el("small", { text: "prediction ŷ" }), el("b", { "data-testid": "walk-pred", text: num(out[0]) })),
        el("div", {}, el("small", { text: "correct y" }), el("b", { "data-testid": "walk-target", text: num(y[0]) }))));
    }
    if (w.mode === "batch") {
      parts.push(el("p", { class: "walk-hint", text: `Above: the first example of the batch (the one drawn). The loss is the mean over all ${w.batch}.` }));
    }
    const explain = {
      cross_entropy: "Cross-entropy is −log of the probability the network gave the correct answer: 0 when it is certain and right, large when it is confident and wrong.",
      binary_cross_entropy: "Binary cross-entropy is −log of the probability the network gave the correct side: 0 when certain and right.",
      mse: "Mean squared error: the squared distance between prediction and target, averaged.",
    }[loss.name] || "";
    parts.push(el("p", { class: "walk-formula", "data-testid": "walk-loss-formula", text: loss.formula }));
    if (loss.penalty_formula) {
      parts.push(el("p", { class: "walk-formula", "data-testid": "walk-penalty-formula", text: loss.penalty_formula }));
      parts.push(el("p", { class: "walk-formula", "data-testid": "walk-total-formula", text: loss.total_formula }));
    }
    parts.push(el("p", { class: "walk-text", text: `The loss turns “how wrong” into one number that training makes smaller. ${explain}` }));
    if (loss.penalty_formula) {
      parts.push(el("p", { class: "walk-hint", text: `The ${w.regularizer.name.toUpperCase()} penalty (λ = ${num(w.regularizer.rate)}) keeps weights small; it is part of what training minimises.` }));
    }
    return parts;
  }

  _backpropBody() {
    const w = this.walk;
    const nm = this._names(true);
    const rows = w.backprop.most_responsible.map((c, r) => el("tr", { "data-testid": "walk-mr-row", data: { layer: String(c.layer), i: String(c.i), j: String(c.j) } },
      el("td", {}, el("span", { class: "badge", text: String(r + 1) })),
      el("td", { text: `${nm(c.layer, c.i)} → ${nm(c.layer + 1, c.j)}` }),
      el("td", { class: c.gradient > 0 ? "pos" : "neg", text: signed(c.gradient) }),
      el("td", { text: c.gradient > 0 ? "decrease" : "increase" })));
    const norms = w.backprop.gradient_norms.map((v, l) => `${l + 1}: ${num(v)}`).join(" · ");
    return [
      el("p", { class: "walk-text", text: "The error flows back from the output, layer by layer (the chain rule), and gives every weight its gradient ∂L/∂w: how the loss would change if that weight grew." }),
      el("h3", { text: "Most responsible connections (largest |∂L/∂w|)" }),
      el("table", { class: "walk-table", "data-testid": "walk-mr" },
        el("thead", {}, el("tr", {}, el("th", { text: "#" }), el("th", { text: "connection" }), el("th", { text: "∂L/∂w" }), el("th", { text: "so w should" }))),
        el("tbody", {}, rows)),
      el("p", { class: "walk-text", text: "Lines: blue = positive gradient (growing the weight would raise the loss), orange = negative (growing it would lower the loss); width ∝ |gradient|, per layer. Neurons show ∂L/∂a: blue ↓ fired too strongly, orange ↑ too weakly." }),
      el("p", { class: "walk-hint", "data-testid": "walk-norms", text: `‖∂L/∂W‖ per weight layer — ${norms}` }),
    ];
  }

  _updateBody() {
    const w = this.walk;
    const nm = this._names(true);
    const opt = w.optimizer;
    const rows = w.backprop.most_responsible.map((c, r) => el("tr", { "data-testid": "walk-up-row", data: { layer: String(c.layer), i: String(c.i), j: String(c.j) } },
      el("td", {}, el("span", { class: "badge", text: String(r + 1) })),
      el("td", { text: `${nm(c.layer, c.i)} → ${nm(c.layer + 1, c.j)}` }),
      el("td", { text: num(c.weight) }),
      el("td", { text: num(this.A(`update.W_after.${c.layer}`)[c.i * this.shape(`update.W_after.${c.layer}`)[1] + c.j]) }),
      el("td", { class: c.step > 0 ? "pos" : "neg", text: signed(c.step) })));
    const before = w.update.loss_before.total;
    const after = w.update.loss_after.total;
    const rose = after > before;
    const history = opt.name === "sgd" ? "" : ` ${opt.name === "adam" ? "Adam" : "Momentum"} also carries what earlier steps' gradients said, and scales the step for each weight.`;
    return [
      el("p", { class: "walk-text", text: `The optimizer (${opt.name}, learning rate ${num(opt.learning_rate)}) moves every weight a little against its gradient.` }),
      el("p", { class: `walk-formula ${rose ? "rose" : "fell"}`, "data-testid": "walk-loss-after", text: `Loss on ${w.mode === "batch" ? "this batch" : "this example"}: ${num(before)} → ${num(after)}` }),
      el("p", { class: "walk-hint", "data-testid": "walk-honest", text: rose
        ? `The loss went UP this time. One step is not guaranteed to help: ${opt.name === "sgd" ? "the learning rate may be too large for this spot" : "momentum from earlier steps can point elsewhere, or the learning rate is too large here"}${w.regularizer.name !== "none" ? ", and the penalty also pulls on the weights" : ""}. Over many steps the average still goes down.`
        : "The loss fell: the step moved the network towards the right answer for this input." }),
      el("table", { class: "walk-table", "data-testid": "walk-up" },
        el("thead", {}, el("tr", {}, el("th", { text: "#" }), el("th", { text: "connection" }), el("th", { text: "before" }), el("th", { text: "after" }), el("th", { text: "change" }))),
        el("tbody", {}, rows)),
      el("p", { class: "walk-formula", "data-testid": "walk-rule", text: opt.rule || opt.repr }),
      el("p", { class: "walk-hint", text: `${history.trim()} Lines: blue = the weight grows, orange = it shrinks. The output bars show the probabilities after the step.`.trim() }),
    ];
  }

  // ------------------------------------------------------------------ tooltips

  tip(hit) {
    if (!this.active || !hit || hit.plane) return "";
    const meta = this.bridge.meta;
    const L = meta.sizes.length - 1;
    const { layer: k, index: i } = hit;
    const nm = this._names();
    const key = STAGES[this.stage].key;
    const ex = this.walk.mode === "batch" ? " (example 1)" : "";
    if (k === 0) return `${nm(0, i)} = ${num(this.A("forward.a.0")[i])}`;
    const fn = k === L ? ({ cross_entropy: "softmax", binary_cross_entropy: "sigmoid", mse: "identity" }[meta.loss] || "output") : this.walk.activation;
    if (key === "forward" || key === "loss") {
      const s = this.A(`forward.s.${k - 1}`)[i];
      const b = this.A(`forward.b.${k - 1}`)[i];
      const z = this.A(`forward.z.${k - 1}`)[i];
      const a = this.A(`forward.a.${k}`)[i];
      return `${nm(k, i)}${ex}: Σa·w = ${num(s)} · bias ${num(b)} · z = ${num(z)} · ${fn}(z) → a = ${num(a)}`;
    }
    if (key === "backprop") {
      const g = this.A(`backprop.node.${k}`)[i];
      const gb = this.A(`backprop.dL_db.${k - 1}`)[i];
      const what = k === L ? "∂L/∂z" : "∂L/∂a";
      const dir = g > 0 ? "too strong" : g < 0 ? "too weak" : "just right";
      return `${nm(k, i)}: ${what} = ${num(g)} (${dir}) · ∂L/∂b = ${num(gb)}`;
    }
    const b0 = this.A(`forward.b.${k - 1}`)[i];
    const b1 = this.A(`update.b_after.${k - 1}`)[i];
    return `${nm(k, i)}: bias ${num(b0)} → ${num(b1)} (${signed(this.A(`update.b_step.${k - 1}`)[i])})`;
  }

  // ------------------------------------------------------------------ overlay on the canvas

  overlay() {
    const view = this.view;
    const g = view.geometry;
    if (!this.active || !g) return;
    const ctx = view.ctx;
    const key = STAGES[this.stage].key;
    const L = g.L;
    ctx.save();
    ctx.setTransform(view.dpr, 0, 0, view.dpr, 0, 0);
    if (key === "backprop" || key === "update") {
      if (key === "backprop") this._outputGradients(ctx, g);
      this._marks(ctx, g);
      if (key === "backprop") this._arrows(ctx, g);
    }
    if (this.reveal < 1) {
      // the not-yet-reached part of the network fades out; a bright front shows where the signal is
      const xs = g.cols.map((c) => c.x);
      const pos = this.reveal * L;
      const k = Math.min(L - 1, Math.floor(pos));
      const t = pos - k;
      const forward = key === "forward";
      const x = forward ? xs[k] + (xs[k + 1] - xs[k]) * t : xs[L - k] - (xs[L - k] - xs[L - k - 1]) * t;
      ctx.fillStyle = rgba(PAPER, 0.82);
      if (forward) ctx.fillRect(x + 6, g.top - 4, view.w - x, view.h);
      else ctx.fillRect(0, g.top - 4, Math.max(0, x - 6), view.h);
      const grad = ctx.createLinearGradient(x - 18, 0, x + 18, 0);
      const c = forward ? POSITIVE : NEGATIVE;
      grad.addColorStop(0, rgba(c, 0));
      grad.addColorStop(0.5, rgba(c, 0.28));
      grad.addColorStop(1, rgba(c, 0));
      ctx.fillStyle = grad;
      ctx.fillRect(x - 18, g.top - 4, 36, g.bottom - g.top + 8);
    }
    // what the colours mean now
    const label = { forward: "colour = activation · width ∝ |weight|", loss: "prediction vs the correct answer", backprop: "colour = gradient sign · width ∝ |gradient|", update: "colour = change: blue grows, orange shrinks" }[key];
    if (view.w >= 420) {
      ctx.font = `${g.small ? 10 : 11}px ${view.font}`;
      ctx.textAlign = "left";
      ctx.textBaseline = "bottom";
      ctx.fillStyle = MUTED;
      ctx.fillText(label, g.pad, view.h - 4);
    }
    ctx.restore();
  }

  _outputGradients(ctx, g) {
    const meta = this.bridge.meta;
    const L = g.L;
    const col = g.cols[L];
    const r = Math.max(col.r, Math.min(9, col.spacing * 0.36));
    const v = this.A(`backprop.node.${L}`);
    let m = 1e-12;
    for (let i = 0; i < meta.sizes[L]; i++) m = Math.max(m, Math.abs(v[i]));
    for (let i = 0; i < meta.sizes[L]; i++) {
      ctx.beginPath();
      ctx.arc(col.xs[i], col.ys[i], r, 0, 2 * Math.PI);
      ctx.fillStyle = diverging(v[i] / m);
      ctx.fill();
      ctx.lineWidth = 1.25;
      ctx.strokeStyle = inkAlpha(0.35);
      ctx.stroke();
    }
  }

  _arrows(ctx, g) {
    // ↓ too strong / ↑ too weak beside the hidden neurons with room for it
    ctx.font = `600 ${g.small ? 9 : 11}px ${this.view.font}`;
    ctx.textBaseline = "middle";
    ctx.textAlign = "left";
    for (let k = 1; k < g.L; k++) {
      const col = g.cols[k];
      if (col.spacing < 11) continue;
      const v = this.A(`backprop.node.${k}`);
      for (let i = 0; i < col.ys.length; i++) {
        if (v[i] === 0) continue;
        ctx.fillStyle = v[i] > 0 ? rgba(POSITIVE, 1) : "#b85f00";
        ctx.fillText(v[i] > 0 ? "↓" : "↑", col.x + col.r + 2, col.ys[i]);
      }
    }
  }

  _marks(ctx, g) {
    const list = this.walk.backprop.most_responsible;
    const key = STAGES[this.stage].key;
    list.forEach((c, r) => {
      const a = g.cols[c.layer];
      const b = g.cols[c.layer + 1];
      const x1 = a.xs[c.i], y1 = a.ys[c.i], x2 = b.xs[c.j], y2 = b.ys[c.j];
      const v = key === "update" ? c.step : c.gradient;
      ctx.lineCap = "round";
      ctx.beginPath();
      ctx.moveTo(x1, y1);
      ctx.lineTo(x2, y2);
      ctx.strokeStyle = inkAlpha(0.85);
      ctx.lineWidth = 5.5;
      ctx.stroke();
      ctx.strokeStyle = rgba(v > 0 ? POSITIVE : NEGATIVE, 1);
      ctx.lineWidth = 2.5;
      ctx.stroke();
    });
    // numbered badges after all lines so none is covered
    ctx.font = `700 ${g.small ? 9 : 10}px ${this.view.font}`;
    ctx.textAlign = "center";
    ctx.textBaseline = "middle";
    const placed = [];
    list.forEach((c, r) => {
      const a = g.cols[c.layer];
      const b = g.cols[c.layer + 1];
      let t = 0.5;
      let x, y;
      for (let tries = 0; tries < 6; tries++) {
        x = a.xs[c.i] + (b.xs[c.j] - a.xs[c.i]) * t;
        y = a.ys[c.i] + (b.ys[c.j] - a.ys[c.i]) * t;
        if (!placed.some(([px, py]) => Math.hypot(px - x, py - y) < 16)) break;
        t += tries % 2 ? -0.12 * (tries + 1) : 0.12 * (tries + 1);
        t = Math.min(0.85, Math.max(0.15, t));
      }
      placed.push([x, y]);
      ctx.beginPath();
      ctx.arc(x, y, 8, 0, 2 * Math.PI);
      ctx.fillStyle = INK;
      ctx.fill();
      ctx.fillStyle = "#fff";
      ctx.fillText(String(r + 1), x, y + 0.5);
    });
  }
}
