from __future__ import annotations

from comparators.result import STRUCTURAL_KINDS, Diff, DiffKind, Verdict, VerdictKind, signature_of


def test_the_same_bug_at_another_index_has_the_same_signature() -> None:
    at_3 = [Diff(path="/body/data/3/status", kind=DiffKind.VALUE)]
    at_7 = [Diff(path="/body/data/7/status", kind=DiffKind.VALUE)]
    assert signature_of("GET", "/api/tasks", at_3) == signature_of("get", "/api/tasks", at_7)
    assert signature_of("GET", "/api/tasks", at_3) != signature_of("GET", "/api/projects", at_3)
    other_kind = [Diff(path="/body/data/3/status", kind=DiffKind.MISSING)]
    assert signature_of("GET", "/api/tasks", at_3) != signature_of("GET", "/api/tasks", other_kind)


def test_signatures_ignore_diff_order_and_repeats() -> None:
    a = Diff(path="/status", kind=DiffKind.STATUS)
    b = Diff(path="/body/x", kind=DiffKind.VALUE)
    assert signature_of("GET", "/r", [a, b]) == signature_of("GET", "/r", [b, a, b])


def test_only_mismatches_have_a_signature() -> None:
    diffs = (Diff(path="/status", kind=DiffKind.STATUS, primary=200, candidate=500),)
    mismatch = Verdict(kind=VerdictKind.MISMATCH, method="GET", route="/r", group="g", diffs=diffs)
    assert mismatch.signature == signature_of("GET", "/r", list(diffs))
    assert Verdict(kind=VerdictKind.NOISE, method="GET", route="/r", group="g", explained=diffs).signature is None
    assert mismatch.model_dump()["signature"] == mismatch.signature


def test_structural_kinds() -> None:
    assert Diff(path="/x", kind=DiffKind.LENGTH).structural
    assert not Diff(path="/x", kind=DiffKind.VALUE).structural
    assert DiffKind.FORMAT not in STRUCTURAL_KINDS and DiffKind.ERROR_SHAPE in STRUCTURAL_KINDS
