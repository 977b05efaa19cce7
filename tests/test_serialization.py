"""Model files: exact round trips, and a clear ModelFileError for every kind of bad file."""

import io
import json
import zipfile

import numpy as np
import pytest

import nnpy
from nnpy import serialization
from nnpy.serialization import ModelFileError


def make_net(sizes=(4, 5, 3), activation="tanh", loss="cross_entropy", init="glorot", seed=0):
    return nnpy.Network(list(sizes), activation=activation, loss=loss, init=init, rng=np.random.default_rng(seed))


def config_for(net, **changes):
    config = {"format": "nnpy-model", "version": 1, "network": serialization.network_config(net), "extra": {}}
    config.update(changes)
    return config


def npy_bytes(array):
    buffer = io.BytesIO()
    np.lib.format.write_array(buffer, np.asarray(array), allow_pickle=True)
    return buffer.getvalue()


def build_zip(members: dict) -> bytes:
    """A zip whose members are given as raw bytes (so tests can write anything at all)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def members_of(net, config=None):
    """Member name -> bytes for a valid file of ``net``; tests then spoil one."""
    text = json.dumps(config if config is not None else config_for(net)).encode()
    members = {"config.npy": npy_bytes(np.frombuffer(text, np.uint8))}
    for l, layer in enumerate(net.params):
        members[f"W{l}.npy"] = npy_bytes(layer["W"])
        members[f"b{l}.npy"] = npy_bytes(layer["b"])
    return members


def with_config_text(net, text: bytes):
    members = members_of(net)
    members["config.npy"] = npy_bytes(np.frombuffer(text, np.uint8))
    return build_zip(members)


# --------------------------------------------------------------------------- round trips

@pytest.mark.parametrize("sizes, activation, loss, init", [
    ((4, 5, 3), "tanh", "cross_entropy", "glorot"),
    ((2, 1), "linear", "binary_cross_entropy", "he"),
    ((3, 8, 8, 8, 2), "leaky_relu", "mse", "he"),
    ((64, 32, 16, 10), "relu", "cross_entropy", "he"),
    ((1, 16, 1), "sigmoid", "mse", "glorot"),
])
def test_round_trip_is_exact(sizes, activation, loss, init, tmp_path):
    net = make_net(sizes, activation, loss, init, seed=3)
    x = np.random.default_rng(1).normal(size=(7, sizes[0]))
    path = serialization.save(tmp_path / "model.npz", net, extra={"dataset": "xor", "scores": {"acc": 0.5}})
    loaded = serialization.read(path)
    back = loaded.network
    assert back is not net and back.sizes == net.sizes
    assert (back.activation.name, back.criterion.name, back.init_name) == (activation, loss, init)
    for a, b in zip(net.params, back.params):
        assert np.array_equal(a["W"], b["W"]) and np.array_equal(a["b"], b["b"])
        assert b["W"].dtype == np.float64 and b["W"].flags.writeable
    assert np.array_equal(net.forward(x).logits, back.forward(x).logits)
    assert loaded.extra == {"dataset": "xor", "scores": {"acc": 0.5}}
    assert "ModelFile(" in repr(loaded)
    assert np.array_equal(serialization.load(path).params[0]["W"], net.params[0]["W"])


def test_bytes_round_trip_and_file_layout():
    net = make_net()
    data = serialization.save_bytes(net)
    assert isinstance(data, bytes)
    back = serialization.load_bytes(data)
    assert np.array_equal(back.params[1]["b"], net.params[1]["b"])
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert sorted(archive.namelist()) == ["W0.npy", "W1.npy", "b0.npy", "b1.npy", "config.npy"]
    with np.load(io.BytesIO(data), allow_pickle=False) as npz:
        config = json.loads(npz["config"].tobytes())
        assert config == config_for(net)
        assert npz["W0"].shape == (4, 5) and npz["b0"].shape == (5,)
    assert serialization.read_bytes(bytearray(data)).extra == {}
    assert serialization.load_bytes(memoryview(data)).sizes == net.sizes


def test_loaded_network_trains_independently():
    net = make_net()
    back = serialization.load_bytes(serialization.save_bytes(net))
    before = net.params[0]["W"].copy()
    nnpy.train_step(back, nnpy.optimizers.make("sgd", learning_rate=0.1), np.ones((2, 4)), np.array([0, 1]))
    assert np.array_equal(net.params[0]["W"], before) and not np.array_equal(back.params[0]["W"], before)


def test_float32_big_endian_and_fortran_weights_are_accepted():
    net = make_net()
    members = members_of(net)
    members["W0.npy"] = npy_bytes(np.asfortranarray(net.params[0]["W"]))
    members["W1.npy"] = npy_bytes(net.params[1]["W"].astype(">f8"))
    members["b0.npy"] = npy_bytes(net.params[0]["b"].astype(np.float32))
    back = serialization.load_bytes(build_zip(members))
    assert np.array_equal(back.params[0]["W"], net.params[0]["W"])
    assert np.array_equal(back.params[1]["W"], net.params[1]["W"])
    assert np.array_equal(back.params[0]["b"], net.params[0]["b"].astype(np.float32))


# --------------------------------------------------------------------------- refusing to save

def test_save_refuses_non_finite_weights_and_bad_extra():
    net = make_net()
    with pytest.raises(ModelFileError, match="extra"):
        serialization.save_bytes(net, extra={"x": float("nan")})
    with pytest.raises(ModelFileError, match="cannot save"):
        serialization.save_bytes(net, extra={"x": {1, 2}})
    with pytest.raises(ModelFileError, match="cannot save"):
        serialization.save_bytes(net, extra=[1, 2])
    net.params[1]["W"][0, 0] = np.inf
    with pytest.raises(ModelFileError, match="W1 has non-finite"):
        serialization.save_bytes(net)


# --------------------------------------------------------------------------- hostile files

NET = make_net()
GOOD = serialization.save_bytes(NET)


def spoiled(**replace):
    members = members_of(NET)
    for name, data in replace.items():
        if data is None:
            members.pop(name)
        else:
            members[name] = data
    return build_zip(members)


def header_only(descr, shape, fortran=False):
    """A .npy member whose header claims ``shape`` but which carries no data at all."""
    buffer = io.BytesIO()
    np.lib.format.write_array_header_1_0(buffer, {"descr": descr, "fortran_order": fortran, "shape": shape})
    return buffer.getvalue()


def rename(data: bytes, old: str, new: str):
    members = {}
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for name in archive.namelist():
            members[new if name == old else name] = archive.read(name)
    return build_zip(members)


BAD_FILES = {
    "empty": (b"", "not a readable .npz"),
    "text": (b"hello, I am not a zip", "not a readable .npz"),
    "truncated half": (GOOD[: len(GOOD) // 2], "not a readable .npz"),
    "truncated tail": (GOOD[:-5], "not a readable .npz"),
    "no config": (spoiled(**{"config.npy": None}), "no config.npy"),
    "missing weight": (spoiled(**{"b1.npy": None}), r"missing \['b1.npy'\]"),
    "extra weight": (spoiled(**{"W2.npy": npy_bytes(np.zeros((3, 3)))}), r"unexpected \['W2.npy'\]"),
    "foreign member": (spoiled(**{"evil.pkl": b"cos\nsystem\n"}), "unexpected member 'evil.pkl'"),
    "path member": (spoiled(**{"../W0.npy": b""}), "unexpected member"),
    "wrong shape": (spoiled(**{"W0.npy": npy_bytes(np.zeros((5, 4)))}), r"W0.npy: shape \(5, 4\) does not match"),
    "wrong bias shape": (spoiled(**{"b0.npy": npy_bytes(np.zeros((1, 5)))}), "b0.npy: shape"),
    "int weights": (spoiled(**{"W0.npy": npy_bytes(np.zeros((4, 5), np.int64))}), "dtype int64 not allowed"),
    "complex weights": (spoiled(**{"W0.npy": npy_bytes(np.zeros((4, 5), complex))}), "dtype complex128"),
    "float16 weights": (spoiled(**{"W0.npy": npy_bytes(np.zeros((4, 5), np.float16))}), "dtype float16"),
    "object weights": (spoiled(**{"W0.npy": npy_bytes(np.array([[None] * 5] * 4, dtype=object))}),
                       "dtype object not allowed"),
    "structured weights": (spoiled(**{"W0.npy": npy_bytes(np.zeros((4, 5), [("a", "<f8")]))}), "not allowed"),
    "huge claimed shape": (spoiled(**{"W0.npy": header_only("<f8", (10**12, 10**6))}), "shape"),
    "header without data": (spoiled(**{"W0.npy": header_only("<f8", (4, 5))}), "truncated"),
    "trailing data": (spoiled(**{"b0.npy": npy_bytes(np.zeros(5)) + b"\0" * 8}), "extra bytes"),
    "nan weight": (spoiled(**{"W1.npy": npy_bytes(np.full((5, 3), np.nan))}), "W1.npy contains NaN"),
    "inf bias": (spoiled(**{"b0.npy": npy_bytes(np.array([0, 0, np.inf, 0, 0.0]))}), "b0.npy contains NaN or inf"),
    "bad npy magic": (spoiled(**{"W0.npy": b"NOTNUMPY" + b"\0" * 200}), "W0.npy: not a valid .npy header"),
    "npy version 9": (spoiled(**{"W0.npy": b"\x93NUMPY\x09\x00" + b"\0" * 200}), "W0.npy: not a valid|unsupported"),
    "config as floats": (spoiled(**{"config.npy": npy_bytes(np.zeros(10))}), "config.npy must be a 1-D uint8"),
    "config 2-D": (spoiled(**{"config.npy": npy_bytes(np.zeros((2, 2), np.uint8))}), "1-D uint8"),
    "config object": (spoiled(**{"config.npy": npy_bytes(np.array(["x"], dtype=object))}), "1-D uint8"),
    "renamed config": (rename(GOOD, "config.npy", "settings.npy"), "unexpected member 'settings.npy'"),
}


@pytest.mark.parametrize("case", sorted(BAD_FILES))
def test_bad_files_fail_clearly(case):
    data, message = BAD_FILES[case]
    with pytest.raises(ModelFileError, match=message):
        serialization.load_bytes(data)


def test_duplicate_members_are_rejected():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in members_of(NET).items():
            archive.writestr(name, data)
        with pytest.warns(UserWarning):
            archive.writestr("W0.npy", npy_bytes(np.ones((4, 5))))
    with pytest.raises(ModelFileError, match="duplicate member"):
        serialization.load_bytes(buffer.getvalue())


def test_corrupted_compressed_data_is_caught_by_crc():
    data = bytearray(GOOD)
    index = data.index(b"W0.npy") + 40  # inside W0's compressed bytes
    data[index] ^= 0xFF
    with pytest.raises(ModelFileError):
        serialization.load_bytes(bytes(data))


def test_zip_bomb_declared_sizes_are_checked_before_reading():
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in members_of(NET).items():
            archive.writestr(name, data if name != "b0.npy" else data + b"\0" * 10_000_000)
    assert len(bomb.getvalue()) < 100_000
    with pytest.raises(ModelFileError, match="b0.npy declares"):
        serialization.load_bytes(bomb.getvalue())


@pytest.mark.parametrize("text, message", [
    (b'{"format": "nnpy-model", "version": NaN}', "NaN is not valid JSON"),
    (b'{"format": "nnpy-model", "version": Infinity}', "Infinity is not valid JSON"),
    (b'{"format": "nnpy-model", "version": -Infinity}', "-Infinity is not valid JSON"),
    (b'{"format": "nnpy-model", "format": "nnpy-model"}', "duplicate key 'format'"),
    (b'{"format": ', "not valid JSON"),
    (b"\xff\xfe{}", "not UTF-8"),
    (b"[1, 2]", "config: must be an object"),
    (b"[" * 100_000 + b"]" * 100_000, "nested too deeply|not valid JSON"),
])
def test_bad_config_json(text, message):
    with pytest.raises(ModelFileError, match=message):
        serialization.load_bytes(with_config_text(NET, text))


def test_overflowing_numbers_in_json_are_not_finite():
    text = json.dumps(config_for(NET, extra={"big": 12345})).replace("12345", "1e999").encode()
    with pytest.raises(ModelFileError, match=r"config.extra.big: must be a finite number, got inf"):
        serialization.load_bytes(with_config_text(NET, text))
    text = json.dumps(net_config(sizes=[4, 12345, 3])).replace("12345", "1e999").encode()
    with pytest.raises(ModelFileError, match=r"sizes\[1\]: must be an integer, got number inf"):
        serialization.load_bytes(with_config_text(NET, text))


def net_config(**changes):
    network = dict(serialization.network_config(NET), **changes)
    return config_for(NET, network=network)


@pytest.mark.parametrize("config, message", [
    (net_config(activation="swish"), r"config.network.activation: 'swish' is not one of relu"),
    (net_config(activation="__import__('os')"), "is not one of"),
    (net_config(loss="hinge"), "config.network.loss: 'hinge' is not one of"),
    (net_config(init="zeros"), "config.network.init"),
    (net_config(sizes=[4, 0, 3]), r"config.network.sizes\[1\]: must be >= 1, got 0"),
    (net_config(sizes=[4, 5.0, 3]), r"sizes\[1\]: must be an integer, got number"),
    (net_config(sizes=[4, True, 3]), r"sizes\[1\]: must be an integer, got boolean"),
    (net_config(sizes=[4, 10**6, 3]), r"must be <= 1024"),
    (net_config(sizes=[4]), "needs at least 2 items"),
    (net_config(sizes=[4] + [5] * 20 + [3]), "allows at most 18 items"),
    (net_config(sizes="4,5,3"), "must be an array"),
    (net_config(depth=3), "unexpected key 'depth'"),
    (net_config(sizes=[4, 5, 1], loss="cross_entropy"), "cross_entropy needs at least 2 outputs"),
    (net_config(loss="binary_cross_entropy"), "binary_cross_entropy needs exactly 1 output"),
    (config_for(NET, format="keras"), "config.format: 'keras' is not one of nnpy-model"),
    (config_for(NET, version=2), "config.version: 2 is not one of 1"),
    (config_for(NET, version="1"), "config.version: must be an integer"),
    (config_for(NET, extra=[1]), "config.extra: must be an object"),
    (config_for(NET, extra={"deep": json.loads("[" * 40 + "]" * 40)}), "nested deeper"),
    (config_for(NET, code="print(1)"), "config: unexpected key 'code'"),
    ({"format": "nnpy-model", "version": 1}, "config: missing required key 'network'"),
])
def test_config_schema(config, message):
    members = members_of(NET, config)
    with pytest.raises(ModelFileError, match=message):
        serialization.load_bytes(build_zip(members))


def test_error_type_and_path_errors(tmp_path):
    assert issubclass(ModelFileError, ValueError)
    with pytest.raises(ModelFileError, match="cannot read model file"):
        serialization.load(tmp_path / "absent.npz")
    with pytest.raises(ModelFileError, match="must be bytes"):
        serialization.load_bytes("a string")


def test_failed_load_leaves_the_current_model_alone():
    current = make_net(seed=5)
    before = [{k: v.copy() for k, v in layer.items()} for layer in current.params]
    for data, _ in BAD_FILES.values():
        try:
            current = serialization.load_bytes(data)
        except ModelFileError:
            pass
    assert all(np.array_equal(b[k], p[k]) for b, p in zip(before, current.params) for k in "Wb")
