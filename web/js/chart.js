// The loss chart: train and test loss against steps. Points are kept in fixed typed arrays;
// when they fill up every other point is dropped (the curve keeps its shape, memory stays flat).
// Options: a log scale for the losses (setLog), the test accuracy as a dashed curve on its own
// 0-100% axis (classification), and the previous run's test loss as a faint "ghost" after
// every reset, so a new run can be compared with the last one on the same axes.

import { fitCanvas, uiFont } from "./canvas.js";
import { INK, MUTED, TRAIN, TEST, FAINT, TRACK, POSITIVE, rgba } from "./colors.js";

const CAPACITY = 2048;

// A round tick step so that about `ticks` steps cover `v`: 1, 2, 2.5 or 5 times a power of ten.
function niceStep(v, ticks) {
  const raw = (v > 0 ? v : 1) / ticks;
  const p = 10 ** Math.floor(Math.log10(raw));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * p >= raw) return m * p;
  return 10 * p;
}

export function compact(n) {
  if (n >= 1e6) return `${(n / 1e6).toFixed(n >= 1e7 ? 0 : 1)}M`;
  if (n >= 1e4) return `${Math.round(n / 1e3)}k`;
  if (n >= 1e3) return `${(n / 1e3).toFixed(1)}k`;
  return String(Math.round(n));
}

export class LossChart {
  constructor(canvas) {
    this.canvas = canvas;
    this.ctx = canvas.getContext("2d");
    this.steps = new Float64Array(CAPACITY);
    this.train = new Float64Array(CAPACITY);
    this.test = new Float64Array(CAPACITY);
    this.acc = new Float64Array(CAPACITY);
    this.n = 0;
    this.log = false;
    this.ghost = null; // {steps, test, n}: the previous run's test loss
    this.w = 0;
    this.h = 0;
    this.dpr = 1;
    this.font = uiFont();
  }

  // A new run: the current one (if it got anywhere) becomes the ghost.
  reset() {
    if (this.n > 1) {
      this.ghost = { steps: this.steps.slice(0, this.n), test: this.test.slice(0, this.n), n: this.n };
    }
    this.n = 0;
  }

  setLog(on) {
    this.log = Boolean(on);
  }

  // True when the chart shows an accuracy curve (a classification run with a measured accuracy).
  get hasAccuracy() {
    for (let i = 0; i < this.n; i++) if (Number.isFinite(this.acc[i])) return true;
    return false;
  }

  add(step, train, test, accuracy = NaN) {
    if (this.n && step <= this.steps[this.n - 1]) {
      // same step (e.g. re-evaluated while paused): replace
      this.train[this.n - 1] = train;
      this.test[this.n - 1] = test;
      this.acc[this.n - 1] = accuracy;
      return;
    }
    if (this.n === CAPACITY) {
      let k = 0;
      for (let i = 0; i < CAPACITY; i += 2, k++) {
        this.steps[k] = this.steps[i];
        this.train[k] = this.train[i];
        this.test[k] = this.test[i];
        this.acc[k] = this.acc[i];
      }
      this.n = k;
    }
    this.steps[this.n] = step;
    this.train[this.n] = train;
    this.test[this.n] = test;
    this.acc[this.n] = accuracy;
    this.n++;
  }

  resize(cssWidth, cssHeight, dpr) {
    return fitCanvas(this, cssWidth, cssHeight, dpr);
  }

  draw() {
    const ctx = this.ctx;
    const { w, h } = this;
    ctx.setTransform(this.dpr, 0, 0, this.dpr, 0, 0);
    ctx.clearRect(0, 0, w, h);
    const small = h < 90;
    const left = small ? 28 : 34;
    const accuracy = this.hasAccuracy;
    const right = accuracy ? (small ? 26 : 30) : 6;
    const top = 6;
    const bottom = small ? 14 : 18;
    const pw = w - left - right;
    const ph = h - top - bottom;
    if (pw < 10 || ph < 10) return;

    const ghost = this.ghost;
    const xmax = Math.max(10, this.n ? this.steps[this.n - 1] : 10, ghost ? ghost.steps[ghost.n - 1] : 0);
    const X = (s) => left + (s / xmax) * pw;
    // the loss range: this run and the ghost
    let ymax = 0;
    let ymin = Infinity;
    const see = (v) => {
      if (Number.isFinite(v)) {
        ymax = Math.max(ymax, v);
        if (v > 0) ymin = Math.min(ymin, v);
      }
    };
    for (let i = 0; i < this.n; i++) {
      see(this.train[i]);
      see(this.test[i]);
    }
    if (ghost) for (let i = 0; i < ghost.n; i++) see(ghost.test[i]);
    const ticks = small ? 2 : 4;
    let Y;
    const labels = []; // [value, text]
    if (this.log && ymax > 0) {
      // whole decades around the data; 2 and 5 between them when it spans less than two
      const lo = Math.floor(Math.log10(ymin));
      const hi = Math.max(lo + 1, Math.ceil(Math.log10(ymax) - 1e-9));
      Y = (v) => (v > 0 ? top + ph - ((Math.log10(v) - lo) / (hi - lo)) * ph : NaN);
      const decade = (k) => (k >= 0 ? String(10 ** k) : (10 ** k).toFixed(-k));
      const every = Math.max(1, Math.ceil((hi - lo) / (small ? 2 : 5)));
      for (let k = lo; k <= hi; k += every) {
        labels.push([10 ** k, decade(k)]);
        if (hi - lo <= 2 && !small && k < hi) {
          for (const m of [2, 5]) labels.push([m * 10 ** k, (m * 10 ** k).toFixed(Math.max(0, -k))]);
        }
      }
    } else {
      const step = niceStep(ymax || 1, ticks);
      ymax = Math.max(step, Math.ceil((ymax || 1) / step - 1e-9) * step);
      Y = (v) => top + ph - (v / ymax) * ph;
      const digits = step >= 1 ? 0 : step >= 0.1 && Math.abs(step * 10 - Math.round(step * 10)) < 1e-9 ? 1 : 2;
      for (let v = 0; v <= ymax + 1e-9; v += step) labels.push([v, v.toFixed(digits)]);
    }

    // grid and labels
    ctx.font = `${small ? 9 : 10}px ${this.font}`;
    ctx.fillStyle = MUTED;
    ctx.strokeStyle = TRACK;
    ctx.lineWidth = 1;
    ctx.textAlign = "right";
    ctx.textBaseline = "middle";
    for (const [v, text] of labels) {
      const y = Math.round(Y(v)) + 0.5;
      ctx.beginPath();
      ctx.moveTo(left, y);
      ctx.lineTo(left + pw, y);
      ctx.stroke();
      ctx.fillText(text, left - 4, y);
    }
    // the accuracy axis, on the right: 0, 50, 100 %
    const A = (v) => top + ph - v * ph;
    if (accuracy) {
      ctx.textAlign = "left";
      ctx.fillStyle = rgba(POSITIVE, 1);
      for (const v of small ? [0, 1] : [0, 0.5, 1]) ctx.fillText(`${Math.round(100 * v)}%`, left + pw + 3, Math.round(A(v)) + 0.5);
      ctx.fillStyle = MUTED;
    }
    ctx.textBaseline = "alphabetic";
    ctx.textAlign = "left";
    ctx.fillText("0", left, h - 3);
    ctx.textAlign = "right";
    ctx.fillText(`${compact(xmax)} steps`, left + pw, h - 3);

    if (this.n === 0) {
      ctx.textAlign = "center";
      ctx.fillStyle = MUTED;
      ctx.fillText("press Play to start learning", left + pw / 2, top + ph / 2);
      return;
    }
    if (ghost) this._line(ghost.test, X, Y, FAINT, 1.75, ghost.steps, ghost.n);
    this._line(this.train, X, Y, TRAIN, 1.5);
    this._line(this.test, X, Y, TEST, 1.75);
    if (accuracy) {
      ctx.setLineDash([4, 3]);
      this._line(this.acc, X, A, rgba(POSITIVE, 0.9), 1.5);
      ctx.setLineDash([]);
    }
    // last test value marker
    const last = this.test[this.n - 1];
    if (Number.isFinite(last)) {
      ctx.beginPath();
      ctx.arc(X(this.steps[this.n - 1]), Y(last), 2.5, 0, 2 * Math.PI);
      ctx.fillStyle = INK;
      ctx.fill();
    }
  }

  _line(values, X, Y, color, width, steps = this.steps, n = this.n) {
    const ctx = this.ctx;
    ctx.beginPath();
    let pen = false;
    for (let i = 0; i < n; i++) {
      const v = values[i];
      const y = Y(v);
      if (!Number.isFinite(v) || !Number.isFinite(y)) {
        pen = false;
        continue;
      }
      const x = X(steps[i]);
      if (pen) ctx.lineTo(x, y);
      else ctx.moveTo(x, y);
      pen = true;
    }
    ctx.strokeStyle = color;
    ctx.lineWidth = width;
    ctx.lineJoin = "round";
    ctx.stroke();
  }
}
