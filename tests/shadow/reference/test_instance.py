from __future__ import annotations

import os
import time
from pathlib import Path

import httpx

from shadow.reference.agent import attempt_body
from shadow.reference.instance import WORKTREES_DIR, Instance, session_members, start_instance


def test_instance_is_isolated_and_cleaned_up(tmp_path: Path) -> None:
    instance = start_instance()
    home = instance.home
    try:
        assert (home / ".gitconfig").read_text().count("email") == 1
        health = httpx.get(f"{instance.base_url}/api/health").json()
        assert health == {"success": True, "data": "OK", "error_data": None, "message": None}
        assert instance.db_path.exists()
    finally:
        instance.stop()
    assert instance.process.returncode is not None
    assert not home.exists()


def test_two_instances_use_different_ports_and_homes() -> None:
    first = start_instance()
    second = start_instance()
    try:
        assert first.port != second.port
        assert first.home != second.home
        ids = [{t["id"] for t in httpx.get(f"{i.base_url}/api/templates").json()["data"]} for i in (first, second)]
        assert ids[0] and ids[0].isdisjoint(ids[1])  # seeded template ids are random per database
    finally:
        first.stop()
        second.stop()


def test_stop_removes_own_worktrees_and_children(primary: Instance, tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    with httpx.Client(base_url=primary.base_url, timeout=30) as client:
        project = client.post(
            "/api/projects",
            json={"name": "p", "git_repo_path": str(repo), "use_existing_repo": False, "dev_script": "sleep 300"},
        ).json()["data"]
        task = client.post("/api/tasks", json={"project_id": project["id"], "title": "Idle"}).json()["data"]
        attempt = client.post("/api/task-attempts", json=attempt_body(task["id"])).json()["data"]
        client.post(f"/api/task-attempts/{attempt['id']}/start-dev-server")
        deadline = time.monotonic() + 20
        worktree = None
        while time.monotonic() < deadline and worktree is None:
            worktree = client.get(f"/api/task-attempts/{attempt['id']}").json()["data"]["container_ref"]
            time.sleep(0.2)
    assert worktree is not None and Path(worktree).parent == WORKTREES_DIR and Path(worktree).is_dir()
    members = session_members(primary.pid)
    assert members, "the dev server should run in the server's session"
    primary.stop()
    assert not Path(worktree).exists()
    for pid in members:
        assert not _alive(pid), f"child {pid} of the server survived stop()"


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    stat = Path(f"/proc/{pid}/stat")
    return stat.exists() and stat.read_text().split(") ")[1][0] != "Z"
