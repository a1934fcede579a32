from __future__ import annotations

import json
from collections.abc import Callable

from comparators.result import Diff, DiffKind
from shadow.models import ComparisonRecord
from shadow.record_codec import decode_record, diff_keys, encode_diffs, encode_record, to_json

Factory = Callable[..., ComparisonRecord]


def test_a_record_round_trips_with_text_and_binary_bodies(make_record: Factory) -> None:
    record = make_record(request_body=b"\x00\x01\xfe\xff binary", candidate="déjà vu «text»".encode())
    text, truncated = encode_record(record, body_limit=1 << 20)
    assert not truncated
    stored = json.loads(text)
    assert stored["exchange"]["request"]["body"] == {"$base64": "AAH+/yBiaW5hcnk="}
    assert stored["candidate"]["response"]["body"] == {"$text": "déjà vu «text»"}
    assert "signature" not in stored["verdict"]  # computed again on load, never trusted from disk
    assert decode_record(text) == record


def test_bodies_are_cut_at_the_limit(make_record: Factory) -> None:
    record = make_record(primary=b"x" * 5000)
    text, truncated = encode_record(record, body_limit=100)
    assert truncated
    assert decode_record(text).exchange.primary.body == b"x" * 100


def test_to_json_takes_what_orjson_refuses() -> None:
    assert json.loads(to_json({"n": 2**70, "b": b"\xff", 1: {3, 1}})) == {
        "n": 2**70,
        "b": {"$base64": "/w=="},
        "1": [1, 3],
    }


def test_diff_values_are_cut_in_comparison_rows() -> None:
    diffs = [Diff(path="/body", kind=DiffKind.BODY, primary="p" * 500, candidate={"short": True})]
    (row,) = json.loads(encode_diffs(diffs, value_limit=100))
    assert row["kind"] == "body"
    assert row["primary"].startswith('«truncated: 502 chars» "ppp') and len(row["primary"]) < 140
    assert row["candidate"] == {"short": True}


def test_diff_keys_generalize_indices_like_the_signature_does() -> None:
    diffs = [
        Diff(path="/body/data/3/status", kind=DiffKind.VALUE),
        Diff(path="/body/data/7/status", kind=DiffKind.VALUE),
        Diff(path="/status", kind=DiffKind.STATUS),
    ]
    assert json.loads(diff_keys(diffs)) == ["/body/data/*/status:value", "/status:status"]
