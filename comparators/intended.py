"""Intended divergences: documented, expiring differences the candidate is allowed to have.

A machine-readable list (``profiles/intended_divergences.yaml`` is shipped; its header documents the
schema). An entry covers a difference when method and route template are its own, the difference's path
matches one of its ``paths`` patterns (``paths.py`` syntax, rooted at the exchange: ``/status``,
``/body/data/**``) and, when ``kinds`` is given, its kind is listed. An entry past its ``expires`` date
covers nothing and is reported as expired, so a forgotten exception turns back into a mismatch.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from importlib import resources
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, ValidationError, field_validator, model_validator

from comparators.paths import PathSet
from comparators.result import Diff, DiffKind
from comparators.routes import parse_template

__all__ = [
    "INTENDED_RESOURCE",
    "IntendedDivergence",
    "IntendedDivergences",
    "IntendedError",
    "IntendedOutcome",
    "load_intended",
    "parse_intended",
]

INTENDED_RESOURCE = "intended_divergences.yaml"
_ID = re.compile(r"[a-z0-9][a-z0-9._-]*")


class IntendedError(ValueError):
    """The intended-divergence list cannot be used (one line: where and why)."""


class IntendedWhen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    path: str
    candidate: str | int | float | bool | None
    note_contains: str | None = None

    def holds(self, diff: Diff) -> bool:
        return (
            diff.path == self.path
            and diff.candidate == self.candidate
            and (self.note_contains is None or self.note_contains in (diff.note or ""))
        )


class IntendedDivergence(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str
    method: str
    route: str
    paths: list[str] = Field(min_length=1)
    kinds: list[DiffKind] = Field(default_factory=list)
    reason: str = Field(min_length=1)
    expires: date
    # Optional guard: the entry applies to an exchange only when one of its differences sits at
    # ``when.path`` with exactly ``when.candidate`` on the candidate's side (e.g. the candidate's refusal
    # message), so a divergence meant for one answer cannot hide unrelated differences on the same route.
    when: IntendedWhen | None = None
    _paths: PathSet = PrivateAttr()

    @field_validator("id")
    @classmethod
    def _slug(cls, value: str) -> str:
        if not _ID.fullmatch(value):
            raise ValueError(f"id must be a lower-case slug: {value!r}")
        return value

    @field_validator("method")
    @classmethod
    def _upper(cls, value: str) -> str:
        return value.upper()

    @field_validator("route")
    @classmethod
    def _template(cls, value: str) -> str:
        parse_template(value)
        return value

    def model_post_init(self, context: object) -> None:
        self._paths = PathSet(self.paths)

    def expired(self, today: date) -> bool:
        return today > self.expires

    def applies(self, diffs: Sequence[Diff]) -> bool:
        if self.when is None:
            return True
        return any(self.when.holds(d) for d in diffs)

    def covers(self, method: str, route: str, diff: Diff) -> bool:
        return (
            method.upper() == self.method
            and route == self.route
            and (not self.kinds or diff.kind in self.kinds)
            and self._paths.matches(diff.path)
        )


@dataclass(frozen=True)
class IntendedOutcome:
    explained: list[Diff] = field(default_factory=list)
    remaining: list[Diff] = field(default_factory=list)
    expired: list[str] = field(default_factory=list)  # ids of expired entries that would have covered a diff


class IntendedDivergences(BaseModel):
    model_config = ConfigDict(frozen=True)

    entries: tuple[IntendedDivergence, ...] = ()

    @model_validator(mode="after")
    def _unique_ids(self) -> IntendedDivergences:
        seen: set[str] = set()
        for entry in self.entries:
            if entry.id in seen:
                raise ValueError(f"intended divergence id {entry.id!r} is listed twice")
            seen.add(entry.id)
        return self

    def explain(self, method: str, route: str, diffs: Sequence[Diff], today: date | None = None) -> IntendedOutcome:
        """Which differences the entries of this method and route cover on ``today`` (default: the current
        date, read only when an entry names the route)."""
        # covers() asks for the entry's own method and route first: the others can be left out at once, and
        # most exchanges are on routes no entry names (then every difference remains, nothing expired).
        method = method.upper()
        own = [e for e in self.entries if e.route == route and e.method == method]
        if not own:
            return IntendedOutcome(remaining=list(diffs))
        today = today or date.today()
        outcome = IntendedOutcome()
        expired: dict[str, None] = {}
        usable = [e for e in own if e.applies(diffs)]
        for diff in diffs:
            entry = next((e for e in usable if e.covers(method, route, diff) and not e.expired(today)), None)
            if entry is not None:
                outcome.explained.append(diff.model_copy(update={"note": f"intended: {entry.id}: {entry.reason}"}))
                continue
            outcome.remaining.append(diff)
            for stale in usable:
                if stale.covers(method, route, diff):
                    expired[f"{stale.id} (expired {stale.expires.isoformat()})"] = None
        outcome.expired.extend(expired)
        return outcome


def parse_intended(text: str, source: str = "<string>") -> IntendedDivergences:
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise IntendedError(f"{source}: not valid YAML: {str(exc).splitlines()[0]}") from None
    if data is None:
        data = []
    if not isinstance(data, list):
        raise IntendedError(f"{source}: expected a list of intended divergences, got {type(data).__name__}")
    try:
        return IntendedDivergences(entries=tuple(data))
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        raise IntendedError(f"{source}: {where}: {first['msg']}") from None


def load_intended(source: str | Path | None = None) -> IntendedDivergences:
    """The shipped list (``source=None``) or a YAML file."""
    if source is None:
        text = resources.files("comparators").joinpath("profiles", INTENDED_RESOURCE).read_text(encoding="utf-8")
        return parse_intended(text, INTENDED_RESOURCE)
    try:
        text = Path(source).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise IntendedError(f"{source}: cannot read: {exc}") from None
    return parse_intended(text, str(source))
