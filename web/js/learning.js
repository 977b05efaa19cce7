// Wires the page's teaching tools into main.js with a handful of hooks:
//   - the step-through (stepthrough.js): one training step in four stages, docked in the side column;
//   - "Colour by: weight | gradient" for the live network, and the per-layer gradient chart
//     (gradchart.js), fed by nnpy through the bridge;
//   - the Learn panel (explain-panel.js), closed by default.
// main.js calls: drawSteps() / liveWeights() / tip(hit) / tipLive(hit) / beforePlay() / onMeta() /
// frame() / setEnabled().

import { StepThrough } from "./stepthrough.js";
import { GradChart } from "./gradchart.js";
import { ExplainPanel } from "./explain-panel.js";

const $ = (id) => document.getElementById(id);

export function installLearning({ bridge, view, controller, redraw, pause, committed }) {
  const stage = document.querySelector(".stage");
  const buttons = { walk: $("walk-open"), learn: $("learn-open"), colorBy: $("color-by") };
  let colorMode = "weight";
  let gradMeta = null;

  const steps = new StepThrough({ bridge, view, host: stage, redraw, pause, committed });

  // ---- gradient chart: under the loss chart while colouring by gradient
  const box = $("grad-box");
  const grad = new GradChart(box);
  const key = $("grad-key");
  let keyText = "";

  function colorBy(mode) {
    if (mode !== "weight" && mode !== "gradient") return;
    colorMode = mode;
    buttons.colorBy.value = mode;
    const result = bridge.walk({ action: "color_by", value: mode });
    bridge.meta = result.meta;
    view.meta.layout = result.meta.layout; // only the gW / gb offsets changed: keep the geometry
    gradMeta = mode === "gradient" ? result.meta.layout.offsets.gW : null;
    document.body.classList.toggle("color-gradient", mode === "gradient");
    box.hidden = mode !== "gradient";
    bridge.gradientChart(mode === "gradient");
    grad.reset();
    resize();
    redraw();
  }
  buttons.colorBy.addEventListener("change", () => colorBy(buttons.colorBy.value));

  const learn = new ExplainPanel({
    host: stage,
    button: buttons.learn,
    controller,
    actions: { walk: () => steps.open("example"), colorBy },
  });
  buttons.walk.addEventListener("click", () => (steps.active ? steps.close(false) : steps.open("example")));

  function resize() {
    const dpr = window.devicePixelRatio || 1;
    const r = grad.canvas.getBoundingClientRect();
    if (!box.hidden && grad.resize(r.width, r.height, dpr)) grad.draw();
  }
  new ResizeObserver(resize).observe(box);

  return {
    steps,
    learn,
    grad,
    colorBy,
    get colorMode() {
      return colorMode;
    },
    // The step-through's picture (main.js draws the live network itself).
    drawSteps() {
      const p = steps.picture();
      const here = steps.walk.mode === "example";
      const probe = here ? [bridge.figure("probe_x1"), bridge.figure("probe_x2")] : [NaN, NaN];
      // the update picture: every weight changes (with Adam's first step all by the same amount),
      // so its lines are drawn thin and light: the colour (the sign of the change) is the message
      const lines = steps.stage === 3 ? { width: 0.3, alpha: 0.45 } : null;
      view.draw(p.snap, p.outputs, { pred: p.pred, label: p.label, field: bridge.view.field, probe, lines });
      steps.overlay();
    },
    // Offsets the live picture draws its lines from: the gradients when colouring by gradient.
    liveWeights: () => gradMeta,
    tip: (hit) => (steps.active ? steps.tip(hit) : ""),
    tipLive(hit) {
      // colour by gradient: the hovered neuron's bias gradient joins the tooltip
      if (!gradMeta || !hit || hit.layer === 0) return "";
      const gb = bridge.view.snapshot[bridge.meta.layout.offsets.gb[hit.layer - 1] + hit.index];
      return ` · ∂L/∂b ${gb.toPrecision(3).replace("-", "−")}`;
    },
    beforePlay() {
      if (steps.active) steps.close(false);
    },
    onMeta(meta) {
      if (steps.active) steps.close(false);
      gradMeta = meta && meta.layout.offsets.gW[0] !== -1 ? meta.layout.offsets.gW : null;
      grad.reset();
    },
    frame() {
      if (box.hidden) return;
      if (grad.read(bridge.view.grad)) {
        grad.draw();
        const text = grad.key().map(([, name]) => name).join(" ");
        if (text !== keyText) {
          keyText = text;
          key.replaceChildren(...grad.key().map(([color, name]) => {
            const li = document.createElement("li");
            if (color) {
              const sw = document.createElement("span");
              sw.className = "swatch line";
              sw.style.background = color; // CSSOM, allowed under the page's CSP
              li.append(sw);
            }
            li.append(name);
            return li;
          }));
        }
      }
    },
    resize,
    setEnabled(usable) {
      for (const el of Object.values(buttons)) el.disabled = !usable;
    },
  };
}
