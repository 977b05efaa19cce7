// Shipping the page: its address (settings in the URL), embed mode, the "Embed" dialog, the
// "update available" offer and the postMessage wiring. main.js calls these; the model is still
// only changed through main.js's configure(), so state flows controls -> config -> Python.

import { parseParams, formatParams, validateConfig, MODEL_KEYS } from "./params.js";
import { enableMessages, lastLine } from "./embed.js";
import { el } from "./dom.js";


// ------------------------------------------------------------------ the address

/**
 * The settings this visit started from (the URL's hash and query, validated by params.js) and the
 * ones the learner changed since, kept in the address bar so that copying it reproduces the run.
 * `model` mirrors what was asked of the Python session (not every default it filled in), so the
 * address stays short: `#dataset=spiral&hidden=8,8&lr=0.03&seed=3`.
 */
export class Address {
  constructor(loc = location) {
    const { config, notices } = parseParams(loc.search, loc.hash);
    this.notices = notices;
    this.model = {};
    this.page = {};
    for (const [name, value] of Object.entries(config)) {
      (MODEL_KEYS.includes(name) ? this.model : this.page)[name] = value;
    }
  }

  /** Record a change the session accepted. A new dataset starts from its own defaults (as the
   *  session does): only the seed and the settings of this change carry over. */
  update(changes) {
    const known = Object.fromEntries(Object.entries(changes).filter(([k]) => MODEL_KEYS.includes(k)));
    if ("dataset" in known && known.dataset !== this.model.dataset) {
      this.model = { seed: this.model.seed };
    }
    Object.assign(this.model, known);
    this.write();
  }

  /** The hash for the current settings (the query is folded into it: one place, no conflicts). */
  hash() {
    return formatParams({ ...this.model, ...this.page });
  }

  write() {
    const hash = this.hash();
    const url = location.pathname + (hash ? `#${hash}` : "");
    if (url !== location.pathname + location.search + location.hash) history.replaceState(history.state, "", url);
  }

  /** The address of an embed of the current run. */
  embedUrl({ autoplay = true, controls = ["dataset", "lr"] } = {}) {
    const query = formatParams({ ...this.model, embed: true, autoplay, controls: controls.length ? controls : null });
    return new URL(`${location.pathname}?${query}`, location.origin).href;
  }
}

/**
 * Build the first network from the address. A combination the session refuses (cross_entropy on a
 * regression set, x2 features on 1-D data...) falls back to the dataset's defaults, then to the
 * digits, each time with a notice — never a crash.
 * @param {(changes: object) => object} configure  the bridge's configure
 */
export function firstConfigure(configure, address) {
  const seed = address.model.seed ?? 0;
  const dataset = address.model.dataset ?? "digits";
  const attempts = [{ ...address.model, dataset, seed }, { dataset, seed }, { dataset: "digits", seed }];
  let refused = null;
  for (const attempt of attempts) {
    try {
      const meta = configure(attempt);
      if (refused) {
        address.notices.push(`the settings in the address were refused (${refused}); using the ${attempt.dataset} defaults`);
        address.model = { ...attempt };
      }
      address.write();
      return meta;
    } catch (error) {
      refused = refused || lastLine(error);
    }
  }
  throw new Error(refused);
}

/** Show notices in the page's message banner — as text, never as markup. */
export function showNotices(banner, notices, prefix = "From the address: ") {
  if (!notices.length) return;
  const shown = notices.slice(0, 3).join("; ") + (notices.length > 3 ? ` (+${notices.length - 3} more)` : "");
  banner.textContent = prefix + shown;
  banner.title = notices.join("\n");
  banner.hidden = false;
}

// ------------------------------------------------------------------ embed mode

// Control names of params.js's CONTROLS -> ids of the page's elements (absent ones are ignored).
export const CONTROL_IDS = {
  dataset: "dataset", lr: "learning-rate", activation: "activation", optimizer: "optimizer", loss: "loss",
  hidden: "hidden", batch: "batch-size", noise: "noise", regularization: "regularization",
  features: "features", speed: "speed", seed: "seed", test: "test-ratio", regrate: "reg-rate", init: "init",
  showtest: "show-test", discretize: "discretize",
};

/**
 * `?embed=1`: the network, play/pause/reset and only the controls the author listed. Everything
 * else in the toolbar is hidden (so controls added to the page later stay out of embeds too).
 */
export function applyEmbedMode(page) {
  if (!page.embed) return;
  document.documentElement.classList.add("embed");
  const toolbar = document.querySelector(".controls");
  const keep = new Set([document.getElementById("play"), document.getElementById("reset")]);
  for (const name of page.controls || []) {
    const control = document.getElementById(CONTROL_IDS[name]);
    if (control) keep.add(control.closest(".controls > *") || control);
  }
  for (const child of toolbar ? toolbar.children : []) {
    if (!keep.has(child)) child.classList.add("embed-hidden");
  }
  // A way out to the full page, with the same settings (the link is in the markup, shown in embeds only).
  const link = document.querySelector(".embed-link");
  if (link) {
    const update = () => {
      const url = new URL(location.href);
      url.search = "";
      const params = new URLSearchParams(url.hash.slice(1));
      for (const key of ["embed", "controls", "autoplay", "origin"]) params.delete(key);
      url.hash = params.toString().replace(/%2C/g, ",");
      link.href = url.href;
    };
    link.addEventListener("pointerdown", update);
    link.addEventListener("focus", update);
    update();
  }
}

// ------------------------------------------------------------------ the "Embed" dialog

/** An "Embed" button in the toolbar that opens a dialog with the <iframe> snippet and a Copy button. */
export function installEmbedDialog(address) {
  const button = document.getElementById("embed"); // in the markup, so the toolbar does not shift
  if (!button) return null;
  if (address.page.embed) {
    button.remove();
    return null;
  }
  button.disabled = false;

  const code = el("textarea", { class: "embed-code", readOnly: true, rows: 4, spellcheck: false,
    "aria-label": "HTML to paste into your page", "data-testid": "embed-code" });
  const autoplay = el("input", { type: "checkbox", checked: true });
  const controls = el("input", { type: "checkbox", checked: true });
  const copy = el("button", { type: "button", class: "btn primary", text: "Copy", "data-testid": "embed-copy" });
  const close = el("button", { type: "button", class: "btn", text: "Close" });
  const copied = el("span", { class: "embed-copied", role: "status" });
  const dialog = el("dialog", { class: "embed-dialog", "aria-labelledby": "embed-title", "data-testid": "embed-dialog" }, [
    el("h2", { id: "embed-title", text: "Embed this network" }),
    el("p", { class: "embed-lead", text: "Paste this into a blog post or any HTML page. It shows the current settings, "
      + "trains only while it is on screen, and needs no server beyond this site." }),
    code,
    el("div", { class: "embed-options" }, [
      el("label", {}, [autoplay, " Start training when shown"]),
      el("label", {}, [controls, " Show the data and learning-rate menus"]),
    ]),
    el("p", { class: "embed-note", text: "loading=\"lazy\" lets the browser wait until a reader scrolls near the "
      + "frame before downloading the Python runtime (about 10 MB, once)." }),
    el("div", { class: "embed-actions" }, [copied, close, copy]),
  ]);
  document.body.append(dialog);

  const snippet = () => {
    const src = address.embedUrl({ autoplay: autoplay.checked, controls: controls.checked ? ["dataset", "lr"] : [] });
    const dataset = address.model.dataset || "digits";
    const attr = (s) => s.replace(/&/g, "&amp;").replace(/"/g, "&quot;").replace(/</g, "&lt;");
    return `<iframe src="${attr(src)}" width="640" height="400" title="nnpy: a neural network learning ${attr(dataset)}"`
      + ` loading="lazy" style="border:0;max-width:100%"></iframe>`;
  };
  const refresh = () => {
    code.value = snippet();
    copied.textContent = "";
  };
  autoplay.addEventListener("change", refresh);
  controls.addEventListener("change", refresh);
  button.addEventListener("click", () => {
    refresh();
    dialog.showModal();
    code.focus();
    code.select();
  });
  close.addEventListener("click", () => dialog.close());
  dialog.addEventListener("click", (event) => {
    if (event.target === dialog) dialog.close(); // a click on the backdrop
  });
  copy.addEventListener("click", async () => {
    code.select();
    try {
      await navigator.clipboard.writeText(code.value);
      copied.textContent = "Copied";
    } catch {
      copied.textContent = document.execCommand && document.execCommand("copy") ? "Copied" : "Press Ctrl+C to copy";
    }
  });
  return { button, dialog };
}


// ------------------------------------------------------------------ "update available"

/** offerUpdate for offline.js: a small, non-modal offer; the visitor decides when to switch. */
export function offerUpdate(accept) {
  if (document.querySelector(".update-offer")) return;
  const reload = el("button", { type: "button", class: "btn primary", text: "Reload", "data-testid": "update-reload" });
  const later = el("button", { type: "button", class: "update-dismiss", text: "×", "aria-label": "Not now", title: "Not now" });
  const offer = el("div", { class: "update-offer", role: "status", "data-testid": "update-offer" }, [
    el("span", { class: "update-text", text: "Update available" }), reload, later,
  ]);
  reload.addEventListener("click", () => {
    reload.disabled = true;
    reload.textContent = "Reloading…";
    accept();
  });
  later.addEventListener("click", () => offer.remove());
  document.body.append(offer);
}

// ------------------------------------------------------------------ postMessage

/** The host page's API (js/embed.js), with payloads checked by params.js's rules. */
export function enableHostMessages(controller, address) {
  enableMessages(controller, {
    allowedOrigin: address.page.origin || null,
    validateConfig: (object) => {
      const { config, notices } = validateConfig(object);
      return { config, errors: notices };
    },
  });
}
