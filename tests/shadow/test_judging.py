"""judge() with the real comparator and the shipped profile, plus the failure paths around it."""

import uuid
from typing import Any

import orjson

from comparators.compare import CompareContext, compare_exchange
from comparators.profiles import load_profile
from comparators.result import Verdict, VerdictKind
from shadow.correlation import Conflict
from shadow.judging import judge
from shadow.models import CandidateOutcome
from tests.factories import texchange, trequest, tresponse

PROFILE = load_profile("vibe-kanban-0.0.71")
P_TASK, C_TASK = str(uuid.UUID(int=7)), str(uuid.UUID(int=8))
P_PROJECT, C_PROJECT = str(uuid.UUID(int=17)), str(uuid.UUID(int=18))
JSON = (("content-type", "application/json"),)


def task(task_id: str, project_id: str, status: str = "todo") -> bytes:
    data = {
        "id": task_id,
        "project_id": project_id,
        "title": "Add hello file",
        "description": None,
        "status": status,
        "parent_task_attempt": None,
        "created_at": "2026-11-26T07:12:12.517Z",
        "updated_at": "2026-11-26T07:12:12.517Z",
    }
    return orjson.dumps({"success": True, "data": data, "error_data": None, "message": None})


def route_of(path: str) -> Any:
    return PROFILE.match("GET", path)


def exchange(body: bytes) -> Any:
    return texchange(request=trequest(path=f"/api/tasks/{P_TASK}"), primary=tresponse(body=body, headers=JSON))


def test_candidate_ids_mapped_back_make_a_match() -> None:
    candidate = CandidateOutcome(response=tresponse(body=task(C_TASK, C_PROJECT), headers=JSON))
    verdict = judge(
        PROFILE,
        compare_exchange,
        exchange(task(P_TASK, P_PROJECT)),
        candidate,
        route_of(f"/api/tasks/{P_TASK}"),
        context=CompareContext(),
        id_map={C_TASK: P_TASK, C_PROJECT: P_PROJECT},
    )
    assert verdict.kind is VerdictKind.MATCH, verdict.diffs
    assert (verdict.route, verdict.group) == ("/api/tasks/{task_id}", "tasks")


def test_a_real_difference_is_a_mismatch_at_its_path() -> None:
    candidate = CandidateOutcome(response=tresponse(body=task(C_TASK, C_PROJECT, status="done"), headers=JSON))
    verdict = judge(
        PROFILE,
        compare_exchange,
        exchange(task(P_TASK, P_PROJECT)),
        candidate,
        route_of(f"/api/tasks/{P_TASK}"),
        id_map={C_TASK: P_TASK, C_PROJECT: P_PROJECT},
    )
    assert verdict.kind is VerdictKind.MISMATCH
    assert [d.path for d in verdict.diffs] == ["/body/data/status"]


def test_no_answer_is_timeout_or_candidate_error() -> None:
    route = route_of("/api/projects")
    timed_out = judge(PROFILE, compare_exchange, texchange(), CandidateOutcome(error="timeout", detail="5s"), route)
    refused = judge(
        PROFILE, compare_exchange, texchange(), CandidateOutcome(error="refused", detail="ECONNREFUSED"), route
    )
    assert (timed_out.kind, timed_out.reason) == (VerdictKind.TIMEOUT, "timeout: 5s")
    assert (refused.kind, refused.reason) == (VerdictKind.CANDIDATE_ERROR, "refused: ECONNREFUSED")


def test_id_conflicts_turn_a_match_into_a_mismatch() -> None:
    body = task(P_TASK, P_PROJECT)
    conflict = Conflict("/body/data/id", P_TASK, C_TASK, "primary", str(uuid.UUID(int=99)))
    verdict = judge(
        PROFILE,
        compare_exchange,
        exchange(body),
        CandidateOutcome(response=tresponse(body=body, headers=JSON)),
        route_of(f"/api/tasks/{P_TASK}"),
        conflicts=[conflict],
    )
    assert verdict.kind is VerdictKind.MISMATCH and verdict.signature is not None
    assert [d.note for d in verdict.diffs] == [f"id conflict: the primary id was already paired with {conflict.known}"]


def test_a_crashing_comparator_is_recorded_not_raised() -> None:
    def crash(*args: Any, **kwargs: Any) -> Verdict:
        raise ZeroDivisionError("bug")

    verdict = judge(PROFILE, crash, texchange(), CandidateOutcome(response=tresponse()), route_of("/api/projects"))
    assert verdict.kind is VerdictKind.MISMATCH and "comparator failed: ZeroDivisionError: bug" in (
        verdict.reason or ""
    )
