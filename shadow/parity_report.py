"""The parity report of an evidence store: what the demo prints after a run through the proxy.

Per route group: how many exchanges were compared and how each was judged, and the parity percentage;
then the most frequent mismatch signatures, each with an example diff (from its first kept exemplar); then
one line per route group where the candidate has gaps. Those are read from the data, never typed in: the
groups where the candidate answered ``501 Not Implemented`` to exchanges the primary served (routes it does
not implement yet), and those where it answered 404 while the primary answered 2xx (things it does not have,
e.g. execution processes of an attempt chain it does not run yet).

At parity = match, noise, converged (equal after re-reading an eventual route) or intended. ``shed``
exchanges were never compared: they count as exchanges, not as compared (as in ``comparators.summary``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Literal

from pydantic import BaseModel, ConfigDict
from rich import box
from rich.console import Console
from rich.measure import Measurement
from rich.table import Table

from comparators.result import Diff
from comparators.summary import PARITY_KINDS, GroupSummary, SignatureSummary, group_summary
from shadow.store import ResultStore

__all__ = [
    "AT_PARITY",
    "VERDICT_COLUMNS",
    "CandidateGap",
    "ParityReport",
    "build_report",
    "gap_lines",
    "render_report",
]

VERDICT_COLUMNS = ("match", "noise", "converged", "intended", "mismatch", "candidate_error", "timeout", "shed")
AT_PARITY = frozenset(kind.value for kind in PARITY_KINDS)
GapKind = Literal["not_implemented", "absent"]


class CandidateGap(BaseModel):
    """Exchanges of one route group the primary served and the candidate could not, as its answers say:
    ``not_implemented`` (it answered 501) or ``absent`` (it answered 404 where the primary answered 2xx)."""

    model_config = ConfigDict(frozen=True)

    group: str
    kind: Literal["not_implemented", "absent"]
    count: int
    exchanges: int  # all exchanges of the group
    routes: tuple[str, ...]  # "METHOD /template" of those exchanges, most frequent first


class ParityReport(BaseModel):
    model_config = ConfigDict(frozen=True)

    # The shapes of ``comparators.summary``, filled from the store: ``verdicts`` holds every kind of
    # VERDICT_COLUMNS (zeros included) plus any other seen; a signature's ``example`` is the diffs of its
    # first kept exemplar (empty when none was kept).
    total: GroupSummary  # group "all"
    groups: tuple[GroupSummary, ...]
    signatures: tuple[SignatureSummary, ...]
    signature_count: int
    gaps: tuple[CandidateGap, ...]

    @property
    def unimplemented(self) -> tuple[str, ...]:
        """The route groups the candidate answered 501 in."""
        return tuple(gap.group for gap in self.gaps if gap.kind == "not_implemented")

    def group(self, name: str) -> GroupSummary:
        for group in self.groups:
            if group.group == name:
                return group
        raise KeyError(name)


def build_report(store: ResultStore, *, top: int = 10) -> ParityReport:
    """Read the store's comparisons into a report (the store may still be written to; this is a snapshot)."""
    totals = store.totals()
    signatures = store.top_signatures(top)
    examples = []
    for summary in signatures:
        exemplars = store.exemplars(summary.signature)
        examples.append(
            SignatureSummary(
                signature=summary.signature,
                method=summary.method,
                route=summary.route,
                group=summary.group,
                count=summary.count,
                example=exemplars[0].record.verdict.diffs if exemplars else (),
            )
        )
    return ParityReport(
        total=group_summary("all", totals.by_verdict),
        groups=tuple(group_summary(name, counts) for name, counts in sorted(totals.by_group.items())),
        signatures=tuple(examples),
        signature_count=_count_signatures(store),
        gaps=(
            *_gaps(store, totals.by_group, "not_implemented", _NOT_IMPLEMENTED_SQL),
            *_gaps(store, totals.by_group, "absent", _ABSENT_SQL),
        ),
    )


def _count_signatures(store: ResultStore) -> int:
    row = store.db.execute("SELECT count(DISTINCT signature) FROM comparisons WHERE signature IS NOT NULL").fetchone()
    return int(row[0])


# The store keeps both statuses of every comparison. A 501 the primary did not give is the candidate saying
# "not yet" (its compatibility layer's answer for routes a later part implements). A route where the candidate
# answered 404 to *every* exchange the primary answered with 2xx names things the candidate never had (e.g.
# the execution processes of an attempt chain it does not run yet); an occasional 404 is a finding, not a gap.
_NOT_IMPLEMENTED_SQL = (
    "SELECT route_group, method, route, count(*) FROM comparisons"
    " WHERE candidate_status = 501 AND (primary_status IS NULL OR primary_status != 501)"
    " GROUP BY route_group, method, route"
)
_ABSENT_SQL = (
    "SELECT route_group, method, route, count(*) FROM comparisons WHERE primary_status BETWEEN 200 AND 299"
    " GROUP BY route_group, method, route HAVING sum(candidate_status = 404) = count(*)"
)


def _gaps(store: ResultStore, by_group: Mapping[str, Mapping[str, int]], kind: GapKind, sql: str) -> list[CandidateGap]:
    rows = store.db.execute(sql + " ORDER BY route_group, count(*) DESC, route").fetchall()
    found: dict[str, tuple[int, list[str]]] = {}
    for group, method, route, count in rows:
        total, routes = found.get(group, (0, []))
        found[group] = (total + count, [*routes, f"{method} {route}"])
    return [
        CandidateGap(
            group=group, kind=kind, count=count, exchanges=sum(by_group.get(group, {}).values()), routes=tuple(routes)
        )
        for group, (count, routes) in sorted(found.items())
    ]


# ---------------------------------------------------------------------------------------------- rendering


# Column headers when the full table is wider than the console (an 80-column terminal), with a legend line.
_COMPACT = {
    "compared": "cmp",
    "converged": "conv",
    "intended": "intd",
    "mismatch": "mism",
    "candidate_error": "c.err",
    "timeout": "t/o",
    "parity %": "par%",
}


def render_report(report: ParityReport, console: Console) -> None:
    table = _group_table(report, compact=False)
    unbounded = console.options.update(max_width=10_000)  # what the full table needs, not what it is given
    compact = Measurement.get(console, unbounded, table).maximum > console.width
    console.print(_group_table(report, compact=True) if compact else table)
    if compact:
        legend = ", ".join(f"{short} = {long}" for long, short in _COMPACT.items())
        console.print(legend, style="dim", highlight=False)
    if not report.signatures:
        console.print("No mismatches.")
    else:
        # A list, not a table: diffs stay readable at any terminal width.
        console.print(f"Top mismatch signatures ({len(report.signatures)} of {report.signature_count})", style="italic")
        for item in report.signatures:
            console.print(
                f"{item.count:>5}x {item.method} {item.route}  [bold]{item.signature}[/bold]", highlight=False
            )
            for line in _example(item.example):
                console.print(f"         {line}", highlight=False, markup=False, overflow="fold")
    for line in gap_lines(report.gaps):
        console.print(line, highlight=False, markup=False)


def gap_lines(gaps: Sequence[CandidateGap], *, routes_shown: int = 3) -> list[str]:
    """One line per gap: why that group's mismatches are expected until the candidate grows."""
    lines = []
    for gap in gaps:
        shown = ", ".join(gap.routes[:routes_shown])
        more = f" and {len(gap.routes) - routes_shown} more" if len(gap.routes) > routes_shown else ""
        if gap.kind == "not_implemented":
            what = "not implemented by the candidate yet: it answered 501 Not Implemented to"
        else:
            what = "the candidate has none of these: it answered 404 to all"
        of = (
            f"{gap.count} of {gap.exchanges} exchanges"
            if gap.kind == "not_implemented"
            else f"{gap.count} exchanges the primary served"
        )
        lines.append(f"Note: {gap.group}: {what} {of} ({shown}{more}).")
    return lines


def _group_table(report: ParityReport, *, compact: bool) -> Table:
    table = Table(
        title="Parity per route group (through the proxy)",
        title_justify="left",
        box=box.SIMPLE_HEAD if compact else box.HEAVY_HEAD,
        pad_edge=not compact,
        padding=(0, 0) if compact else (0, 1),  # compact: the box's own blank separator is the gap
        show_edge=not compact,
    )
    table.add_column("group", no_wrap=True)
    for column in ("compared", *VERDICT_COLUMNS, "parity %"):
        header = _COMPACT.get(column, column) if compact else column.replace("_", " ")
        table.add_column(header, justify="right", no_wrap=True, min_width=5 if column == "parity %" else None)
    for group in report.groups:
        table.add_row(*_cells(group))
    table.add_section()
    table.add_row(*_cells(report.total))
    return table


def _cells(group: GroupSummary) -> list[str]:
    percent = "n/a" if group.parity_percent is None else f"{group.parity_percent:.1f}"
    return [group.group, str(group.compared), *(str(group.verdicts[v]) for v in VERDICT_COLUMNS), percent]


def _example(diffs: Sequence[Diff], shown: int = 3) -> list[str]:
    lines = [f"{d.path} {d.kind.value}: {_short(d.primary)} -> {_short(d.candidate)}" for d in diffs[:shown]]
    if len(diffs) > shown:
        lines.append(f"(+{len(diffs) - shown} more)")
    return lines or ["(no exemplar kept)"]


def _short(value: object, limit: int = 60) -> str:
    text = " ".join(repr(value).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
