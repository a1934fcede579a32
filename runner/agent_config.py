"""Coding agents' config files as 0.0.71 reads and writes them (``executors/src/mcp_config.rs``): the file
becomes a ``serde_json::Value`` (TOML is converted through serde), the servers live at a key path, and the
file is written back pretty-printed with every object's keys sorted (serde_json without ``preserve_order``).

Checked against the real binary:
- JSON is written as ``serde_json::to_string_pretty`` prints it: two-space indent, ``"k": v``, ``{}``/``[]``
  when empty, no trailing newline, floats in ryu's shortest form (``1e20``, ``1e-7``, ``1.0``), integers
  beyond 64 bits read as floats;
- TOML is read through serde: datetimes become ``{"$__toml_private_datetime": "<toml text>"}``, non-finite
  floats become ``null``; an empty (or blank) TOML file is ``{}``;
- converting a ``null`` to TOML fails with serde's text and the position of the ``null`` in the compact,
  key-sorted JSON of the whole config: ``invalid type: null, expected any valid TOML value at line 1 column N``.

Known differences (file bytes only; what the API returns is equal): TOML is written by tomli-w, which keeps
multi-line strings on one line, writes arrays of tables inline and spells datetimes with a space; a JSON or
TOML file that fails to parse is reported with Python's parser message, not serde's or toml's (except serde's
"EOF while parsing a value" for an empty or blank JSON file); a number with more significant digits than an
f64 holds may end one unit in the last place apart (serde_json parses without ``float_roundtrip``, Python
rounds correctly).
"""

from __future__ import annotations

import datetime
import json
import math
import re
import tomllib
from collections.abc import Sequence
from typing import Any

import orjson
import tomli_w

__all__ = [
    "TOML_DATETIME_KEY",
    "ConfigFormatError",
    "get_servers",
    "parse_json_config",
    "parse_toml_config",
    "render_compact_json",
    "render_json_config",
    "render_toml_config",
    "set_servers",
]

TOML_DATETIME_KEY = "$__toml_private_datetime"
U64_MAX = 2**64 - 1
I64_MIN = -(2**63)


class ConfigFormatError(Exception):
    """The config could not be parsed or converted; the message is what 0.0.71 puts after its prefix."""


# ---------------------------------------------------------------- reading


def _serde_int(text: str) -> int | float:
    """serde_json keeps integers that fit u64 (or i64 when negative); larger ones become f64."""
    value = int(text)
    return value if I64_MIN <= value <= U64_MAX else float(value)


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def parse_json_config(text: str) -> Any:
    """The file's JSON value; a parse error carries serde's text for the empty-document case, else Python's."""
    try:
        return json.loads(text, parse_int=_serde_int, parse_constant=_reject_constant)
    except json.JSONDecodeError as exc:
        if exc.msg == "Expecting value" and not text[exc.pos :].strip():
            # serde: end of input where a value should start; the column is that of the last character read
            line = text.count("\n") + 1
            column = len(text.rsplit("\n", 1)[-1].encode("utf-8"))
            raise ConfigFormatError(f"EOF while parsing a value at line {line} column {column}") from exc
        raise ConfigFormatError(f"{exc.msg} at line {exc.lineno} column {exc.colno}") from exc
    except ValueError as exc:
        raise ConfigFormatError(str(exc)) from exc


def _toml_time_text(value: datetime.time) -> str:
    text = value.strftime("%H:%M:%S")
    if value.microsecond:
        text += "." + f"{value.microsecond:06d}".rstrip("0")
    return text


def _toml_datetime_text(value: datetime.datetime | datetime.date | datetime.time) -> str:
    """How the toml crate prints a datetime (its Display), from what tomllib parsed."""
    if isinstance(value, datetime.datetime):
        text = f"{value.date().isoformat()}T{_toml_time_text(value.time())}"
        offset = value.utcoffset()
        if offset is None:
            return text
        if offset == datetime.timedelta(0):
            return text + "Z"
        minutes = int(offset.total_seconds()) // 60
        sign = "+" if minutes >= 0 else "-"
        return f"{text}{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"
    if isinstance(value, datetime.date):
        return value.isoformat()
    return _toml_time_text(value)


def _toml_to_json(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _toml_to_json(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_toml_to_json(item) for item in value]
    if isinstance(value, datetime.datetime | datetime.date | datetime.time):
        return {TOML_DATETIME_KEY: _toml_datetime_text(value)}
    if isinstance(value, float) and not math.isfinite(value):
        return None  # serde_json serializes a non-finite f64 as null
    return value


def parse_toml_config(text: str) -> Any:
    """The file's TOML as the JSON value 0.0.71 works on (a blank file is an empty object)."""
    if not text.strip():
        return {}
    try:
        return _toml_to_json(tomllib.loads(text))
    except tomllib.TOMLDecodeError as exc:
        raise ConfigFormatError(f"TOML parse error: {exc}") from exc


# ---------------------------------------------------------------- the servers inside


def get_servers(config: Any, path: Sequence[str]) -> dict[str, Any]:
    """The object at ``path``; anything missing or not an object on the way means no servers."""
    current = config
    for part in path:
        if not isinstance(current, dict) or part not in current:
            return {}
        current = current[part]
    return dict(current) if isinstance(current, dict) else {}


def set_servers(config: Any, path: Sequence[str], servers: dict[str, Any]) -> dict[str, Any]:
    """Put ``servers`` at ``path``, replacing a non-object root or step with an object, as 0.0.71 does."""
    root: dict[str, Any] = config if isinstance(config, dict) else {}
    current = root
    for part in path[:-1]:
        child = current.get(part)
        if not isinstance(child, dict):
            child = {}
            current[part] = child
        current = child
    current[path[-1]] = servers
    return root


# ---------------------------------------------------------------- writing

# orjson prints floats as ryu does except for a "+" in positive exponents (1e+20); serde_json writes 1e20.
_STRING_OR_PLUS_EXPONENT = re.compile(rb'"(?:[^"\\]|\\.)*"|(?<=[0-9])e\+')


def _serde_json_bytes(value: Any, option: int) -> bytes:
    raw = orjson.dumps(value, option=option | orjson.OPT_SORT_KEYS)
    return _STRING_OR_PLUS_EXPONENT.sub(lambda m: m.group(0) if m.group(0).startswith(b'"') else b"e", raw)


def render_compact_json(value: Any) -> str:
    """``serde_json::to_string`` of the value (keys sorted)."""
    return _serde_json_bytes(value, 0).decode("utf-8")


def render_json_config(config: Any) -> str:
    """``serde_json::to_string_pretty`` of the value (keys sorted)."""
    return _serde_json_bytes(config, orjson.OPT_INDENT_2).decode("utf-8")


def _first_null_end(value: Any) -> int | None:
    """Byte offset just past the first ``null`` in the compact, key-sorted JSON of ``value``."""
    offset = 0

    def walk(item: Any) -> int | None:
        nonlocal offset
        if item is None:
            return offset + 4
        if isinstance(item, dict):
            offset += 1
            for index, key in enumerate(sorted(item)):
                offset += (1 if index else 0) + len(_serde_json_bytes(key, 0)) + 1
                found = walk(item[key])
                if found is not None:
                    return found
            offset += 1
            return None
        if isinstance(item, list):
            offset += 1
            for index, element in enumerate(item):
                offset += 1 if index else 0
                found = walk(element)
                if found is not None:
                    return found
            offset += 1
            return None
        offset += len(_serde_json_bytes(item, 0))
        return None

    return walk(value)


def _json_to_toml(value: Any) -> Any:
    if isinstance(value, dict):
        if set(value) == {TOML_DATETIME_KEY} and isinstance(value[TOML_DATETIME_KEY], str):
            try:
                return tomllib.loads(f"v = {value[TOML_DATETIME_KEY]}")["v"]
            except tomllib.TOMLDecodeError as exc:
                raise ConfigFormatError(f"invalid datetime {value[TOML_DATETIME_KEY]!r}: {exc}") from exc
        return {key: _json_to_toml(value[key]) for key in sorted(value)}
    if isinstance(value, list):
        return [_json_to_toml(item) for item in value]
    return value


def render_toml_config(config: dict[str, Any]) -> str:
    """The config as TOML, keys sorted; a ``null`` anywhere fails the way serde's conversion fails."""
    null_end = _first_null_end(config)
    if null_end is not None:
        raise ConfigFormatError(f"invalid type: null, expected any valid TOML value at line 1 column {null_end}")
    try:
        return tomli_w.dumps(_json_to_toml(config))
    except (TypeError, ValueError) as exc:
        raise ConfigFormatError(str(exc)) from exc
