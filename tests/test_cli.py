"""The command line: JSON output, every choice reachable, one-line errors with the right exit status."""

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from nnpy import activations, cli, datasets, losses, optimizers, regularizers, serialization

ROOT = Path(__file__).resolve().parent.parent


def run(capsys, *argv):
    """main(argv) in-process -> (exit status, stdout, stderr)."""
    try:
        status = cli.main(list(argv))
    except SystemExit as exc:
        status = exc.code
    out, err = capsys.readouterr()
    return status, out, err


def train_json(capsys, *argv):
    status, out, err = run(capsys, "train", "--json", *argv)
    assert status == 0, err
    assert out.count("\n") == 1
    return json.loads(out)


def test_module_entry_point_trains_and_prints_json(tmp_path):
    model = tmp_path / "model.npz"
    proc = subprocess.run([sys.executable, "-m", "nnpy", "train", "--dataset", "xor", "--epochs", "3", "--json",
                           "--save", str(model)], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    result = json.loads(proc.stdout)
    for key in ("train_loss", "test_loss", "test_accuracy", "steps", "seconds"):
        assert isinstance(result[key], (int, float)), key
    assert result["saved"] == str(model) and model.exists()
    assert serialization.load(model).sizes == result["sizes"]


def test_train_json_fields_and_determinism(capsys):
    a = train_json(capsys, "--dataset", "circle", "--epochs", "5", "--seed", "3")
    b = train_json(capsys, "--dataset", "circle", "--epochs", "5", "--seed", "3")
    c = train_json(capsys, "--dataset", "circle", "--epochs", "5", "--seed", "4")
    assert a["steps"] == 5 * 25 and a["epochs"] == 5 and a["n_train"] == 250 and a["n_test"] == 250
    assert 0 <= a["test_accuracy"] <= 1 and a["test_loss"] > 0 and a["seconds"] > 0
    assert a["sizes"] == [2, 8, 8, 2] and a["settings"] == {**datasets.DEFAULTS["circle"], "epochs": 5}
    drop = lambda r: {k: v for k, v in r.items() if k != "seconds"}
    assert drop(a) == drop(b) and a["test_loss"] != c["test_loss"]


def test_train_options_reach_the_run(capsys):
    r = train_json(capsys, "--dataset", "xor", "--n", "120", "--noise", "0.1", "--test-ratio", "0.25",
                   "--features", "x1,x2,x1x2,sin(x1)", "--hidden", "6,5,4", "--activation", "sigmoid",
                   "--loss", "binary_cross_entropy", "--init", "he", "--optimizer", "momentum",
                   "--learning-rate", "0.05", "--batch-size", "7", "--epochs", "2", "--l1", "0.001")
    s = r["settings"]
    assert r["sizes"] == [4, 6, 5, 4, 1] and (r["n_train"], r["n_test"]) == (90, 30)
    assert s["features"] == ["x1", "x2", "x1*x2", "sin(x1)"] and s["noise"] == 0.1
    assert (s["activation"], s["loss"], s["init"], s["optimizer"]) == ("sigmoid", "binary_cross_entropy", "he",
                                                                      "momentum")
    assert (s["learning_rate"], s["batch_size"], s["regularization"], s["reg_rate"]) == (0.05, 7, "l1", 0.001)
    assert r["steps"] == 2 * 13
    r = train_json(capsys, "--dataset", "moons", "--epochs", "1", "--regularization", "l2", "--reg-rate", "0.01",
                   "--hidden", "none")
    assert r["settings"]["regularization"] == "l2" and r["sizes"] == [2, 2]


@pytest.mark.parametrize("dataset", datasets.names())
def test_every_dataset_is_reachable(capsys, dataset):
    n = "300" if datasets.DATASETS[dataset].image else "40"
    r = train_json(capsys, "--dataset", dataset, "--n", n, "--epochs", "1")
    assert r["dataset"] == dataset and r["kind"] == datasets.DATASETS[dataset].kind
    if r["kind"] == "regression":
        assert r["test_accuracy"] is None and "test_r2" in r
    else:
        assert 0 <= r["test_accuracy"] <= 1


@pytest.mark.parametrize("option, values", [
    ("--activation", list(activations.ACTIVATIONS)),
    ("--optimizer", list(optimizers.OPTIMIZERS)),
    ("--regularization", list(regularizers.REGULARIZERS)),
    ("--loss", list(losses.LOSSES)),
    ("--init", ["he", "glorot"]),
])
def test_every_choice_is_reachable(capsys, option, values):
    for value in values:
        r = train_json(capsys, "--dataset", "gaussians", "--n", "40", "--epochs", "1", option, value)
        assert r["settings"][option[2:]] == value


def test_mse_on_classes_trains_on_one_hot_targets(capsys):
    r = train_json(capsys, "--dataset", "gaussians", "--loss", "mse", "--epochs", "5")
    assert r["sizes"][-1] == 2 and r["test_accuracy"] > 0.9


def test_regression_with_cross_entropy_is_a_usage_error(capsys):
    status, out, err = run(capsys, "train", "--dataset", "sine", "--loss", "cross_entropy")
    assert status == 2 and out == "" and "use loss mse" in err


def test_human_summary(capsys, tmp_path):
    status, out, err = run(capsys, "train", "--dataset", "plane", "--epochs", "2", "--save", str(tmp_path / "m.npz"))
    assert status == 0 and err == ""
    assert "dataset  plane (regression" in out and "R^2" in out and "2 epochs" in out and "saved" in out
    status, out, _ = run(capsys, "train", "--dataset", "xor", "--epochs", "1")
    assert "accuracy" in out and "%" in out


def test_progress_goes_to_stderr(capsys):
    status, out, err = run(capsys, "train", "--dataset", "xor", "--epochs", "3", "--progress", "--json")
    assert status == 0 and err.count("epoch ") == 3 and json.loads(out)


def test_save_then_evaluate_reproduces_the_scores(capsys, tmp_path):
    model = tmp_path / "spiral.npz"
    trained = train_json(capsys, "--dataset", "spiral", "--epochs", "3", "--seed", "2", "--features",
                         "x1,x2,sin(x1),sin(x2)", "--save", str(model))
    status, out, err = run(capsys, "evaluate", "--model", str(model), "--json")
    assert status == 0, err
    scored = json.loads(out)
    for key in ("train_loss", "test_loss", "train_accuracy", "test_accuracy"):
        assert scored[key] == trained[key], key
    extra = serialization.read(model).extra
    assert extra["dataset"] == "spiral" and extra["seed"] == 2 and extra["scores"]["test_accuracy"] == \
        trained["test_accuracy"]
    status, out, _ = run(capsys, "evaluate", "--model", str(model), "--noise", "0.3")
    assert status == 0 and "test" in out


def test_evaluate_errors(capsys, tmp_path):
    status, _, err = run(capsys, "evaluate", "--model", str(tmp_path / "absent.npz"))
    assert status == 1 and err.count("\n") == 1 and "cannot read model file" in err
    (tmp_path / "junk.npz").write_bytes(b"junk")
    status, _, err = run(capsys, "evaluate", "--model", str(tmp_path / "junk.npz"))
    assert status == 1 and err.count("\n") == 1 and "not a readable .npz" in err
    model = tmp_path / "xor.npz"
    train_json(capsys, "--dataset", "xor", "--epochs", "1", "--save", str(model))
    status, _, err = run(capsys, "evaluate", "--model", str(model), "--dataset", "digits")
    assert status == 2 and "do not fit 'digits'" in err
    import nnpy
    serialization.save(tmp_path / "bare.npz", nnpy.Network([2, 2]))
    status, _, err = run(capsys, "evaluate", "--model", str(tmp_path / "bare.npz"))
    assert status == 2 and "give --dataset" in err
    status, out, _ = run(capsys, "evaluate", "--model", str(tmp_path / "bare.npz"), "--dataset", "xor", "--json")
    assert status == 0 and json.loads(out)["dataset"] == "xor"


@pytest.mark.parametrize("argv, message", [
    ([], "required"),
    (["fly"], "invalid choice"),
    (["train"], "--dataset"),
    (["train", "--dataset", "nope"], "invalid choice"),
    (["train", "--dataset", "xor", "--hidden", "4,x"], "'x' is not an integer"),
    (["train", "--dataset", "xor", "--hidden", "4,0"], "outside"),
    (["train", "--dataset", "xor", "--hidden", ",".join(["2"] * 17)], "at most 16"),
    (["train", "--dataset", "xor", "--epochs", "-1"], "outside"),
    (["train", "--dataset", "xor", "--learning-rate", "0"], "outside"),
    (["train", "--dataset", "xor", "--learning-rate", "nan"], "outside"),
    (["train", "--dataset", "xor", "--noise", "2"], "outside"),
    (["train", "--dataset", "xor", "--test-ratio", "1"], "below 1"),
    (["train", "--dataset", "xor", "--batch-size", "0"], "outside"),
    (["train", "--dataset", "xor", "--activation", "swish"], "invalid choice"),
    (["train", "--dataset", "xor", "--features", "x1,x9"], "unknown feature 'x9'"),
    (["train", "--dataset", "xor", "--l1", "0.1", "--l2", "0.1"], "at most one"),
    (["train", "--dataset", "xor", "--l1", "0.1", "--regularization", "l2"], "already sets"),
    (["train", "--dataset", "digits", "--features", "x1"], "2-D data"),
    (["train", "--dataset", "digits", "--loss", "binary_cross_entropy"], "needs 2 classes"),
    (["train", "--dataset", "sine", "--features", "x1,x2"], "no x2"),
    (["train", "--dataset", "xor", "--n", "1"], "n must be"),
    (["train", "--dataset", "xor", "--unknown"], "unrecognized"),
])
def test_bad_arguments_give_one_line_and_status_2(capsys, argv, message):
    status, out, err = run(capsys, *argv)
    assert status == 2 and out == ""
    assert err.count("\n") == 1 and err.startswith("nnpy") and "error:" in err and message in err


def test_divergence_is_one_line_status_1(capsys):
    status, out, err = run(capsys, "train", "--dataset", "circle", "--learning-rate", "10", "--optimizer", "sgd",
                           "--activation", "linear", "--hidden", "64,64", "--epochs", "50")
    assert status == 1 and out == "" and err.count("\n") == 1 and "diverged" in err


def test_missing_data_file_is_one_line_status_1(capsys, tmp_path, monkeypatch):
    monkeypatch.setenv("NNPY_DATA_DIR", str(tmp_path))
    status, _, err = run(capsys, "train", "--dataset", "digits")
    assert status == 1 and err.count("\n") == 1 and "python build.py data" in err


def test_list(capsys):
    status, out, _ = run(capsys, "list")
    assert status == 0 and "spiral (classification)" in out and "sin(x1)" in out
    status, out, _ = run(capsys, "list", "--json")
    listing = json.loads(out)
    assert set(listing["datasets"]) == set(datasets.DATASETS) and listing["defaults"]["spiral"]["n"] == 1000


def test_help_exits_zero(capsys):
    status, out, _ = run(capsys, "train", "--help")
    assert status == 0 and "--learning-rate" in out and "--features" in out
    np.testing.assert_equal(status, 0)
