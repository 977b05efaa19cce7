// The loss chart: train and test loss against steps. Points are kept in fixed typed arrays;
// when they fill up every other point is dropped (the curve keeps its shape, memory stays flat).

import { fitCanvas, uiFont } from "./canvas.js";
import { INK, MUTED, TRAIN, TEST } from "./colors.js";

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
    this.n = 0;
    this.w = 0;
    this.h = 0;
    this.dpr = 1;
    this.font = uiFont();
  }

  reset() {
    this.n = 0;
  }

  add(step, train, test) {
    if (this.n && step <= this.steps[this.n - 1]) {
      // same step (e.g. re-evaluated while paused): replace
      this.train[this.n - 1] = train;
      this.test[this.n - 1] = test;
      return;
    }
    if (this.n === CAPACITY) {
      let k = 0;
      for (let i = 0; i < CAPACITY; i += 2, k++) {
        this.steps[k] = this.steps[i];
        this.train[k] = this.train[i];
        this.test[k] = this.test[i];
      }
      this.n = k;
    }
    this.steps[this.n] = step;
    this.train[this.n] = train;
    this.test[this.n] = test;
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
    const right = 6;
    const top = 6;
    const bottom = small ? 14 : 18;
    const pw = w - left - right;
    const ph = h - top - bottom;
    if (pw < 10 || ph < 10) return;

    let ymax = 0;
    for (let i = 0; i < this.n; i++) {
      if (Number.isFinite(this.train[i])) ymax = Math.max(ymax, this.train[i]);
      if (Number.isFinite(this.test[i])) ymax = Math.max(ymax, this.test[i]);
    }
    const ticks = small ? 2 : 4;
    const step = niceStep(ymax || 1, ticks);
    ymax = Math.max(step, Math.ceil((ymax || 1) / step - 1e-9) * step);
    const xmax = Math.max(10, this.n ? this.steps[this.n - 1] : 10);
    const X = (s) => left + (s / xmax) * pw;
    const Y = (v) => top + ph - (v / ymax) * ph;

    // grid and labels
    ctx.font = `${small ? 9 : 10}px ${this.font}`;
    ctx.fillStyle = MUTED;
    ctx.strokeStyle = "#e8ecf1";
    ctx.lineWidth = 1;
    ctx.textAlign = "right";
    ctx.textBaseline = "middle";
    const digits = step >= 1 ? 0 : step >= 0.1 && Math.abs(step * 10 - Math.round(step * 10)) < 1e-9 ? 1 : 2;
    for (let v = 0; v <= ymax + 1e-9; v += step) {
      const y = Math.round(Y(v)) + 0.5;
      ctx.beginPath();
      ctx.moveTo(left, y);
      ctx.lineTo(left + pw, y);
      ctx.stroke();
      ctx.fillText(v.toFixed(digits), left - 4, y);
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
    this._line(this.train, X, Y, TRAIN, 1.5);
    this._line(this.test, X, Y, TEST, 1.75);
    // last test value marker
    const last = this.test[this.n - 1];
    if (Number.isFinite(last)) {
      ctx.beginPath();
      ctx.arc(X(this.steps[this.n - 1]), Y(last), 2.5, 0, 2 * Math.PI);
      ctx.fillStyle = INK;
      ctx.fill();
    }
  }

  _line(values, X, Y, color, width) {
    const ctx = this.ctx;
    ctx.beginPath();
    let pen = false;
    for (let i = 0; i < this.n; i++) {
      const v = values[i];
      if (!Number.isFinite(v)) {
        pen = false;
        continue;
      }
      const x = X(this.steps[i]);
      const y = Y(v);
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
