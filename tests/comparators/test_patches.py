from __future__ import annotations

import json

import jsonpatch
from hypothesis import given, settings
from hypothesis import strategies as st

from comparators.patches import (
    final_state,
    ordered_entries,
    replay_events,
    replay_stream,
    stream_complete,
)
from comparators.sse import SseEvent


def patch_event(*ops: dict[str, object]) -> str:
    return f"event: json_patch\ndata: {json.dumps(list(ops), separators=(',', ':'))}\n\n"


FINISHED = "event: finished\ndata: \n\n"


def entry(op: str, token: str, value: object) -> dict[str, object]:
    return {"op": op, "path": f"/entries/{token}", "value": value}


def test_normalized_logs_replace_grows_an_entry() -> None:
    # CONTRACT §5.3: stderr becomes an error_message entry that later `replace` ops extend.
    def error(text: str) -> dict[str, object]:
        return {"type": "NORMALIZED_ENTRY", "content": {"entry_type": {"type": "error_message"}, "content": text}}

    raw = (
        patch_event(entry("add", "0", {"type": "NORMALIZED_ENTRY", "content": {"content": "prompt"}}))
        + patch_event(entry("add", "1", error("one\n")))
        + patch_event(entry("replace", "1", error("one\ntwo\n")))
        + FINISHED
    ).encode()
    replay = replay_stream(raw)
    assert replay.finished and not replay.problems
    assert replay.ops == 3
    assert [token for token, _ in ordered_entries(replay.state)] == ["0", "1"]
    assert replay.state["entries"]["1"] == error("one\ntwo\n")


def test_sparse_and_out_of_order_indices_are_map_keys() -> None:
    # /api/events numbers entries from 1 and a late subscriber may start anywhere.
    raw = "".join(patch_event(entry("add", str(n), n)) for n in (14, 2, 10)).encode()
    state = final_state(raw)
    assert state == {"entries": {"14": 14, "2": 2, "10": 10}}
    assert ordered_entries(state) == [("2", 2), ("10", 10), ("14", 14)]


def test_diff_paths_are_unescaped_file_paths() -> None:
    raw = patch_event(entry("add", "a~1b~1c.txt", 1), entry("add", "new file~0x.txt", 2)).encode()
    assert final_state(raw) == {"entries": {"a/b/c.txt": 1, "new file~x.txt": 2}}


def test_feedback_loop_removes_of_unknown_keys() -> None:
    # CONTRACT-CORRECTIONS 32: the live diff removes keys it never added (.git, directories, unchanged files).
    raw = (
        patch_event(entry("add", "hello.txt", "v1"))
        + patch_event({"op": "remove", "path": "/entries/.git"})
        + patch_event({"op": "remove", "path": "/entries/a~1b"})
        + patch_event(entry("add", "hello.txt", "v2"))
    ).encode()
    lenient = replay_stream(raw, ignore_unknown_removes=True)
    assert lenient.state == {"entries": {"hello.txt": "v2"}}
    assert lenient.ignored_removes == 2 and not lenient.problems
    strict = replay_stream(raw)
    assert strict.state == lenient.state
    assert [p.location for p in strict.problems] == ["/stream/events/1", "/stream/events/2"]


def test_a_remove_of_a_known_key_applies() -> None:
    raw = (patch_event(entry("add", "x", 1)) + patch_event({"op": "remove", "path": "/entries/x"})).encode()
    assert replay_stream(raw, ignore_unknown_removes=True).state == {"entries": {}}


def test_malformed_data_is_reported_and_the_replay_goes_on() -> None:
    events = [
        SseEvent(event="json_patch", data="not json"),
        SseEvent(event="json_patch", data='{"op":"add"}'),
        SseEvent(
            event="json_patch",
            data='[{"op":"replace","path":"/entries/9","value":1},{"op":"add","path":"/entries/0","value":"kept"}]',
        ),
        SseEvent(event="json_patch", data='[3, {"op":"frobnicate","path":"/entries/1"}, {"path":"/x"}]'),
        SseEvent(event="stdout", data="ignored"),
        SseEvent(event="finished", data=""),
    ]
    replay = replay_events(events)
    assert replay.state == {"entries": {"0": "kept"}}
    assert replay.finished
    assert replay.unknown_events == 1
    messages = [(p.location, p.message.split(" (")[0].split(":")[0]) for p in replay.problems]
    assert messages == [
        ("/stream/events/0", "json_patch data is not JSON"),
        ("/stream/events/1", "json_patch data is not a list of ops"),
        ("/stream/events/2", "op not applicable"),
        ("/stream/events/3", "op not applicable"),
        ("/stream/events/3", "op not applicable"),
        ("/stream/events/3", "op not applicable"),
    ]


def test_stream_complete_only_with_finished() -> None:
    body = patch_event(entry("add", "0", {"type": "STDOUT", "content": "x"}))
    assert stream_complete((body + FINISHED).encode())
    assert not stream_complete(body.encode())  # the live form ends with EOF, without `finished`
    assert not stream_complete((body + "event: finished\ndata: ").encode())  # cut before its blank line


def test_root_replacement_and_entries_of_a_non_object() -> None:
    raw = patch_event({"op": "replace", "path": "", "value": [1, 2]}).encode()
    replay = replay_stream(raw)
    assert replay.state == [1, 2] and not replay.problems
    assert ordered_entries(replay.state) == []


_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=5),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=3), inner, max_size=3),
    max_leaves=8,
)
_paths = st.sampled_from(["", "/", "/entries", "/entries/0", "/entries/-", "/entries/0/x", "/x/y", "/entries/~2", "e"])
_ops = st.fixed_dictionaries(
    {"op": st.sampled_from(["add", "remove", "replace", "move", "copy", "test", "nope"]), "path": _paths},
    optional={"value": _json, "from": _paths},
)


@settings(max_examples=300)
@given(st.lists(st.lists(_ops | _json, max_size=4), max_size=6), st.booleans())
def test_replay_never_raises_on_arbitrary_ops(batches: list[list[object]], lenient: bool) -> None:
    events = [SseEvent(event="json_patch", data=json.dumps(batch)) for batch in batches]
    replay = replay_events(events, ignore_unknown_removes=lenient)
    # every op is accounted for exactly once: applied, ignored (a lenient remove) or reported
    assert replay.ops + replay.ignored_removes + len(replay.problems) == sum(len(b) for b in batches)


_tokens = st.sampled_from(["0", "1", "2", "10", "a"])
_entry_ops = st.lists(
    st.lists(
        st.one_of(
            st.builds(lambda t, v: {"op": "add", "path": f"/entries/{t}", "value": v}, _tokens, _json),
            st.builds(lambda t, v: {"op": "replace", "path": f"/entries/{t}", "value": v}, _tokens, _json),
            st.builds(lambda t: {"op": "remove", "path": f"/entries/{t}"}, _tokens),
        ),
        min_size=1,
        max_size=3,
    ),
    max_size=12,
)


@settings(max_examples=300)
@given(_entry_ops)
def test_replay_matches_jsonpatch_op_by_op(batches: list[list[dict[str, object]]]) -> None:
    # The direct path for /entries/<token> ops must agree with jsonpatch, failures included.
    expected: object = {"entries": {}}
    failures = 0
    for op in (op for batch in batches for op in batch):
        try:
            expected = jsonpatch.apply_patch(expected, [op])
        except jsonpatch.JsonPatchException:
            failures += 1
    replay = replay_events([SseEvent(event="json_patch", data=json.dumps(batch)) for batch in batches])
    assert replay.state == expected
    assert len(replay.problems) == failures


def test_integers_beyond_64_bits_survive_the_replay() -> None:
    # found by hypothesis: orjson reads 2**64 as a float; the replay must keep the exact integer.
    big = 2**64
    events = [SseEvent(event="json_patch", data=json.dumps([{"op": "add", "path": "/entries/0", "value": big}]))]
    assert replay_events(events).state == {"entries": {"0": big}}
