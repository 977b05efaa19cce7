"""The page's model export/import glue (web/py/nnpy_modelfile.py) in CPython: a page-exported file is
scored by ``python -m nnpy evaluate``; an import adopts network, dataset, settings and step; a bad
file is refused with a reason and the session is left exactly as it was."""

import hashlib
import io
import json
import subprocess
import sys
import zipfile

import numpy as np
import pytest

from browser import ROOT

sys.path.insert(0, str(ROOT / "web" / "py"))

import nnpy  # noqa: E402
from nnpy import serialization  # noqa: E402
from nnpy_modelfile import export_model, filename, import_model  # noqa: E402
from nnpy_page import Session  # noqa: E402


def trained(dataset="spiral", steps=40, **changes):
    s = Session()
    s.configure({"dataset": dataset, **changes})
    assert s.train(1e9, steps) == "ok"
    return s


def fingerprint(s: Session):
    """Everything a failed import must not change."""
    return (hashlib.sha256(s.snapshot_buffer.tobytes()).hexdigest(), hashlib.sha256(s.figures.tobytes()).hexdigest(),
            hashlib.sha256(s.net.params.flat.tobytes()).hexdigest(), s.step, s.diverged_step, id(s.net),
            json.dumps(s.config, sort_keys=True), json.dumps(s.meta, sort_keys=True))


def test_export_names_the_file_and_the_cli_evaluates_it(tmp_path):
    s = trained("circle", steps=300, hidden=[6, 3], activation="tanh", features=["x1", "x2", "x1sq"], seed=4)
    assert filename(s) == "nnpy-circle-step300.npz"
    path = tmp_path / filename(s)
    path.write_bytes(export_model(s))
    out = subprocess.run([sys.executable, "-m", "nnpy", "evaluate", "--model", str(path), "--json"], cwd=ROOT,
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    result = json.loads(out.stdout)
    assert result["dataset"] == "circle" and result["sizes"] == [3, 6, 3, 2]
    assert result["settings"]["features"] == ["x1", "x2", "x1^2"]
    assert result["test_accuracy"] > 0.8, result     # the trained weights, not fresh ones


def test_import_adopts_network_dataset_settings_and_step():
    source = trained("moons", steps=120, hidden=[5], optimizer="sgd", learning_rate=0.3, batch_size=16, seed=9)
    data = export_model(source)
    s = trained("digits", steps=3)
    result = import_model(s, data)
    assert "error" not in result, result
    assert result["dataset"] == "moons" and result["step"] == 120 and s.step == 120
    assert result["meta"]["sizes"] == source.net.sizes == s.net.sizes
    assert result["changes"]["seed"] == 9 and result["changes"]["optimizer"] == "sgd"
    assert s.config["learning_rate"] == 0.3 and s.config["batch_size"] == 16
    assert np.array_equal(s.net.params.flat, source.net.params.flat)
    assert s.test_loss == pytest.approx(source.test_loss, rel=1e-9)   # same data split, same weights
    assert s.train(1e9, 5) == "ok" and s.step == 125


def test_import_of_a_cli_model_and_features_in_url_form(tmp_path):
    path = tmp_path / "m.npz"
    out = subprocess.run([sys.executable, "-m", "nnpy", "train", "--dataset", "xor", "--hidden", "4",
                          "--features", "x1,x2,x1*x2", "--epochs", "2", "--save", str(path)], cwd=ROOT,
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    s = trained("spiral", steps=2)
    result = import_model(s, path.read_bytes())
    assert "error" not in result, result
    assert result["changes"]["features"] == ["x1", "x2", "x1x2"]     # params.js's names for the address
    assert s.net.sizes == [3, 4, 2]


def bad_files():
    s = trained("spiral", steps=5)
    good = export_model(s)
    net = nnpy.Network([64, 32, 16, 10], "relu", "cross_entropy", "he", rng=np.random.default_rng(0))
    mnist_like = serialization.save_bytes(net, extra={"dataset": "spiral"})
    return {
        "empty": (b"", "empty"),
        "text": (b"not a zip", "not a readable"),
        "truncated": (good[: len(good) // 3], "not a readable"),
        "wrong input size": (mnist_like, "takes 64 inputs, but spiral gives 2"),
        "unknown dataset": (serialization.save_bytes(s.net, extra={"dataset": "<script>"}), "unknown dataset"),
        "huge hidden": (serialization.save_bytes(nnpy.Network([2, 200, 2], "relu", "cross_entropy", "he"),
                                                 extra={"dataset": "spiral"}), "up to 6 hidden layers"),
        "bad lr type": (serialization.save_bytes(s.net, extra={"dataset": "spiral", "settings": {"learning_rate": "x"}}),
                        "learning_rate must be a number"),
        "bad optimizer": (serialization.save_bytes(s.net, extra={"dataset": "spiral", "settings": {"optimizer": "rm -rf"}}),
                          "optimizer must be one of"),
        "negative step": (serialization.save_bytes(s.net, extra={"dataset": "spiral", "step": -1}), "step must be"),
        "fractional seed": (serialization.save_bytes(s.net, extra={"dataset": "spiral", "seed": 0.5}), "seed must be"),
        "loss for regression": (serialization.save_bytes(s.net, extra={"dataset": "plane"}), "outputs|cross_entropy"),
        "features too many": (serialization.save_bytes(s.net, extra={"dataset": "spiral",
                                                                      "settings": {"features": ["x1", "x2", "x1sq"]}}),
                              "takes 2 inputs, but spiral gives 3"),
        "huge weights": (_huge_weights(s.net), "not finite"),
    }


def _huge_weights(net):
    big = nnpy.Network(net.sizes, "relu", "cross_entropy", "he", rng=np.random.default_rng(0))
    for layer in big.params:
        layer["W"][...] = 1e300
    return serialization.save_bytes(big, extra={"dataset": "spiral"})


@pytest.mark.parametrize("case", sorted(bad_files()))
def test_bad_imports_leave_the_session_exactly_as_it_was(case):
    data, words = bad_files()[case]
    s = trained("spiral", steps=7)
    before = fingerprint(s)
    result = import_model(s, data)
    assert set(result) == {"error"}, result
    import re
    assert re.search(words, result["error"]), result["error"]
    assert fingerprint(s) == before
    assert s.train(1e9, 3) == "ok" and s.step == 10


def test_mnist_import_asks_for_its_data_file_first(monkeypatch):
    import nnpy_modelfile
    net = nnpy.Network([784, 8, 10], "relu", "cross_entropy", "he", rng=np.random.default_rng(0))
    s = trained("spiral", steps=2)
    monkeypatch.setattr(nnpy_modelfile.datasets, "data_path", lambda name: ROOT / "absent" / name)
    assert import_model(s, serialization.save_bytes(net, extra={"dataset": "mnist"})) == {"need": "mnist"}


def test_spiral_tanh_learning_rate_10_diverges_within_200_steps_and_reset_recovers():
    """Issue #7's case with the page's default optimizer (Adam; SGD and momentum too): softmax and
    tanh keep every number finite, so the session calls a loss 100x a know-nothing model's divergence."""
    for optimizer in ("adam", "sgd", "momentum"):
        s = Session()
        s.configure({"dataset": "spiral", "activation": "tanh", "learning_rate": 10, "optimizer": optimizer})
        statuses = [s.train(1e9, 1) for _ in range(200)]
        assert "diverged" in statuses, optimizer
        assert np.isfinite(s.snapshot_buffer).all() and np.isfinite(s.field_buffer).all()
        assert s.train(1e9, 1) == "diverged"
        s.configure({"seed": 1, "learning_rate": 0.03})      # what Reset + a smaller rate send
        assert s.diverged_step == 0 and s.train(1e9, 200) == "ok"


def test_healthy_runs_never_count_as_diverged():
    for dataset in ("spiral", "plane", "sine", "gaussian_mix", "xor"):
        s = Session()
        s.configure({"dataset": dataset})
        assert s.train(1e9, 1500) == "ok", dataset


def test_exported_bytes_are_a_plain_npz():
    s = trained("digits", steps=3)
    data = export_model(s)
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        assert sorted(z.namelist()) == ["W0.npy", "W1.npy", "W2.npy", "b0.npy", "b1.npy", "b2.npy", "config.npy"]
    with np.load(io.BytesIO(data), allow_pickle=False) as npz:
        extra = json.loads(npz["config"].tobytes())["extra"]
    assert extra["dataset"] == "digits" and extra["step"] == 3 and extra["settings"]["hidden"] == [32, 16]


@pytest.mark.parametrize("text", ["[" * 100_000 + "]" * 100_000, '{"a":' * 70 + "1" + "}" * 70,
                                  '"' + 'x\\"' * 100_000, '"' * 100_001], ids=["brackets", "objects", "escapes", "quotes"])
def test_deep_or_broken_json_is_refused_before_the_parser_recurses(text):
    """Pyodide's C stack is small: 100,000 nested brackets crashed the runtime inside json.loads."""
    from nnpy import schema
    with pytest.raises(schema.SchemaError, match="nested too deeply|not valid JSON"):
        schema.loads_strict(text)
    inside = "[" * 100 + '\\"'     # brackets inside a string do not nest
    assert schema.loads_strict('{"a": "' + inside + '"}') == {"a": "[" * 100 + '"'}
