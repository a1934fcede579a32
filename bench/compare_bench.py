"""Comparisons per second per core of ``compare_exchange`` on realistic bodies, against two baselines
measured in the same run:

* ``deepdiff``: parse both bodies and run DeepDiff on everything (no normalization at all);
* ``bare``: orjson parse + canonical serialization (sorted keys) + blake2b of both bodies, then compare
  the digests: the practical limit of any comparison that reads both bodies.

Bodies are modelled on the primary's answers: one ≈2 KB execution process (an ``executor_action`` chain
with a setup script and a prompt) and a 200-element task list (``GET /api/tasks``). An *equal* pair is
what two backends send for the same state (other ids, timestamps, work directories); an *unequal* pair
also has one status changed and one field dropped. Rates are operations per CPU second of this process
(``time.process_time``), so other load on the machine does not count against them.

Targets (the brief): equal pairs ≥ 0.5x bare; unequal pairs with the full diff ≥ 500/s/core.

Columns: ``engine/s`` is ``compare_exchange`` as the proxy runs it; ``exact/s`` the same with the equality
fast path (``comparators.fastpath``) switched off, so every pair takes the exact path; ``path`` says which
one decided the verdict. The ``id_map`` cases are what the proxy sends: candidate ids correlated to the
primary's, and the candidate's timestamps at millisecond precision where the primary prints nanoseconds.

Run: ``.venv/bin/python bench/compare_bench.py [--seconds 1.0]``
"""

from __future__ import annotations

import argparse
import copy
import hashlib
import random
import time
import uuid
from collections.abc import Callable, Mapping
from typing import Any
from unittest import mock

import orjson
from deepdiff import DeepDiff

from comparators import CompareContext, HttpRequest, HttpResponse, VerdictKind, compare_exchange, load_profile
from comparators.bodies import stream_comparator

PROFILE = load_profile()
JSON = (("content-type", "application/json"),)
WORDS = ["add", "the", "hello", "file", "write", "tests", "for", "parser", "refactor", "config", "loader", "and"]
WORDS += ["fix", "flaky", "retry", "logic", "in", "sync"]


def _ts(rng: random.Random, digits: int) -> str:
    base = f"2026-11-26T07:{rng.randrange(60):02d}:{rng.randrange(60):02d}"
    return base + ("" if digits == 0 else "." + "".join(str(rng.randrange(10)) for _ in range(digits))) + "Z"


def _sentence(rng: random.Random, words: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(words)).capitalize() + "."


def execution_process(rng: random.Random, work: str) -> dict[str, Any]:
    """≈2 KB: an execution process whose action chain carries a setup script, the agent and cleanup."""
    attempt = str(uuid.UUID(int=rng.getrandbits(128), version=4))
    text = random.Random(7)  # same prompt on both sides: only volatile values differ
    prompt = f"Title: {_sentence(text, 6)}\n\nDescription:{_sentence(text, 60)}"
    return {
        "id": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
        "task_attempt_id": attempt,
        "run_reason": "setupscript",
        "executor_action": {
            "typ": {
                "type": "ScriptRequest",
                "script": f"cd {work}/repo && npm ci && npm run build",
                "language": "Bash",
                "context": "SetupScript",
            },
            "next_action": {
                "typ": {
                    "type": "CodingAgentInitialRequest",
                    "prompt": prompt,
                    "executor_profile_id": {"executor": "CLAUDE_CODE", "variant": "FAKE"},
                },
                "next_action": {
                    "typ": {
                        "type": "ScriptRequest",
                        "script": f"cd {work}/repo && npm run lint -- --fix && git status --short",
                        "language": "Bash",
                        "context": "CleanupScript",
                    },
                    "next_action": None,
                },
            },
        },
        "status": "completed",
        "exit_code": 0,
        "started_at": _ts(rng, 9),
        "completed_at": _ts(rng, 9),
        "created_at": _ts(rng, 9),
        "updated_at": _ts(rng, 9),
    }


def task_list(rng: random.Random, count: int = 200) -> list[dict[str, Any]]:
    project = str(uuid.UUID(int=rng.getrandbits(128), version=4))
    order = random.Random(7)  # same titles and statuses on both sides: only volatile values differ
    return [
        {
            "id": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
            "project_id": project,
            "title": _sentence(order, 5),
            "description": _sentence(order, 22),
            "status": order.choice(["todo", "inprogress", "inreview", "done"]),
            "parent_task_attempt": None,
            "created_at": _ts(rng, 3),
            "updated_at": _ts(rng, 0),
            "has_in_progress_attempt": False,
            "has_merged_attempt": False,
            "last_attempt_failed": False,
            "profile": "CLAUDE_CODE",
        }
        for _ in range(count)
    ]


def _response(data: Any) -> HttpResponse:
    envelope = {"success": True, "data": data, "error_data": None, "message": None}
    return HttpResponse(status=200, headers=JSON, body=orjson.dumps(envelope))


def _broken(data: Any, index: int | None) -> Any:
    changed = copy.deepcopy(data)
    target = changed if index is None else changed[index]
    target["status"] = "failed" if "exit_code" in target else "cancelled"
    del target["updated_at"]
    return changed


def correlated(primary: Any, candidate: Any) -> tuple[Any, dict[str, str]]:
    """The candidate's answer as the proxy sees it: its own ids (correlated to the primary's through an
    id_map) and timestamps at millisecond precision (the primary's often print nanoseconds)."""
    text = orjson.dumps(candidate).decode()
    ids_p = [found for found in _ids(primary)]
    ids_c = [found for found in _ids(candidate)]
    id_map = dict(zip(ids_c, ids_p, strict=True))
    stamps = random.Random(5)
    for key in ("started_at", "completed_at", "created_at", "updated_at"):
        text = text.replace(f'"{key}":"', f'"{key}":"@')
    parts = text.split('"@')
    for index in range(1, len(parts)):
        value, rest = parts[index].split('"', 1)
        parts[index] = value[:19] + f".{stamps.randrange(1000):03d}Z" + '"' + rest
    return orjson.loads('"'.join(parts)), id_map


def _ids(doc: Any) -> list[str]:
    seen: dict[str, None] = {}
    for item in doc if isinstance(doc, list) else [doc]:
        for key in ("id", "project_id", "task_attempt_id"):
            if key in item:
                seen[item[key]] = None
    return list(seen)


Case = tuple[str, HttpRequest, HttpResponse, HttpResponse, CompareContext, Mapping[str, str] | None]


def cases() -> list[Case]:
    context = CompareContext(primary_prefixes={"WORK": "/tmp/work-a"}, candidate_prefixes={"WORK": "/tmp/work-b"})
    process_p, process_c = (
        execution_process(random.Random(1), "/tmp/work-a"),
        execution_process(random.Random(2), "/tmp/work-b"),
    )
    tasks_p, tasks_c = task_list(random.Random(3)), task_list(random.Random(4))
    tasks_ns = [dict(task, updated_at=_ts(random.Random(n), 9)) for n, task in enumerate(tasks_p)]
    tasks_ms, id_map = correlated(tasks_ns, tasks_c)
    process_ms, process_map = correlated(process_p, process_c)
    process = HttpRequest(method="GET", path=f"/api/execution-processes/{process_p['id']}")
    tasks = HttpRequest(method="GET", path="/api/tasks", query=f"project_id={tasks_p[0]['project_id']}")
    return [
        ("2 KB process, equal", process, _response(process_p), _response(process_c), context, None),
        ("2 KB process, unequal", process, _response(process_p), _response(_broken(process_c, None)), context, None),
        ("2 KB process, id_map", process, _response(process_p), _response(process_ms), context, process_map),
        ("200 tasks, equal", tasks, _response(tasks_p), _response(tasks_c), context, None),
        ("200 tasks, unequal", tasks, _response(tasks_p), _response(_broken(tasks_c, 117)), context, None),
        ("200 tasks, id_map", tasks, _response(tasks_ns), _response(tasks_ms), context, id_map),
    ]


def rate(operation: Callable[[], object], seconds: float) -> float:
    """Operations per CPU second, best of three windows."""
    best = 0.0
    for _ in range(3):
        count, start = 0, time.process_time()
        while (elapsed := time.process_time() - start) < seconds / 3:
            operation()
            count += 1
        best = max(best, count / elapsed)
    return best


def bare(primary: HttpResponse, candidate: HttpResponse) -> bool:
    digests = [
        hashlib.blake2b(orjson.dumps(orjson.loads(r.body), option=orjson.OPT_SORT_KEYS), digest_size=16).digest()
        for r in (primary, candidate)
    ]
    return digests[0] == digests[1]


def measure(
    request: HttpRequest,
    primary: HttpResponse,
    candidate: HttpResponse,
    context: CompareContext,
    id_map: Mapping[str, str] | None,
    seconds: float,
) -> tuple[float, float, float, float]:
    """(engine, exact path only, DeepDiff on everything, bare limit) in comparisons per CPU second."""

    def engine() -> object:
        return compare_exchange(PROFILE, request, primary, candidate, context=context, id_map=id_map)

    fast = rate(engine, seconds)
    with mock.patch("comparators.compare.fast_path_for", return_value=None):
        exact = rate(engine, seconds)
    naive = rate(lambda: DeepDiff(orjson.loads(primary.body), orjson.loads(candidate.body)), seconds)
    return fast, exact, naive, rate(lambda: bare(primary, candidate), seconds)


def fast_path_decides(
    request: HttpRequest,
    primary: HttpResponse,
    candidate: HttpResponse,
    context: CompareContext,
    id_map: Mapping[str, str] | None,
) -> bool:
    """True when the verdict came from the fast path (the exact path was never asked)."""
    with mock.patch("comparators.compare.diff_bodies", side_effect=LookupError):
        try:
            compare_exchange(PROFILE, request, primary, candidate, context=context, id_map=id_map)
        except LookupError:
            return False
    return True


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=1.0, help="CPU seconds per measurement (split in 3 windows)")
    args = parser.parse_args()
    print(
        f"{'case':24} {'engine/s':>9} {'exact/s':>8} {'deepdiff/s':>10} {'bare/s':>7} {'engine/bare':>11}  path   verdict"
    )
    for name, request, primary, candidate, context, id_map in cases():
        verdict = compare_exchange(PROFILE, request, primary, candidate, context=context, id_map=id_map)
        expected = VerdictKind.MISMATCH if "unequal" in name else VerdictKind.MATCH
        assert verdict.kind is expected, (name, verdict)
        path = "fast" if fast_path_decides(request, primary, candidate, context, id_map) else "exact"
        engine, exact, naive, limit = measure(request, primary, candidate, context, id_map, args.seconds)
        summary = f"{verdict.kind.value} ({len(verdict.diffs)} diffs)"
        print(
            f"{name:24} {engine:9.0f} {exact:8.0f} {naive:10.0f} {limit:7.0f} {engine / limit:11.2f}  {path:6} {summary}"
        )
    streams = "comparators.streams" if stream_comparator() else "a text fallback (comparators.streams is not installed)"
    print(f"\nSSE streams are compared by {streams}; the 10k-event stream number is bench/stream_bench.py's.")


if __name__ == "__main__":
    main()
