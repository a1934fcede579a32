"""Learned noise: how often a field differs when a system is compared with itself.

Feed it comparisons of the primary against a second primary (or repeated reads of the same resource):
``observe(route, diffs)`` counts one comparison of that route and each (generalized) field path that
differed in it; ``observe_route(route)`` counts a comparison without differences. A field's volatility is
the share of a route's comparisons in which it differed. ``explain`` then suppresses a difference only if
it is non-structural, its route was observed at least ``min_observations`` times and its field's
volatility reaches ``threshold``. A structural difference (missing or extra key, array length, type,
status, error shape) is never suppressed, however often it was seen.

Routes are keyed ``"METHOD /template"`` (``route_key``); paths are generalized (array indices and UUID
references become ``*``) so the same field in another element counts as the same field. The model is
plain data: ``to_json``/``from_json`` round-trip it exactly.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from comparators.paths import generalize_pointer
from comparators.result import Diff, Verdict

__all__ = ["NoiseModel", "NoiseModelError", "route_key"]


class NoiseModelError(ValueError):
    """A text that is no noise model; the message is one line naming the first problem."""


def route_key(method: str, template: str) -> str:
    return f"{method.upper()} {template}"


class NoiseModel(BaseModel):
    """Volatility per (route, generalized path). Not thread-safe: give each worker its own, or lock."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True)

    threshold: float = Field(default=0.5, gt=0, le=1)
    min_observations: int = Field(default=5, ge=1)
    routes: dict[str, int] = Field(default_factory=dict)  # route → comparisons observed
    fields: dict[str, dict[str, int]] = Field(default_factory=dict)  # route → path → comparisons it differed in

    def observe_route(self, route: str) -> None:
        self.routes[route] = self.routes.get(route, 0) + 1

    def observe(self, route: str, diffs: Iterable[Diff]) -> None:
        """One self-comparison of ``route`` whose differences were ``diffs``."""
        self.observe_route(route)
        counts = self.fields.setdefault(route, {})
        for path in {generalize_pointer(diff.path) for diff in diffs}:
            counts[path] = counts.get(path, 0) + 1

    def observe_verdict(self, verdict: Verdict) -> None:
        """A verdict of a self-comparison (explained differences count too: they were differences)."""
        self.observe(route_key(verdict.method, verdict.route), (*verdict.diffs, *verdict.explained))

    def volatility(self, route: str, path: str) -> float:
        seen = self.routes.get(route, 0)
        if not seen:
            return 0.0
        return self.fields.get(route, {}).get(generalize_pointer(path), 0) / seen

    def explain(self, route: str, diffs: Sequence[Diff]) -> tuple[list[Diff], list[Diff]]:
        """(explained, remaining): explained ones carry a ``noise:`` note with the evidence."""
        seen = self.routes.get(route, 0)
        explained: list[Diff] = []
        remaining: list[Diff] = []
        for diff in diffs:
            share = self.volatility(route, diff.path)
            if diff.structural or seen < self.min_observations or share < self.threshold:
                remaining.append(diff)
                continue
            note = f"noise: differed in {share:.0%} of {seen} self-comparisons"
            explained.append(diff.model_copy(update={"note": note}))
        return explained, remaining

    def volatile(self) -> list[tuple[str, str, float, int]]:
        """What ``explain`` would suppress when non-structural: (route, generalized path, share of the route's
        self-comparisons it differed in, comparisons observed), most volatile first."""
        found = []
        for route, counts in self.fields.items():
            seen = self.routes.get(route, 0)
            if seen < self.min_observations:
                continue
            for path, differed in counts.items():
                if differed / seen >= self.threshold:
                    found.append((route, path, differed / seen, seen))
        return sorted(found, key=lambda row: (-row[2], row[0], row[1]))

    def to_json(self) -> str:
        return self.model_dump_json()

    @classmethod
    def from_json(cls, text: str | bytes) -> NoiseModel:
        try:
            return cls.model_validate_json(text)
        except ValidationError as exc:
            raise NoiseModelError(_first_error(exc)) from None

    @classmethod
    def configured(cls, *, threshold: float, min_observations: int) -> NoiseModel:
        """An empty model with these settings; ``NoiseModelError`` (one line) for values out of range."""
        try:
            return cls(threshold=threshold, min_observations=min_observations)
        except ValidationError as exc:
            raise NoiseModelError(_first_error(exc)) from None


def _first_error(exc: ValidationError) -> str:
    error = exc.errors()[0]
    where = ".".join(str(part) for part in error["loc"])
    return f"{where}: {error['msg']}" if where else error["msg"]
