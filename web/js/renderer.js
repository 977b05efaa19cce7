// Draws the network from a packed snapshot (docs/ARCHITECTURE.md): nothing here computes
// anything nnpy computes; it only maps numbers to pixels.
//
// Layers run left to right. Image inputs are drawn as the picture itself, one cell per input
// neuron; its connections leave from the cell centres (under the picture, so they fan out of
// its edge). Every connection is a line whose width and opacity grow with |w| and whose colour
// is its sign. To stay fast, lines are bucketed by sign and strength into a few paths (one
// style change per bucket), and a layer gap with more than `maxLines` connections (e.g. 784 x 64
// for MNIST) draws only its strongest `maxLines` — the legend says so. `maxLines` adapts to the
// machine (main.js): faint lines cost as much to rasterise as strong ones and say little.
//
// With 2-D data, each hidden neuron is drawn as a small picture of its own activation over the
// data's plane (info.neurons, from one forward pass on a grid; see nnpy_page.Session._field)
// when the layout leaves room for it, and as a circle otherwise. `focus` (a hovered neuron) shows
// that neuron's picture big on the plane. Colours come from colors.js, which follows the theme.

import { fitCanvas, uiFont } from "./canvas.js";
import { curveRect, drawCurve } from "./curve.js";
import { diverging, divergingInto, rgba, inkAlpha, POSITIVE, NEGATIVE, INK, MUTED, FAINT, PAPER_CSS, TRACK } from "./colors.js";

const START_LINES = 800; // per layer gap; the page adapts maxLines to what the machine draws in time
const BINS = 6; // strength buckets per sign
const HIST = 256;
const MIN_CELL = 12; // smallest neuron picture (CSS px); below it neurons are circles
const MAX_CELL = 44;
const CELL_SPACING = 50; // spacing between neurons a column may use when they are pictures

export class NetworkView {
  constructor(canvas) {
    this.canvas = canvas;
    this.ctx = canvas.getContext("2d", { alpha: false });
    this.meta = null;
    this.w = 0;
    this.h = 0;
    this.dpr = 1;
    this.image = document.createElement("canvas");
    this.imageCtx = this.image.getContext("2d");
    this.hist = new Uint32Array(HIST);
    this.notes = [];
    this.maxLines = START_LINES;
    this.geometry = null;
    this.font = uiFont();
    this.atlas = document.createElement("canvas"); // every neuron picture, one above the other
    this.atlasCtx = this.atlas.getContext("2d");
    this.focusImage = document.createElement("canvas");
    this.focusCtx = this.focusImage.getContext("2d");
    this.focus = null; // {layer, index}: a hidden neuron whose picture the plane shows
    this.hoverLine = null; // {layer, i, j}: a connection to outline
    this.shownLines = []; // per layer gap: which connections were drawn (for hitConnection)
  }

  resize(cssWidth, cssHeight, dpr) {
    if (!fitCanvas(this, cssWidth, cssHeight, dpr)) return false;
    this.geometry = null;
    this.ctx.fillStyle = PAPER_CSS;
    this.ctx.fillRect(0, 0, this.canvas.width, this.canvas.height);
    return true;
  }

  setMeta(meta) {
    this.meta = meta;
    this.geometry = null;
    this.focus = null;
    this.hoverLine = null;
    const grid = meta.neuron_grid || 0;
    const maps = grid ? meta.sizes.slice(1, -1).reduce((a, n) => a + n, 0) : 0;
    this.neuronGrid = grid;
    this.neuronCount = maps;
    if (maps) {
      this.atlas.width = grid;
      this.atlas.height = grid * maps;
      this.atlasPixels = this.atlasCtx.createImageData(grid, grid * maps);
      this.focusImage.width = grid;
      this.focusImage.height = grid;
      this.focusPixels = this.focusCtx.createImageData(grid, grid);
    }
    if (meta.image) {
      this.image.width = meta.input_shape[1];
      this.image.height = meta.input_shape[0];
      this.pixels = this.imageCtx.createImageData(this.image.width, this.image.height);
    } else if (meta.plane) {
      this.image.width = meta.field_size;
      this.image.height = meta.field_size;
      this.pixels = this.imageCtx.createImageData(meta.field_size, meta.field_size);
    }
  }

  // ------------------------------------------------------------------ geometry

  _layout() {
    const { sizes, image, input_shape: shape, kind, output_names: outNames } = this.meta;
    const W = this.w;
    const H = this.h;
    const small = W < 560 || H < 330;
    const pad = small ? 8 : 14;
    const titleH = small ? 28 : 36;
    const top = pad + titleH;
    const bottom = H - pad;
    const availH = Math.max(20, bottom - top);
    const L = sizes.length - 1;
    const classes = kind === "classification" && sizes[L] > 1;
    const right = classes ? Math.min(small ? 78 : 110, W * 0.24) : small ? 52 : 70;

    const cols = [];
    // input column
    let inputRight;
    const input = { x: 0, xs: new Float32Array(sizes[0]), ys: new Float32Array(sizes[0]), r: 0, rect: null };
    if (image) {
      const [rows, colsN] = shape;
      const side = Math.max(24, Math.min(availH * (small ? 0.62 : 0.56), W * (small ? 0.22 : 0.2), 240));
      const cell = side / Math.max(rows, colsN);
      const wImg = cell * colsN;
      const hImg = cell * rows;
      const x0 = pad + 2;
      const y0 = top + (availH - hImg) / 2;
      input.rect = { x: x0, y: y0, w: wImg, h: hImg, cell, rows, cols: colsN };
      for (let r = 0; r < rows; r++) {
        for (let c = 0; c < colsN; c++) {
          input.xs[r * colsN + c] = x0 + (c + 0.5) * cell;
          input.ys[r * colsN + c] = y0 + (r + 0.5) * cell;
        }
      }
      input.x = x0 + wImg / 2;
      inputRight = x0 + wImg;
    } else if (this.meta.plane) {
      // the data's plane (network answer + test points) where a picture would be, then the
      // input neurons beside it
      const custom = this.meta.custom; // "Your data": a bigger plane to click on, room below for its tools
      const wide = custom ? (small ? 0.4 : 0.3) : small ? 0.26 : 0.24;
      const side = Math.max(40, Math.min(custom ? availH - 62 : availH * 0.7, W * wide, 260));
      const x0 = pad + 2;
      const y0 = top + (custom ? Math.max(0, Math.min((availH - side) / 2, availH - side - 62)) : (availH - side) / 2);
      input.plane = { x: x0, y: y0, w: side, h: side };
      const labelW = small ? 34 : 46;
      input.x = x0 + side + labelW;
      this._column(input, sizes[0], input.x, top, availH);
      inputRight = input.x + input.r;
    } else if (this.meta.curve) {
      // 1-D data: a plot of the data and the network's curve (curve.js), then the input neurons
      input.curve = curveRect(pad, top, availH, W, small);
      input.x = input.curve.x + input.curve.w + (small ? 34 : 46);
      this._column(input, sizes[0], input.x, top, availH);
      inputRight = input.x + input.r;
    } else {
      const labelW = small ? 34 : 46;
      input.x = pad + labelW;
      this._column(input, sizes[0], input.x, top, availH);
      inputRight = input.x + input.r;
    }
    cols.push(input);

    const xEnd = W - pad - right;
    const gap = (xEnd - inputRight) / L;
    for (let l = 1; l <= L; l++) {
      const col = { x: inputRight + gap * l - (l === L ? 0 : 0), xs: null, ys: new Float32Array(sizes[l]), r: 0 };
      const pictures = this.neuronCount && l < L;
      this._column(col, sizes[l], col.x, top, availH, pictures ? CELL_SPACING : 34);
      // a hidden neuron of 2-D data is a picture when there is room for one
      col.cell = 0;
      if (pictures) {
        const cell = Math.min(MAX_CELL, col.spacing - 4, gap * 0.55);
        if (cell >= MIN_CELL) col.cell = Math.floor(cell);
      }
      cols.push(col);
    }
    // keep the first hidden column clear of the picture
    this.geometry = { cols, pad, top, bottom, titleH, small, right, classes, outNames, L };
  }

  _column(col, n, x, top, availH, most = 34) {
    const spacing = Math.min(most, availH / n);
    const r = Math.max(1.6, Math.min(11, spacing * 0.36));
    const height = spacing * (n - 1);
    const y0 = top + (availH - height) / 2;
    col.xs = new Float32Array(n).fill(x);
    col.ys = col.ys && col.ys.length === n ? col.ys : new Float32Array(n);
    for (let i = 0; i < n; i++) col.ys[i] = y0 + spacing * i;
    col.r = r;
    col.spacing = spacing;
  }

  // ------------------------------------------------------------------ drawing

  draw(snap, outputs, info) {
    if (!this.meta || !snap) return;
    if (!this.geometry) this._layout();
    const ctx = this.ctx;
    const g = this.geometry;
    const { sizes, layout } = this.meta;
    const off = layout.offsets;
    ctx.setTransform(this.dpr, 0, 0, this.dpr, 0, 0);
    ctx.fillStyle = PAPER_CSS;
    ctx.fillRect(0, 0, this.w, this.h);
    this.notes = [];
    this.linesDrawn = 0;
    this.shownLines = [];
    this.drawnSnap = snap;
    // the neuron pictures, when they match this network (a live edit may have changed its shape)
    const maps = info.neurons && this.neuronCount && info.neurons.length === this.neuronCount * this.neuronGrid ** 2
      ? info.neurons : null;
    if (maps) this._fillAtlas(maps);

    // info.weights: other offsets to draw the lines from (e.g. layout.offsets.gW: colour by gradient)
    const lines = info.weights || off.W;
    this.lineStyle = info.lines || null; // {width, alpha} multipliers (the step-through's update picture)
    for (let l = 1; l <= g.L; l++) this._connections(snap, lines[l - 1], sizes[l - 1], sizes[l], g.cols[l - 1], g.cols[l], l);
    const h = this.hoverLine; // a hovered connection (views.js): outlined, so the tip's line is plain
    if (h && h.layer <= g.L && h.i < sizes[h.layer - 1] && h.j < sizes[h.layer]) {
      const from = g.cols[h.layer - 1];
      const to = g.cols[h.layer];
      ctx.beginPath();
      ctx.moveTo(from.xs[h.i], from.ys[h.i]);
      ctx.lineTo(to.xs[h.j], to.ys[h.j]);
      ctx.lineWidth = 2.5;
      ctx.strokeStyle = INK;
      ctx.stroke();
    }
    if (this.meta.plane && info.field) this._plane(info, maps);
    if (this.meta.curve && g.cols[0].curve) drawCurve(ctx, g.cols[0].curve, this.meta, info, outputs, this.font, g.small);
    this._inputs(snap, off.a[0], sizes[0]);
    for (let l = 1, base = 0; l < g.L; base += sizes[l], l++) this._hidden(snap, off.a[l], sizes[l], g.cols[l], maps && base, l);
    this._outputs(snap, off.a[g.L], sizes[g.L], g.cols[g.L], outputs, info);
    this._titles();
  }

  _connections(snap, o, nIn, nOut, from, to, l) {
    const n = nIn * nOut;
    let wmax = 0;
    for (let k = o; k < o + n; k++) {
      const a = Math.abs(snap[k]);
      if (a > wmax) wmax = a;
    }
    if (!(wmax > 0)) return;
    let threshold = 0;
    const shown = { layer: l, o, nIn, nOut, threshold: 0, wmax };
    this.shownLines.push(shown);
    if (n > this.maxLines) {
      // strongest maxLines by a histogram of |w| (one pass, no sort)
      const hist = this.hist;
      hist.fill(0);
      const scale = (HIST - 1) / wmax;
      for (let k = o; k < o + n; k++) hist[(Math.abs(snap[k]) * scale) | 0]++;
      let acc = 0;
      let b = HIST - 1;
      for (; b > 0; b--) {
        acc += hist[b];
        if (acc >= this.maxLines) break;
      }
      threshold = b / scale;
      shown.threshold = threshold;
      this.notes.push({ layer: l, shown: Math.min(acc, n), total: n });
      this.clipped = true;
    }
    // counting sort of the drawn connections by bucket (sign x strength), then one stroke per
    // line with the style set once per bucket: software rasterisers (no GPU) draw many short
    // separate strokes much faster than one huge path with overlapping translucent segments
    const counts = this.counts || (this.counts = new Int32Array(2 * BINS + 1));
    counts.fill(0);
    const inv = 1 / wmax;
    const bucketOf = (w) => {
      const a = w < 0 ? -w : w;
      if (a < threshold || a === 0) return -1;
      let bin = (a * inv * BINS) | 0;
      if (bin >= BINS) bin = BINS - 1;
      return (w < 0 ? BINS : 0) + bin;
    };
    for (let k = 0; k < n; k++) {
      const b = bucketOf(snap[o + k]);
      if (b >= 0) counts[b + 1]++;
    }
    for (let b = 1; b <= 2 * BINS; b++) counts[b] += counts[b - 1];
    const drawn = counts[2 * BINS];
    if (!this.order || this.order.length < drawn) this.order = new Int32Array(Math.max(drawn, 4096));
    const order = this.order;
    const fill = this.fill || (this.fill = new Int32Array(2 * BINS));
    for (let b = 0; b < 2 * BINS; b++) fill[b] = counts[b];
    for (let k = 0; k < n; k++) {
      const b = bucketOf(snap[o + k]);
      if (b >= 0) order[fill[b]++] = k;
    }
    const ctx = this.ctx;
    const density = Math.max(0.45, Math.min(1, Math.sqrt(500 / Math.max(1, drawn))));
    ctx.lineCap = "butt";
    const fx = from.xs;
    const fy = from.ys;
    const tx = to.xs;
    const ty = to.ys;
    for (let b = 0; b < 2 * BINS; b++) {
      if (counts[b + 1] === counts[b]) continue;
      const t = ((b % BINS) + 0.75) / BINS;
      const style = this.lineStyle || { width: 1, alpha: 1 };
      ctx.strokeStyle = rgba(b < BINS ? POSITIVE : NEGATIVE, style.alpha * Math.min(0.9, (0.06 + 0.8 * t * t) * (0.6 + 0.4 * density)));
      ctx.lineWidth = style.width * (0.3 + 3.2 * t * t) * density;
      for (let q = counts[b]; q < counts[b + 1]; q++) {
        const k = order[q];
        const i = (k / nOut) | 0;
        const j = k - i * nOut;
        ctx.beginPath();
        ctx.moveTo(fx[i], fy[i]);
        ctx.lineTo(tx[j], ty[j]);
        ctx.stroke();
      }
    }
    this.linesDrawn += drawn;
  }

  _inputs(snap, o, n) {
    const ctx = this.ctx;
    const col = this.geometry.cols[0];
    if (this.meta.image) {
      const px = this.pixels.data;
      for (let i = 0; i < n; i++) divergingInto(px, 4 * i, snap[o + i]);
      this.imageCtx.putImageData(this.pixels, 0, 0);
      const { x, y, w, h, cell, rows, cols } = col.rect;
      ctx.imageSmoothingEnabled = false;
      ctx.drawImage(this.image, x, y, w, h);
      if (cell >= 7) {
        ctx.beginPath();
        for (let r = 1; r < rows; r++) {
          ctx.moveTo(x, y + r * cell);
          ctx.lineTo(x + w, y + r * cell);
        }
        for (let c = 1; c < cols; c++) {
          ctx.moveTo(x + c * cell, y);
          ctx.lineTo(x + c * cell, y + h);
        }
        ctx.strokeStyle = inkAlpha(0.07);
        ctx.lineWidth = 1;
        ctx.stroke();
      }
      ctx.strokeStyle = FAINT;
      ctx.lineWidth = 1;
      ctx.strokeRect(x - 0.5, y - 0.5, w + 1, h + 1);
      return;
    }
    // feature inputs: circles with their names; values shown relative to the data's range (±6)
    const names = this.meta.input_names;
    ctx.font = `${this.geometry.small ? 10 : 12}px ${this.font}`;
    ctx.textAlign = "right";
    ctx.textBaseline = "middle";
    for (let i = 0; i < n; i++) {
      this._node(col.xs[i], col.ys[i], Math.max(col.r, 5), snap[o + i] / 6);
      ctx.fillStyle = MUTED;
      ctx.fillText(names[i] || `x${i + 1}`, col.xs[i] - Math.max(col.r, 5) - 5, col.ys[i]);
    }
  }

  _plane(info, maps) {
    const ctx = this.ctx;
    const { x, y, w, h } = this.geometry.cols[0].plane;
    const { field_size: n, extent, points } = this.meta;
    // a paler version of the weight colours, so the points stay readable on top
    const focus = maps && this._focusIndex();
    if (focus !== null && focus !== false) {
      // a hovered hidden neuron: its own picture, big
      const G = this.neuronGrid;
      const px = this.focusPixels.data;
      for (let i = 0; i < G * G; i++) divergingInto(px, 4 * i, 0.65 * maps[focus * G * G + i]);
      this.focusCtx.putImageData(this.focusPixels, 0, 0);
      ctx.imageSmoothingEnabled = true;
      ctx.drawImage(this.focusImage, x, y, w, h);
    } else {
      const px = this.pixels.data;
      for (let i = 0; i < n * n; i++) divergingInto(px, 4 * i, 0.65 * info.field[i]);
      this.imageCtx.putImageData(this.pixels, 0, 0);
      ctx.imageSmoothingEnabled = true;
      ctx.drawImage(this.image, x, y, w, h);
    }
    const X = (v) => x + ((v + extent) / (2 * extent)) * w;
    const Y = (v) => y + ((extent - v) / (2 * extent)) * h;
    const r = this.meta.custom ? Math.max(2.5, Math.min(4.5, w / 55)) : Math.max(1.6, Math.min(3, w / 90)); // "Your data": each point counts
    const classes = this.meta.kind === "classification";
    for (const [a, b, t] of points) {
      ctx.beginPath();
      ctx.arc(X(a), Y(b), r, 0, 2 * Math.PI);
      ctx.fillStyle = diverging(classes ? (t > 0.5 ? 1 : -1) : t);
      ctx.fill();
      ctx.lineWidth = 0.75;
      ctx.strokeStyle = this.meta.custom && !classes ? MUTED : PAPER_CSS; // pale values need an edge
      ctx.stroke();
    }
    if (Number.isFinite(info.probe[0])) {
      ctx.beginPath();
      ctx.arc(X(info.probe[0]), Y(info.probe[1]), r + 3.5, 0, 2 * Math.PI);
      ctx.lineWidth = 2;
      ctx.strokeStyle = INK;
      ctx.stroke();
    }
    ctx.strokeStyle = FAINT;
    ctx.lineWidth = 1;
    ctx.strokeRect(x - 0.5, y - 0.5, w + 1, h + 1);
    ctx.font = `${this.geometry.small ? 9 : 10}px ${this.font}`;
    ctx.fillStyle = MUTED;
    ctx.textAlign = "center";
    ctx.textBaseline = "top";
    ctx.fillText("x1 →", x + w / 2, y + h + 4);
    if (focus !== null && focus !== false) {
      const { layer, index } = this.focus;
      const hidden = this.meta.sizes.length > 3 ? `hidden ${layer}` : "hidden";
      ctx.textAlign = "left";
      ctx.fillText(`showing: ${hidden} neuron ${index + 1}`, x, y + h + 4 + (this.geometry.small ? 11 : 13));
    }
  }

  // The focused neuron's place among the pictures, or null.
  _focusIndex() {
    const f = this.focus;
    const sizes = this.meta.sizes;
    if (!f || !(f.layer >= 1 && f.layer < sizes.length - 1) || !(f.index >= 0 && f.index < sizes[f.layer])) return null;
    let base = 0;
    for (let l = 1; l < f.layer; l++) base += sizes[l];
    return base + f.index;
  }

  // Every neuron picture into one image (one putImageData a frame; a drawImage per neuron).
  _fillAtlas(maps) {
    const px = this.atlasPixels.data;
    for (let i = 0; i < maps.length; i++) divergingInto(px, 4 * i, maps[i]);
    this.atlasCtx.putImageData(this.atlasPixels, 0, 0);
  }

  _node(x, y, r, t) {
    const ctx = this.ctx;
    ctx.beginPath();
    ctx.arc(x, y, r, 0, 2 * Math.PI);
    ctx.fillStyle = diverging(t);
    ctx.fill();
    if (r >= 2.5) {
      ctx.lineWidth = r >= 6 ? 1.25 : 0.75;
      ctx.strokeStyle = inkAlpha(0.35);
      ctx.stroke();
    }
  }

  // Hidden neurons: pictures of their activation over the plane (`base`: the first one's place
  // in the atlas) when the column has room, else circles coloured by the shown example.
  _hidden(snap, o, n, col, base, layer) {
    if (col.cell && base !== null && base !== false && base !== undefined) {
      const ctx = this.ctx;
      const G = this.neuronGrid;
      const s = col.cell;
      ctx.imageSmoothingEnabled = true;
      ctx.lineWidth = 1;
      ctx.strokeStyle = FAINT;
      for (let i = 0; i < n; i++) {
        const x = Math.round(col.xs[i] - s / 2);
        const y = Math.round(col.ys[i] - s / 2);
        ctx.drawImage(this.atlas, 0, (base + i) * G, G, G, x, y, s, s);
        ctx.strokeRect(x - 0.5, y - 0.5, s + 1, s + 1);
      }
      const f = this.focus;
      if (f && f.layer === layer && f.index < n) {
        ctx.lineWidth = 2;
        ctx.strokeStyle = INK;
        ctx.strokeRect(Math.round(col.xs[f.index] - s / 2) - 1.5, Math.round(col.ys[f.index] - s / 2) - 1.5, s + 3, s + 3);
      }
      return;
    }
    let m = 1e-9;
    for (let i = 0; i < n; i++) m = Math.max(m, Math.abs(snap[o + i]));
    for (let i = 0; i < n; i++) this._node(col.xs[i], col.ys[i], col.r, snap[o + i] / m);
  }

  _outputs(snap, o, n, col, outputs, info) {
    const ctx = this.ctx;
    const g = this.geometry;
    const names = g.outNames;
    const r = Math.max(col.r, Math.min(9, col.spacing * 0.36));
    const pred = info.pred;
    const label = info.label;
    const fontSize = g.small ? 10 : Math.max(10, Math.min(13, col.spacing * 0.5));
    ctx.textBaseline = "middle";
    for (let i = 0; i < n; i++) {
      const x = col.xs[i];
      const y = col.ys[i];
      const v = g.classes ? outputs[i] : Math.tanh(snap[o + i]);
      this._node(x, y, r, v);
      if (g.classes && i === pred) {
        ctx.beginPath();
        ctx.arc(x, y, r + 2.5, 0, 2 * Math.PI);
        ctx.lineWidth = 2;
        ctx.strokeStyle = INK;
        ctx.stroke();
      }
      // name, then a probability bar
      const lx = x + r + 6;
      ctx.textAlign = "left";
      ctx.font = `${i === pred ? "600 " : ""}${fontSize}px ${this.font}`;
      ctx.fillStyle = i === pred ? INK : MUTED;
      const name = names[i] || String(i);
      ctx.fillText(name, lx, y);
      if (g.classes) {
        const bx = lx + ctx.measureText(names.length > 2 ? "0" : name).width + 6;
        const bw = Math.max(10, this.w - g.pad - bx - (g.small ? 4 : 30));
        const bh = Math.max(2, Math.min(6, col.spacing * 0.28));
        ctx.fillStyle = TRACK;
        ctx.fillRect(bx, y - bh / 2, bw, bh);
        ctx.fillStyle = rgba(POSITIVE, 0.85);
        ctx.fillRect(bx, y - bh / 2, bw * Math.max(0, Math.min(1, outputs[i])), bh);
        if (i === label) {
          // the true class: a small dark tick at the end of its track
          ctx.fillStyle = INK;
          ctx.fillRect(bx + bw + 2, y - bh, 2, bh * 2);
        }
        if (!g.small && i === pred) {
          ctx.font = `${fontSize - 1}px ${this.font}`;
          ctx.fillStyle = INK;
          ctx.textAlign = "left";
          ctx.fillText(`${Math.round(100 * outputs[i])}%`, bx + bw + 8, y);
        }
      } else {
        ctx.font = `${fontSize}px ${this.font}`;
        ctx.fillStyle = INK;
        const v = snap[o + i];
        ctx.fillText(Math.abs(v) >= 1000 ? v.toExponential(1) : v.toFixed(2), lx + 14, y);
      }
    }
  }

  _titles() {
    const ctx = this.ctx;
    const g = this.geometry;
    const { sizes, activation, image, input_shape: shape, kind, loss } = this.meta;
    const y1 = g.pad + (g.small ? 8 : 10);
    const y2 = y1 + (g.small ? 12 : 15);
    const titles = [];
    const plane = g.cols[0].plane || g.cols[0].curve; // the input column's picture, 2-D or 1-D
    const inputDetail = image ? `${shape[0]}×${shape[1]} pixels`
      : plane ? (g.small ? "the data" : "data and the network's answer")
      : `${sizes[0]} feature${sizes[0] > 1 ? "s" : ""}`;
    titles.push(["Input", inputDetail]);
    const hidden = sizes.length - 2;
    const tight = hidden > 1 && g.cols[2].x - g.cols[1].x < 84;
    for (let l = 1; l <= hidden; l++) titles.push([hidden > 1 ? `Hidden ${l}` : "Hidden", `${sizes[l]} · ${activation}`]);
    const outDetail = kind === "classification" ? (loss === "cross_entropy" ? `${sizes.at(-1)} · softmax` : "sigmoid") : "linear";
    titles.push(["Output", outDetail]);
    ctx.textAlign = "center";
    ctx.textBaseline = "alphabetic";
    const put = (title, detail, x) => {
      ctx.font = `600 ${g.small ? 11 : 12}px ${this.font}`;
      ctx.fillStyle = INK;
      ctx.fillText(title, x, y1);
      ctx.font = `${g.small ? 10 : 11}px ${this.font}`;
      ctx.fillStyle = MUTED;
      ctx.fillText(detail, x, y2);
    };
    titles.forEach(([title, detail], l) => {
      const col = g.cols[l];
      if (tight && l >= 1 && l <= hidden) return;
      let x = col.x;
      if (l === 0 && plane) x = plane.x + plane.w / 2;
      if (l === g.L) x = Math.min(col.x + 14, this.w - g.pad - 30);
      put(title, detail, x);
    });
    if (tight) {
      // columns too close for one title each: one title over all hidden layers
      put("Hidden", `${sizes.slice(1, -1).join(" · ")} ${activation}`, (g.cols[1].x + g.cols[hidden].x) / 2);
    }
  }

  // What is under CSS pixel (x, y): {layer, index} of a neuron (layer 0: an input, a pixel of
  // the picture included), {plane: true} over the 2-D data, or null.
  hit(x, y) {
    const g = this.geometry;
    if (!g) return null;
    const input = g.cols[0];
    if (input.rect) {
      const { x: x0, y: y0, w, h, cell, cols } = input.rect;
      if (x >= x0 && x < x0 + w && y >= y0 && y < y0 + h) {
        return { layer: 0, index: Math.floor((y - y0) / cell) * cols + Math.floor((x - x0) / cell) };
      }
    }
    if (input.plane) {
      const p = input.plane;
      if (x >= p.x && x <= p.x + p.w && y >= p.y && y <= p.y + p.h) return { plane: true };
    }
    for (let l = input.rect ? 1 : 0; l < g.cols.length; l++) {
      const col = g.cols[l];
      const r = Math.max(col.r, 4, (col.cell || 0) / 2) + 2;
      if (Math.abs(x - col.x) > r) continue;
      const i = Math.round((y - col.ys[0]) / (col.spacing || 1));
      if (i >= 0 && i < col.ys.length && Math.abs(y - col.ys[i]) <= Math.max(r, col.spacing / 2)) {
        return { layer: l, index: i, x: col.x, y: col.ys[i] };
      }
    }
    return null;
  }

  // The drawn connection nearest CSS pixel (x, y), within `tolerance` px: {layer, i, j, k} where
  // k = i * nOut + j indexes W[layer - 1] (neuron i of column layer-1 to neuron j of column layer);
  // null when none is that close. Only connections the last draw showed count; the caller checks
  // hit() first (a neuron wins over the lines under it).
  hitConnection(x, y, tolerance = 4) {
    const g = this.geometry;
    const snap = this.drawnSnap;
    if (!g || !snap) return null;
    let best = null;
    let bestD2 = tolerance * tolerance;
    for (const s of this.shownLines) {
      const from = g.cols[s.layer - 1];
      const to = g.cols[s.layer];
      const left = from.rect ? from.rect.x : from.x;
      if (x < left - tolerance || x > to.x + tolerance) continue;
      const { o, nIn, nOut, threshold } = s;
      for (let i = 0; i < nIn; i++) {
        const ax = from.xs[i];
        const ay = from.ys[i];
        for (let j = 0; j < nOut; j++) {
          const w = snap[o + i * nOut + j];
          if (w === 0 || !(Math.abs(w) >= threshold)) continue;
          const dx = to.xs[j] - ax;
          const dy = to.ys[j] - ay;
          const len2 = dx * dx + dy * dy;
          const t = len2 > 0 ? Math.max(0, Math.min(1, ((x - ax) * dx + (y - ay) * dy) / len2)) : 0;
          const ex = ax + t * dx - x;
          const ey = ay + t * dy - y;
          const d2 = ex * ex + ey * ey;
          if (d2 < bestD2 || (d2 === bestD2 && best && Math.abs(w) > Math.abs(best.value))) {
            bestD2 = d2;
            best = { layer: s.layer, i, j, k: i * nOut + j, value: w };
          }
        }
      }
    }
    return best;
  }

  // Which input image cell (or null) is at CSS pixel (x, y) — for "click the picture".
  hitInput(x, y) {
    const rect = this.geometry && this.geometry.cols[0].rect;
    if (!rect) return false;
    return x >= rect.x && x <= rect.x + rect.w && y >= rect.y && y <= rect.y + rect.h;
  }
}
