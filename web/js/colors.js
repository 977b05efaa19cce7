// One palette for the whole page. Orange / blue is safe for the common colour-vision
// deficiencies (the pair TensorFlow Playground uses): blue = positive, orange = negative.

export const POSITIVE = [8, 119, 189]; // #0877bd
export const NEGATIVE = [245, 147, 34]; // #f59322
export const PAPER = [255, 255, 255];
export const INK = "#1b2430";
export const MUTED = "#6b7685";
export const FAINT = "#c9d1db";
export const TRAIN = "#9aa6b5";
export const TEST = "#1b2430";

const mix = (a, b, t) => Math.round(a + (b - a) * t);

// A value in [-1, 1] -> CSS colour: white at 0, blue towards +1, orange towards -1.
export function diverging(t) {
  const c = t >= 0 ? POSITIVE : NEGATIVE;
  const k = Math.min(1, Math.abs(t));
  return `rgb(${mix(255, c[0], k)},${mix(255, c[1], k)},${mix(255, c[2], k)})`;
}

// Same as diverging() but written into an RGBA byte array at `i` (for ImageData).
export function divergingInto(out, i, t) {
  const c = t >= 0 ? POSITIVE : NEGATIVE;
  const k = Math.min(1, Math.abs(t));
  out[i] = mix(255, c[0], k);
  out[i + 1] = mix(255, c[1], k);
  out[i + 2] = mix(255, c[2], k);
  out[i + 3] = 255;
}

export const rgba = (c, a) => `rgba(${c[0]},${c[1]},${c[2]},${a.toFixed(3)})`;
