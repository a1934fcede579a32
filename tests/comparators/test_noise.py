from __future__ import annotations

import pytest
from pydantic import ValidationError

from comparators.noise import NoiseModel, NoiseModelError, route_key
from comparators.result import Diff, DiffKind, Verdict, VerdictKind

ROUTE = route_key("get", "/api/tasks")


def value(path: str) -> Diff:
    return Diff(path=path, kind=DiffKind.VALUE, primary="a", candidate="b")


def test_route_key() -> None:
    assert ROUTE == "GET /api/tasks"


def test_volatile_fields_are_explained_once_seen_often_enough() -> None:
    model = NoiseModel(threshold=0.5, min_observations=4)
    for index in range(4):
        model.observe(ROUTE, [value(f"/body/data/{index}/last_modified")] if index % 4 != 3 else [])
    assert model.volatility(ROUTE, "/body/data/9/last_modified") == 0.75
    explained, remaining = model.explain(ROUTE, [value("/body/data/7/last_modified"), value("/body/data/7/title")])
    assert [d.path for d in explained] == ["/body/data/7/last_modified"]
    assert explained[0].note == "noise: differed in 75% of 4 self-comparisons"
    assert [d.path for d in remaining] == ["/body/data/7/title"]


def test_nothing_is_explained_before_enough_observations() -> None:
    model = NoiseModel(threshold=0.1, min_observations=5)
    for _ in range(4):
        model.observe(ROUTE, [value("/body/x")])
    assert model.explain(ROUTE, [value("/body/x")]) == ([], [value("/body/x")])
    model.observe_route(ROUTE)
    assert model.explain(ROUTE, [value("/body/x")])[1] == []


@pytest.mark.parametrize(
    "kind", [DiffKind.MISSING, DiffKind.EXTRA, DiffKind.LENGTH, DiffKind.TYPE, DiffKind.STATUS, DiffKind.ERROR_SHAPE]
)
def test_structural_differences_are_never_explained(kind: DiffKind) -> None:
    model = NoiseModel(threshold=0.1, min_observations=1)
    structural = Diff(path="/body/data/0/x", kind=kind)
    for _ in range(50):
        model.observe(ROUTE, [structural])
    assert model.volatility(ROUTE, structural.path) == 1.0
    assert model.explain(ROUTE, [structural]) == ([], [structural])


def test_routes_are_separate() -> None:
    model = NoiseModel(threshold=0.5, min_observations=1)
    model.observe(ROUTE, [value("/body/x")])
    assert model.explain(route_key("GET", "/api/projects"), [value("/body/x")])[0] == []


def test_observing_verdicts_counts_explained_differences_too() -> None:
    model = NoiseModel(min_observations=1)
    verdict = Verdict(
        kind=VerdictKind.NOISE, method="GET", route="/api/tasks", group="tasks", explained=(value("/body/data/0/x"),)
    )
    model.observe_verdict(verdict)
    assert model.volatility(ROUTE, "/body/data/5/x") == 1.0


def test_json_round_trip_is_exact() -> None:
    model = NoiseModel(threshold=0.8, min_observations=3)
    model.observe(ROUTE, [value("/body/data/1/a"), value("/body/data/2/a")])
    model.observe_route(ROUTE)
    again = NoiseModel.from_json(model.to_json())
    assert again == model
    assert again.fields == {ROUTE: {"/body/data/*/a": 1}}


def test_bad_settings_are_refused() -> None:
    with pytest.raises(ValidationError):
        NoiseModel(threshold=0)
    with pytest.raises(NoiseModelError, match=r"^routes\.GET /x: Input should be a valid integer"):
        NoiseModel.from_json('{"routes": {"GET /x": "many"}}')
    with pytest.raises(NoiseModelError, match="Invalid JSON"):
        NoiseModel.from_json("{not json")


def test_volatile_lists_what_explain_would_suppress_most_volatile_first() -> None:
    model = NoiseModel(threshold=0.5, min_observations=2)
    model.observe(ROUTE, [value("/body/data/0/a"), value("/body/data/0/b")])
    model.observe(ROUTE, [value("/body/data/3/a")])
    model.observe("GET /api/projects", [value("/body/data/0/c")])  # one observation: below the minimum
    assert model.volatile() == [(ROUTE, "/body/data/*/a", 1.0, 2), (ROUTE, "/body/data/*/b", 0.5, 2)]
    explained, remaining = model.explain(ROUTE, [value("/body/data/7/b")])
    assert [diff.path for diff in explained] == ["/body/data/7/b"] and not remaining
