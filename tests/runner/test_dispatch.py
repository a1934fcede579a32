"""run_command: every handler outcome becomes outcome JSON; nothing escapes."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from runner.confine import Roots
from runner.dispatch import DIAGNOSTIC_HANDLERS, HANDLERS, HandlerContext, handlers_for, run_command
from runner.errors import api_error


@pytest.fixture
def ctx(tmp_path: Path) -> HandlerContext:
    return HandlerContext(roots=Roots([tmp_path]), default_dir=tmp_path)


def test_the_table_holds_the_commands_of_these_issues() -> None:
    assert set(HANDLERS) == {
        "project.prepare",
        "project.search",
        "git.branches",
        "fs.listDirectory",
        "fs.gitRepos",
        "image.copyToWorktree",
        "mcp.readServers",
        "mcp.writeServers",
        "editor.open",
    }
    assert set(handlers_for(diagnostics_enabled=False)) == set(HANDLERS)
    assert set(handlers_for(diagnostics_enabled=True)) == set(HANDLERS) | set(DIAGNOSTIC_HANDLERS)


def test_success_wraps_the_result(ctx: HandlerContext, tmp_path: Path) -> None:
    (tmp_path / "d").mkdir()
    outcome = run_command("fs.listDirectory", {"path": str(tmp_path)}, ctx)
    assert outcome["ok"] is True
    assert [e["name"] for e in outcome["result"]["entries"]] == ["d"]


def test_soft_errors_pass_through(ctx: HandlerContext, tmp_path: Path) -> None:
    assert run_command("fs.listDirectory", {"path": str(tmp_path / "x")}, ctx) == {
        "ok": False,
        "error": {"kind": "soft", "message": "Directory does not exist"},
    }


def test_unknown_kinds_bad_payloads_and_bugs_are_internal_errors(ctx: HandlerContext) -> None:
    assert run_command("nope", {}, ctx)["error"] == {"kind": "internal", "message": "unknown command kind: nope"}
    bad = run_command("project.prepare", {"path": 3}, ctx)["error"]
    assert bad["kind"] == "internal" and bad["message"].startswith("invalid payload for project.prepare")
    assert "useExisting" in bad["message"]
    assert run_command("git.branches", None, ctx)["error"]["kind"] == "internal"
    assert run_command("diag.appendOnce", {}, ctx)["error"]["message"] == "unknown command kind: diag.appendOnce"

    def explode(payload: Any, context: HandlerContext) -> Any:
        raise RuntimeError("boom")

    def refuse(payload: Any, context: HandlerContext) -> Any:
        raise api_error("GitServiceError: nope")

    handlers = {"explode": explode, "refuse": refuse}
    assert run_command("explode", {}, ctx, handlers)["error"] == {"kind": "internal", "message": "RuntimeError: boom"}
    assert run_command("refuse", {}, ctx, handlers)["error"] == {"kind": "api", "message": "GitServiceError: nope"}


def test_repo_commands_are_confined(ctx: HandlerContext) -> None:
    for kind, payload in [("git.branches", {"repoPath": "/etc"}), ("project.search", {"repoPath": "/etc", "q": "x"})]:
        assert run_command(kind, payload, ctx)["error"]["message"] == "Path is outside the runner's allowed roots"
