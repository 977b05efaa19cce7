"""Save and load a Network as ONE ``.npz`` file, treating every file read as hostile.

Format (a zip, as ``numpy.savez_compressed`` writes it; version 1)::

    config.npy   uint8 (n,)            UTF-8 JSON, see CONFIG_SCHEMA:
                 {"format": "nnpy-model", "version": 1,
                  "network": {"sizes": [64, 32, 10], "activation": "relu",
                              "loss": "cross_entropy", "init": "he"},
                  "extra": {...any JSON: dataset, features, settings, scores...}}
    W0.npy, b0.npy, W1.npy, ...        float64 (or float32) W{l}: (sizes[l], sizes[l+1]), b{l}: (sizes[l+1],)

Why one file: the page exports and imports models as a single download/upload. Why so careful:
a model file may come from anyone. ``load`` never unpickles (no object arrays), reads every
``.npy`` header *before* allocating and rejects unexpected dtypes, shapes and sizes, validates
the config against an explicit schema (``nnpy.schema``), rejects NaN/Infinity in JSON and in
the weights, and only then builds a *new* Network — so a failed load leaves your current model
untouched. Every failure is a ``ModelFileError`` whose message says what is wrong.
"""

from __future__ import annotations

import io
import json
import math
import re
import zipfile
import zlib
from pathlib import Path

import numpy as np
from numpy.lib import format as npy_format

from . import activations, initializers, losses, schema
from .network import MAX_HIDDEN, MAX_NEURONS, Network

__all__ = ["ModelFileError", "ModelFile", "save", "save_bytes", "load", "load_bytes", "read", "read_bytes",
           "CONFIG_SCHEMA", "FORMAT", "VERSION"]

FORMAT = "nnpy-model"
VERSION = 1
MAX_ELEMENTS = 50_000_000          # all weights together
MAX_CONFIG_BYTES = 1_000_000
MAX_FILE_BYTES = MAX_ELEMENTS * 8 + 2 * MAX_CONFIG_BYTES
MAX_NPY_HEADER = 4096
WEIGHT_DTYPES = (np.dtype("<f8"), np.dtype(">f8"), np.dtype("<f4"), np.dtype(">f4"))
_MEMBER = re.compile(r"^(config|[Wb](0|[1-9][0-9]{0,2}))\.npy$")


class ModelFileError(ValueError):
    """A model file (or bytes) cannot be loaded or saved; the message names the problem."""


def _network_schema() -> dict:
    return {
        "type": "object", "required": ["sizes", "activation", "loss", "init"],
        "properties": {
            "sizes": {"type": "array", "min_items": 2, "max_items": MAX_HIDDEN + 2,
                      "items": {"type": "integer", "minimum": 1, "maximum": MAX_NEURONS}},
            "activation": {"type": "string", "enum": list(activations.ACTIVATIONS)},
            "loss": {"type": "string", "enum": list(losses.LOSSES)},
            "init": {"type": "string", "enum": list(initializers.INITIALIZERS)},
        },
    }


CONFIG_SCHEMA = {
    "type": "object", "required": ["format", "version", "network"],
    "properties": {
        "format": {"type": "string", "enum": [FORMAT]},
        "version": {"type": "integer", "enum": [VERSION]},
        "network": _network_schema(),
        "extra": {"type": "object", "additional": {"type": "json"}},
    },
}


class ModelFile:
    """What a model file holds: a new ``network`` and the ``extra`` JSON saved with it."""

    def __init__(self, network: Network, extra: dict):
        self.network = network
        self.extra = extra

    def __repr__(self):
        return f"ModelFile({self.network!r}, extra keys={sorted(self.extra)})"


# --------------------------------------------------------------------------- saving

def network_config(network: Network) -> dict:
    """The JSON-able description that rebuilds ``network``'s shape and functions."""
    return {"sizes": [int(n) for n in network.sizes], "activation": network.activation.name,
            "loss": network.criterion.name, "init": network.init_name}


def save_bytes(network: Network, extra: dict | None = None) -> bytes:
    """The model file's bytes (see the module docstring); ``extra``: JSON object saved alongside.

    Raises ModelFileError if a weight is not finite or ``extra`` is not finite JSON.
    """
    config = {"format": FORMAT, "version": VERSION, "network": network_config(network),
              "extra": {} if extra is None else extra}
    try:
        schema.validate(config, CONFIG_SCHEMA, "config")
        text = json.dumps(config, allow_nan=False, separators=(",", ":"))
    except (schema.SchemaError, TypeError, ValueError) as err:
        raise ModelFileError(f"cannot save: {err}") from None
    if len(text.encode()) > MAX_CONFIG_BYTES:
        raise ModelFileError(f"cannot save: config JSON is over {MAX_CONFIG_BYTES} bytes")
    arrays = {"config": np.frombuffer(text.encode("utf-8"), np.uint8)}
    for l, layer in enumerate(network.params):
        for key in ("W", "b"):
            value = np.ascontiguousarray(layer[key], dtype=np.float64)
            if not np.isfinite(value).all():
                raise ModelFileError(f"cannot save: {key}{l} has non-finite values")
            arrays[f"{key}{l}"] = value
    buffer = io.BytesIO()
    np.savez_compressed(buffer, **arrays)
    return buffer.getvalue()


def save(path, network: Network, extra: dict | None = None) -> Path:
    """Write ``network`` (and ``extra``) to ``path`` as one ``.npz``; returns the path."""
    path = Path(path)
    path.write_bytes(save_bytes(network, extra))
    return path


# --------------------------------------------------------------------------- loading

def _read_npy_header(stream, name: str):
    """(shape, fortran_order, dtype) of a member, read from its header alone."""
    try:
        major, minor = npy_format.read_magic(stream)
        if (major, minor) == (1, 0):
            return npy_format.read_array_header_1_0(stream, max_header_size=MAX_NPY_HEADER)
        if (major, minor) == (2, 0):
            return npy_format.read_array_header_2_0(stream, max_header_size=MAX_NPY_HEADER)
    except (ValueError, EOFError, OSError, SyntaxError, TypeError) as err:
        raise ModelFileError(f"{name}: not a valid .npy header ({err})") from None
    raise ModelFileError(f"{name}: unsupported .npy format version {major}.{minor}")


def _read_member(archive: zipfile.ZipFile, name: str, shape: tuple, dtypes) -> np.ndarray:
    """Member ``name`` as an array of exactly ``shape`` and one of ``dtypes`` (checked before reading)."""
    with archive.open(name) as stream:
        got_shape, fortran, dtype = _read_npy_header(stream, name)
        if dtype.hasobject or dtype not in dtypes:
            allowed = " or ".join(sorted({d.name for d in dtypes}))
            raise ModelFileError(f"{name}: dtype {dtype} not allowed (expected {allowed})")
        if tuple(got_shape) != tuple(shape):
            raise ModelFileError(f"{name}: shape {tuple(got_shape)} does not match the config's {tuple(shape)}")
        size = math.prod(shape)
        data = stream.read(size * dtype.itemsize)
        if len(data) != size * dtype.itemsize:
            raise ModelFileError(f"{name}: truncated, {len(data)} of {size * dtype.itemsize} data bytes")
        if stream.read(1):
            raise ModelFileError(f"{name}: extra bytes after the array data")
    return np.frombuffer(data, dtype).reshape(shape, order="F" if fortran else "C")


def _config_from(archive: zipfile.ZipFile) -> dict:
    info = archive.getinfo("config.npy")
    if info.file_size > MAX_CONFIG_BYTES + MAX_NPY_HEADER:
        raise ModelFileError(f"config.npy is {info.file_size} bytes, more than {MAX_CONFIG_BYTES}")
    with archive.open("config.npy") as stream:
        shape, _, dtype = _read_npy_header(stream, "config.npy")
    if dtype != np.uint8 or len(shape) != 1 or not 1 <= shape[0] <= MAX_CONFIG_BYTES:
        raise ModelFileError(f"config.npy must be a 1-D uint8 array of 1..{MAX_CONFIG_BYTES} bytes, "
                             f"got {dtype} {tuple(shape)}")
    raw = _read_member(archive, "config.npy", shape, (np.dtype(np.uint8),)).tobytes()
    try:
        config = schema.loads_strict(raw.decode("utf-8"))
        schema.validate(config, CONFIG_SCHEMA, "config")
    except UnicodeDecodeError as err:
        raise ModelFileError(f"config.npy is not UTF-8 text: {err}") from None
    except schema.SchemaError as err:
        raise ModelFileError(f"bad config: {err}") from None
    network = config["network"]
    if network["loss"] == "binary_cross_entropy" and network["sizes"][-1] != 1:
        raise ModelFileError("bad config: binary_cross_entropy needs exactly 1 output")
    if network["loss"] == "cross_entropy" and network["sizes"][-1] < 2:
        raise ModelFileError("bad config: cross_entropy needs at least 2 outputs")
    return config


def read_bytes(data) -> ModelFile:
    """Load a model file from bytes (what the browser hands over) -> ``ModelFile(network, extra)``."""
    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise ModelFileError(f"model data must be bytes, got {type(data).__name__}")
    if len(data) > MAX_FILE_BYTES:
        raise ModelFileError(f"model file is {len(data)} bytes, more than the {MAX_FILE_BYTES} allowed")
    try:
        with zipfile.ZipFile(io.BytesIO(bytes(data))) as archive:
            return _read_archive(archive)
    except ModelFileError:
        raise
    except (zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, EOFError, OSError,
            NotImplementedError, RuntimeError, ValueError) as err:
        # truncated or corrupt zip, CRC mismatch, unsupported compression or encryption
        raise ModelFileError(f"not a readable .npz model file: {err}") from None


def _read_archive(archive: zipfile.ZipFile) -> ModelFile:
    names = archive.namelist()
    if len(set(names)) != len(names):
        raise ModelFileError("model file has duplicate member names")
    for name in names:
        if not _MEMBER.match(name):
            raise ModelFileError(f"unexpected member {name[:60]!r} in model file "
                                 "(expected config.npy, W0.npy, b0.npy, ...)")
    if "config.npy" not in names:
        raise ModelFileError("model file has no config.npy: not an nnpy model")
    config = _config_from(archive)
    sizes = config["network"]["sizes"]
    n_layers = len(sizes) - 1
    expected = {f"{k}{l}.npy" for l in range(n_layers) for k in "Wb"} | {"config.npy"}
    missing, surplus = sorted(expected - set(names)), sorted(set(names) - expected)
    if missing or surplus:
        raise ModelFileError(f"members do not match sizes {sizes}: "
                             f"missing {missing or 'none'}, unexpected {surplus or 'none'}")
    total = sum(sizes[l] * sizes[l + 1] + sizes[l + 1] for l in range(n_layers))
    if total > MAX_ELEMENTS:
        raise ModelFileError(f"model has {total} weights, more than {MAX_ELEMENTS}")
    weights = []
    for l in range(n_layers):
        layer = {}
        for key, shape in (("W", (sizes[l], sizes[l + 1])), ("b", (sizes[l + 1],))):
            info = archive.getinfo(f"{key}{l}.npy")
            if info.file_size > math.prod(shape) * 8 + MAX_NPY_HEADER:
                raise ModelFileError(f"{key}{l}.npy declares {info.file_size} bytes, too many for shape {shape}")
            value = _read_member(archive, f"{key}{l}.npy", shape, WEIGHT_DTYPES).astype(np.float64)
            if not np.isfinite(value).all():
                raise ModelFileError(f"{key}{l}.npy contains NaN or infinite values")
            layer[key] = value
        weights.append(layer)
    net_config = config["network"]
    try:
        network = Network(sizes, net_config["activation"], net_config["loss"], net_config["init"],
                          rng=np.random.default_rng(0))
    except ValueError as err:
        raise ModelFileError(f"bad config: {err}") from None
    for params, layer in zip(network.params, weights):
        params["W"][...] = layer["W"]
        params["b"][...] = layer["b"]
    return ModelFile(network, config.get("extra", {}))


def read(path) -> ModelFile:
    """Load the model file at ``path`` -> ``ModelFile(network, extra)``."""
    path = Path(path)
    try:
        size = path.stat().st_size
    except OSError as err:
        raise ModelFileError(f"cannot read model file {path}: {err.strerror or err}") from None
    if size > MAX_FILE_BYTES:
        raise ModelFileError(f"model file {path} is {size} bytes, more than the {MAX_FILE_BYTES} allowed")
    return read_bytes(path.read_bytes())


def load(path) -> Network:
    """A new Network from the model file at ``path`` (raises ModelFileError)."""
    return read(path).network


def load_bytes(data) -> Network:
    """A new Network from model-file bytes (raises ModelFileError)."""
    return read_bytes(data).network
