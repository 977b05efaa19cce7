// What the picture offers beyond drawing, wired into main.js with a few hooks:
//   - the theme: canvas colours follow the system's light / dark setting (colors.applyTheme);
//   - hovering a hidden neuron of 2-D data shows its own picture big on the data plane;
//   - hovering a connection names it and gives its weight (and gradient when colouring by it);
//     clicking one opens a small editor: the new weight goes to Python (Session.set_weight),
//     training continues from it;
//   - the loss chart's options (log scale; its key shows accuracy and the previous run);
//   - "Save PNG": the network picture as a file.
// main.js calls: tip(x, y) / onMeta(meta) / afterDraw().

import { applyTheme } from "./colors.js";

const $ = (id) => document.getElementById(id);
const MAX_WEIGHT = 1000; // the same limit nnpy_page.Session.set_weight enforces
const fmt = (v) => (Number.isFinite(v) ? Number(v.toPrecision(4)).toString() : String(v)).replace("-", "−");

export function installViews({ bridge, view, chart, controller, learning, redraw, committed, status }) {
  const canvas = view.canvas;
  const panel = canvas.parentElement;
  const live = () => !["loading", "error", "diverged"].includes(status()) && !(learning && learning.steps.active);

  // ---- theme: read now (before the first draw) and whenever the system setting changes
  applyTheme();
  const dark = window.matchMedia("(prefers-color-scheme: dark)");
  const onTheme = () => {
    applyTheme();
    redraw(); // the network and the loss chart
    if (learning && !$("grad-box").hidden) learning.grad.draw();
  };
  if (dark.addEventListener) dark.addEventListener("change", onTheme);

  // ---- names
  function neuronName(layer, index) {
    const meta = bridge.meta;
    const L = meta.sizes.length - 1;
    if (layer === 0) {
      return meta.image
        ? `pixel (${Math.floor(index / meta.input_shape[1]) + 1}, ${(index % meta.input_shape[1]) + 1})`
        : `input ${meta.input_names[index] || index + 1}`;
    }
    if (layer === L) return `output ${meta.output_names[index] ?? index}`;
    return `${L > 2 ? `hidden ${layer}` : "hidden"} #${index + 1}`;
  }
  const connectionName = (c) => `${neuronName(c.layer - 1, c.i)} → ${neuronName(c.layer, c.j)}`;
  const weightAt = (c) => bridge.view.snapshot[bridge.meta.layout.offsets.W[c.layer - 1] + c.k];
  const gradientAt = (c) => {
    const gW = bridge.meta.layout.offsets.gW;
    return learning && learning.colorMode === "gradient" && gW[0] !== -1 ? bridge.view.snapshot[gW[c.layer - 1] + c.k] : NaN;
  };

  // ---- hover: a neuron's picture on the plane; a connection's weight in the tip
  let hovered = null; // the connection under the pointer, and where the pointer was
  let hoveredAt = null;
  function focusAt(x, y) {
    const hit = view.meta && view.hit(x, y);
    const col = hit && hit.layer >= 1 && view.geometry.cols[hit.layer];
    const focus = col && col.cell && hit.layer < view.geometry.L ? { layer: hit.layer, index: hit.index } : null;
    const before = view.focus;
    if ((before && before.layer) !== (focus && focus.layer) || (before && before.index) !== (focus && focus.index)) {
      view.focus = focus;
      redraw();
    }
  }
  canvas.addEventListener("pointermove", (event) => {
    const rect = canvas.getBoundingClientRect();
    const x = event.clientX - rect.left;
    const y = event.clientY - rect.top;
    focusAt(x, y);
    if (view.hoverLine && !editing && view.hit(x, y)) {
      view.hoverLine = null; // on a neuron now (main.js asks tip() only off the neurons)
      redraw();
    }
  });
  canvas.addEventListener("pointerleave", () => {
    focusAt(-1, -1);
    if (view.hoverLine) {
      view.hoverLine = null;
      redraw();
    }
  });

  function connectionAt(x, y) {
    if (!live() || !view.meta || view.hit(x, y)) return null; // a neuron wins over the lines under it
    return view.hitConnection(x, y);
  }

  // The tip's text for a connection at (x, y), or "" (main.js shows it like a neuron's tip).
  function tip(x, y) {
    hovered = connectionAt(x, y);
    hoveredAt = [x, y];
    const old = view.hoverLine;
    if ((old && old.layer) !== (hovered && hovered.layer) || (old && old.k) !== (hovered && hovered.k)) {
      view.hoverLine = hovered;
      redraw();
    }
    if (!hovered) return "";
    canvas.style.cursor = "pointer";
    const g = gradientAt(hovered);
    return `${connectionName(hovered)}: weight ${fmt(weightAt(hovered))}${Number.isFinite(g) ? ` · ∂L/∂w ${fmt(g)}` : ""} · click to edit`;
  }

  // ---- the weight editor
  const editor = document.createElement("form");
  editor.className = "weight-editor";
  editor.hidden = true;
  editor.setAttribute("role", "dialog");
  editor.setAttribute("aria-label", "Edit a weight");
  editor.dataset.testid = "weight-editor";
  const title = document.createElement("p");
  title.className = "weight-title";
  const input = document.createElement("input");
  input.type = "text"; // not "number": the value typed is checked here, with a message, not silently dropped
  input.inputMode = "decimal";
  input.autocomplete = "off";
  input.spellcheck = false;
  input.dataset.testid = "weight-input";
  const label = document.createElement("label");
  label.className = "weight-label";
  label.append("w = ", input);
  const apply = document.createElement("button");
  apply.type = "submit";
  apply.className = "btn primary";
  apply.textContent = "Set";
  apply.dataset.testid = "weight-apply";
  const cancel = document.createElement("button");
  cancel.type = "button";
  cancel.className = "btn";
  cancel.textContent = "Cancel";
  cancel.dataset.testid = "weight-cancel";
  const row = document.createElement("div");
  row.className = "weight-row";
  row.append(label, apply, cancel);
  const message = document.createElement("p");
  message.className = "weight-message";
  message.dataset.testid = "weight-message";
  message.setAttribute("role", "alert");
  const hint = document.createElement("p");
  hint.className = "weight-hint";
  hint.textContent = "Enter sets it, Esc cancels; training goes on from the new weight.";
  editor.append(title, row, message, hint);
  panel.append(editor);

  let editing = null; // {connection, resume}
  function openEditor(c, x, y) {
    const resume = controller.playing();
    if (resume) controller.pause(); // the number shown must be the number edited
    editing = { connection: c, resume };
    title.textContent = `Weight ${connectionName(c)}`;
    input.value = String(Number(weightAt(c).toPrecision(6)));
    input.setAttribute("aria-label", `New weight ${connectionName(c)}`);
    message.textContent = "";
    editor.hidden = false;
    const box = panel.getBoundingClientRect();
    const left = Math.max(6, Math.min(x + 10, box.width - editor.offsetWidth - 6));
    const top = y + 14 + editor.offsetHeight > box.height - 6 ? Math.max(6, y - editor.offsetHeight - 10) : y + 14;
    editor.style.transform = `translate(${left}px, ${top}px)`;
    $("tip").hidden = true;
    input.focus();
    input.select();
  }

  function closeEditor() {
    if (!editing) return;
    const { resume } = editing;
    editing = null;
    editor.hidden = true;
    canvas.focus?.();
    if (resume) controller.play();
  }

  function commit() {
    const c = editing.connection;
    const text = input.value.trim().replace("−", "-");
    const value = text === "" ? NaN : Number(text);
    if (!Number.isFinite(value)) {
      message.textContent = `“${input.value}” is not a number: type one like 0.5 or -1.2.`;
      return;
    }
    if (Math.abs(value) > MAX_WEIGHT) {
      message.textContent = `${fmt(value)} is too large: a weight must lie between −${MAX_WEIGHT} and ${MAX_WEIGHT}.`;
      return;
    }
    try {
      bridge.setWeight(c.layer - 1, c.i, c.j, value);
    } catch (error) {
      message.textContent = `Not applied: ${String(error.message || error).split("\n").filter(Boolean).pop()}`;
      return;
    }
    committed();
    closeEditor();
  }

  editor.addEventListener("submit", (event) => {
    event.preventDefault();
    commit();
  });
  cancel.addEventListener("click", closeEditor);
  editor.addEventListener("keydown", (event) => {
    event.stopPropagation(); // Space and friends belong to the input, not the page's shortcuts
    if (event.key === "Escape") {
      event.preventDefault();
      closeEditor();
    }
  });
  canvas.addEventListener("click", (event) => {
    const rect = canvas.getBoundingClientRect();
    const x = event.clientX - rect.left;
    const y = event.clientY - rect.top;
    if (editing) return closeEditor();
    if (view.hit(x, y)) return; // a neuron (or the plane, or the picture): not a line
    // the connection the tip names, if the pointer has not moved: a click's coordinates are
    // rounded, and among crossing lines a fraction of a pixel can pick a neighbour
    const near = hoveredAt && Math.abs(hoveredAt[0] - x) <= 1.5 && Math.abs(hoveredAt[1] - y) <= 1.5;
    const c = near && hovered && live() ? hovered : connectionAt(x, y);
    if (c) openEditor(c, x, y);
  });

  // ---- the loss chart's options and key
  const logButton = $("chart-log");
  const keyAccuracy = $("key-accuracy");
  const keyGhost = $("key-ghost");
  logButton.addEventListener("click", () => {
    chart.setLog(!chart.log);
    logButton.setAttribute("aria-pressed", String(chart.log));
    chart.draw();
  });

  // ---- Save PNG
  const exportButton = $("export-png");
  exportButton.addEventListener("click", () => {
    if (!bridge.meta) return;
    const step = Math.round(bridge.figure("step"));
    const name = `nnpy-${String(bridge.meta.dataset).replace(/[^A-Za-z0-9_-]+/g, "_")}-step${step}.png`;
    canvas.toBlob((blob) => {
      if (!blob) return;
      const url = URL.createObjectURL(blob);
      const a = document.createElement("a");
      a.href = url;
      a.download = name;
      document.body.append(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 10000);
    }, "image/png");
  });

  const setEnabled = () => {
    exportButton.disabled = !bridge.meta || status() === "loading" || status() === "error";
    logButton.disabled = status() === "loading" || status() === "error";
  };

  return {
    tip,
    onMeta(meta) {
      if (editing) closeEditor();
      document.body.classList.toggle("plane-data", Boolean(meta.plane));
      keyAccuracy.hidden = meta.kind !== "classification";
      keyGhost.hidden = !chart.ghost;
      setEnabled();
    },
    afterDraw() {
      setEnabled();
      // the legend explains the neuron pictures only while some are drawn
      const pictures = Boolean(view.geometry && view.geometry.cols.some((c) => c.cell));
      if (pictures !== document.body.classList.contains("neuron-pictures")) {
        document.body.classList.toggle("neuron-pictures", pictures);
      }
    },
    get editing() {
      return editing;
    },
  };
}
