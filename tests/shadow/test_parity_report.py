"""The parity report over a real store (SQLite in memory) filled with records of every kind."""

from __future__ import annotations

import io

from pydantic import SecretStr
from rich.console import Console
from sqlite_utils import Database

from comparators.result import Diff, DiffKind, Verdict, VerdictKind
from shadow.models import CandidateOutcome, ComparisonRecord
from shadow.parity_report import VERDICT_COLUMNS, build_report, gap_lines, render_report
from shadow.store import ResultStore, StoreSettings
from tests.factories import texchange, trequest, tresponse


def record(
    group: str,
    route: str,
    kind: VerdictKind,
    *,
    method: str = "GET",
    primary: int = 200,
    candidate: int | None = 200,
    diffs: tuple[Diff, ...] = (),
) -> ComparisonRecord:
    verdict = Verdict(kind=kind, method=method, route=route, group=group, diffs=diffs)
    outcome = CandidateOutcome(response=tresponse(status=candidate)) if candidate is not None else CandidateOutcome()
    exchange = texchange(request=trequest(method=method, path=route), primary=tresponse(status=primary))
    return ComparisonRecord(exchange=exchange, candidate=outcome, verdict=verdict)


STATUS_501 = (Diff(path="/status", kind=DiffKind.STATUS, primary=200, candidate=501),)
STATUS_404 = (Diff(path="/status", kind=DiffKind.STATUS, primary=200, candidate=404),)
LENGTH = (Diff(path="/body/data", kind=DiffKind.LENGTH, primary=3, candidate=0),)


def filled_store() -> ResultStore:
    store = ResultStore(Database(memory=True), settings=StoreSettings(redaction_key=SecretStr("k")))
    M = VerdictKind
    store.record_many(
        [
            *(record("config", "/api/config", M.MATCH, method="PUT") for _ in range(4)),
            record("config", "/api/info", M.NOISE),
            record("tasks", "/api/tasks/{task_id}", M.MATCH),
            record("tasks", "/api/tasks/{task_id}", M.CONVERGED),
            record("tasks", "/api/tasks/{task_id}", M.INTENDED),
            # one 404 on a route the candidate otherwise serves: a finding, not a gap
            record("tasks", "/api/tasks/{task_id}", M.MISMATCH, candidate=404, diffs=STATUS_404),
            record("tasks", "/api/tasks", M.SHED, candidate=None),
            *(
                record("task_attempts", "/api/task-attempts/{id}/diff", M.MISMATCH, candidate=501, diffs=STATUS_501)
                for _ in range(3)
            ),
            record("task_attempts", "/api/task-attempts/{id}/merge", M.MISMATCH, method="POST", candidate=501),
            record("task_attempts", "/api/task-attempts", M.MATCH),
            # every 2xx of this route answered 404 by the candidate: things it never had
            *(
                record("execution_processes", "/api/execution-processes/{id}", M.MISMATCH, candidate=404)
                for _ in range(2)
            ),
            record("execution_processes", "/api/execution-processes", M.MISMATCH, diffs=LENGTH),
            record("execution_processes", "/api/execution-processes/{id}", M.MATCH, primary=404, candidate=404),
            record("system", "/api/health", M.TIMEOUT, candidate=None),
            record("system", "/api/info", M.CANDIDATE_ERROR, candidate=None),
        ]
    )
    return store


def test_groups_count_every_verdict_and_parity_includes_converged() -> None:
    report = build_report(filled_store())
    assert [g.group for g in report.groups] == ["config", "execution_processes", "system", "task_attempts", "tasks"]
    tasks = report.group("tasks")
    assert (tasks.exchanges, tasks.compared) == (5, 4)  # the shed one was never compared
    assert {k: tasks.verdicts[k] for k in ("match", "converged", "intended", "mismatch", "shed")} == {
        "match": 1,
        "converged": 1,
        "intended": 1,
        "mismatch": 1,
        "shed": 1,
    }
    assert tasks.parity_percent == 75.0  # 3 of 4
    assert report.group("config").parity_percent == 100.0
    assert report.group("system").parity_percent == 0.0
    assert set(VERDICT_COLUMNS) <= set(report.total.verdicts)
    assert (report.total.exchanges, report.total.compared) == (21, 20)


def test_signatures_come_with_an_example_diff() -> None:
    report = build_report(filled_store(), top=2)
    assert report.signature_count == 5
    first = report.signatures[0]
    assert (first.method, first.route, first.count) == ("GET", "/api/task-attempts/{id}/diff", 3)
    assert first.example == STATUS_501
    assert len(report.signatures) == 2


def test_gaps_are_read_from_the_candidates_answers() -> None:
    report = build_report(filled_store())
    gaps = {(gap.group, gap.kind): gap for gap in report.gaps}
    assert set(gaps) == {("task_attempts", "not_implemented"), ("execution_processes", "absent")}
    attempts = gaps["task_attempts", "not_implemented"]
    assert (attempts.count, attempts.exchanges) == (4, 5)
    assert attempts.routes == ("GET /api/task-attempts/{id}/diff", "POST /api/task-attempts/{id}/merge")
    assert gaps["execution_processes", "absent"].routes == ("GET /api/execution-processes/{id}",)
    assert report.unimplemented == ("task_attempts",)
    lines = gap_lines(report.gaps, routes_shown=1)
    assert lines[0] == (
        "Note: task_attempts: not implemented by the candidate yet: it answered 501 Not Implemented to 4 of 5 "
        "exchanges (GET /api/task-attempts/{id}/diff and 1 more)."
    )
    assert lines[1].startswith("Note: execution_processes: the candidate has none of these: it answered 404 to all 2")


def test_rendering_fits_a_narrow_terminal_and_names_every_column_on_a_wide_one() -> None:
    report = build_report(filled_store())
    narrow, wide = io.StringIO(), io.StringIO()
    render_report(report, Console(file=narrow, width=80))
    render_report(report, Console(file=wide, width=160))
    table = narrow.getvalue().split("Top mismatch signatures")[0]
    assert max(len(line) for line in table.splitlines() if not line.startswith("cmp =")) <= 80
    legend = " ".join(narrow.getvalue().split())
    assert "cmp = compared" in legend and "c.err = candidate_error" in legend
    header = next(line for line in wide.getvalue().splitlines() if "compared" in line)
    for column in ("compared", "match", "noise", "converged", "intended", "mismatch", "candidate error", "shed"):
        assert column in header, column
    text = wide.getvalue()
    assert "    3x GET /api/task-attempts/{id}/diff" in text and "/status status: 200 -> 501" in text
    assert "Note: task_attempts: not implemented by the candidate yet" in text
    assert "execution_processes" in text and "75.0" in text
