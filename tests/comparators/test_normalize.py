from __future__ import annotations

import copy
import re
import uuid
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from comparators.normalize import (
    RULES,
    TS_PLAIN,
    NormalizeContext,
    Normalizer,
    RuleRef,
    apply_rule,
    normalize,
    number_uuids,
)
from comparators.profiles import load_profile
from comparators.timestamps import mask_timestamp_bytes

U1, U2, U3 = (str(uuid.UUID(int=n, version=4)) for n in (1, 2, 3))
SHA = "9fceb02d0ae598e95dc970b74767f19372d61af8"

# JSON with the values normalizers care about mixed in (ids, timestamps, shas, paths, nested JSON text).
interesting = st.sampled_from(
    [
        U1,
        U2,
        f"attempt {U1}",
        "2026-11-26T07:12:12.517Z",
        "2026-11-26T07:12:34Z",
        "2026-11-26T07:12:12+00:00",
        SHA,
        "/tmp/w1/repo",
        "/tmp/w1",
        "vk-72fa-add-hello",
        "(vibe-kanban 4a8c819e)",
        '{"b":1,"a":[2]}',
        "<uuid:1>",
    ]
)
leaves = (
    st.none()
    | st.booleans()
    | st.integers(-(2**70), 2**70)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=12)
    | interesting
)
keys = st.text(max_size=8) | st.sampled_from(["created_at", "updated_at", "id", "content", U2])
json_values = st.recursive(
    leaves, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(keys, inner, max_size=4), max_leaves=30
)

ALL_RULES: list[dict[str, Any]] = [
    {"rule": "parse_json_string", "paths": ["/**/content"]},
    {"rule": "ignore", "paths": ["/drop"]},
    {"rule": "mask_value", "paths": ["/env/*"]},
    {"rule": "id_map"},
    {"rule": "mask_path_prefix"},
    {
        "rule": "mask_regex",
        "patterns": ["sha40", "vibe_kanban_short", "worktree_branch"],
        "custom": [{"regex": "took \\d+ms", "replacement": "took Nms"}],
    },
    {"rule": "mask_timestamp", "paths": ["/**/created_at", "/**/updated_at"]},
    {"rule": "mask_timestamp", "paths": ["/**"], "precision": "exact"},
    {"rule": "sort_array", "paths": ["/list"], "keys": ["name"]},
    {"rule": "multiset", "paths": ["/**/set"]},
    {"rule": "mask_uuid"},
]
CTX = NormalizeContext(prefixes={"WORK": "/tmp/w1"}, id_map={U3: U1}, known_ids=frozenset({U1}))


def test_every_rule_of_the_brief_is_registered() -> None:
    assert set(RULES) == {
        "ignore",
        "mask_value",
        "mask_timestamp",
        "mask_uuid",
        "id_map",
        "mask_path_prefix",
        "mask_regex",
        "sort_array",
        "multiset",
        "parse_json_string",
    }


def test_ignore_drops_members_and_elements() -> None:
    assert apply_rule("ignore", {"a": 1, "b": [1, 2]}, paths=["/a", "/b/0"]) == {"b": [2]}


def test_mask_value_keeps_presence_and_types() -> None:
    doc = {"environment": {"os_type": "Debian", "bits": 64, "ok": True, "none": None, "l": ["x", 1.5]}}
    assert apply_rule("mask_value", doc, paths=["/environment/*"]) == {
        "environment": {"os_type": "<masked>", "bits": 0, "ok": False, "none": None, "l": ["<masked>", 0.0]}
    }


def test_parse_json_string_only_for_containers() -> None:
    doc = {"data": {"content": '{\n  "b": 1,\n  "a": 2\n}', "n": '"1"', "bad": "{"}}
    paths = ["/data/content", "/data/n", "/data/bad"]
    assert apply_rule("parse_json_string", doc, paths=paths) == {
        "data": {"content": {"a": 2, "b": 1}, "n": '"1"', "bad": "{"}
    }


def test_rules_apply_inside_parsed_json_strings() -> None:
    doc = {"data": {"content": f'{{"id": "{U1}", "at": "x"}}', "path": "/home/h1/.local/profiles.json"}}
    rules = [
        {"rule": "parse_json_string", "paths": ["/data/content"]},
        {"rule": "mask_uuid"},
        {"rule": "mask_path_prefix"},
    ]
    assert normalize(doc, rules, NormalizeContext(prefixes={"HOME": "/home/h1"})) == {
        "data": {"content": {"at": "x", "id": "<uuid:1>"}, "path": "<HOME>/.local/profiles.json"}
    }


def test_mask_uuid_numbers_by_first_appearance_everywhere() -> None:
    doc = {"a": U2, "b": {"c": U1, "msg": f"Cleanup script changes for task attempt {U2}"}, U1: [U1]}
    # Objects are visited in sorted key order, so numbering does not depend on the server's key order.
    assert apply_rule("mask_uuid", doc) == {
        "<uuid:1>": ["<uuid:1>"],  # the key U1 sorts first ("0000..." < "a")
        "a": "<uuid:2>",
        "b": {"c": "<uuid:1>", "msg": "Cleanup script changes for task attempt <uuid:2>"},
    }


def test_mask_uuid_keeps_reference_structure() -> None:
    same_parent = [{"id": U1, "parent": U2}, {"id": U3, "parent": U2}]
    other_parent = [{"id": U1, "parent": U2}, {"id": U3, "parent": U1}]
    assert apply_rule("mask_uuid", same_parent) != apply_rule("mask_uuid", other_parent)


def test_id_map_maps_candidate_ids_and_known_ids_stay_literal() -> None:
    primary = {"id": U1, "other": U2}
    candidate = {"id": U3, "other": str(uuid.uuid4())}
    rules = [{"rule": "id_map"}, {"rule": "mask_uuid"}]
    p = normalize(primary, rules, NormalizeContext(known_ids=frozenset({U1})))
    c = normalize(candidate, rules, NormalizeContext(id_map={U3: U1}, known_ids=frozenset({U1})))
    assert p == c == {"id": U1, "other": "<uuid:1>"}
    # A candidate that points at the wrong (correlated) entity is a real finding.
    wrong = normalize(
        {"id": U2, "other": U3}, rules, NormalizeContext(id_map={U2: U3, U3: U1}, known_ids=frozenset({U1, U3}))
    )
    assert wrong != p


def test_mask_path_prefix_stops_at_path_boundaries() -> None:
    ctx = NormalizeContext(prefixes={"WORK": "/tmp/w1/", "WORKTREES": "/tmp/w1/worktrees"})
    doc = {
        "a": "/tmp/w1/repo",
        "b": "/tmp/w10/repo",
        "c": "/tmp/w1",
        "d": "/tmp/w1/worktrees/vk-72fa-x",
        "e": "path `/tmp/w1/s` bad",
    }
    assert apply_rule("mask_path_prefix", doc, ctx) == {
        "a": "<WORK>/repo",
        "b": "/tmp/w10/repo",
        "c": "<WORK>",
        "d": "<WORKTREES>/vk-<xxxx>-x",
        "e": "path `<WORK>/s` bad",
    }
    odd = NormalizeContext(prefixes={"HOME": '/tmp/we"ird\\home'})
    assert apply_rule("mask_path_prefix", {"p": '/tmp/we"ird\\home/x'}, odd) == {"p": "<HOME>/x"}


def test_mask_regex_named_patterns() -> None:
    doc = {
        "merge_commit": SHA,
        "message": "Add hello file (vibe-kanban 4a8c819e)\n\ndescription",
        "branch": "vk-72fa-add-hello",
        "container_ref": "/var/tmp/vibe-kanban/worktrees/vk-72fa-add-hello",
        "not_a_branch": "xvk-72fa-y",
    }
    assert apply_rule("mask_regex", doc, patterns=["sha40", "vibe_kanban_short", "worktree_branch"]) == {
        "merge_commit": "<sha>",
        "message": "Add hello file (vibe-kanban <short>)\n\ndescription",
        "branch": "vk-<xxxx>-add-hello",
        "container_ref": "/var/tmp/vibe-kanban/worktrees/vk-<xxxx>-add-hello",
        "not_a_branch": "xvk-72fa-y",
    }


def test_mask_regex_custom_patterns_run_on_strings_only() -> None:
    doc = {"a": "run 123 took 45ms", "n": 123, "k": {"s": "7"}}
    assert apply_rule("mask_regex", doc, custom=[{"regex": r"\d+", "replacement": "N", "paths": ["/a"]}]) == {
        "a": "run N took Nms",
        "n": 123,
        "k": {"s": "7"},
    }


def test_mask_timestamp_by_member_name_keeps_the_format_family() -> None:
    doc = {
        "data": [
            {"created_at": "2026-11-26T07:12:12.517Z", "updated_at": "2026-11-26T07:12:34Z"},
            {
                "created_at": "2026-11-26T07:12:12+00:00",
                "updated_at": "yesterday",
                "last_commit_date": "2025-01-02T00:00:00Z",
            },
            {"created_at": None, "updated_at": 1764140000},
        ]
    }
    assert apply_rule("mask_timestamp", doc, paths=["/**/created_at", "/**/updated_at"]) == {
        "data": [
            {"created_at": "<ts>", "updated_at": "<ts>"},
            {"created_at": "<ts:rfc3339>", "updated_at": "yesterday", "last_commit_date": "2025-01-02T00:00:00Z"},
            {"created_at": None, "updated_at": 1764140000},
        ]
    }


def test_mask_timestamp_everywhere_and_on_general_paths() -> None:
    doc = {
        "a": ["2026-11-26T07:12:12.517Z", "no"],
        "2026-11-26T07:12:12Z": 1,
        "b": {"c": "2026-11-26T07:12:12.595270310Z"},
    }
    assert apply_rule("mask_timestamp", doc) == {"a": ["<ts>", "no"], "<ts>": 1, "b": {"c": "<ts>"}}
    assert apply_rule("mask_timestamp", doc, paths=["/b/*"], precision="exact") == {**doc, "b": {"c": "<ts:ns>"}}
    assert apply_rule("mask_timestamp", "2026-11-26T07:12:12.517Z") == "<ts>"


def test_sort_array_and_multiset_ignore_volatile_values() -> None:
    primary = {"list": [{"name": "b", "id": U1}, {"name": "a", "id": U2}], "set": [3, 1, 2, 1]}
    candidate = {
        "list": [{"name": "a", "id": str(uuid.uuid4())}, {"name": "b", "id": str(uuid.uuid4())}],
        "set": [1, 1, 2, 3],
    }
    rules = [
        {"rule": "sort_array", "paths": ["/list"], "keys": ["name"]},
        {"rule": "multiset", "paths": ["/set"]},
        {"rule": "mask_uuid"},
    ]
    assert (
        normalize(primary, rules)
        == normalize(candidate, rules)
        == {
            "list": [{"id": "<uuid:1>", "name": "a"}, {"id": "<uuid:2>", "name": "b"}],
            "set": [1, 1, 2, 3],
        }
    )
    by_age = [{"name": "x", "age": 2}, {"name": "y", "age": 10}]
    assert apply_rule("sort_array", by_age, paths=[""], keys=["/age"], descending=True) == list(reversed(by_age))


@settings(max_examples=150, deadline=None)
@given(json_values)
def test_normalization_is_pure_and_idempotent(doc: Any) -> None:
    before = copy.deepcopy(doc)
    normalizer = Normalizer([RuleRef.model_validate(r) for r in ALL_RULES])
    once = normalizer.normalize(doc, CTX)
    assert doc == before
    assert normalizer.normalize(once, CTX) == once


@settings(max_examples=100, deadline=None)
@given(json_values)
def test_every_shipped_route_normalizes_arbitrary_json(doc: Any) -> None:
    profile = load_profile()
    for route in (None, *profile.routes):
        once = profile.normalizer(route).normalize(doc, CTX)
        assert profile.normalizer(route).normalize(once, CTX) == once


_digits = st.integers(0, 99).map(lambda n: f"{n:02d}")


@settings(max_examples=500, deadline=None)
@given(
    year=st.sampled_from(["0000", "0001", "1999", "2024", "2026", "9999"]),
    month=_digits,
    day=_digits,
    clock=st.tuples(_digits, _digits, _digits),
    fraction=st.sampled_from(["", ".5", ".51", ".517", ".5171", ".517123", ".517123456", ".5171234567"]),
    zone=st.sampled_from(["Z", "z", "+00:00"]),
)
def test_the_plain_timestamp_regex_is_exactly_what_the_mask_turns_into_ts(
    year: str, month: str, day: str, clock: tuple[str, str, str], fraction: str, zone: str
) -> None:
    value = f"{year}-{month}-{day}T{':'.join(clock)}{fraction}{zone}".encode()
    if re.fullmatch(TS_PLAIN, value):
        assert mask_timestamp_bytes(value) == b"<ts>"
    # The other way round only 29 February (leap years) is left to the per-value path.
    elif mask_timestamp_bytes(value) == b"<ts>":
        assert (month, day) == ("02", "29"), value


def test_number_uuids_keeps_known_ids_and_numbers_the_rest_by_first_appearance() -> None:
    a, b, k = (value.encode() for value in (U1, U2, U3))
    assert number_uuids([a, b, a, k], frozenset({k})) == [b"<uuid:1>", b"<uuid:2>", b"<uuid:1>", k]
    assert number_uuids([b, a, b]) == [b"<uuid:1>", b"<uuid:2>", b"<uuid:1>"]
    assert number_uuids([]) == []


def test_rules_say_whether_the_fast_path_may_run_them() -> None:
    def compiled(ref: dict[str, Any]) -> Any:
        return RuleRef.model_validate(ref).compile()

    assert compiled({"rule": "ignore", "paths": ["/a"]}).fast_path
    assert compiled({"rule": "mask_value", "paths": ["/a"]}).fast_path
    assert compiled({"rule": "mask_path_prefix"}).fast_path
    assert compiled({"rule": "mask_regex", "patterns": ["sha40"]}).fast_path
    assert not compiled(
        {"rule": "mask_regex", "patterns": ["sha40"], "custom": [{"regex": "a", "replacement": "b"}]}
    ).fast_path
    assert not compiled({"rule": "parse_json_string", "paths": ["/a"]}).fast_path
    assert not compiled({"rule": "sort_array", "paths": ["/a"], "keys": ["k"]}).fast_path
    members = compiled({"rule": "mask_timestamp", "paths": ["/**/created_at"]})
    assert members.fast_path and not members.masks_keys  # member values only
    anywhere = compiled({"rule": "mask_timestamp"})
    assert anywhere.fast_path and anywhere.masks_keys  # any string, keys included
    assert not compiled({"rule": "mask_timestamp", "paths": ["/data/created_at"]}).fast_path  # a tree kernel


def test_timestamps_are_masked_the_same_with_and_without_the_plain_shortcut() -> None:
    stamps = ["2026-11-26T07:12:12.517Z", "2026-04-30T00:00:00Z", "2028-02-29T07:12:12Z", "2026-11-26T07:12:12+00:00"]
    doc = {"data": [{"created_at": s, "updated_at": "2026-11-26T07:12:12.5Z"} for s in stamps]}
    assert apply_rule("mask_timestamp", doc, paths=["/**/created_at", "/**/updated_at"]) == {
        "data": [
            {"created_at": token, "updated_at": "<ts:rfc3339>"} for token in ("<ts>", "<ts>", "<ts>", "<ts:rfc3339>")
        ]
    }
    assert apply_rule("mask_timestamp", {"a": stamps[:3]}) == {"a": ["<ts>"] * 3}
