"""Compare two captures of the same SSE stream by meaning, per stream kind (CONTRACT §5, NOISE §2-3).

``compare_stream`` is the entry point the core calls for a route whose rule names a stream kind. It gets the
raw bytes each side sent, whether each side ended the stream itself (``*_complete``; False when a window
closed first), and two callables from the core, so this module depends on none of its modules:
``normalize(value) -> value`` (the route's JSON normalization) and ``diff(primary, candidate, path) ->
list[Diff]`` (the JSON differ). Every Diff path is rooted at ``/stream``.

What each kind compares, and what ``normalize`` is applied to:

* ``raw_logs`` — the ``content`` of the entries concatenated per ``type`` (STDOUT, STDERR) in entry order,
  because chunking is pipe reads and differs run to run (7 entries against 2 for the same output).
  ``normalize({"STDOUT": text, "STDERR": text})`` once per side; then compared line by line:
  ``/stream/logs/<TYPE>/<line>`` as ``event_missing`` / ``event_extra``, or the differ's findings for a
  changed line. Interleaving between STDOUT and STDERR is not compared (two pipes, no order).
* ``normalized_logs`` — the entries after all patches (``replace`` grows an error_message), in entry order;
  ``normalize(list_of_entries)`` once per side, aligned order-preservingly: ``/stream/entries/<i>``
  missing/extra, the differ for a changed entry, ``order`` for an entry found elsewhere. ``error_message``
  entries (born from stderr) are aligned apart from the others, since stderr and stdout are two pipes; a
  difference only in how the two groups interleave is one race.
* ``diff`` — the map file path → diff value after all patches, ignoring ``remove`` of keys never added (the
  live stream's feedback loop, CONTRACT-CORRECTIONS 32); ``normalize(map)``; ``/stream/files/<path>``. The
  live stream never ends, so an incomplete side is normal.
* ``events`` — ``/api/events``: see ``feed_compare`` (``params["key"]``, ``params["transitions"]``).
* ``json_patch`` — any other patch stream: ``diff(normalize(state), normalize(state), "/stream/state")``.

``finished`` is compared (``/stream/finished``) only when both sides are complete. For logs a complete
stream without ``finished`` is the live form, which ends with EOF, and the other the replay form (which
one a reader gets depends on timing): that difference is a race. When one side is incomplete, entries or
text the other side has *beyond* it are not reported (they may not have arrived yet).

A malformed stream (data that is not JSON, an op on a missing path, a complete stream cut inside an event)
is reported as ``stream_state`` with a note, unless both sides sent the very same fault.
A Diff is a race exactly when its note starts with ``race:``; its kind is then never structural.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from difflib import SequenceMatcher
from typing import Any

import orjson

from comparators.canonical import canonical_bytes
from comparators.event_feed import read_feed
from comparators.feed_compare import DEFAULT_KEYS, RACE, compare_feeds, pointer_token, problem_diffs
from comparators.patches import PatchReplay, ReplayProblem, event_location, ordered_entries, replay_events
from comparators.result import Diff, DiffKind
from comparators.sse import parse_sse_report

__all__ = ["STREAM_KINDS", "compare_stream"]

STREAM_KINDS = frozenset({"raw_logs", "normalized_logs", "diff", "events", "json_patch"})
LOG_TYPES = ("STDOUT", "STDERR")

Normalize = Callable[[Any], Any]
Differ = Callable[[Any, Any, str], list[Diff]]


def _canonical(value: Any) -> bytes:
    try:
        return orjson.dumps(value, option=orjson.OPT_SORT_KEYS | orjson.OPT_NON_STR_KEYS, default=repr)
    except TypeError:
        # An integer beyond 64 bits (the lossless reader keeps them; orjson refuses to write them).
        return canonical_bytes(value)


def _replay(raw: bytes, complete: bool, *, ignore_unknown_removes: bool = False) -> PatchReplay:
    parsed = parse_sse_report(raw)
    replay = replay_events(list(parsed.events), ignore_unknown_removes=ignore_unknown_removes)
    if parsed.unterminated and complete:
        replay.problems.append(ReplayProblem(event_location(len(parsed.events)), "stream ended inside an event", ""))
    return replay


def _finished(p: bool, c: bool, *, live_form_possible: bool) -> list[Diff]:
    if p == c:
        return []
    note = f"{RACE}live form (EOF) against replay form (finished): timing (NOISE §3)" if live_form_possible else None
    kind = DiffKind.EVENT_MISSING if p else DiffKind.EVENT_EXTRA
    return [Diff(path="/stream/finished", kind=kind, primary=p, candidate=c, note=note)]


def _align(
    primary: Sequence[Any],
    candidate: Sequence[Any],
    base: str,
    diff: Differ,
    *,
    p_index: Sequence[int] | None = None,
    c_index: Sequence[int] | None = None,
) -> list[Diff]:
    """Order-preserving alignment of two item lists: missing, extra, changed (via ``diff``), moved. Paths use
    ``p_index``/``c_index`` to map positions back when the lists are selections of longer ones."""
    p_at = p_index if p_index is not None else range(len(primary))
    c_at = c_index if c_index is not None else range(len(candidate))
    p_keys, c_keys = [_canonical(x) for x in primary], [_canonical(x) for x in candidate]
    if p_keys == c_keys:
        return []
    diffs: list[Diff] = []
    missing: list[int] = []
    extra: list[int] = []
    for tag, i1, i2, j1, j2 in SequenceMatcher(None, p_keys, c_keys, autojunk=False).get_opcodes():
        if tag == "replace":
            span = min(i2 - i1, j2 - j1)
            for offset in range(span):
                diffs.extend(diff(primary[i1 + offset], candidate[j1 + offset], f"{base}/{p_at[i1 + offset]}"))
            missing.extend(range(i1 + span, i2))
            extra.extend(range(j1 + span, j2))
        elif tag == "delete":
            missing.extend(range(i1, i2))
        elif tag == "insert":
            extra.extend(range(j1, j2))
    for i in list(missing):
        j = next((j for j in extra if c_keys[j] == p_keys[i]), None)
        if j is not None:
            missing.remove(i)
            extra.remove(j)
            diffs.append(
                Diff(
                    path=f"{base}/{p_at[i]}",
                    kind=DiffKind.ORDER,
                    primary=primary[i],
                    candidate=candidate[j],
                    note=f"found at {c_at[j]} in the candidate",
                )
            )
    diffs.extend(Diff(path=f"{base}/{p_at[i]}", kind=DiffKind.EVENT_MISSING, primary=primary[i]) for i in missing)
    diffs.extend(Diff(path=f"{base}/{c_at[j]}", kind=DiffKind.EVENT_EXTRA, candidate=candidate[j]) for j in extra)
    return diffs


def _concatenated_logs(replay: PatchReplay) -> dict[str, str]:
    parts: dict[str, list[str]] = {name: [] for name in LOG_TYPES}
    for token, value in ordered_entries(replay.state):
        if not isinstance(value, dict) or not isinstance(value.get("content"), str):
            replay.problems.append(
                ReplayProblem(
                    f"/stream/entries/{pointer_token(token)}", "log entry has no string content", repr(value)[:200]
                )
            )
            continue
        parts.setdefault(str(value.get("type")), []).append(value["content"])
    return {name: "".join(chunks) for name, chunks in parts.items()}


def _compare_raw_logs(
    p: PatchReplay, c: PatchReplay, pc: bool, cc: bool, normalize: Normalize, diff: Differ
) -> list[Diff]:
    p_logs, c_logs = normalize(_concatenated_logs(p)), normalize(_concatenated_logs(c))
    diffs: list[Diff] = []
    for name in dict.fromkeys([*p_logs, *c_logs]):
        p_text, c_text = str(p_logs.get(name, "")), str(c_logs.get(name, ""))
        # Only what both sides had time to send is comparable when one of them was cut off.
        if not cc and p_text.startswith(c_text):
            p_text = c_text
        if not pc and c_text.startswith(p_text):
            c_text = p_text
        base = f"/stream/logs/{pointer_token(name)}"
        diffs.extend(_align(p_text.splitlines(keepends=True), c_text.splitlines(keepends=True), base, diff))
    return diffs


def _is_error_entry(entry: Any) -> bool:
    content = entry.get("content") if isinstance(entry, dict) else None
    entry_type = content.get("entry_type") if isinstance(content, dict) else None
    return isinstance(entry_type, dict) and entry_type.get("type") == "error_message"


def _compare_normalized_logs(
    p: PatchReplay, c: PatchReplay, pc: bool, cc: bool, normalize: Normalize, diff: Differ
) -> list[Diff]:
    p_entries = normalize([value for _, value in ordered_entries(p.state)])
    c_entries = normalize([value for _, value in ordered_entries(c.state)])
    if not cc:
        p_entries = p_entries[: len(c_entries)]
    if not pc:
        c_entries = c_entries[: len(p_entries)]
    # stderr-born entries (error_message) and stdout-born ones come from two pipes with no order between them
    # (NOISE §2): each group is aligned on its own; how they interleave is only a race.
    diffs: list[Diff] = []
    for from_stderr in (False, True):
        p_at = [i for i, e in enumerate(p_entries) if _is_error_entry(e) is from_stderr]
        c_at = [j for j, e in enumerate(c_entries) if _is_error_entry(e) is from_stderr]
        diffs.extend(
            _align(
                [p_entries[i] for i in p_at],
                [c_entries[j] for j in c_at],
                "/stream/entries",
                diff,
                p_index=p_at,
                c_index=c_at,
            )
        )
    if not diffs and _canonical(p_entries) != _canonical(c_entries):
        note = f"{RACE}error_message entries (stderr) interleave differently with stdout entries (two pipes)"
        diffs.append(
            Diff(path="/stream/entries", kind=DiffKind.ORDER, primary=p_entries, candidate=c_entries, note=note)
        )
    return diffs


def _compare_diff_stream(p: PatchReplay, c: PatchReplay, normalize: Normalize, diff: Differ) -> list[Diff]:
    p_files = normalize(dict(ordered_entries(p.state)))
    c_files = normalize(dict(ordered_entries(c.state)))
    diffs: list[Diff] = []
    for path in dict.fromkeys([*p_files, *c_files]):
        where = f"/stream/files/{pointer_token(str(path))}"
        if path not in c_files:
            diffs.append(Diff(path=where, kind=DiffKind.EVENT_MISSING, primary=p_files[path]))
        elif path not in p_files:
            diffs.append(Diff(path=where, kind=DiffKind.EVENT_EXTRA, candidate=c_files[path]))
        else:
            diffs.extend(diff(p_files[path], c_files[path], where))
    return diffs


def _feed_params(params: Mapping[str, Any]) -> tuple[dict[str, tuple[str, ...]], dict[str, str] | None]:
    """``params["key"]`` (merged over ``DEFAULT_KEYS``) and ``params["transitions"]``, checked: they come from
    profile data, and a typo there must fail loudly, not match nothing."""
    key = params.get("key") or {}
    if not isinstance(key, Mapping) or not all(
        isinstance(name, str) and isinstance(fields, list | tuple) and all(isinstance(f, str) for f in fields)
        for name, fields in key.items()
    ):
        raise ValueError(f"params['key'] must map a record type to a list of field names, not {key!r}")
    transitions = params.get("transitions")
    if transitions is not None and (
        not isinstance(transitions, Mapping)
        or not all(isinstance(name, str) and isinstance(field, str) for name, field in transitions.items())
    ):
        raise ValueError(f"params['transitions'] must map a record type to a field name, not {transitions!r}")
    keys = dict(DEFAULT_KEYS)
    keys.update({name: tuple(fields) for name, fields in key.items()})
    return keys, None if transitions is None else dict(transitions)


def _compare_events(
    params: Mapping[str, Any], primary: bytes, candidate: bytes, pc: bool, cc: bool, normalize: Normalize, diff: Differ
) -> list[Diff]:
    parsed = [parse_sse_report(primary), parse_sse_report(candidate)]
    p_feed, c_feed = (read_feed(list(parse.events)) for parse in parsed)
    for feed, parse, complete in ((p_feed, parsed[0], pc), (c_feed, parsed[1], cc)):
        if parse.unterminated and complete:
            feed.problems.append(ReplayProblem(event_location(len(parse.events)), "stream ended inside an event", ""))
    keys, transitions = _feed_params(params)
    diffs = compare_feeds(p_feed, c_feed, normalize=normalize, diff=diff, keys=keys, transitions=transitions)
    if pc and cc:
        diffs.extend(_finished(p_feed.finished, c_feed.finished, live_form_possible=False))
    return diffs


def compare_stream(
    stream_kind: str,
    params: Mapping[str, Any],
    primary: bytes,
    candidate: bytes,
    *,
    primary_complete: bool,
    candidate_complete: bool,
    normalize: Normalize,
    diff: Differ,
) -> list[Diff]:
    """Differences between two captures of one stream (empty when they mean the same). Raises ValueError
    only for an unknown ``stream_kind``; whatever the servers sent is reported, never raised."""
    if stream_kind not in STREAM_KINDS:
        raise ValueError(f"unknown stream kind {stream_kind!r}; expected one of {sorted(STREAM_KINDS)}")
    pc, cc = primary_complete, candidate_complete
    if stream_kind == "events":
        return _compare_events(params, primary, candidate, pc, cc, normalize, diff)
    is_diff = stream_kind == "diff"
    p = _replay(primary, pc, ignore_unknown_removes=is_diff)
    c = _replay(candidate, cc, ignore_unknown_removes=is_diff)
    if stream_kind == "raw_logs":
        diffs = _compare_raw_logs(p, c, pc, cc, normalize, diff)
    elif stream_kind == "normalized_logs":
        diffs = _compare_normalized_logs(p, c, pc, cc, normalize, diff)
    elif is_diff:
        diffs = _compare_diff_stream(p, c, normalize, diff)
    else:
        diffs = diff(normalize(p.state), normalize(c.state), "/stream/state")
    diffs.extend(problem_diffs(p.problems, c.problems))
    if pc and cc:
        diffs.extend(_finished(p.finished, c.finished, live_form_possible=stream_kind.endswith("_logs")))
    return diffs
