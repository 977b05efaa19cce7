// What every canvas of the page shares: HiDPI sizing and the UI font.

/** The page's UI font, as the stylesheet's --font-ui names it. */
export const uiFont = () =>
  getComputedStyle(document.documentElement).getPropertyValue("--font-ui").trim() || "system-ui, sans-serif";

/**
 * Size `view.canvas` for a CSS box of cssWidth x cssHeight at devicePixelRatio dpr, keeping
 * view.w, view.h (CSS pixels) and view.dpr. Returns false when nothing changed (no redraw needed).
 */
export function fitCanvas(view, cssWidth, cssHeight, dpr) {
  const w = Math.max(1, Math.floor(cssWidth));
  const h = Math.max(1, Math.floor(cssHeight));
  if (w === view.w && h === view.h && dpr === view.dpr) return false;
  Object.assign(view, { w, h, dpr });
  view.canvas.width = Math.round(w * dpr);
  view.canvas.height = Math.round(h * dpr);
  return true;
}
