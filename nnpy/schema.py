"""A small, explicit JSON validator — enough of JSON Schema's ideas for nnpy's configs.

Why not ``jsonschema``: nnpy must stay pure numpy and run in Pyodide with nothing else installed.
A schema here is a plain dict::

    {"type": "object", "required": ["sizes"], "additional": False,
     "properties": {"sizes": {"type": "array", "items": {"type": "integer", "minimum": 1}}}}

Keywords: ``type`` (object | array | string | integer | number | boolean | null | json),
``properties``, ``required``, ``additional`` (False, or a schema for other keys), ``items``,
``min_items``, ``max_items``, ``enum``, ``minimum``, ``maximum``, ``max_length``.
``"json"`` accepts any JSON value made of finite numbers, within ``MAX_DEPTH`` levels.

``validate(value, schema, where)`` raises ``SchemaError`` whose message names the failing path,
e.g. ``config.network.sizes[2]: must be >= 1, got 0``.
"""

from __future__ import annotations

import json
import math
import re

__all__ = ["SchemaError", "validate", "loads_strict", "MAX_DEPTH"]

MAX_DEPTH = 16


class SchemaError(ValueError):
    """A JSON value does not fit its schema; the message starts with the path of the bad part."""


def _type_name(value) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    if isinstance(value, dict):
        return "object"
    return type(value).__name__


def _fits_type(value, expected: str) -> bool:
    actual = _type_name(value)
    if expected == "number":
        return actual in ("integer", "number")
    return actual == expected


def _check_json(value, where: str, depth: int) -> None:
    if depth > MAX_DEPTH:
        raise SchemaError(f"{where}: nested deeper than {MAX_DEPTH} levels")
    kind = _type_name(value)
    if kind == "number" and not math.isfinite(value):
        raise SchemaError(f"{where}: must be a finite number, got {value}")
    if kind == "array":
        for i, item in enumerate(value):
            _check_json(item, f"{where}[{i}]", depth + 1)
    elif kind == "object":
        for key, item in value.items():
            if not isinstance(key, str):
                raise SchemaError(f"{where}: object keys must be strings, got {key!r}")
            _check_json(item, f"{where}.{key}", depth + 1)
    elif kind not in ("null", "boolean", "integer", "number", "string"):
        raise SchemaError(f"{where}: {kind} is not a JSON value")


def validate(value, schema: dict, where: str = "value") -> None:
    """Raise ``SchemaError`` unless ``value`` fits ``schema`` (see the module docstring)."""
    expected = schema.get("type", "json")
    if expected == "json":
        _check_json(value, where, 0)
    elif not _fits_type(value, expected):
        raise SchemaError(f"{where}: must be {'an' if expected[0] in 'aeiou' else 'a'} {expected}, "
                          f"got {_type_name(value)} {_short(value)}")
    if "enum" in schema and value not in schema["enum"]:
        raise SchemaError(f"{where}: {_short(value)} is not one of {', '.join(map(str, schema['enum']))}")
    if expected in ("integer", "number"):
        if isinstance(value, float) and not math.isfinite(value):
            raise SchemaError(f"{where}: must be a finite number, got {value}")
        if "minimum" in schema and value < schema["minimum"]:
            raise SchemaError(f"{where}: must be >= {schema['minimum']}, got {value}")
        if "maximum" in schema and value > schema["maximum"]:
            raise SchemaError(f"{where}: must be <= {schema['maximum']}, got {value}")
    if expected == "string" and len(value) > schema.get("max_length", 10_000):
        raise SchemaError(f"{where}: string longer than {schema.get('max_length', 10_000)} characters")
    if expected == "array":
        if len(value) < schema.get("min_items", 0):
            raise SchemaError(f"{where}: needs at least {schema['min_items']} items, got {len(value)}")
        if "max_items" in schema and len(value) > schema["max_items"]:
            raise SchemaError(f"{where}: allows at most {schema['max_items']} items, got {len(value)}")
        item_schema = schema.get("items", {"type": "json"})
        for i, item in enumerate(value):
            validate(item, item_schema, f"{where}[{i}]")
    if expected == "object":
        _validate_object(value, schema, where)


def _validate_object(value: dict, schema: dict, where: str) -> None:
    properties = schema.get("properties", {})
    for key in schema.get("required", []):
        if key not in value:
            raise SchemaError(f"{where}: missing required key {key!r}")
    additional = schema.get("additional", False)
    for key, item in value.items():
        if key in properties:
            validate(item, properties[key], f"{where}.{key}")
        elif additional is False:
            raise SchemaError(f"{where}: unexpected key {key!r} (allowed: {', '.join(properties) or 'none'})")
        else:
            validate(item, additional, f"{where}.{key}")


def _short(value) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _reject_constant(token):
    raise SchemaError(f"{token} is not valid JSON (only finite numbers are allowed)")


def _no_duplicates(pairs):
    out = {}
    for key, value in pairs:
        if key in out:
            raise SchemaError(f"duplicate key {key!r} in JSON object")
        out[key] = value
    return out


_NESTING = re.compile(r'"(?:[^"\\]++|\\.)*+(?:"|\Z)|[\[\]{}]')   # an unterminated string runs to the end
MAX_PARSE_DEPTH = 4 * MAX_DEPTH     # deeper JSON is refused before parsing


def _nesting_depth(text: str) -> int:
    """How deeply ``text``'s arrays and objects nest (strings skipped), counted without recursion:
    json.loads recurses in C, and in WebAssembly (Pyodide) 100,000 levels overflow the stack and
    kill the runtime before Python's RecursionError can fire."""
    depth = deepest = 0
    for token in _NESTING.findall(text):
        if token in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif token in "]}":
            depth -= 1
    return deepest


def loads_strict(text: str):
    """``json.loads`` that rejects NaN/Infinity tokens and duplicate keys (raises SchemaError)."""
    if _nesting_depth(text) > MAX_PARSE_DEPTH:
        raise SchemaError("JSON nested too deeply")
    try:
        return json.loads(text, parse_constant=_reject_constant, object_pairs_hook=_no_duplicates)
    except json.JSONDecodeError as err:
        raise SchemaError(f"not valid JSON: {err}") from None
    except RecursionError:
        raise SchemaError("JSON nested too deeply") from None
