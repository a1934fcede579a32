from __future__ import annotations

from comparators.result import Diff, DiffKind, Verdict, VerdictKind
from comparators.summary import parity_percent, summarize


def _verdict(kind: VerdictKind, group: str = "tasks", route: str = "/api/tasks/{id}", *diffs: Diff) -> Verdict:
    return Verdict(kind=kind, method="GET", route=route, group=group, diffs=diffs)


STATUS = Diff(path="/status", kind=DiffKind.STATUS, primary=200, candidate=500)
VALUE = Diff(path="/body/data/status", kind=DiffKind.VALUE, primary="todo", candidate="done")


def test_totals_groups_and_parity() -> None:
    verdicts = [
        _verdict(VerdictKind.MATCH),
        _verdict(VerdictKind.NOISE),
        _verdict(VerdictKind.MISMATCH, "tasks", "/api/tasks/{id}", VALUE),
        _verdict(VerdictKind.SHED),
        _verdict(VerdictKind.MATCH, "projects", "/api/projects"),
        _verdict(VerdictKind.TIMEOUT, "projects", "/api/projects"),
        _verdict(VerdictKind.INTENDED, "projects", "/api/projects"),
    ]
    summary = summarize(verdicts, unpaired={"primary": 1, "candidate": 2}, poll_repeats={"primary": 4})
    assert summary.exchanges == 7 and summary.compared == 6
    assert summary.verdicts["match"] == 2 and summary.verdicts["shed"] == 1 and summary.verdicts["converged"] == 0
    assert summary.parity_percent == round(100 * 4 / 6, 2)
    groups = {group.group: group for group in summary.groups}
    assert list(groups) == ["projects", "tasks"]
    assert (groups["tasks"].exchanges, groups["tasks"].compared, groups["tasks"].parity_percent) == (4, 3, 66.67)
    assert groups["projects"].parity_percent == 66.67
    assert summary.unpaired == {"primary": 1, "candidate": 2} and summary.poll_repeats == {"primary": 4}


def test_signatures_are_ranked_with_one_example_each() -> None:
    other_index = Diff(path="/body/data/7/status", kind=DiffKind.VALUE, primary="a", candidate="b")
    verdicts = [
        _verdict(VerdictKind.MISMATCH, "tasks", "/api/tasks", Diff(path="/body/data/3/status", kind=DiffKind.VALUE)),
        _verdict(VerdictKind.MISMATCH, "tasks", "/api/tasks", other_index),  # same signature: indices generalize
        _verdict(VerdictKind.MISMATCH, "tasks", "/api/tasks/{id}", STATUS),
    ]
    summary = summarize(verdicts, top=1)
    assert summary.signature_count == 2
    (top,) = summary.signatures
    assert (top.count, top.route, top.method, top.group) == (2, "/api/tasks", "GET", "tasks")
    assert top.signature == verdicts[0].signature == verdicts[1].signature
    assert top.example == verdicts[0].diffs


def test_nothing_compared_has_no_parity() -> None:
    assert parity_percent({"shed": 3}) is None
    summary = summarize([])
    assert summary.parity_percent is None and summary.groups == () and summary.exchanges == 0
    assert summary.model_dump(mode="json")["verdicts"]["match"] == 0


def test_a_converged_read_is_at_parity_and_a_candidate_error_is_not() -> None:
    # Converged: the candidate caught up within the eventual window (the proxy's re-reads).
    assert parity_percent({"converged": 3, "mismatch": 1}) == 75.0
    assert parity_percent({"converged": 1, "candidate_error": 1, "timeout": 2, "shed": 5}) == 25.0
