"""How a (redacted) comparison is written into the store as JSON text, and read back.

Bodies are bytes; JSON has no bytes. A body is stored as ``{"$text": "..."}`` when it is UTF-8 and as
``{"$base64": "..."}`` otherwise, so an exemplar reads back into the same ``ComparisonRecord`` it was (bodies
longer than the exemplar limit are cut, and the exemplar is flagged truncated). Diff values in a comparisons
row are cut to a length limit: the row is for counting and grouping, the exemplar is for reading.
"""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Iterable
from typing import Any

import orjson

from comparators.result import Diff
from shadow.models import ComparisonRecord

__all__ = ["decode_record", "diff_keys", "encode_diffs", "encode_record", "to_json"]

_TEXT, _B64 = "$text", "$base64"


def _default(value: Any) -> Any:
    if isinstance(value, bytes | bytearray):
        return _encode_bytes(bytes(value))
    if isinstance(value, set | frozenset):
        return sorted(value, key=repr)
    raise TypeError(f"cannot store a {type(value).__name__} as JSON")


def _encode_bytes(value: bytes) -> dict[str, str]:
    try:
        return {_TEXT: value.decode("utf-8")}
    except UnicodeDecodeError:
        return {_B64: base64.b64encode(value).decode("ascii")}


def to_json(value: Any) -> str:
    """JSON text for anything a record holds (bytes as $text/$base64)."""
    try:
        return orjson.dumps(value, default=_default, option=orjson.OPT_NON_STR_KEYS).decode()
    except orjson.JSONEncodeError:
        # orjson refuses integers beyond 64 bits; the standard library does not.
        return json.dumps(value, default=_default, ensure_ascii=False)


def _decode(value: Any) -> Any:
    if isinstance(value, dict):
        if len(value) == 1 and _TEXT in value:
            return value[_TEXT].encode("utf-8")
        if len(value) == 1 and _B64 in value:
            return base64.b64decode(value[_B64])
        return {key: _decode(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_decode(item) for item in value]
    return value


def encode_record(record: ComparisonRecord, body_limit: int) -> tuple[str, bool]:
    """The record as JSON text, each body cut to ``body_limit`` bytes; and whether anything was cut."""
    data = record.model_dump(mode="python", exclude={"verdict": {"signature"}})
    truncated = False
    bodies = [data["exchange"]["request"], data["exchange"]["primary"]]
    if data["candidate"]["response"] is not None:
        bodies.append(data["candidate"]["response"])
    for message in bodies:
        if len(message["body"]) > body_limit:
            message["body"] = message["body"][:body_limit]
            truncated = True
    return to_json(data), truncated


def decode_record(text: str) -> ComparisonRecord:
    data = _decode(json.loads(text))
    # Diff values that were bytes come back as bytes too; everything else is plain JSON again.
    return ComparisonRecord.model_validate(data)


def encode_diffs(diffs: Iterable[Diff], value_limit: int) -> str:
    """A JSON list of diffs for a comparisons row; a value longer than ``value_limit`` JSON chars is cut."""
    out = []
    for diff in diffs:
        row = diff.model_dump(mode="python")
        row["kind"] = diff.kind.value
        for side in ("primary", "candidate"):
            text = to_json(row[side])
            if len(text) > value_limit:
                row[side] = f"«truncated: {len(text)} chars» {text[:value_limit]}"
        out.append(row)
    return to_json(out)


_INDEX = re.compile(r"/\d+(?=/|$)")


def diff_keys(diffs: Iterable[Diff]) -> str:
    """What a signature is made of, readable: sorted "<path with indices as *>:<kind>" as a JSON list."""
    return to_json(sorted({f"{_INDEX.sub('/*', d.path)}:{d.kind.value}" for d in diffs}))
