// 1-D data (the sine set): a plot in the input column, where 2-D data draws its plane. It shows
// the data points (x, y) and the network's prediction as a line over the data's x range, on fixed
// axes (meta.curve = {size, x: [lo, hi], y: [lo, hi]}, see web/py/nnpy_curve.py). The prediction
// on meta.curve.size evenly spaced x values arrives in info.field at every evaluation, like the
// 2-D heatmap. Training points are dots; test points (controls.js, "show test data") get a ring.

import { rgba, POSITIVE, NEGATIVE, INK, MUTED, FAINT, TRACK } from "./colors.js";

/** The plot's rect {x, y, w, h} (CSS px) in the input column: a little wider than tall. */
export function curveRect(pad, top, availH, W, small) {
  const w = Math.max(60, Math.min(W * (small ? 0.3 : 0.32), 320));
  const h = Math.max(40, Math.min(w * 0.8, availH * 0.7));
  return { x: pad + (small ? 12 : 16), y: top + (availH - h) / 2, w, h };
}

// Data coordinates -> CSS px inside the rect.
function scales(rect, curve) {
  const [x0, x1] = curve.x;
  const [y0, y1] = curve.y;
  return {
    X: (v) => rect.x + ((v - x0) / (x1 - x0)) * rect.w,
    Y: (v) => rect.y + ((y1 - v) / (y1 - y0)) * rect.h,
  };
}

/** Points [[x, y], ...] as dots coloured by the sign of y; `ring`: an ink ring (test points).
 *  `dpr`: set the canvas's CSS-px transform first (when drawn after the view, as controls.js does). */
export function drawCurvePoints(ctx, rect, curve, points, ring = false, dpr = 0) {
  const { X, Y } = scales(rect, curve);
  const r = Math.max(1.6, Math.min(2.6, rect.w / 100));
  ctx.save();
  if (dpr) ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  ctx.beginPath();
  ctx.rect(rect.x, rect.y, rect.w, rect.h);
  ctx.clip();
  for (const sign of [1, -1]) {
    ctx.beginPath();
    for (const [a, b] of points) {
      if ((b >= 0) !== (sign > 0)) continue;
      const px = X(a);
      const py = Y(b);
      ctx.moveTo(px + r, py);
      ctx.arc(px, py, r, 0, 2 * Math.PI);
    }
    ctx.fillStyle = rgba(sign > 0 ? POSITIVE : NEGATIVE, ring ? 0.9 : 0.7);
    ctx.fill();
    if (ring) {
      ctx.lineWidth = rect.w < 200 ? 0.5 : 0.75; // thin: a small plot's rings would hide the dots
      ctx.strokeStyle = INK;
      ctx.stroke();
    }
  }
  ctx.restore();
}

/** The whole plot: frame, zero line, training points, the network's curve, the probe, labels. */
export function drawCurve(ctx, rect, meta, info, outputs, font, small) {
  const curve = meta.curve;
  const { X, Y } = scales(rect, curve);
  const { x, y, w, h } = rect;
  ctx.lineWidth = 1;
  if (curve.y[0] < 0 && curve.y[1] > 0) {
    ctx.strokeStyle = TRACK;
    ctx.beginPath();
    ctx.moveTo(x, Math.round(Y(0)) + 0.5);
    ctx.lineTo(x + w, Math.round(Y(0)) + 0.5);
    ctx.stroke();
  }
  drawCurvePoints(ctx, rect, curve, meta.train_points || meta.points || []);
  const values = info.field;
  const n = values ? values.length : 0;
  ctx.save();
  ctx.beginPath();
  ctx.rect(x, y, w, h);
  ctx.clip();
  if (n > 1) {
    ctx.beginPath();
    for (let i = 0; i < n; i++) {
      const v = Math.max(-1e6, Math.min(1e6, values[i])); // far off the axes: still a drawable line
      const px = x + (i / (n - 1)) * w;
      if (i === 0) ctx.moveTo(px, Y(v));
      else ctx.lineTo(px, Y(v));
    }
    ctx.lineWidth = 2;
    ctx.lineJoin = "round";
    ctx.strokeStyle = INK;
    ctx.stroke();
  }
  // the example the network shows: its x, and the network's answer there, on the curve
  const px = info.probe && info.probe[0];
  if (Number.isFinite(px) && outputs && Number.isFinite(outputs[0])) {
    ctx.beginPath();
    ctx.arc(X(px), Y(outputs[0]), 4.5, 0, 2 * Math.PI);
    ctx.lineWidth = 2;
    ctx.strokeStyle = INK;
    ctx.stroke();
  }
  ctx.restore();
  ctx.strokeStyle = FAINT;
  ctx.lineWidth = 1;
  ctx.strokeRect(x - 0.5, y - 0.5, w + 1, h + 1);
  // axes: names and the ends of the ranges, small and muted
  const size = small ? 9 : 10;
  ctx.font = `${size}px ${font}`;
  ctx.fillStyle = MUTED;
  ctx.textBaseline = "top";
  ctx.textAlign = "center";
  ctx.fillText("x1 →", x + w / 2, y + h + 4);
  ctx.textAlign = "left";
  ctx.fillText(tick(curve.x[0]), x, y + h + 4);
  ctx.textAlign = "right";
  ctx.fillText(tick(curve.x[1]), x + w, y + h + 4);
  ctx.textBaseline = "bottom";
  ctx.textAlign = "left";
  ctx.fillText("y ↑", x, y - 3);
  ctx.textAlign = "right";
  ctx.textBaseline = "top";
  ctx.fillText(tick(curve.y[1]), x - 3, y);
  ctx.textBaseline = "bottom";
  ctx.fillText(tick(curve.y[0]), x - 3, y + h);
}

const tick = (v) => (Math.abs(v) >= 10 ? v.toFixed(0) : v.toFixed(1)).replace("-", "−");
