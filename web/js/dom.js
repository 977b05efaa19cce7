// Building the page's own elements from JavaScript: text is always set as text (never parsed as
// markup), so names and messages that came from a URL or a file cannot inject anything.

/**
 * el("button", {class: "btn", text: "Play", "data-testid": "play"}, [child, ...]): attributes from
 * `props` ("class" and "text" by name; a non-string value for a DOM property, e.g. `checked: true`,
 * is set as that property), then the children.
 */
export function el(tag, props = {}, children = []) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (key === "class") node.className = value;
    else if (key === "text") node.textContent = value;
    else if (key in node && typeof value !== "string") node[key] = value;
    else node.setAttribute(key, value);
  }
  node.append(...children);
  return node;
}

const SVG = "http://www.w3.org/2000/svg";

/** A 16x16 icon from one SVG path: filled, or `stroked` as a 1.6 px line in the text colour. */
export function icon(path, { stroked = false } = {}) {
  const svg = document.createElementNS(SVG, "svg");
  svg.setAttribute("class", "icon");
  svg.setAttribute("viewBox", "0 0 16 16");
  svg.setAttribute("aria-hidden", "true");
  const p = document.createElementNS(SVG, "path");
  p.setAttribute("d", path);
  if (stroked) {
    for (const [k, v] of Object.entries({ fill: "none", stroke: "currentColor", "stroke-width": "1.6",
      "stroke-linecap": "round", "stroke-linejoin": "round" })) p.setAttribute(k, v);
  }
  svg.append(p);
  return svg;
}
