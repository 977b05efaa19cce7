// One palette for the whole page. Orange / blue is safe for the common colour-vision
// deficiencies (the pair TensorFlow Playground uses): blue = positive, orange = negative.
//
// The neutral colours (paper, ink, grey) follow the page's theme: they are read from the CSS
// variables of web/style.css (light, or dark when the system asks for it) by applyTheme().
// They are `let` exports, so every module that imports them sees the new values (ES modules
// export live bindings); whoever calls applyTheme() redraws the canvases.

export const POSITIVE = [8, 119, 189]; // #0877bd
export const NEGATIVE = [245, 147, 34]; // #f59322
export const PAPER = [255, 255, 255]; // canvas background and the colour of 0 (changed in place)
export let PAPER_CSS = "#ffffff";
export let INK = "#1b2430";
export let MUTED = "#6b7685";
export let FAINT = "#c9d1db";
export let TRAIN = "#9aa6b5";
export let TEST = "#1b2430";
export let TRACK = "#eef1f5"; // chart grid lines, empty probability bars
export let DARK = false;
const INK_RGB = [27, 36, 48];

const mix = (a, b, t) => Math.round(a + (b - a) * t);

// A value in [-1, 1] -> CSS colour: paper (white) at 0, blue towards +1, orange towards -1.
export function diverging(t) {
  const c = t >= 0 ? POSITIVE : NEGATIVE;
  const k = Math.min(1, Math.abs(t));
  return `rgb(${mix(PAPER[0], c[0], k)},${mix(PAPER[1], c[1], k)},${mix(PAPER[2], c[2], k)})`;
}

// Same as diverging() but written into an RGBA byte array at `i` (for ImageData).
export function divergingInto(out, i, t) {
  const c = t >= 0 ? POSITIVE : NEGATIVE;
  const k = Math.min(1, Math.abs(t));
  out[i] = mix(PAPER[0], c[0], k);
  out[i + 1] = mix(PAPER[1], c[1], k);
  out[i + 2] = mix(PAPER[2], c[2], k);
  out[i + 3] = 255;
}

export const rgba = (c, a) => `rgba(${c[0]},${c[1]},${c[2]},${a.toFixed(3)})`;
// The ink colour, translucent (thin outlines, grid lines over pictures).
export const inkAlpha = (a) => rgba(INK_RGB, a);

// "#rrggbb" or "#rgb" -> [r, g, b]; null for anything else.
function parseHex(text) {
  const m = /^#([0-9a-f]{3}|[0-9a-f]{6})$/i.exec(text.trim());
  if (!m) return null;
  const h = m[1].length === 3 ? [...m[1]].map((c) => c + c).join("") : m[1];
  return [0, 2, 4].map((k) => parseInt(h.slice(k, k + 2), 16));
}

/** Read the canvas colours from the page's CSS variables (call again when the theme changes). */
export function applyTheme(root = document.documentElement) {
  const style = getComputedStyle(root);
  const get = (name, fallback) => style.getPropertyValue(name).trim() || fallback;
  const paper = parseHex(get("--panel", "#ffffff")) || [255, 255, 255];
  PAPER.splice(0, 3, ...paper);
  PAPER_CSS = `rgb(${paper.join(",")})`;
  INK = get("--ink", INK);
  MUTED = get("--muted", MUTED);
  FAINT = get("--faint", FAINT);
  TRAIN = get("--train", TRAIN);
  TEST = INK;
  TRACK = get("--track", TRACK);
  const ink = parseHex(INK);
  if (ink) INK_RGB.splice(0, 3, ...ink);
  DARK = paper[0] + paper[1] + paper[2] < 3 * 128;
}
