from __future__ import annotations

import io
import json
from collections.abc import Callable

from rich.console import Console, RenderableType

from comparators.result import VerdictKind
from shadow.evidence_view import exemplars_json, exemplars_view, results_json, results_view
from shadow.models import ComparisonRecord
from shadow.store import ResultStore

Factory = Callable[..., ComparisonRecord]


def _render(renderable: RenderableType) -> str:
    console = Console(width=160, record=True, file=io.StringIO())
    console.print(renderable)
    return console.export_text()


def test_results_view_has_a_row_per_group_and_a_total(store: ResultStore, make_record: Factory) -> None:
    store.record_many(
        [make_record(verdict=VerdictKind.MATCH, group="projects")] * 2
        + [make_record(verdict=VerdictKind.MISMATCH)]
        + [make_record(verdict=VerdictKind.TIMEOUT, candidate_error="timeout")]
    )
    text = _render(results_view(store.totals(), store.top_signatures()))
    rows = {line.split("│")[1].strip(): [c.strip() for c in line.split("│")[2:-1]] for line in text.splitlines()
            if line.startswith("│") and line.count("│") == 6}  # fmt: skip
    assert rows == {"projects": ["2", "0", "0", "2"], "tasks": ["0", "1", "1", "2"], "all": ["2", "1", "1", "4"]}
    assert "Top mismatch signatures" in text


def test_results_view_without_mismatches(store: ResultStore, make_record: Factory) -> None:
    store.record_many([make_record(verdict=VerdictKind.MATCH)])
    assert "No mismatch signatures." in _render(results_view(store.totals(), store.top_signatures()))


def test_exemplar_view_and_json(store: ResultStore, make_record: Factory) -> None:
    store.record_many([make_record(candidate_error="refused", verdict=VerdictKind.MISMATCH)])
    (summary,) = store.top_signatures()
    exemplars = store.exemplars(summary.signature)
    text = _render(exemplars_view(summary, exemplars))
    assert summary.signature in text and "candidate  no response: refused" in text
    assert "/body/data/title" in text and "request  GET /api/tasks/4f1c" in text
    data = json.loads(exemplars_json(summary, exemplars))
    assert data["exemplars"][0]["record"]["candidate"]["error"] == "refused"
    assert json.loads(results_json(store.totals(), [summary]))["totals"]["total"] == 1
