"""Replay of a JSON Patch event stream (``event: json_patch``, data = RFC 6902 ops) to its final state.

vibe-kanban's four SSE endpoints all send ``json_patch`` events against a document whose ``entries`` member
they address as ``/entries/<n>`` (events, logs) or ``/entries/<escaped file path>`` (diff). ``entries`` starts
as an object here, so a sparse or non-numeric token is just a key; ``ordered_entries`` gives them back in
numeric order when the tokens are numbers.

A replay never raises on what a server sent: undecodable data, a patch that is not a list of ops, an op on a
missing path all become ``ReplayProblem``s and the replay goes on with the next op. The live diff stream
removes keys it never added (its watcher sees its own reads, CONTRACT-CORRECTIONS item 32); with
``ignore_unknown_removes`` those are counted, not reported.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any

import jsonpatch
import jsonpointer

from comparators.canonical import NotJson, parse_json
from comparators.sse import SseEvent, parse_sse

__all__ = [
    "FINISHED",
    "JSON_PATCH",
    "PatchReplay",
    "ReplayProblem",
    "event_location",
    "final_state",
    "initial_document",
    "ordered_entries",
    "patch_ops",
    "replay_events",
    "replay_stream",
    "stream_complete",
]

JSON_PATCH = "json_patch"
FINISHED = "finished"

# Everything jsonpatch/jsonpointer raise for a bad op or a bad target, plus what malformed op objects
# (a number instead of a dict, a non-string path) make them raise.
_PATCH_ERRORS = (
    jsonpatch.JsonPatchException,
    jsonpointer.JsonPointerException,
    TypeError,
    KeyError,
    IndexError,
    ValueError,
    AttributeError,
)


@dataclass(frozen=True)
class ReplayProblem:
    """Something in the stream that could not be applied. ``location`` is a JSON Pointer rooted at ``/stream``
    (``/stream/events/<index among the parsed events>``, ``/stream/entries/<token>``)."""

    location: str
    message: str
    data: str  # the offending data (or op), shortened

    def same_fault(self, other: ReplayProblem) -> bool:
        # The same fault sent by both servers (indices may differ between the two streams).
        return self.message == other.message and self.data == other.data


@dataclass
class PatchReplay:
    state: Any
    finished: bool = False
    events: int = 0  # events read (all names)
    ops: int = 0  # ops applied
    ignored_removes: int = 0
    unknown_events: int = 0  # events neither json_patch nor finished (ignored)
    problems: list[ReplayProblem] = field(default_factory=list)


def initial_document() -> dict[str, Any]:
    return {"entries": {}}


def event_location(index: int) -> str:
    return f"/stream/events/{index}"


def _short(value: Any, limit: int = 200) -> str:
    text = value if isinstance(value, str) else repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def patch_ops(event: SseEvent, index: int, problems: list[ReplayProblem]) -> list[Any]:
    """The ops of one ``json_patch`` event, or [] with a problem recorded when its data is not a JSON list."""
    try:
        ops = parse_json(event.data)  # lossless beyond 64-bit integers, like every other body we read
    except NotJson as error:
        problems.append(
            ReplayProblem(event_location(index), f"json_patch data is not JSON ({error})", _short(event.data))
        )
        return []
    if not isinstance(ops, list):
        problems.append(
            ReplayProblem(event_location(index), "json_patch data is not a list of ops", _short(event.data))
        )
        return []
    return ops


def _is_remove(op: Any) -> bool:
    return isinstance(op, dict) and op.get("op") == "remove"


def _apply_entry_op(state: Any, op: Any) -> bool:
    """The one op shape every vibe-kanban stream sends almost exclusively, applied directly: ``add`` /
    ``replace`` / ``remove`` of ``/entries/<token>`` (no escapes) on an existing object member. Returns False
    for anything else, and for every case that would fail, so jsonpatch applies it or raises its own error.
    (Measured in bench/stream_bench.py: jsonpatch costs ~30 µs per op, mostly validation and a defensive
    deep copy of the value, which we own already; this path keeps a 10k-event stream within budget.)"""
    if not isinstance(op, dict):
        return False
    path = op.get("path")
    if not isinstance(path, str) or not path.startswith("/entries/"):
        return False
    token = path[9:]
    if not token or "/" in token or "~" in token or not isinstance(state, dict):
        return False
    entries = state.get("entries")
    if not isinstance(entries, dict):
        return False
    kind = op.get("op")
    if kind == "add" and "value" in op:
        entries[token] = op["value"]
        return True
    if kind == "replace" and "value" in op and token in entries:
        entries[token] = op["value"]
        return True
    if kind == "remove" and token in entries:
        del entries[token]
        return True
    return False


def replay_events(events: list[SseEvent], *, initial: Any = None, ignore_unknown_removes: bool = False) -> PatchReplay:
    """Apply every ``json_patch`` event in order; ``finished`` marks the stream complete."""
    replay = PatchReplay(state=copy.deepcopy(initial) if initial is not None else initial_document())
    for index, event in enumerate(events):
        replay.events += 1
        if event.event == FINISHED:
            replay.finished = True
            continue
        if event.event != JSON_PATCH:
            replay.unknown_events += 1
            continue
        for op in patch_ops(event, index, replay.problems):
            if _apply_entry_op(replay.state, op):
                replay.ops += 1
                continue
            try:
                # One op at a time: a bad op only loses itself, the rest of its event still applies.
                replay.state = jsonpatch.JsonPatch([op]).apply(replay.state, in_place=True)
                replay.ops += 1
            except _PATCH_ERRORS as error:
                if ignore_unknown_removes and _is_remove(op) and isinstance(error, jsonpatch.JsonPatchConflict):
                    replay.ignored_removes += 1
                    continue
                replay.problems.append(ReplayProblem(event_location(index), f"op not applicable: {error}", _short(op)))
    return replay


def replay_stream(raw: bytes, *, initial: Any = None, ignore_unknown_removes: bool = False) -> PatchReplay:
    return replay_events(parse_sse(raw), initial=initial, ignore_unknown_removes=ignore_unknown_removes)


def stream_complete(raw: bytes) -> bool:
    """True when the stream carried a ``finished`` event (the replay forms of logs and the merged diff)."""
    return any(event.event == FINISHED for event in parse_sse(raw))


def final_state(raw: bytes, *, ignore_unknown_removes: bool = False) -> Any:
    """The document a client holds after applying every patch of ``raw`` (problems are skipped)."""
    return replay_stream(raw, ignore_unknown_removes=ignore_unknown_removes).state


def _entry_order(item: tuple[int, str]) -> tuple[int, int, int]:
    position, token = item
    if token.isascii() and token.isdigit():
        return (0, int(token), position)
    return (1, 0, position)


def ordered_entries(state: Any) -> list[tuple[str, Any]]:
    """``(token, value)`` pairs of ``state["entries"]``: numeric tokens in numeric order, then the others in
    insertion order. A state without an ``entries`` object has none."""
    entries = state.get("entries") if isinstance(state, dict) else None
    if not isinstance(entries, dict):
        return []
    tokens = sorted(enumerate(entries), key=_entry_order)
    return [(token, entries[token]) for _, token in tokens]
