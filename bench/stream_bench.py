"""Benchmark: compare two 10k-event streams end to end (parse + replay + compare), with baselines.

Run: ``.venv/bin/python bench/stream_bench.py [--events 10000] [--repeat 3]``. Not a test: it prints the best
of ``--repeat`` runs for each stage (CPU seconds of this process), measured in the same process on the same
input, so the numbers can be read as ratios against the parse-only baseline. Exits 1 when the end-to-end compare
of either stream is over the budget (0.5 s for 10k events).

Streams (both sides generated with their own ids, as two backends would produce them):

* ``/api/events``: the A1 chain repeated (task, attempt and three processes: 12 feed events per workflow),
  full records shaped like 0.0.71's (executor_action chains, ns timestamps); the primary side has a phantom
  insert and a stale update every 20 workflows, as NOISE §2 measured.
* ``raw_logs``: 10k STDOUT/STDERR chunks of agent stream-json lines, split differently on the two sides.

The end-to-end stage is ``compare_exchange`` with the shipped profile, as the proxy's worker runs it for a
finished stream: the route's stream kind, its normalizer (ids, timestamps, branches) and the differ.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
import uuid
from collections.abc import Callable
from typing import Any

from comparators import HttpRequest, HttpResponse, compare_exchange, load_profile
from comparators.event_feed import read_feed
from comparators.patches import replay_events
from comparators.result import Verdict
from comparators.sse import SseEvent, format_sse, parse_sse_report

BUDGET_SECONDS = 0.5
PROFILE = load_profile()
SSE = (("content-type", "text/event-stream"),)
ROUTES = {"events": "/api/events", "raw_logs": "/api/execution-processes/5e2b0c1d-7a3f-4b8e-9d6c-1f0e2a3b4c5d/raw-logs"}


def _event(n: int, db_op: str, record_type: str, data: dict[str, Any]) -> SseEvent:
    value = {"db_op": db_op, "record": {"type": record_type, "data": data}}
    return SseEvent(event="json_patch", data=json.dumps([{"op": "add", "path": f"/entries/{n}", "value": value}]))


def events_feed(workflows: int, *, racy: bool) -> bytes:
    events: list[SseEvent] = []
    ts = "2026-11-26T08:09:36.528646546Z"

    def emit(db_op: str, record_type: str, data: dict[str, Any]) -> None:
        events.append(_event(len(events) + 1, db_op, record_type, data))

    for w in range(workflows):
        race = racy and w % 20 == 0
        task_id, attempt_id, project_id = str(uuid.uuid4()), str(uuid.uuid4()), str(uuid.uuid4())
        task = {
            "id": task_id,
            "project_id": project_id,
            "title": f"Task {w}",
            "description": "agent: say hi",
            "status": "todo",
            "parent_task_attempt": None,
            "created_at": ts,
            "updated_at": ts,
        }
        attempt = {
            "id": attempt_id,
            "task_id": task_id,
            "container_ref": None,
            "branch": None,
            "base_branch": "main",
            "profile": "CLAUDE_CODE",
            "worktree_deleted": False,
            "setup_completed_at": None,
            "created_at": ts,
            "updated_at": ts,
        }
        emit("insert", "TASK", task)
        emit("insert", "TASK_ATTEMPT", attempt)
        emit("update", "TASK_ATTEMPT", {**attempt, "container_ref": f"/var/tmp/vibe-kanban/worktrees/vk-{w:04x}-t"})
        attempt = {
            **attempt,
            "container_ref": f"/var/tmp/vibe-kanban/worktrees/vk-{w:04x}-t",
            "branch": f"vk-{w:04x}-task",
        }
        emit("update", "TASK_ATTEMPT", attempt)
        emit("update", "TASK", task if race else {**task, "status": "inprogress"})  # stale: pre-write state
        chain: dict[str, Any] | None = None
        for _reason, context in (
            ("cleanupscript", "CleanupScript"),
            ("codingagent", None),
            ("setupscript", "SetupScript"),
        ):
            typ = (
                {"type": "ScriptRequest", "script": "echo hi", "language": "Bash", "context": context}
                if context
                else {
                    "type": "CodingAgentInitialRequest",
                    "prompt": f"Title: Task {w}",
                    "executor_profile_id": {"executor": "CLAUDE_CODE", "variant": "FAKE"},
                }
            )
            chain = {"typ": typ, "next_action": chain}
        actions = [chain, chain["next_action"], chain["next_action"]["next_action"]]  # type: ignore[index]
        for index, reason in enumerate(("setupscript", "codingagent", "cleanupscript")):
            process = {
                "id": str(uuid.uuid4()),
                "task_attempt_id": attempt_id,
                "run_reason": reason,
                "executor_action": actions[index],
                "status": "running",
                "exit_code": None,
                "started_at": ts,
                "completed_at": None,
                "created_at": ts,
                "updated_at": ts,
            }
            if race and index == 0:
                emit("insert", "DELETED_EXECUTION_PROCESS", {"rowid": 3 * w + 1})  # phantom insert
            else:
                emit("insert", "EXECUTION_PROCESS", process)
            emit("update", "EXECUTION_PROCESS", {**process, "status": "completed", "exit_code": 0, "completed_at": ts})
        emit("update", "TASK", {**task, "status": "inreview", "updated_at": "2026-11-26T08:09:37Z"})
    return format_sse(events)


def raw_logs(chunks: int, *, split: int) -> bytes:
    """About ``chunks`` log entries: agent stream-json on STDOUT, a warning on STDERR every 100 lines; each
    pipe's text is cut into chunks of a size that depends on ``split``, as pipe reads are."""
    stdout = "".join(
        json.dumps({"type": "assistant", "n": n, "session_id": "sess-1", "text": "x" * (n % 50)}) + "\n"
        for n in range(chunks)
    )
    stderr = "".join(f"warning {n}\n" for n in range(chunks // 100))
    events: list[SseEvent] = []
    for kind, text, parts in (("STDOUT", stdout, chunks - chunks // 100), ("STDERR", stderr, chunks // 100)):
        size = max(1, len(text) // max(1, parts)) + split
        for start in range(0, len(text), size):
            value = {"type": kind, "content": text[start : start + size]}
            op = {"op": "add", "path": f"/entries/{len(events)}", "value": value}
            events.append(SseEvent(event="json_patch", data=json.dumps([op])))
    events.append(SseEvent(event="finished", data=""))
    return format_sse(events)


def best_of(repeat: int, run: Callable[[], object]) -> float:
    # CPU seconds of this process (the comparison is single-threaded): other load on a shared machine does
    # not count against it, as in compare_bench.py. The budget is per core.
    timings = []
    for _ in range(repeat):
        start = time.process_time()
        run()
        timings.append(time.process_time() - start)
    return min(timings)


def bench(
    name: str, kind: str, primary: bytes, candidate: bytes, replay: Callable[[list[SseEvent]], object], repeat: int
) -> bool:
    events = len(parse_sse_report(primary).events) + len(parse_sse_report(candidate).events)
    parse = best_of(repeat, lambda: (parse_sse_report(primary), parse_sse_report(candidate)))
    rebuilt = best_of(repeat, lambda: [replay(list(parse_sse_report(raw).events)) for raw in (primary, candidate)])
    request = HttpRequest(method="GET", path=ROUTES[kind])
    sides = HttpResponse(status=200, headers=SSE, body=primary), HttpResponse(status=200, headers=SSE, body=candidate)
    verdicts: list[Verdict] = []

    def end_to_end() -> None:
        # What the proxy's worker runs for a finished stream: the profile's route, its normalizer, the differ.
        verdicts[:] = [compare_exchange(PROFILE, request, *sides)]

    total = best_of(repeat, end_to_end)
    (verdict,) = verdicts
    found = [*verdict.diffs, *verdict.explained]
    per_side = events // 2
    print(f"{name}: {per_side} events per side, {events} in all ({len(primary) + len(candidate)} bytes)")
    print(f"  parse only            {parse * 1000:8.1f} ms   {events / parse:12,.0f} events/s   1.00x")
    print(
        f"  parse + replay        {rebuilt * 1000:8.1f} ms   {events / rebuilt:12,.0f} events/s   {rebuilt / parse:.2f}x"
    )
    print(
        f"  compare_exchange      {total * 1000:8.1f} ms   {events / total:12,.0f} events/s   {total / parse:.2f}x"
        f"   (verdict {verdict.kind.value}: {len(verdict.diffs)} diffs, "
        f"{sum(1 for d in found if (d.note or '').startswith('race:'))} races explained)"
    )
    within = total <= BUDGET_SECONDS * per_side / 10_000
    print(f"  budget {BUDGET_SECONDS * per_side / 10_000:.3f} s per {per_side} events: {'ok' if within else 'OVER'}")
    return within


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=10_000, help="events per side (default 10000)")
    parser.add_argument("--repeat", type=int, default=3, help="runs per stage; the best is shown (default 3)")
    args = parser.parse_args(argv)
    workflows = max(1, args.events // 12)
    ok = bench(
        "/api/events",
        "events",
        events_feed(workflows, racy=True),
        events_feed(workflows, racy=False),
        read_feed,
        args.repeat,
    )
    ok &= bench(
        "raw_logs",
        "raw_logs",
        raw_logs(args.events, split=0),
        raw_logs(args.events, split=7),
        replay_events,
        args.repeat,
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
