// The one door between JavaScript and the Python glue (web/py/app.py).
//
// Python calls globalThis.nnpyBridge.attach(api) once it has started. `api` is a plain object of
// persistent PyProxy functions; we only ever pass them strings and numbers and get strings and
// numbers back, so no new proxy is created per call. The per-frame data arrives in two typed
// arrays JavaScript owns (view.snapshot: Float32Array, view.figures: Float64Array) that Python
// fills in place with JsProxy.assign — the JS heap stays flat however long training runs.

export class Bridge {
  constructor() {
    this.view = { snapshot: null, figures: null, walk: null, grad: null, neurons: null };
    this.api = null;
    this.meta = null;
    this.onStage = null;
    // Start-up milestones, [what, ms since navigation]: Python's stages as it reports them, then the
    // page's own (main.js). For the benchmark's breakdown of the cold start (bench/browser.py).
    this.marks = [];
    this.ready = new Promise((resolve) => {
      this._resolve = resolve;
    });
  }

  // Installed before PyScript starts so that app.py can find it.
  expose() {
    globalThis.nnpyBridge = {
      view: this.view,
      stage: (stage, text) => {
        this.mark(text);
        if (this.onStage) this.onStage(stage, text);
      },
      attach: (api) => {
        this.api = api;
        this._resolve(this);
      },
    };
  }

  mark(what, at = performance.now()) {
    this.marks.push([what, at]);
  }

  configure(changes) {
    this.meta = JSON.parse(this.api.configure(JSON.stringify(changes)));
    this._index();
    return this.meta;
  }

  _index() {
    this.fig = {};
    this.meta.figures.forEach((name, i) => {
      this.fig[name] = i;
    });
  }

  // Train for `ms` milliseconds (or exactly `steps` steps); returns "ok" | "diverged" | "layout".
  // evaluate: 1 = the whole test split afterwards, 0 = a chunk per call, -1 = Python's default.
  train(ms, steps = 0, evaluate = -1) {
    const status = this.api.train(ms, steps, evaluate);
    if (status === "layout") {
      this.meta = JSON.parse(this.api.meta());
      this._index();
    }
    return status;
  }

  probe(index = -1) {
    this.api.probe(index);
  }

  // How the probe is chosen (web/py/nnpy_probes.py): {mode: next|random|misclassified|pair, ...}.
  probeMode(request) {
    return JSON.parse(this.api.probe_mode(JSON.stringify(request)));
  }

  // The drawing pad's ink (Uint8Array, height rows of width) as the probe.
  drawProbe(pixels, width, height) {
    return JSON.parse(this.api.draw_probe(pixels, width, height));
  }

  figure(name) {
    return this.view.figures[this.fig[name]];
  }

  // Output values for the probe (probabilities for classification), after the named figures.
  outputs() {
    return this.view.figures.subarray(this.meta.figures.length);
  }

  // Set weight W[layer][i, j] by hand (layer 0: inputs -> first hidden); a refused value throws.
  setWeight(layer, i, j, value) {
    this.api.set_weight(layer, i, j, value);
  }

  hasData(name) {
    return this.api.has_data(name);
  }

  putData(name, bytes) {
    return this.api.put_data(name, bytes);
  }

  // Step-through (web/py/nnpy_walk.py): JSON in, JSON out; the walk's arrays arrive as
  // Float32Arrays in view.walk, keyed like its references ("forward.W.0" ...).
  walk(request) {
    return JSON.parse(this.api.walk(JSON.stringify(request)));
  }

  // Per-layer gradient norms into view.grad: [samples, step, layers, norm_1..norm_L].
  gradientChart(on) {
    this.api.gradient_chart(on ? 1 : 0);
  }

  // "Your data" CSV (web/py/nnpy_custom.py): {action: "read_csv" | "write_csv", ...} -> JSON.
  customData(request) {
    return JSON.parse(this.api.custom_data(JSON.stringify(request)));
  }

  // Model files (web/py/nnpy_modelfile.py): the .npz bytes out; bytes in -> {meta, changes, notices}
  // or {error} (the model unchanged) or {need: dataset} (fetch its data file, then ask again).
  exportModel() {
    return { bytes: this.api.export_model(), name: this.api.model_filename() };
  }

  importModel(bytes) {
    const result = JSON.parse(this.api.import_model(bytes));
    if (result.meta) {
      this.meta = result.meta;
      this._index();
    }
    return result;
  }

  // {wasm: bytes of the wasm heap, objects: Python's live objects} (bench/soak.py).
  memory() {
    return JSON.parse(this.api.memory());
  }

  selfCheck(request) {
    return JSON.parse(this.api.self_check(JSON.stringify(request || {})));
  }
}
