from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import promql_parser
import pytest
from prometheus_client import CollectorRegistry
from prometheus_client.parser import text_string_to_metric_families

from comparators.result import VerdictKind
from shadow.metrics import OTHER, LabelGuard, Metrics, serve

DASHBOARDS = Path(__file__).resolve().parents[2] / "dashboards"


@pytest.fixture
def registry() -> CollectorRegistry:
    return CollectorRegistry()


def _exercise(metrics: Metrics) -> None:
    """Touch every metric once, so every series family has samples."""
    metrics.exchange("tasks", "get", VerdictKind.MATCH)
    metrics.latency("primary", "tasks", 0.002)
    metrics.latency("candidate", "tasks", 0.3)
    metrics.inflight(3)
    metrics.shed("tasks")
    metrics.breaker("open")
    metrics.correlation_size(12)
    metrics.store_errors()
    metrics.store_dropped(2)
    metrics.flag_percentage("tasks", 25)


def _series(registry: CollectorRegistry, sample_name: str) -> list[dict[str, str]]:
    return [s.labels for family in registry.collect() for s in family.samples if s.name == sample_name]


def test_scrape_over_http_in_prometheus_text_format(registry: CollectorRegistry) -> None:
    metrics = Metrics(registry)
    _exercise(metrics)
    metrics.exchange("tasks", "GET", "match")
    server = serve(0, registry)
    try:
        response = httpx.get(f"http://127.0.0.1:{server.port}/metrics", timeout=5)
    finally:
        server.close()
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/plain")
    families = {f.name: f for f in text_string_to_metric_families(response.text)}
    samples = {(s.name, tuple(sorted(s.labels.items()))): s.value for f in families.values() for s in f.samples}
    assert samples[("shadow_exchanges_total", (("group", "tasks"), ("method", "GET"), ("verdict", "match")))] == 2
    assert samples[("shadow_latency_seconds_count", (("group", "tasks"), ("side", "candidate")))] == 1
    assert samples[("shadow_latency_seconds_bucket", (("group", "tasks"), ("le", "0.005"), ("side", "primary")))] == 1
    assert samples[("shadow_inflight", ())] == 3
    assert samples[("shadow_shed_total", (("group", "tasks"),))] == 1
    assert {k[1][0][1]: v for k, v in samples.items() if k[0] == "shadow_breaker_state"} == {
        "closed": 0, "open": 1, "half_open": 0}  # fmt: skip
    assert samples[("shadow_correlation_size", ())] == 12
    assert samples[("shadow_store_errors_total", ())] == 1
    assert samples[("shadow_store_dropped_total", ())] == 2
    assert samples[("shadow_flag_percentage", (("group", "tasks"),))] == 25
    assert families["shadow_latency_seconds"].type == "histogram"


def test_ten_thousand_distinct_paths_stay_a_bounded_number_of_series(registry: CollectorRegistry) -> None:
    metrics = Metrics(registry, max_groups=16)
    for i in range(10_000):
        fake_path = f"/api/tasks/{i:08x}-1111-2222-3333-{i:012x}"
        metrics.exchange(fake_path, "GET", "mismatch")
        metrics.latency("primary", fake_path, 0.01)
        metrics.shed(f"group_{chr(97 + i % 26)}{i}")  # name-like values: only the first 16 get a series
        metrics.exchange("tasks", f"M{i}", f"v{i}")
    exchanges = _series(registry, "shadow_exchanges_total")
    assert sorted(map(str, exchanges)) == sorted(
        map(str, [{"group": OTHER, "method": "GET", "verdict": "mismatch"}, {"group": "tasks", "method": OTHER,
                                                                             "verdict": OTHER}])
    )  # fmt: skip
    assert len(_series(registry, "shadow_shed_total")) == 16  # 16 admitted names, one is "tasks"; plus other
    assert _series(registry, "shadow_latency_seconds_count") == [{"side": "primary", "group": OTHER}]


def test_known_groups_are_the_only_group_labels(registry: CollectorRegistry) -> None:
    metrics = Metrics(registry, groups=["tasks", "projects"])
    for group in ["tasks", "projects", "unheard_of", "/api/x"]:
        metrics.exchange(group, "POST", VerdictKind.MISMATCH)
    assert sorted(s["group"] for s in _series(registry, "shadow_exchanges_total")) == [OTHER, "projects", "tasks"]


@pytest.mark.parametrize(
    ("value", "expected"),
    [("tasks", "tasks"), ("task_attempts", "task_attempts"), ("/api/tasks", OTHER), ("123456", OTHER),
     ("3f2a9c1e7b", OTHER), ("Tasks", OTHER), ("", OTHER), ("x" * 41, OTHER)],
)  # fmt: skip
def test_label_guard_admits_names_only(value: str, expected: str) -> None:
    assert LabelGuard()(value) == expected


def test_bad_values_are_refused_loudly(registry: CollectorRegistry) -> None:
    metrics = Metrics(registry)
    with pytest.raises(ValueError, match="unknown breaker state 'ajar'"):
        metrics.breaker("ajar")
    with pytest.raises(ValueError, match=r"within 0\.\.100"):
        metrics.flag_percentage("tasks", 120)
    assert _series(registry, "shadow_breaker_state") == [{"state": s} for s in ("closed", "open", "half_open")]


def test_metrics_live_on_the_registry_given(registry: CollectorRegistry) -> None:
    Metrics(registry)
    Metrics(CollectorRegistry())  # a second instance on another registry: no duplicate-registration error
    with pytest.raises(ValueError, match="Duplicated timeseries"):
        Metrics(registry)


# -- dashboards ---------------------------------------------------------------------------------------


def _selectors(node: Any) -> Iterator[Any]:
    """Every vector selector in a parsed PromQL expression."""
    if isinstance(node, promql_parser.VectorSelector):
        yield node
    elif isinstance(node, promql_parser.MatrixSelector):
        yield node.vector_selector
    elif isinstance(node, promql_parser.BinaryExpr):
        yield from _selectors(node.lhs)
        yield from _selectors(node.rhs)
    elif isinstance(node, promql_parser.Call):
        for arg in node.args:
            yield from _selectors(arg)
    elif isinstance(node, promql_parser.AggregateExpr | promql_parser.ParenExpr | promql_parser.UnaryExpr |
                    promql_parser.SubqueryExpr):  # fmt: skip
        yield from _selectors(node.expr)


def _defined(registry: CollectorRegistry) -> dict[str, set[str]]:
    """Sample name -> label names, for every sample the Metrics class exposes."""
    out: dict[str, set[str]] = {}
    for family in registry.collect():
        for sample in family.samples:
            out.setdefault(sample.name, set()).update(sample.labels)
    return out


def _queries(dashboard: dict[str, Any]) -> Iterator[str]:
    for panel in dashboard["panels"]:
        for target in panel["targets"]:
            yield target["expr"]
    for variable in dashboard["templating"]["list"]:
        if variable["type"] == "query":
            yield variable["definition"].removeprefix("label_values(").split(",")[0]


@pytest.mark.parametrize("path", sorted(DASHBOARDS.glob("*.json")), ids=lambda p: p.name)
def test_dashboards_use_only_metrics_defined_here(path: Path, registry: CollectorRegistry) -> None:
    _exercise(Metrics(registry))
    defined = _defined(registry)
    dashboard = json.loads(path.read_text())
    queries = list(_queries(dashboard))
    assert len(queries) >= 10
    used = set()
    for query in queries:
        # Grafana substitutes its variables before Prometheus sees the query; do the same here.
        expr = promql_parser.parse(query.replace("$__rate_interval", "5m"))
        for selector in _selectors(expr):
            assert selector.name in defined, f"{path.name}: {selector.name} is not defined in shadow/metrics.py"
            labels = {m.name for m in selector.matchers.matchers}
            assert labels <= defined[selector.name], f"{path.name}: {selector.name} has no label {labels}"
            used.add(selector.name)
    families = {name.removesuffix("_total").removesuffix("_bucket").removesuffix("_sum").removesuffix("_count")
                for name in used}  # fmt: skip
    assert families >= {"shadow_exchanges", "shadow_latency_seconds", "shadow_inflight", "shadow_shed",
                        "shadow_breaker_state", "shadow_flag_percentage"}  # fmt: skip
