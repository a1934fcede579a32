"""Replay against real instances (one primary, one candidate), and capture reading."""

from __future__ import annotations

import json
import socket
import subprocess
import time
import uuid
from pathlib import Path

import httpx
import orjson
import pytest

from comparators.message import HttpRequest
from shadow.config import load_settings
from shadow.errors import CaptureError
from shadow.launch import mitmdump_path
from shadow.reference.instance import WORKTREES_DIR, Instance, free_port
from shadow.replay import Captured, _flows_to_har, read_capture, replay
from shadow.service import build_pipeline
from tests.factories import tresponse
from tests.faults import FaultServer

JSON = (("content-type", "application/json"),)


def post(path: str, document: object) -> HttpRequest:
    return HttpRequest(method="POST", path=path, headers=JSON, body=orjson.dumps(document))


def get(path: str, query: str = "") -> HttpRequest:
    return HttpRequest(method="GET", path=path, query=query)


async def test_replay_maps_capture_ids_to_the_primary_and_compares(
    primary_pair: tuple[Instance, Instance], tmp_path: Path
) -> None:
    primary, candidate = primary_pair
    for side in ("p", "c"):
        (tmp_path / side).mkdir()
    captured_project = str(uuid.uuid4())  # the id the capture-time backend had minted
    envelope = {
        "success": True,
        "data": {"id": captured_project, "name": "replayed"},
        "error_data": None,
        "message": None,
    }
    repo = str(tmp_path / "p" / "repo")
    corpus = [
        Captured(get("/api/health")),
        Captured(
            post("/api/projects", {"name": "replayed", "git_repo_path": repo, "use_existing_repo": False}),
            tresponse(json=envelope),
        ),
        Captured(get(f"/api/projects/{captured_project}")),
        Captured(post("/api/tasks", {"project_id": captured_project, "title": "from a capture"})),
        Captured(get("/api/tasks", f"project_id={captured_project}")),
    ]
    settings = load_settings(
        candidate=candidate.base_url,
        offload=False,
        candidate_rewrites={str(tmp_path / "p"): str(tmp_path / "c")},
        primary_prefixes={"WORK": str(tmp_path / "p"), "HOME": str(primary.home), "WORKTREES": str(WORKTREES_DIR)},
        candidate_prefixes={"WORK": str(tmp_path / "c"), "HOME": str(candidate.home), "WORKTREES": str(WORKTREES_DIR)},
        eventual={"window": 5},
    )
    pipeline = build_pipeline(settings)
    await pipeline.start()
    advanced: list[int] = []
    report = await replay(corpus, primary=primary.base_url, pipeline=pipeline, advance=advanced.append)
    await pipeline.stop()
    assert report.sent == 5 and report.primary_errors == [] and report.drained and sum(advanced) == 5
    assert report.counts == {"match": 5}
    with httpx.Client(base_url=primary.base_url) as client:
        [project] = client.get("/api/projects").json()["data"]
        [task] = client.get("/api/tasks", params={"project_id": project["id"]}).json()["data"]
    assert project["id"] != captured_project and task["title"] == "from a capture"


def test_unreadable_captures_are_one_clear_line(tmp_path: Path) -> None:
    with pytest.raises(CaptureError, match="cannot read"):
        read_capture(tmp_path / "missing.har")
    garbage = tmp_path / "garbage.mitm"
    garbage.write_bytes(b"12:not a flow dump at all")
    with pytest.raises(CaptureError, match="not a HAR file nor a readable mitmproxy flow dump") as info:
        read_capture(garbage)
    assert "\n" not in str(info.value)


async def test_a_flow_dump_becomes_har_through_mitmdump(tmp_path: Path) -> None:
    dump, har = tmp_path / "flows.mitm", tmp_path / "flows.har"
    async with FaultServer("ok") as upstream:
        port = free_port()
        argv = [mitmdump_path(), "-q", "--mode", f"reverse:{upstream.url}@127.0.0.1:{port}", "-w", str(dump)]
        proxy = subprocess.Popen(argv)
        try:
            for _ in range(100):
                try:
                    socket.create_connection(("127.0.0.1", port), timeout=1).close()
                    break
                except OSError:
                    time.sleep(0.1)
            async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as client:
                await client.get("/api/health")
                await client.post("/api/tasks", json={"title": "t"})
        finally:
            proxy.terminate()
            proxy.wait(20)
    _flows_to_har(dump, har)
    entries = json.loads(har.read_text())["log"]["entries"]
    assert [(e["request"]["method"], e["response"]["status"]) for e in entries] == [("GET", 200), ("POST", 200)]
