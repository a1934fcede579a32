"""Mirrored writes that time out or break after reaching the candidate are never sent twice: the rows
on the candidate (a real instance, reached through a forwarder that answers late or resets) match the
primary's one for one."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from shadow.reference.instance import Instance
from tests.e2e.proxy_run import running_proxy, stop
from tests.faults import FaultServer

pytestmark = pytest.mark.e2e


def rows(base_url: str) -> tuple[int, list[str]]:
    with httpx.Client(base_url=base_url, timeout=10) as client:
        projects = client.get("/api/projects").json()["data"]
        templates = client.get("/api/templates").json()["data"]
    return len(projects), sorted(t["title"] for t in templates)


@pytest.mark.parametrize(("mode", "error"), [("forward_slow", "timeout"), ("forward_reset", "reset")])
def test_writes_that_may_have_arrived_are_not_resent(
    primary_pair: tuple[Instance, Instance], tmp_path: Path, mode: str, error: str
) -> None:
    primary, candidate = primary_pair
    work_p, work_c = tmp_path / "p", tmp_path / "c"
    settings = {
        "candidate_timeout": 0.5,
        "connect_retries": 3,  # would resend a refused connection, never one that may have arrived
        "breaker": {"failure_threshold": 1000},
        "candidate_rewrites": {str(work_p): str(work_c)},
        "drain_seconds": 20,  # six writes, one at a time, each up to the timeout: let them all finish
    }
    forwarder = FaultServer(mode, delay=1.5, upstream=candidate.base_url)  # type: ignore[arg-type]
    with (
        forwarder.in_thread(),
        running_proxy(primary.base_url, forwarder.url, tmp_path / "proxy", settings=settings) as proxy,
    ):
        with httpx.Client(base_url=proxy.url, timeout=30) as client:
            for n in range(3):
                created = client.post(
                    "/api/projects",
                    json={"name": f"p{n}", "git_repo_path": str(work_p / f"repo{n}"), "use_existing_repo": False},
                )
                assert created.status_code == 200 and created.json()["success"], created.text
                template = {"project_id": None, "title": f"t{n}", "description": None, "template_name": f"n{n}"}
                assert client.post("/api/templates", json=template).json()["success"]
        stop(proxy)
        recorded = proxy.comparisons()
    assert {(r["method"], r["candidate_error"]) for r in recorded} == {("POST", error)}
    assert len(recorded) == 6
    assert [r.method for r in forwarder.requests] == ["POST"] * 6  # each write reached the candidate once
    assert rows(candidate.base_url) == rows(primary.base_url)
    assert rows(candidate.base_url)[0] == 3
