"""Issue 4's parity proof: the workflow driver's route families that the candidate's part 1 serves,
recorded against a fresh real vibe-kanban 0.0.71 instance and against the local candidate (the convex-test
host standing in for a Convex deployment, plus a real runner), compared offline with the shipped profile.

Asserted: ≥ 95 % of the exchanges on the routes part 1 covers are at parity (match, noise or intended).
Every remaining difference is printed with its cause. Routes whose behaviour belongs to later parts (the
attempt chain started by create-and-start, the task attempt and execution process routes, GitHub auth)
are compared and printed too, but not counted.
"""

from __future__ import annotations

import threading

import pytest

from shadow.candidate import Candidate
from shadow.offline import OfflineComparison, PairedVerdict, compare_files
from shadow.reference.instance import Instance
from shadow.workload.recording import RecordedWorkflow, record_workflow

pytestmark = pytest.mark.e2e

FAMILIES = ("system", "filesystem", "projects", "tasks", "templates", "images", "errors", "events")
# Route groups whose behaviour part 1 does not own (their runner work is a later issue).
LATER_GROUPS = {"auth", "task_attempts", "execution_processes"}
# Exchanges of part-1 routes whose content depends on that later work.
LATER_CAUSES = {
    "tasks.wait-started-inreview": "create-and-start enqueues attempt.start, which the runner of part 2 executes; "
    "until then the task stays inprogress",
    "events.history": "the feed holds the attempt chain create-and-start runs on the primary (part 2 on the candidate)",
}
# "METHOD /route" -> why it differs; empty since open-editor is served (tests/e2e/test_open_editor_parity.py).
KNOWN_CAUSES: dict[str, str] = {}


@pytest.fixture(scope="module")
def comparison(tmp_path_factory: pytest.TempPathFactory) -> OfflineComparison:
    # Module scope: one recording per backend; fixtures of function scope cannot be used here.
    from shadow.candidate import start_candidate
    from shadow.reference.instance import start_instance

    out = tmp_path_factory.mktemp("candidate-parity")
    primary: Instance = start_instance()
    candidate: Candidate | None = None
    try:
        candidate = start_candidate(roots=[out])
        recordings: dict[str, RecordedWorkflow] = {}

        def record(name: str, base_url: str) -> None:
            recordings[name] = record_workflow(
                base_url, directory=out / name, name=name, families=FAMILIES, poll_timeout=8
            )

        threads = [
            threading.Thread(target=record, args=("primary", primary.base_url)),
            threading.Thread(target=record, args=("candidate", candidate.base_url)),
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert recordings["primary"].report.problems() == []
        return compare_files(recordings["primary"].har_path, recordings["candidate"].har_path)
    finally:
        if candidate is not None:
            candidate.stop()
        primary.stop()


def _counted(pair: PairedVerdict) -> bool:
    return pair.verdict.group not in LATER_GROUPS and (pair.request_id or "") not in LATER_CAUSES


def _cause(pair: PairedVerdict) -> str:
    key = f"{pair.verdict.method} {pair.verdict.route}"
    if pair.request_id in LATER_CAUSES:
        return "later part: " + LATER_CAUSES[pair.request_id]
    if pair.verdict.group in LATER_GROUPS:
        return f"later part: route group {pair.verdict.group}"
    return KNOWN_CAUSES.get(key, "UNEXPLAINED")


def test_part_one_routes_are_at_least_95_percent_at_parity(comparison: OfflineComparison) -> None:
    counted = [pair for pair in comparison.pairs if _counted(pair)]
    remaining = [pair for pair in comparison.not_at_parity()]
    at_parity = len(counted) - sum(1 for pair in remaining if _counted(pair))
    print(f"\npart-1 routes: {at_parity}/{len(counted)} exchanges at parity ({100 * at_parity / len(counted):.2f} %)")
    for pair in remaining:
        diffs = "; ".join(f"{d.path} {d.kind.value}" for d in pair.verdict.diffs[:4])
        print(f"- {pair.request_id}: {pair.verdict.method} {pair.verdict.route}: {diffs}\n    cause: {_cause(pair)}")
    assert len(counted) > 100
    assert at_parity / len(counted) >= 0.95
    unexplained = [pair.request_id for pair in remaining if _counted(pair) and _cause(pair) == "UNEXPLAINED"]
    assert unexplained == [], "differences without a known cause"


def test_every_part_one_route_family_was_compared(comparison: OfflineComparison) -> None:
    groups = {pair.verdict.group for pair in comparison.pairs}
    assert {"system", "config", "filesystem", "projects", "tasks", "templates", "images", "events"} <= groups
