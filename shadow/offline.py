"""Offline comparison of two recordings of the same workload (``parity compare A.har B.har``).

Read both HARs, pair their exchanges (:mod:`comparators.alignment`), judge every pair with
:func:`comparators.compare.compare_exchange` (masking each side's own path prefixes from the HAR's
``_parity`` block), and summarize (:mod:`comparators.summary`). Bad input raises
:class:`OfflineInputError` with a one-line reason; mismatches are results, not errors.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict
from rich.console import Console
from rich.table import Table

from comparators.alignment import AlignItem, Side, align
from comparators.compare import CompareContext, compare_exchange, normalize_request, verdict_for_candidate_error
from comparators.noise import NoiseModel, NoiseModelError
from comparators.profiles import Profile, ProfileError, load_profile
from comparators.result import Verdict
from comparators.summary import PARITY_KINDS, Summary, summarize
from shadow.har import HarCapture, HarEntry, HarError, read_har

__all__ = [
    "DEFAULT_PROFILE",
    "OfflineComparison",
    "OfflineInputError",
    "PairedVerdict",
    "UnpairedEntry",
    "compare_captures",
    "compare_files",
    "learn_noise",
    "load_noise",
    "observed",
    "render_comparison",
]

DEFAULT_PROFILE = "vibe-kanban-0.0.71"


class OfflineInputError(ValueError):
    """An input cannot be used (unreadable or non-HAR file, unknown profile); one line."""


class PairedVerdict(BaseModel):
    model_config = ConfigDict(frozen=True)

    request_id: str | None
    primary_index: int
    candidate_index: int
    path: str
    verdict: Verdict


class UnpairedEntry(BaseModel):
    model_config = ConfigDict(frozen=True)

    side: Side
    index: int
    request_id: str | None
    method: str
    path: str
    reason: str


class OfflineComparison(BaseModel):
    model_config = ConfigDict(frozen=True)

    summary: Summary
    pairs: tuple[PairedVerdict, ...]
    unpaired: tuple[UnpairedEntry, ...]

    def not_at_parity(self) -> list[PairedVerdict]:
        """Pairs whose verdict is not at parity (``comparators.summary.PARITY_KINDS``), in primary order."""
        return [pair for pair in self.pairs if pair.verdict.kind not in PARITY_KINDS]


def compare_files(
    primary: Path, candidate: Path, *, profile: str = DEFAULT_PROFILE, noise: NoiseModel | None = None
) -> OfflineComparison:
    """Read two HAR files and compare them with the named (or file) ``profile``; ``noise`` (learned from
    self-comparisons, ``learn_noise``) explains the non-structural differences it knows as volatile."""
    loaded = _profile(profile)
    return compare_captures(_read_har(primary), _read_har(candidate), profile=loaded, noise=noise)


def learn_noise(
    pairs: Sequence[tuple[Path, Path]],
    *,
    profile: str = DEFAULT_PROFILE,
    threshold: float = 0.5,
    min_observations: int = 5,
) -> NoiseModel:
    """A noise model from recordings of the same system (two primaries, or the same workload twice against
    one): every paired exchange counts once for its route, and once for each field that differed in it. Bad
    input raises ``OfflineInputError`` before anything is learned."""
    try:
        model = NoiseModel.configured(threshold=threshold, min_observations=min_observations)
    except NoiseModelError as exc:
        raise OfflineInputError(str(exc)) from None
    loaded = _profile(profile)
    captures = [(_read_har(first), _read_har(second)) for first, second in pairs]
    return observed(model, (compare_captures(first, second, profile=loaded) for first, second in captures))


def observed(model: NoiseModel, comparisons: Iterable[OfflineComparison]) -> NoiseModel:
    """``model`` after observing every paired verdict of ``comparisons`` (each of one system with itself)."""
    for comparison in comparisons:
        for pair in comparison.pairs:
            model.observe_verdict(pair.verdict)
    return model


def load_noise(path: Path) -> NoiseModel:
    """A noise model written by ``parity learn-noise``; ``OfflineInputError`` with one line otherwise."""
    try:
        return NoiseModel.from_json(path.read_bytes())
    except OSError as exc:
        raise OfflineInputError(f"cannot read noise model {path}: {exc.strerror or exc}") from None
    except NoiseModelError as exc:
        raise OfflineInputError(f"{path} is not a noise model: {exc}") from None


def _profile(name: str) -> Profile:
    try:
        return load_profile(name)
    except ProfileError as exc:
        raise OfflineInputError(" ".join(str(exc).split())) from exc


def _read_har(path: Path) -> HarCapture:
    try:
        return read_har(path)
    except HarError as exc:
        raise OfflineInputError(str(exc)) from exc


def compare_captures(
    primary: HarCapture, candidate: HarCapture, *, profile: Profile, noise: NoiseModel | None = None
) -> OfflineComparison:
    """Pair and judge every exchange of ``candidate`` against ``primary``."""
    context = CompareContext(primary_prefixes=dict(primary.prefixes), candidate_prefixes=dict(candidate.prefixes))
    alignment = align(_items(primary, profile, context, "primary"), _items(candidate, profile, context, "candidate"))
    pairs = []
    unpaired = [_unpaired(u.side, u.index, primary, candidate, u.reason) for u in alignment.unpaired]
    for p_index, c_index in alignment.pairs:
        p_entry, c_entry = primary.entries[p_index], candidate.entries[c_index]
        if p_entry.response is None:  # nothing to compare against: the primary itself did not answer
            unpaired.append(_unpaired(Side.PRIMARY, p_index, primary, candidate, f"no response: {p_entry.error}"))
            continue
        verdict = _judge(profile, context, p_entry, c_entry, noise)
        pairs.append(
            PairedVerdict(
                request_id=p_entry.request_id,
                primary_index=p_index,
                candidate_index=c_index,
                path=p_entry.request.path,
                verdict=verdict,
            )
        )
    counts = {side.value: sum(1 for u in unpaired if u.side is side) for side in Side}
    summary = summarize((pair.verdict for pair in pairs), unpaired=counts, poll_repeats=alignment.poll_repeat_counts())
    return OfflineComparison(summary=summary, pairs=tuple(pairs), unpaired=tuple(unpaired))


def _items(
    capture: HarCapture, profile: Profile, context: CompareContext, side: Literal["primary", "candidate"]
) -> list[AlignItem]:
    # The pairing key is the profile's canonical request (method, route template, normalized params, query
    # and body, with this side's own directories and ids masked), so both sides' keys compare equal.
    return [
        AlignItem(
            key=normalize_request(profile, entry.request, context, side=side).decode("utf-8", "replace"),
            request_id=entry.request_id,
            method=entry.request.method,
        )
        for entry in capture.entries
    ]


def _judge(
    profile: Profile, context: CompareContext, primary: HarEntry, candidate: HarEntry, noise: NoiseModel | None
) -> Verdict:
    if candidate.response is None:
        return verdict_for_candidate_error(profile, primary.request, "other", candidate.error or "no response")
    assert primary.response is not None  # the caller skips primaries without a response
    return compare_exchange(
        profile, primary.request, primary.response, candidate.response, context=context, noise=noise
    )


def _unpaired(side: Side, index: int, primary: HarCapture, candidate: HarCapture, reason: str) -> UnpairedEntry:
    entry = (primary if side is Side.PRIMARY else candidate).entries[index]
    return UnpairedEntry(
        side=side,
        index=index,
        request_id=entry.request_id,
        method=entry.request.method,
        path=entry.request.path,
        reason=reason,
    )


# ---------------------------------------------------------------------------------------------- rendering


def render_comparison(comparison: OfflineComparison, console: Console, *, top: int = 10) -> None:
    """Per-group parity, then the top mismatch signatures with their example diffs, then unpaired counts."""
    summary = comparison.summary
    groups = Table(title="Parity per route group", title_justify="left")
    groups.add_column("group", no_wrap=True)
    for column in ("compared", "match", "noise", "intended", "mismatch", "errors", "parity %"):
        groups.add_column(column, justify="right", no_wrap=True)
    for group in summary.groups:
        verdicts = group.verdicts
        errors = verdicts["candidate_error"] + verdicts["timeout"]
        groups.add_row(
            group.group,
            str(group.compared),
            *(str(verdicts[k]) for k in ("match", "noise", "intended", "mismatch")),
            str(errors),
            _percent(group.parity_percent),
        )
    groups.add_section()
    total = summary.verdicts
    groups.add_row(
        "all",
        str(summary.compared),
        *(str(total[k]) for k in ("match", "noise", "intended", "mismatch")),
        str(total["candidate_error"] + total["timeout"]),
        _percent(summary.parity_percent),
    )
    console.print(groups)
    if summary.signatures:
        signatures = Table(title=f"Top mismatch signatures ({summary.signature_count} distinct)", title_justify="left")
        signatures.add_column("count", justify="right", no_wrap=True)
        signatures.add_column("route", no_wrap=True)
        signatures.add_column("signature", no_wrap=True)
        signatures.add_column("example diffs", overflow="fold")
        for item in summary.signatures[:top]:
            example = "\n".join(
                f"{d.path} {d.kind.value}: {_short(d.primary)} -> {_short(d.candidate)}" for d in item.example[:5]
            )
            signatures.add_row(str(item.count), f"{item.method} {item.route}", item.signature, example)
        console.print(signatures)
    else:
        console.print("No mismatches.")
    console.print(
        "Unpaired: "
        + ", ".join(f"{side} {count}" for side, count in summary.unpaired.items())
        + "; poll repeats (not compared): "
        + ", ".join(f"{side} {count}" for side, count in summary.poll_repeats.items())
    )


def _short(value: object, limit: int = 80) -> str:
    text = " ".join(repr(value).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _percent(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.2f}"
