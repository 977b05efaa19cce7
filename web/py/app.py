"""PyScript entry point: hands the training session to the page's JavaScript.

The JavaScript side (web/js/bridge.js) defines ``globalThis.nnpyBridge`` before PyScript starts.
This file builds a ``Bridge`` and calls ``nnpyBridge.attach(api)`` with a plain JS object of
persistent function proxies.  Only strings and numbers cross the boundary as arguments and
return values (no PyProxy is ever returned to JS), and the per-frame data is copied with
``JsProxy.assign`` into two typed arrays JavaScript owns:

    view.snapshot   Float32Array   the packed snapshot (layout in the meta JSON)
    view.figures    Float64Array   step, losses, accuracy ... (names in the meta JSON)
    view.field      Float32Array   2-D data only: the network's answer over the plane
    view.neurons    Float32Array   2-D data only: each hidden neuron's picture of the plane
    view.confusion  Float32Array   classification: test-split counts, true rows x predicted columns
"""

import json

import js
from pyodide.ffi import create_proxy, to_js

bridge_js = js.nnpyBridge
bridge_js.stage("python", "Importing numpy")
import numpy as np  # noqa: E402

bridge_js.stage("python", "Importing nnpy")
import nnpy  # noqa: E402,F401
from nnpy import datasets  # noqa: E402

import nnpy_probes  # noqa: E402
import nnpy_custom  # noqa: E402
from nnpy_page import Session  # noqa: E402
from nnpy_walk import GradientMonitor, Walker  # noqa: E402


class Bridge:
    """What JavaScript may call. Every method takes and returns strings or numbers only."""

    def __init__(self, view):
        self.view = view
        self.session = Session()
        self.snapshot_js = None
        self.figures_js = None
        self.field_js = None
        self.grad_js = None
        self.neurons_js = None
        self.confusion_js = None
        self.walker = Walker()
        self.monitor = GradientMonitor()

    def configure(self, text):
        """Apply a JSON config change; returns the meta JSON (sizes, layout, names)."""
        meta = self.session.configure(json.loads(text))
        self._publish()
        return json.dumps(meta)

    def meta(self):
        return json.dumps(self.session.meta)

    def train(self, ms, max_steps=0, evaluate=-1):
        """Train for ``ms`` milliseconds (or ``max_steps`` steps); returns "ok" / "diverged" / "layout".
        ``evaluate`` 1/0: the whole test split now / a chunk at a time; -1: the session's default."""
        status = self.session.train(float(ms), int(max_steps), None if evaluate < 0 else bool(evaluate))
        self.monitor.sample(self.session)
        resized = self._publish()
        return "layout" if (resized and status == "ok") else status

    def probe(self, index=-1):
        """Show the next test example (or test example ``index``) in the snapshot."""
        self.session.next_probe(int(index))
        self._publish()
        return "ok"

    def probe_mode(self, text):
        """Choose how the probe is picked (nnpy_probes.set_mode): JSON in, JSON out."""
        info = nnpy_probes.set_mode(self.session, json.loads(text))
        self._publish()
        return json.dumps(info)

    def draw_probe(self, pixels, width, height):
        """Show the drawing pad's ink (a Uint8Array, ``height`` rows of ``width``) as the probe."""
        ink = np.frombuffer(pixels.to_bytes(), dtype=np.uint8)
        if ink.size != int(width) * int(height):
            raise ValueError(f"{ink.size} pixels for a {width}x{height} drawing")
        info = nnpy_probes.show_drawing(self.session, ink.reshape(int(height), int(width)))
        self._publish()
        return json.dumps(info)

    def walk(self, text):
        """Step-through (nnpy_walk.Walker): JSON request in, JSON out; its arrays land in
        ``view.walk`` as Float32Arrays keyed like to_dict's references ("forward.W.0" ...)."""
        info, arrays = self.walker.handle(self.session, json.loads(text))
        if arrays is not None:
            target = js.Object.new()
            for key, arr in arrays.items():
                typed = js.Float32Array.new(arr.size)
                if arr.size:
                    typed.assign(arr)
                js.Reflect.set(target, key, typed)
            self.view.walk = target
        self._publish()
        return json.dumps(info)

    def gradient_chart(self, on):
        """Start (1) or stop (0) sampling per-layer gradient norms into ``view.grad``."""
        self.monitor.active = bool(on)
        if self.monitor.active:
            self.monitor.sample(self.session, force=True)
            self._publish()
        return "ok"

    def set_weight(self, layer, i, j, value):
        """Set weight W[layer][i, j] by hand (Session.set_weight); a bad value raises, nothing changes."""
        self.session.set_weight(int(layer), int(i), int(j), float(value))
        self._publish()
        return "ok"

    def put_data(self, name, data):
        """Store a data file the page fetched (a Uint8Array) where nnpy.datasets reads it."""
        if name not in datasets.DATASETS:
            raise ValueError(f"unknown dataset {name!r}")
        path = datasets.data_path(name)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data.to_bytes())
        return str(path)

    def has_data(self, name):
        return datasets.data_path(name).exists()

    def self_check(self, text):
        """Run nnpy's in-browser checks (see nnpy_checks.py); JSON in, JSON out."""
        import nnpy_checks   # on first use: tests and the curious call it, a visitor's start-up need not
        return json.dumps(nnpy_checks.run(json.loads(text or "{}")))

    def custom_data(self, text):
        """"Your data" CSV in and out (nnpy_custom.handle): JSON in, JSON out."""
        return json.dumps(nnpy_custom.handle(json.loads(text), self.session))

    def export_model(self):
        """The model as nnpy's .npz file, in a new Uint8Array (JS owns it: no proxy stays behind)."""
        import nnpy_modelfile   # on first use: it pulls in nnpy.serialization (zipfile ...)
        data = nnpy_modelfile.export_model(self.session)
        out = js.Uint8Array.new(len(data))
        out.assign(data)
        return out

    def model_filename(self):
        import nnpy_modelfile   # on first use: it pulls in nnpy.serialization (zipfile ...)
        return nnpy_modelfile.filename(self.session)

    def import_model(self, data):
        """Adopt the model file in ``data`` (a Uint8Array); JSON out: {"meta", ...} or {"error"}."""
        import nnpy_modelfile   # on first use: it pulls in nnpy.serialization (zipfile ...)
        result = nnpy_modelfile.import_model(self.session, data.to_bytes())
        if "meta" in result:
            self._publish()
        return json.dumps(result)

    def memory(self):
        """Sizes for the soak benchmark: the wasm heap (bytes) and Python's live object count."""
        import gc

        import pyodide_js
        return json.dumps({"wasm": pyodide_js._module.HEAPU8.length, "objects": len(gc.get_objects())})

    def _publish(self):
        """Copy the session's arrays into the JS typed arrays; True if any was reallocated."""
        s = self.session
        resized = False
        for name, data, kind in (("snapshot", s.snapshot_buffer, js.Float32Array),
                                 ("figures", s.figures, js.Float64Array),
                                 ("field", s.field_buffer, js.Float32Array),
                                 ("grad", self.monitor.values, js.Float64Array),
                                 ("neurons", s.neurons_buffer, js.Float32Array),
                                 ("confusion", s.confusion_buffer, js.Float32Array)):
            target = getattr(self, f"{name}_js")
            if target is None or target.length != data.size:
                target = kind.new(data.size)
                setattr(self, f"{name}_js", target)
                setattr(self.view, name, target)
                resized = resized or name not in ("grad", "neurons", "confusion")   # samples and counts, not the layout
            if data.size:
                target.assign(data)
        return resized


bridge = Bridge(bridge_js.view)
api = {name: create_proxy(getattr(bridge, name))
       for name in ("configure", "meta", "train", "probe", "put_data", "has_data", "self_check",
                     "walk", "gradient_chart", "set_weight", "probe_mode", "draw_probe", "custom_data",
                     "export_model", "model_filename", "import_model", "memory")}
api["numpy_version"] = np.__version__
api["kernel"] = nnpy.linalg.kernel if hasattr(nnpy, "linalg") else "?"
bridge_js.attach(to_js(api, dict_converter=js.Object.fromEntries))
