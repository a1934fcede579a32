"""Two real vibe-kanban instances, one as primary and one as candidate, behind the real ``parity proxy``:
a workload of creates, updates, reads, deletes, an agent run and event-stream reads goes *through the
proxy*. The system compared with itself must come out at parity; ids must be correlated (candidate
requests rewritten), writes must reach the candidate in order, and no secret may be stored readable.
Then the whole workflow driver, every family, through the proxy with the demo's own settings (each backend
in its own mirrored copy of the work directory): at least 98 % at parity, every other exchange printed with
its cause."""

from __future__ import annotations

import os
import subprocess
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from shadow.reference.agent import AGENT_EXECUTOR, AGENT_VARIANT
from shadow.reference.instance import WORKTREES_DIR, Instance
from tests.e2e.proxy_run import ProxyRun, running_proxy

pytestmark = pytest.mark.e2e

SECRET = "ghp_ShadowParityE2eSecretToken0123456789"
PARITY_VERDICTS = {"match", "noise", "converged", "intended"}
GIT_DATES = {"GIT_AUTHOR_DATE": "2025-01-02T00:00:00Z", "GIT_COMMITTER_DATE": "2025-01-02T00:00:00Z"}


def make_repo(path: Path) -> Path:
    """The same repository on each side (same content, same dates: the same commit SHAs)."""
    path.mkdir(parents=True)
    env = {**os.environ, **GIT_DATES, "GIT_CONFIG_GLOBAL": "/dev/null"}
    identity = ["-c", "user.name=Parity Workload", "-c", "user.email=parity@example.invalid"]
    (path / "README.md").write_text("# shadow parity e2e\n")
    for argv in (["init", "-q", "-b", "main"], ["add", "."], ["commit", "-q", "-m", "initial"]):
        subprocess.run(["git", *identity, *argv], cwd=path, env=env, check=True)
    return path


def ok(response: httpx.Response) -> Any:
    assert response.status_code == 200, (response.request.method, response.request.url, response.text)
    envelope = response.json()
    assert envelope["success"], envelope
    return envelope["data"]


def wait_for_review(client: httpx.Client, task_id: str, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if ok(client.get(f"/api/tasks/{task_id}"))["status"] == "inreview":
            return
        time.sleep(0.5)
    raise AssertionError(f"task {task_id} did not reach inreview within {timeout}s")


def read_stream(client: httpx.Client, path: str, seconds: float) -> bytes:
    body = b""
    try:
        with client.stream("GET", path, timeout=httpx.Timeout(10, read=seconds)) as response:
            for chunk in response.iter_raw():
                body += chunk
    except httpx.ReadTimeout:
        pass
    return body


def refresh(client: httpx.Client, project_id: str) -> None:
    """What the UI re-reads after a change: the board's lists."""
    ok(client.get("/api/projects"))
    ok(client.get("/api/tasks", params={"project_id": project_id}))
    ok(client.get("/api/templates"))


def workload(client: httpx.Client, repo: Path) -> dict[str, Any]:
    """Every route family the proxy must carry, in the order a user would go."""
    ok(client.get("/api/health"))
    info = ok(client.get("/api/info"))
    assert client.get("/api/config").status_code == 405
    config = {**info["config"], "disclaimer_acknowledged": True, "onboarding_acknowledged": True}
    config["github"] = {**config["github"], "pat": SECRET}
    ok(client.put("/api/config", json=config))
    ok(client.get("/api/profiles"))
    ok(client.get("/api/templates"))  # the seeded templates: random ids per database, learned here
    project = ok(
        client.post("/api/projects", json={"name": "parity", "git_repo_path": str(repo), "use_existing_repo": True})
    )
    ok(client.get("/api/projects"))
    ok(client.get(f"/api/projects/{project['id']}"))
    ok(client.get(f"/api/projects/{project['id']}/branches"))
    tasks = [
        ok(
            client.post(
                "/api/tasks", json={"project_id": project["id"], "title": f"task {n}", "description": f"number {n}"}
            )
        )
        for n in range(1, 4)
    ]
    ok(client.put(f"/api/tasks/{tasks[1]['id']}", json={"title": "task 2 renamed"}))
    refresh(client, project["id"])
    ok(client.put(f"/api/tasks/{tasks[2]['id']}", json={"status": "cancelled"}))
    refresh(client, project["id"])
    for task in tasks:
        ok(client.get(f"/api/tasks/{task['id']}"))
        ok(client.get(f"/api/images/task/{task['id']}"))
        ok(client.get("/api/task-attempts", params={"task_id": task["id"]}))
    ok(client.get(f"/api/projects/{project['id']}/search", params={"q": "readme"}))
    ok(client.get("/api/filesystem/directory", params={"path": str(repo.parent)}))
    assert client.get("/api/sounds/COW_MOOING").status_code == 200
    template = ok(
        client.post(
            "/api/templates",
            json={"project_id": project["id"], "title": "tmpl", "description": None, "template_name": "mine"},
        )
    )
    ok(client.put(f"/api/templates/{template['id']}", json={"title": "tmpl 2"}))
    ok(client.get("/api/templates", params={"project_id": project["id"]}))
    ok(client.delete(f"/api/templates/{template['id']}"))
    ok(client.delete(f"/api/tasks/{tasks[2]['id']}"))
    refresh(client, project["id"])
    assert client.get(f"/api/tasks/{uuid.uuid4()}").status_code == 404  # shape D
    assert client.get("/api/tasks/not-a-uuid").status_code == 400  # shape E
    assert client.post("/api/tasks", json={"project_id": str(uuid.uuid4()), "title": "x"}).status_code == 500  # C
    attempt = ok(
        client.post(
            "/api/task-attempts",
            json={
                "task_id": tasks[0]["id"],
                "executor_profile_id": {"executor": AGENT_EXECUTOR, "variant": AGENT_VARIANT},
                "base_branch": "main",
            },
        )
    )
    wait_for_review(client, tasks[0]["id"])
    refresh(client, project["id"])
    processes = ok(client.get("/api/execution-processes", params={"task_attempt_id": attempt["id"]}))
    for process in processes:
        ok(client.get(f"/api/execution-processes/{process['id']}"))
    ok(client.get(f"/api/task-attempts/{attempt['id']}"))
    ok(client.get(f"/api/task-attempts/{attempt['id']}/branch-status"))
    ok(client.get(f"/api/task-attempts/{attempt['id']}/children"))
    read_stream(client, f"/api/execution-processes/{processes[-1]['id']}/normalized-logs", 2.0)
    read_stream(client, "/api/events", 2.0)
    return {"project": project, "tasks": tasks, "attempt": attempt}


@pytest.fixture
def shadowed(
    primary_pair: tuple[Instance, Instance], tmp_path: Path
) -> Iterator[tuple[ProxyRun, Instance, Instance, Path]]:
    primary, candidate = primary_pair
    work_p, work_c = tmp_path / "work-primary", tmp_path / "work-candidate"
    make_repo(work_p / "repo")
    make_repo(work_c / "repo")
    settings = {
        "candidate_timeout": 15,
        "candidate_rewrites": {str(work_p): str(work_c)},  # each backend works in its own copy of the repo
        "primary_prefixes": {"WORK": str(work_p), "HOME": str(primary.home), "WORKTREES": str(WORKTREES_DIR)},
        "candidate_prefixes": {"WORK": str(work_c), "HOME": str(candidate.home), "WORKTREES": str(WORKTREES_DIR)},
        "stream": {"max_seconds": 2.0},
        "eventual": {"window": 20, "first_delay": 0.2, "factor": 1.5},
        "drain_seconds": 30,  # on stop, let re-reads still in their window finish
        # The candidate runs the agent after the primary (the shadow's lag): its log stream may not be
        # there yet when the primary's is read.
        "eventual_routes": ["/api/execution-processes/{id}/normalized-logs"],
    }
    with running_proxy(primary.base_url, candidate.base_url, tmp_path / "proxy", settings=settings) as proxy:
        yield proxy, primary, candidate, work_p / "repo"


def test_the_system_against_itself_is_at_parity_through_the_proxy(
    shadowed: tuple[ProxyRun, Instance, Instance, Path],
) -> None:
    proxy, primary, candidate, repo = shadowed
    with httpx.Client(base_url=proxy.url, timeout=30) as client:
        made = workload(client, repo)
    proxy_rows = _stopped_rows(proxy)
    log = proxy.log_text()

    verdicts = [row["verdict"] for row in proxy_rows]
    parity = sum(v in PARITY_VERDICTS for v in verdicts) / len(verdicts)
    failing = [
        (r["method"], r["route"], r["verdict"], r["reason"], r["diffs"][:300])
        for r in proxy_rows
        if r["verdict"] not in PARITY_VERDICTS
    ]
    assert len(proxy_rows) >= 50, log
    # The event feed's own races (phantom deletes: NOISE §2) are the comparator's to tolerate; everything
    # else must be at parity, one by one, and the whole at least 98 %.
    assert [f for f in failing if f[1] != "/api/events"] == []
    assert parity >= 0.98, failing

    # Ids were correlated: the candidate minted its own ids, and requests naming the primary's were
    # rewritten (a GET of the primary's project id on the candidate would have been a 404 otherwise).
    with httpx.Client(base_url=candidate.base_url, timeout=10) as direct:
        [candidate_project] = ok(direct.get("/api/projects"))
        assert candidate_project["id"] != made["project"]["id"]
        by_id = [r for r in proxy_rows if r["route"] == "/api/projects/{id}" and r["method"] == "GET"]
        assert by_id and all(r["verdict"] == "match" and r["candidate_status"] == 200 for r in by_id)
        # Writes arrived in the primary's order: created 1, 2, 3; 2 renamed after its creation; 3 deleted.
        titles = [t["title"] for t in ok(direct.get("/api/tasks", params={"project_id": candidate_project["id"]}))]
    with httpx.Client(base_url=primary.base_url, timeout=10) as direct:
        primary_titles = [
            t["title"] for t in ok(direct.get("/api/tasks", params={"project_id": made["project"]["id"]}))
        ]
    assert titles == primary_titles == ["task 2 renamed", "task 1"]

    # The GitHub token went to both backends, but the evidence store keeps no readable copy of it.
    assert SECRET in (candidate.home / ".local/share/vibe-kanban/config.json").read_text()
    for path in proxy.store.parent.glob(proxy.store.name + "*"):
        assert SECRET.encode() not in path.read_bytes(), path


def _stopped_rows(proxy: ProxyRun) -> list[dict[str, Any]]:
    from tests.e2e.proxy_run import stop

    stop(proxy)  # drains the worker and flushes the store
    return proxy.comparisons()


# What still differs when the system is compared with itself through the proxy, and why (seen in every run
# or in some; each is a limit of shadowing or of the comparison, none a difference between the backends).
KNOWN_CAUSES = {
    "GET /api/containers/info": "the ref is the primary's worktree path, vk-<4 hex of the attempt id>-<slug>: an id "
    "derived from another id, which the proxy's correlation (whole UUIDs) does not rewrite",
    "GET /api/filesystem/git-repos": "last_modified is an age in seconds at request time (CONTRACT-CORRECTIONS 12) and "
    "the candidate is asked later, by the shadow's lag; sometimes a second boundary lies between",
    "GET /api/events": "the feed's own races (phantom deletes, late reads: NOISE 2-3) that the comparator does not "
    "absorb entirely",
    "POST /api/task-attempts/{id}/rebase": "the reference's own race: the commit after the follow-up's cleanup script "
    "can land after its process reads as completed, so one side still finds uncommitted changes (cleanup.log)",
}


def test_the_whole_workflow_runs_through_the_proxy_at_parity(
    primary_pair: tuple[Instance, Instance], tmp_path: Path
) -> None:
    """The workflow driver, every family, through the proxy, with the demo's own settings: the driver builds
    its repositories and files in the primary's work directory and identically in the candidate's, the proxy
    rewrites the one into the other in candidate requests, and each side's WORK, HOME and WORKTREES are
    masked. A system compared with itself this way must be at parity: at least 98 % of the judged exchanges
    in the store (every remaining one is printed with its verdict, reason and diffs)."""
    from shadow.demo import proxy_settings
    from shadow.workload import ALL
    from shadow.workload.driver import run_workflow
    from shadow.workload.recorder import HarRecorder

    primary, candidate = primary_pair
    work = (tmp_path / "work-primary", tmp_path / "work-candidate")
    settings = proxy_settings(work=work, homes=(primary.home, candidate.home), worktrees=(WORKTREES_DIR, WORKTREES_DIR))
    with running_proxy(primary.base_url, candidate.base_url, tmp_path / "proxy", settings=settings) as proxy:
        recorder = HarRecorder(backend="proxy", base_url=proxy.url)
        report = run_workflow(proxy.url, workdir=work[0], mirror_workdirs=[work[1]], recorder=recorder)
        rows = _stopped_rows(proxy)
    assert report.families == tuple(sorted(ALL, key=report.families.index))
    assert report.problems() == []
    # Every exchange the client made was judged and kept (nothing shed, nothing lost in the drain).
    assert len(rows) == report.requests >= 200
    assert not [r for r in rows if r["verdict"] == "shed"]
    failing = [r for r in rows if r["verdict"] not in PARITY_VERDICTS]
    for row in failing:
        cause = KNOWN_CAUSES.get(f"{row['method']} {row['route']}", "UNEXPLAINED")
        print(f"- {row['method']} {row['route']}: {row['verdict']} ({row['reason']}): {row['diffs'][:300]}")
        print(f"    cause: {cause}")
    parity = 1 - len(failing) / len(rows)
    print(f"through the proxy: {len(rows) - len(failing)}/{len(rows)} at parity ({100 * parity:.2f} %)")
    assert parity >= 0.98
    # The candidate really worked in its own copy: its projects point there, never at the primary's.
    with httpx.Client(base_url=candidate.base_url, timeout=10) as direct:
        paths = [project["git_repo_path"] for project in ok(direct.get("/api/projects"))]
    assert paths and all(path.startswith(str(work[1])) for path in paths)
