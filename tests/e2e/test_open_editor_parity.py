"""POST /api/projects/{id}/open-editor on a real 0.0.71 primary and on the local candidate, with the same
editor configuration: every answer (status, content type, body) and every editor start (its argv, with the
side's repository path and editor directory masked) must be the same.

Each side gets its own recording editor directory on PATH (``code`` and ``edit``, see
``shadow.reference.recording_editor``), so bare names resolve the way 0.0.71 resolves them. Not compared:
the editor's working directory (the backend process's own: the primary's HOME, the runner's workdir) and its
session (the candidate detaches it on purpose).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

from shadow.candidate import start_candidate
from shadow.reference.instance import start_instance
from shadow.reference.recording_editor import RecordingEditor, install_recording_editor

pytestmark = pytest.mark.e2e

JSON = {"content-type": "application/json"}
CALL_TIMEOUT_S = 10.0


@dataclass
class Side:
    """One backend, its project and its editor directory; ``answers`` and ``starts`` are what it did."""

    client: httpx.Client
    editor: RecordingEditor
    repo: Path
    project_id: str = ""
    default_config: dict[str, Any] = field(default_factory=dict)
    answers: list[tuple[str, int, str | None, str]] = field(default_factory=list)
    starts: list[tuple[str, list[str]]] = field(default_factory=list)

    def mask(self, text: str) -> str:
        return text.replace(str(self.repo), "REPO").replace(str(self.editor.directory), "BIN")

    def unmask(self, text: str) -> str:
        return text.replace("BIN", str(self.editor.directory))

    def setup(self) -> None:
        created = self.client.post(
            "/api/projects", json={"name": "editor", "git_repo_path": str(self.repo), "use_existing_repo": False}
        ).json()
        assert created["success"], created
        self.project_id = created["data"]["id"]
        self.default_config = self.client.get("/api/info").json()["data"]["config"]

    def configure(self, editor_type: str, custom_command: str | None) -> None:
        command = None if custom_command is None else self.unmask(custom_command)
        document = {**self.default_config, "editor": {"editor_type": editor_type, "custom_command": command}}
        saved = self.client.put("/api/config", json=document).json()
        assert saved["success"] and saved["data"]["editor"] == document["editor"], saved

    def open(self, label: str, body: str | None, headers: dict[str, str] | None = JSON) -> None:
        before = len(self.editor.calls())
        response = self.client.post(f"/api/projects/{self.project_id}/open-editor", content=body, headers=headers or {})
        self.answers.append((label, response.status_code, response.headers.get("content-type"), response.text))
        if response.status_code == 200:
            calls = self.editor.wait_for_calls(before + 1, CALL_TIMEOUT_S)
            assert len(calls) == before + 1, f"{label}: answered 200 but no editor started"
            self.starts.append((label, [self.mask(arg) for arg in calls[-1]["argv"]]))


def _scenario(side: Side) -> None:
    side.open("default config: VS_CODE", "null")
    side.configure("CUSTOM", "BIN/edit --flag 'a b'   x\ty")
    for label, body in [
        ("custom, null", "null"),
        ("custom, {}", "{}"),
        ("custom, editor_type null", '{"editor_type":null}'),
        ("custom, unknown type and extra field", '{"editor_type":"NOPE","extra":1}'),
        ("custom, lowercase type", '{"editor_type":"vs_code"}'),
        ("override VS_CODE", '{"editor_type":"VS_CODE"}'),
        ("override CURSOR (not installed)", '{"editor_type":"CURSOR"}'),
        ("type not a string", '{"editor_type":5}'),
        ("array body", "[]"),
        ("string body", '"x"'),
        ("malformed body", "{"),
    ]:
        side.open(label, body)
    side.open("no body", None)
    side.open("no content type", "null", headers=None)
    side.configure("CUSTOM", None)
    side.open("custom null falls back to code", "null")
    for label, command in [
        ("custom empty", ""),
        ("custom blank", " \t "),
        ("custom missing program", "BIN/missing --x"),
        ("custom directory", "BIN"),
        ("custom not executable", "BIN/calls.jsonl"),
    ]:
        side.configure("CUSTOM", command)
        side.open(label, "null")
    side.configure("CUSTOM", "edit -n")
    side.open("custom bare name on PATH", "null")
    side.configure("XCODE", "BIN/edit -w")
    side.open("override CUSTOM keeps the configured command", '{"editor_type":"CUSTOM"}')
    side.open("XCODE (not installed)", "null")
    side.editor.program("code").unlink()
    side.configure("VS_CODE", None)
    side.open("VS_CODE without code on PATH", "null")
    side.configure("CUSTOM", "BIN/edit")
    side.repo.rename(side.repo.with_name("moved"))
    side.open("repository directory gone", "null")


@pytest.fixture(scope="module")
def sides(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Side, Side]]:
    base = tmp_path_factory.mktemp("open-editor")
    primary_editor = install_recording_editor(base / "primary-bin", names=("code", "edit"))
    candidate_editor = install_recording_editor(base / "candidate-bin", names=("code", "edit"))
    for editor in (primary_editor, candidate_editor):
        editor.log_path.touch()  # "custom not executable" runs it: a file without the x bit
    (base / "primary-repos").mkdir()
    primary = start_instance(env={"PATH": f"{primary_editor.directory}{os.pathsep}{os.environ['PATH']}"})
    try:
        candidate_root = base / "candidate-root"
        candidate_root.mkdir()
        candidate = start_candidate(
            roots=[candidate_root],
            runner_env={"PATH": f"{candidate_editor.directory}{os.pathsep}{os.environ['PATH']}"},
        )
        try:
            with (
                httpx.Client(base_url=primary.base_url, timeout=30) as primary_client,
                httpx.Client(base_url=candidate.base_url, timeout=30) as candidate_client,
            ):
                pair = (
                    Side(primary_client, primary_editor, base / "primary-repos" / "repo"),
                    Side(candidate_client, candidate_editor, candidate_root / "repo"),
                )
                for side in pair:
                    side.setup()
                    _scenario(side)
                yield pair
        finally:
            candidate.stop()
    finally:
        primary.stop()


def test_every_answer_is_the_primarys(sides: tuple[Side, Side]) -> None:
    primary, candidate = sides
    assert candidate.answers == primary.answers


def test_every_editor_start_has_the_primarys_argv(sides: tuple[Side, Side]) -> None:
    primary, candidate = sides
    assert candidate.starts == primary.starts


def test_the_recorded_behaviour_is_0_0_71s(sides: tuple[Side, Side]) -> None:
    """What the primary did, spelled out: the comparison above is only worth something if it covers these."""
    primary, _ = sides
    statuses = {label: status for label, status, _, _ in primary.answers}
    starts = dict(primary.starts)
    split = ["BIN/edit", "--flag", "'a", "b'", "x", "y", "REPO"]
    assert starts["default config: VS_CODE"] == ["BIN/code", "REPO"]
    assert starts["custom, null"] == starts["custom, unknown type and extra field"] == split
    assert starts["custom, lowercase type"] == split
    assert starts["override VS_CODE"] == ["BIN/code", "REPO"]
    assert starts["custom null falls back to code"] == ["BIN/code", "REPO"]
    assert starts["custom bare name on PATH"] == ["BIN/edit", "-n", "REPO"]
    assert starts["override CUSTOM keeps the configured command"] == ["BIN/edit", "-w", "REPO"]
    assert starts["repository directory gone"] == ["BIN/edit", "REPO"]
    failures = [label for label, status, kind, body in primary.answers if status == 500]
    assert failures == [
        "override CURSOR (not installed)",
        "custom empty",
        "custom blank",
        "custom missing program",
        "custom directory",
        "custom not executable",
        "XCODE (not installed)",
        "VS_CODE without code on PATH",
    ]
    assert all(kind is None and body == "" for _, status, kind, body in primary.answers if status == 500)
    assert (statuses["type not a string"], statuses["array body"], statuses["malformed body"]) == (422, 422, 400)
    assert (statuses["no body"], statuses["no content type"]) == (400, 415)
    # nothing started beyond the 200s
    assert len(primary.editor.calls()) == sum(1 for _, status, _, _ in primary.answers if status == 200)
