// Honest loading: what is downloading, how many bytes of how many, and what failed.
//
// PyScript 0.6 reports no byte progress, so while the page starts we wrap window.fetch: every
// response for a file we know (Pyodide's wasm and standard library, the numpy wheel, nnpy's
// wheel with the glue and the digits) is returned to its caller untouched, and a *clone* of it
// is read alongside to count bytes as they arrive. Nothing is downloaded twice, and the original Response keeps
// its URL, so WebAssembly streaming compilation and the browser cache work as usual.
// pyodide.asm.js arrives through a <script>/import, not fetch: it is counted when it completes
// (Resource Timing). After start-up the original fetch is put back.

const STAGES = [
  { id: "runtime", label: "Python runtime", detail: "Pyodide 0.27.7", weight: 70 },
  { id: "numpy", label: "numpy", detail: "2.0.2", weight: 14 },
  { id: "nnpy", label: "nnpy", detail: "package and digit data", weight: 4 },
  { id: "python", label: "Starting Python", detail: "", weight: 12 },
];

// Which stage a URL belongs to (null: not tracked); paths relative to the page's folder, so the
// site works at / and under a sub-path alike. nnpy's wheel (py/nnpy-*.whl) counts under "nnpy".
const BASE = new URL("./", location.href);
function stageOf(url) {
  const target = new URL(url, location.href);
  if (target.origin !== BASE.origin || !target.pathname.startsWith(BASE.pathname)) return null;
  const path = target.pathname.slice(BASE.pathname.length);
  if (/^pyodide\/(pyodide\.asm\.(wasm|js)|python_stdlib\.zip|pyodide-lock\.json)$/.test(path)) return "runtime";
  if (/^pyodide\/numpy-[^/]*\.whl$/.test(path)) return "numpy";
  if (/^(nnpy\/|nnpy\/data\/|py\/)[^/]+$/.test(path)) return "nnpy";
  return null;
}

// Progress is redrawn at most this often while bytes arrive: Python's runtime boots on the same
// (main) thread, and every redraw is style, layout and paint it waits for.
const RENDER_EVERY_MS = 250;

const fileName = (url) => decodeURIComponent(new URL(url, location.href).pathname.split("/").pop());

export function formatBytes(n) {
  if (n >= 1e6) return `${(n / 1e6).toFixed(1)} MB`;
  if (n >= 1e3) return `${Math.round(n / 1e3)} kB`;
  return `${n} B`;
}

export class Loader {
  constructor(root) {
    this.root = root;
    this.files = new Map(); // url -> {stage, loaded, total, done}
    this.stageText = new Map(); // stage -> text (for the python stage)
    this.current = "runtime";
    this.finished = false;
    this.failed = false;
    this.onError = null;
    this.originalFetch = window.fetch;
    this._build();
  }

  _build() {
    const list = this.root.querySelector("[data-role=stages]");
    this.rows = new Map();
    for (const stage of STAGES) {
      const li = document.createElement("li");
      li.dataset.state = "waiting";
      const name = document.createElement("span");
      name.className = "stage-name";
      name.textContent = stage.label;
      const detail = document.createElement("span");
      detail.className = "stage-detail";
      detail.textContent = stage.detail;
      const amount = document.createElement("span");
      amount.className = "stage-amount";
      li.append(name, detail, amount);
      list.append(li);
      this.rows.set(stage.id, { li, detail, amount });
    }
    this.bar = this.root.querySelector("[data-role=bar]");
    this.headline = this.root.querySelector("[data-role=headline]");
    this.percentText = this.root.querySelector("[data-role=percent]");
  }

  // Wrap fetch (before PyScript is imported) so downloads can be counted.
  install() {
    const original = this.originalFetch;
    const loader = this;
    window.fetch = async function trackedFetch(input, init) {
      const url = typeof input === "string" ? input : input instanceof URL ? input.href : input.url;
      const stage = loader.finished ? null : stageOf(url);
      if (!stage) return original.call(this, input, init);
      const file = { stage, url, loaded: 0, total: 0, done: false };
      loader.files.set(url, file);
      loader.begin(stage);
      let response;
      try {
        response = await original.call(this, input, init);
      } catch (error) {
        loader.fail(`Could not download ${fileName(url)}`, loader.explain(url, error));
        throw error;
      }
      if (!response.ok) {
        loader.fail(`Could not download ${fileName(url)}`, `The server answered HTTP ${response.status} ${response.statusText} for ${new URL(url, location.href).pathname}.`);
        return response;
      }
      file.total = Number(response.headers.get("content-length")) || 0;
      if (response.headers.get("content-encoding")) file.total = 0; // length is of the compressed body
      loader.count(file, response.clone());
      return response;
    };
    // pyodide.asm.js comes through a script element: count it when it completes.
    if ("PerformanceObserver" in window) {
      this.observer = new PerformanceObserver((entries) => {
        for (const entry of entries.getEntries()) {
          if (this.files.has(entry.name) || stageOf(entry.name) !== "runtime") continue;
          if (!/pyodide\.asm\.js$/.test(entry.name)) continue;
          const size = entry.decodedBodySize || entry.encodedBodySize || 0;
          this.files.set(entry.name, { stage: "runtime", url: entry.name, loaded: size, total: size, done: true });
          this.render();
        }
      });
      this.observer.observe({ type: "resource", buffered: true });
    }
    this.render();
  }

  // A fetch that rejects says only "Failed to fetch": ask the server what it has at that URL.
  async explain(url, error) {
    const path = new URL(url, location.href).pathname;
    try {
      const head = await this.originalFetch.call(window, url, { method: "HEAD", cache: "no-store" });
      if (!head.ok) return `The server answered HTTP ${head.status} ${head.statusText} for ${path}.`;
      return `${path} arrived but was refused (${error.message || error}): an interrupted download, or not the file this page was built with.`;
    } catch {
      return `The server did not answer for ${path} (${error.message || error}). Is it still running?`;
    }
  }

  async count(file, clone) {
    try {
      const reader = clone.body.getReader();
      let last = 0;
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        file.loaded += value.byteLength;
        const now = performance.now();
        if (now - last > RENDER_EVERY_MS) {
          last = now;
          this.render();
        }
      }
    } catch {
      // the original consumer reports real failures; a broken clone only stops the count
    }
    file.done = true;
    if (!file.total) file.total = file.loaded;
    this.render();
  }

  begin(stage) {
    const order = STAGES.findIndex((s) => s.id === stage);
    if (order > STAGES.findIndex((s) => s.id === this.current)) this.current = stage;
    this.render();
  }

  // Python reports its own steps (importing numpy, building the network ...).
  stage(stage, text) {
    this.begin(stage);
    this.stageText.set(stage, text);
    this.render();
  }

  _stageProgress(id) {
    let loaded = 0;
    let total = 0;
    let any = false;
    let pending = false;
    for (const f of this.files.values()) {
      if (f.stage !== id) continue;
      any = true;
      loaded += f.loaded;
      total += Math.max(f.total, f.loaded);
      if (!f.done) pending = true;
    }
    return { loaded, total, any, pending };
  }

  render() {
    if (this.failed) return;
    const currentIndex = STAGES.findIndex((s) => s.id === this.current);
    // numpy and nnpy download side by side: an earlier stage still downloading stays active (and
    // names the headline) after a later one has begun.
    const downloading = STAGES.findIndex((s, i) => i < currentIndex && this._stageProgress(s.id).pending);
    const headlineIndex = downloading >= 0 ? downloading : currentIndex;
    let percent = 0;
    let headline = "";
    STAGES.forEach((stage, i) => {
      const row = this.rows.get(stage.id);
      const p = this._stageProgress(stage.id);
      let fraction = 0;
      let state = "waiting";
      if (this.finished || (i < currentIndex && !p.pending)) {
        fraction = 1;
        state = "done";
      } else if (i <= currentIndex) {
        state = "active";
        if (stage.id === "python") {
          const steps = ["Importing numpy", "Importing nnpy", "Building the network"];
          const text = this.stageText.get("python") || "Starting the interpreter";
          fraction = (steps.indexOf(text) + 1) / (steps.length + 1);
          row.amount.textContent = "";
          row.detail.textContent = text;
          headline = `${text}…`;
        } else {
          fraction = p.total ? p.loaded / p.total : 0;
          if (!p.pending && p.any) fraction = 1;
        }
      }
      if (stage.id !== "python" && p.any) {
        row.amount.textContent = p.total && p.loaded < p.total
          ? `${formatBytes(p.loaded)} / ${formatBytes(p.total)}`
          : formatBytes(p.loaded);
      }
      if (i === headlineIndex && stage.id !== "python") {
        const pct = Math.floor(100 * fraction);
        headline = `Loading ${stage.label.toLowerCase()}${p.total ? ` — ${pct}%` : "…"}`;
      }
      row.li.dataset.state = state;
      percent += stage.weight * fraction;
    });
    percent = Math.min(100, Math.floor(percent));
    this.percent = Math.max(this.percent || 0, percent);
    this.bar.style.transform = `scaleX(${this.percent / 100})`; // compositor-only: no main-thread frames
    this.bar.parentElement.setAttribute("aria-valuenow", String(this.percent));
    this.percentText.textContent = `${this.percent}%`;
    if (headline) this.headline.textContent = headline;
  }

  done() {
    this.finished = true;
    this.render();
    window.fetch = this.originalFetch;
    if (this.observer) this.observer.disconnect();
  }

  // `detail` may be a promise (explain() asks the server first); the failure is claimed at once
  // so that the errors that follow from it (Python cannot import numpy...) do not replace it.
  async fail(title, detail) {
    if (this.failed) return;
    this.failed = true;
    window.fetch = this.originalFetch;
    const text = await detail;
    if (this.onError) this.onError(title, text);
  }
}
