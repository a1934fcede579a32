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

Run: ``.venv/bin/python bench/compare_bench.py [--seconds 1.0]``
"""

from __future__ import annotations

import argparse
import copy
import hashlib
import random
import time
import uuid
from collections.abc import Callable
from typing import Any

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


def cases() -> list[tuple[str, HttpRequest, HttpResponse, HttpResponse, CompareContext]]:
    context = CompareContext(primary_prefixes={"WORK": "/tmp/work-a"}, candidate_prefixes={"WORK": "/tmp/work-b"})
    process_p, process_c = (
        execution_process(random.Random(1), "/tmp/work-a"),
        execution_process(random.Random(2), "/tmp/work-b"),
    )
    tasks_p, tasks_c = task_list(random.Random(3)), task_list(random.Random(4))
    process = HttpRequest(method="GET", path=f"/api/execution-processes/{process_p['id']}")
    tasks = HttpRequest(method="GET", path="/api/tasks", query=f"project_id={tasks_p[0]['project_id']}")
    return [
        ("2 KB process, equal", process, _response(process_p), _response(process_c), context),
        ("2 KB process, unequal", process, _response(process_p), _response(_broken(process_c, None)), context),
        ("200 tasks, equal", tasks, _response(tasks_p), _response(tasks_c), context),
        ("200 tasks, unequal", tasks, _response(tasks_p), _response(_broken(tasks_c, 117)), context),
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
    request: HttpRequest, primary: HttpResponse, candidate: HttpResponse, context: CompareContext, seconds: float
) -> tuple[float, float, float]:
    """(engine, DeepDiff on everything, bare limit) in comparisons per CPU second."""
    engine = rate(lambda: compare_exchange(PROFILE, request, primary, candidate, context=context), seconds)
    naive = rate(lambda: DeepDiff(orjson.loads(primary.body), orjson.loads(candidate.body)), seconds)
    return engine, naive, rate(lambda: bare(primary, candidate), seconds)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=1.0, help="CPU seconds per measurement (split in 3 windows)")
    args = parser.parse_args()
    print(f"{'case':24} {'engine/s':>10} {'deepdiff/s':>11} {'bare/s':>9} {'engine/bare':>12}  verdict")
    for name, request, primary, candidate, context in cases():
        verdict = compare_exchange(PROFILE, request, primary, candidate, context=context)
        expected = VerdictKind.MISMATCH if "unequal" in name else VerdictKind.MATCH
        assert verdict.kind is expected, (name, verdict)
        engine, naive, limit = measure(request, primary, candidate, context, args.seconds)
        summary = f"{verdict.kind.value} ({len(verdict.diffs)} diffs)"
        print(f"{name:24} {engine:10.0f} {naive:11.0f} {limit:9.0f} {engine / limit:12.2f}  {summary}")
    streams = "comparators.streams" if stream_comparator() else "a text fallback (comparators.streams is not installed)"
    print(f"\nSSE streams are compared by {streams}; the 10k-event stream number is bench/stream_bench.py's.")


if __name__ == "__main__":
    main()
