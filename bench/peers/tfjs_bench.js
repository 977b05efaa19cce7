// TensorFlow.js side of bench/peers.py: training steps per second of the same network nnpy trains
// (ReLU hidden layers, softmax cross-entropy on logits, plain SGD lr 0.1), on the `cpu` or `wasm`
// backend. float32 throughout: it is TF.js's only floating-point dtype.
//
// The problem (initial weights, batch, labels) comes from Python, so every contender starts from the
// same numbers and the first losses can be compared. Timing mirrors the Python side: 10 warm-up steps,
// then timed rounds that Python interleaves with the other contenders' rounds; it keeps the best.
"use strict";

(function () {
  const tfjs = window.tf;
  tfjs.enableProdMode();   // no safety warnings/checks (DEBUG is off by default anyway)

  async function useBackend(backend) {
    if (backend === "wasm") {
      // The .wasm binaries sit beside this page; never a CDN.
      tfjs.wasm.setWasmPaths(new URL("./tfjs/", location.href).href);
    }
    if (!(await tfjs.setBackend(backend))) throw new Error(`TF.js backend ${backend} failed to initialise`);
    await tfjs.ready();
    if (tfjs.getBackend() !== backend) throw new Error(`TF.js runs on ${tfjs.getBackend()}, not ${backend}`);
  }

  function tensors(problem) {
    const { sizes, batch, Ws, x, y } = problem;
    return {
      W: Ws.map((w, i) => tfjs.tensor2d(Float32Array.from(w), [sizes[i], sizes[i + 1]], "float32")),
      X: tfjs.tensor2d(Float32Array.from(x), [batch, sizes[0]], "float32"),
      Y: tfjs.tidy(() => tfjs.oneHot(tfjs.tensor1d(y, "int32"), sizes[sizes.length - 1]).toFloat()),
    };
  }

  // Each method returns {step, loss, dispose}: step() trains once (returning a promise for async
  // methods), loss() trains once and returns the loss of that step (before the update) as a number.
  const METHODS = {
    // tf.tidy + optimizer.minimize over tf.variables, layers as tf.fused.matMul (matmul + bias + relu
    // in one kernel, with its own gradient).
    minimize_fused(problem) {
      return functional(problem, (a, W, b, relu) =>
        tfjs.fused.matMul({ a, b: W, bias: b, activation: relu ? "relu" : "linear" }));
    },
    // The same with separate matMul, add and relu ops.
    minimize(problem) {
      return functional(problem, (a, W, b, relu) => {
        const z = tfjs.add(tfjs.matMul(a, W), b);
        return relu ? tfjs.relu(z) : z;
      });
    },
    // The Layers API: tf.sequential of dense layers, model.trainOnBatch (async: it reads the loss back).
    trainOnBatch(problem) {
      const { sizes } = problem;
      const { W, X, Y } = tensors(problem);
      const L = sizes.length - 1;
      const model = tfjs.sequential();
      for (let i = 0; i < L; i++) {
        model.add(tfjs.layers.dense({
          units: sizes[i + 1], activation: i < L - 1 ? "relu" : "linear",
          ...(i === 0 ? { inputShape: [sizes[0]] } : {}),
        }));
        model.layers[i].setWeights([W[i], tfjs.zeros([sizes[i + 1]])]);
      }
      tfjs.dispose(W);
      model.compile({ optimizer: tfjs.train.sgd(0.1),
                      loss: (yTrue, logits) => tfjs.losses.softmaxCrossEntropy(yTrue, logits) });
      return {
        async: true,
        step: () => model.trainOnBatch(X, Y),
        loss: async () => Number(await model.trainOnBatch(X, Y)),
        dispose() { model.optimizer.dispose(); model.dispose(); tfjs.dispose([X, Y]); },
      };
    },
  };

  function functional(problem, layer) {
    const { sizes } = problem;
    const t = tensors(problem);
    const L = sizes.length - 1;
    const W = t.W.map((w) => tfjs.variable(w));
    const b = sizes.slice(1).map((n) => tfjs.variable(tfjs.zeros([n])));
    tfjs.dispose(t.W);
    const vars = [...W, ...b];
    const optimizer = tfjs.train.sgd(0.1);
    const lossOf = () => {
      let a = t.X;
      for (let i = 0; i < L; i++) a = layer(a, W[i], b[i], i < L - 1);
      return tfjs.losses.softmaxCrossEntropy(t.Y, a);    // mean over the batch, from the logits
    };
    return {
      async: false,
      step: () => tfjs.tidy(() => { optimizer.minimize(lossOf, false, vars); }),
      loss() {
        const cost = optimizer.minimize(lossOf, true, vars);
        const value = cost.dataSync()[0];
        cost.dispose();
        return value;
      },
      dispose() { optimizer.dispose(); tfjs.dispose([...vars, t.X, t.Y]); },
    };
  }

  // Runs stay alive between calls so that bench/peers.py can interleave rounds of every contender
  // (TF.js here, nnpy in the Pyodide page): on a busy machine that keeps the ratios fair.
  const runs = new Map();
  let nextId = 1;

  window.tfjsUse = useBackend;

  window.tfjsPrepare = async function (method, problem) {
    const run = METHODS[method](problem);
    for (let i = 0; i < 10; i++) run.async ? await run.step() : run.step();   // warm-up (kernels, memory)
    const id = nextId++;
    runs.set(id, { run, leaked: 0 });
    return id;
  };

  // One timed round: steps per second over `seconds`.
  window.tfjsRound = async function (id, seconds) {
    const entry = runs.get(id), run = entry.run;
    const tensors = tfjs.memory().numTensors;
    let n = 0, now;
    const start = performance.now(), end = start + 1000 * seconds;
    if (run.async) {
      do { await run.step(); n++; now = performance.now(); } while (now < end);
    } else {
      do { run.step(); n++; now = performance.now(); } while (now < end);
    }
    entry.leaked += tfjs.memory().numTensors - tensors;
    return (1000 * n) / (now - start);
  };

  // Disposes a run; returns the tensors its timed rounds leaked (0 when every step is tidy).
  window.tfjsFinish = function (id) {
    const { run, leaked } = runs.get(id);
    run.dispose();
    runs.delete(id);
    return leaked;
  };

  // The losses of the first 10 steps of a fresh copy: a check that this is the same maths as nnpy's.
  window.tfjsLosses = async function (method, problem) {
    const run = METHODS[method](problem);
    try {
      const losses = [];
      for (let i = 0; i < 10; i++) losses.push(await run.loss());
      return losses;
    } finally {
      run.dispose();
    }
  };

  // What the wasm backend chose here: SIMD, threads (need SharedArrayBuffer, i.e. cross-origin isolation).
  window.tfjsInfo = async function () {
    return {
      backend: tfjs.getBackend(),
      version: tfjs.version.tfjs,
      simd: await tfjs.env().getAsync("WASM_HAS_SIMD_SUPPORT"),
      multithread_support: await tfjs.env().getAsync("WASM_HAS_MULTITHREAD_SUPPORT"),
      threads: tfjs.getBackend() === "wasm" ? tfjs.wasm.getThreadsCount() : null,
      cross_origin_isolated: window.crossOriginIsolated === true,
      shared_array_buffer: typeof SharedArrayBuffer !== "undefined",
      hardware_concurrency: navigator.hardwareConcurrency,
    };
  };

  window.tfjsMethods = Object.keys(METHODS);
  document.getElementById("out").textContent = `TF.js ${tfjs.version.tfjs} ready`;
  document.body.dataset.status = "ready";
})();
