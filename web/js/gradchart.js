// Gradient size per layer over time: ‖∂L/∂W‖ of each weight layer, log scale, one line per layer.
// Samples come from nnpy (web/py/nnpy_walk.py GradientMonitor, explain.gradient_norms) in
// bridge.view.grad = [samples, step, layers, norm_1 .. norm_L]; this file only stores and draws them.
// Lines that fall apart towards the input (layer 1 far below the last) are vanishing gradients.

import { fitCanvas, uiFont } from "./canvas.js";
import { INK, MUTED, FAINT, TRACK } from "./colors.js";

const CAPACITY = 1024;
const MAX_LAYERS = 17;
// first layers light, last layers dark: one hue ramp readable in grey and by colour-blind eyes
const RAMP = ["#9ecae1", "#6baed6", "#4292c6", "#2171b5", "#08519c", "#08306b"];

export class GradChart {
  constructor(box) {
    this.box = box;
    this.canvas = box.querySelector("canvas");
    this.ctx = this.canvas.getContext("2d");
    this.steps = new Float64Array(CAPACITY);
    this.norms = new Float64Array(CAPACITY * MAX_LAYERS);
    this.n = 0;
    this.layers = 0;
    this.seen = 0;
    this.w = 0;
    this.h = 0;
    this.dpr = 1;
    this.font = uiFont();
  }

  reset() {
    this.n = 0;
  }

  // Read the bridge's latest sample; true when it was new.
  read(grad) {
    if (!grad || grad.length < 3 || grad[0] === this.seen) return false;
    this.seen = grad[0];
    const step = grad[1];
    const layers = Math.min(MAX_LAYERS, grad[2]);
    if (layers !== this.layers || (this.n && step < this.steps[this.n - 1])) {
      this.n = 0;
      this.layers = layers;
    }
    if (this.n && step === this.steps[this.n - 1]) this.n--;
    if (this.n === CAPACITY) {
      let k = 0;
      for (let i = 0; i < CAPACITY; i += 2, k++) {
        this.steps[k] = this.steps[i];
        for (let l = 0; l < layers; l++) this.norms[k * MAX_LAYERS + l] = this.norms[i * MAX_LAYERS + l];
      }
      this.n = k;
    }
    this.steps[this.n] = step;
    for (let l = 0; l < layers; l++) this.norms[this.n * MAX_LAYERS + l] = grad[3 + l];
    this.n++;
    return true;
  }

  resize(cssWidth, cssHeight, dpr) {
    return fitCanvas(this, cssWidth, cssHeight, dpr);
  }

  draw() {
    const { ctx, w, h } = this;
    ctx.setTransform(this.dpr, 0, 0, this.dpr, 0, 0);
    ctx.clearRect(0, 0, w, h);
    ctx.font = `10px ${this.font}`;
    const left = 34;
    const right = w - 6;
    const top = 6;
    const bottom = h - 14;
    if (this.n === 0) {
      ctx.fillStyle = MUTED;
      ctx.textAlign = "center";
      ctx.textBaseline = "middle";
      ctx.fillText("press Play or Step to sample", w / 2, h / 2);
      return;
    }
    let lo = Infinity;
    let hi = -Infinity;
    for (let q = 0; q < this.n; q++) {
      for (let l = 0; l < this.layers; l++) {
        const v = this.norms[q * MAX_LAYERS + l];
        if (v > 0) {
          lo = Math.min(lo, Math.log10(v));
          hi = Math.max(hi, Math.log10(v));
        }
      }
    }
    if (!Number.isFinite(lo)) return;
    lo = Math.floor(lo);
    hi = Math.max(lo + 1, Math.ceil(hi));
    const s0 = this.steps[0];
    const s1 = Math.max(s0 + 1, this.steps[this.n - 1]);
    const X = (s) => left + ((s - s0) / (s1 - s0)) * (right - left);
    const Y = (v) => bottom - ((Math.log10(v) - lo) / (hi - lo)) * (bottom - top);
    // decades
    ctx.strokeStyle = TRACK;
    ctx.lineWidth = 1;
    ctx.fillStyle = MUTED;
    ctx.textAlign = "right";
    ctx.textBaseline = "middle";
    const every = Math.max(1, Math.ceil((hi - lo) / 4));
    for (let d = lo; d <= hi; d += every) {
      const y = bottom - ((d - lo) / (hi - lo)) * (bottom - top);
      ctx.beginPath();
      ctx.moveTo(left, y);
      ctx.lineTo(right, y);
      ctx.stroke();
      ctx.fillText(d >= -3 && d <= 3 ? String(10 ** d).replace(/^0\./, ".") : `1e${d}`.replace("-", "−"), left - 4, y);
    }
    ctx.strokeStyle = FAINT;
    ctx.beginPath();
    ctx.moveTo(left, bottom);
    ctx.lineTo(right, bottom);
    ctx.stroke();
    ctx.textAlign = "left";
    ctx.textBaseline = "top";
    ctx.fillText(`step ${Math.round(s0).toLocaleString("en")}`, left, bottom + 2);
    ctx.textAlign = "right";
    ctx.fillText(Math.round(s1).toLocaleString("en"), right, bottom + 2);
    for (let l = 0; l < this.layers; l++) {
      ctx.strokeStyle = this.color(l);
      ctx.lineWidth = 1.5;
      ctx.beginPath();
      let started = false;
      for (let q = 0; q < this.n; q++) {
        const v = this.norms[q * MAX_LAYERS + l];
        if (!(v > 0)) continue;
        const x = X(this.steps[q]);
        const y = Y(v);
        if (started) ctx.lineTo(x, y);
        else ctx.moveTo(x, y);
        started = true;
      }
      if (this.n === 1) ctx.arc(X(this.steps[0]) + 2, Y(this.norms[l]), 1.5, 0, 2 * Math.PI);
      ctx.stroke();
    }
  }

  color(l) {
    if (this.layers <= 1) return INK;
    return RAMP[Math.round((l / (this.layers - 1)) * (RAMP.length - 1))];
  }

  // the chart's key: the first and the last weight layer (the ramp runs light to dark between them)
  key() {
    const L = this.layers;
    if (L <= 2) return [...Array(L).keys()].map((l) => [this.color(l), `W${l + 1}`]);
    return [[this.color(0), "W1"], [null, "…"], [this.color(L - 1), `W${L}`]];
  }
}
