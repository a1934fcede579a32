"""How ``parity results`` and ``parity show`` present the store: rich tables for people, JSON for tools.

Only reads the store's answer shapes (``Totals``, ``SignatureSummary``, ``Exemplar``); no SQL here.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from typing import Any

from rich.console import Group, RenderableType
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from comparators.message import Headers
from shadow.record_codec import to_json
from shadow.store import Exemplar, SignatureSummary, Totals

__all__ = ["exemplars_json", "exemplars_view", "results_json", "results_view"]

_BODY_PREVIEW = 4000  # chars of a body shown in the terminal; --json has all of it


def results_json(totals: Totals, signatures: Sequence[SignatureSummary]) -> str:
    return to_json({"totals": totals.model_dump(), "top_signatures": [s.model_dump() for s in signatures]})


def exemplars_json(summary: SignatureSummary, exemplars: Sequence[Exemplar]) -> str:
    return to_json({"signature": summary.model_dump(), "exemplars": [e.model_dump(mode="python") for e in exemplars]})


def results_view(totals: Totals, signatures: Sequence[SignatureSummary]) -> RenderableType:
    verdicts = sorted(totals.by_verdict)
    by_group = Table(title=f"Comparisons: {totals.total} ({_span(totals)})")
    by_group.add_column("route group")
    for verdict in verdicts:
        by_group.add_column(verdict, justify="right")
    by_group.add_column("total", justify="right")
    for group in sorted(totals.by_group):
        counts = totals.by_group[group]
        by_group.add_row(group, *(str(counts.get(v, 0)) for v in verdicts), str(sum(counts.values())))
    by_group.add_row(
        Text("all", style="bold"), *(str(totals.by_verdict[v]) for v in verdicts), str(totals.total), end_section=True
    )

    top = Table(title="Top mismatch signatures")
    top.add_column("signature", no_wrap=True)  # the argument to `parity show`: never wrapped
    top.add_column("count", justify="right")
    top.add_column("seen", justify="right")
    top.add_column("route")
    top.add_column("differences")
    top.add_column("last seen")
    top.add_column("exemplars", justify="right")
    for s in signatures:
        top.add_row(
            s.signature,
            str(s.count),
            str(s.seen),
            f"{s.method} {s.route}",
            "\n".join(s.diff_keys),
            _when(s.last_seen),
            str(s.exemplars),
        )
    if not signatures:
        return Group(by_group, Text("No mismatch signatures."))
    return Group(by_group, top)


def exemplars_view(summary: SignatureSummary, exemplars: Sequence[Exemplar]) -> RenderableType:
    head = Text.assemble(
        (summary.signature, "bold"),
        f"  {summary.method} {summary.route}  (group {summary.group}; {summary.count} kept, {summary.seen} seen, "
        f"first {_when(summary.first_seen)}, last {_when(summary.last_seen)})",
    )
    parts: list[RenderableType] = [head]
    for exemplar in exemplars:
        parts.append(_exemplar_panel(exemplar))
    if not exemplars:
        parts.append(Text("No exemplars kept for this signature."))
    return Group(*parts)


def _exemplar_panel(exemplar: Exemplar) -> Panel:
    record = exemplar.record
    request, primary, candidate = record.exchange.request, record.exchange.primary, record.candidate
    diffs = Table("path", "kind", "primary", "candidate", "note", title="differences")
    for diff in record.verdict.diffs:
        diffs.add_row(diff.path, diff.kind.value, _short(diff.primary), _short(diff.candidate), diff.note or "")
    target = request.path + (f"?{request.query}" if request.query else "")
    sides: list[RenderableType] = [
        diffs,
        _message(f"request  {request.method} {target}", request.headers, request.body),
        _message(f"primary  {primary.status}", primary.headers, primary.body),
    ]
    if candidate.response is not None:
        sides.append(
            _message(f"candidate  {candidate.response.status}", candidate.response.headers, candidate.response.body)
        )
    else:
        sides.append(Text(f"candidate  no response: {candidate.error} {candidate.detail or ''}".rstrip()))
    title = f"exemplar {exemplar.id}  {_when(exemplar.recorded_at)}" + (
        "  (bodies truncated)" if exemplar.truncated else ""
    )
    return Panel(Group(*sides), title=title, title_align="left")


def _message(title: str, headers: Headers, body: bytes) -> RenderableType:
    lines = [f"{name}: {value}" for name, value in headers]
    text = body.decode("utf-8", "replace")
    if len(text) > _BODY_PREVIEW:
        text = text[:_BODY_PREVIEW] + f"… ({len(body)} bytes)"
    parts: list[RenderableType] = [Text(title, style="bold")]
    if lines:
        parts.append(Text("\n".join(lines), style="dim"))
    if text:
        parts.append(Text(text))
    return Group(*parts)


def _short(value: Any) -> str:
    text = value if isinstance(value, str) else to_json(value)
    return text if len(text) <= 120 else text[:117] + "..."


def _when(stamp: float | None) -> str:
    if stamp is None:
        return "-"
    return datetime.datetime.fromtimestamp(stamp, tz=datetime.UTC).strftime("%Y-%m-%d %H:%M:%SZ")


def _span(totals: Totals) -> str:
    return f"{_when(totals.first_recorded_at)} to {_when(totals.last_recorded_at)}"
