"""The dispatch table: command kind -> handler, and ``run_command``, which turns whatever a handler does
into the outcome JSON the deployment stores (``{"ok": true, "result": ...}`` or ``{"ok": false, "error":
{"kind", "message"}}``). Handlers are plain synchronous functions (they run in a worker thread).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from runner import diagnostics, editor, fs, git, images, mcp, projects, search
from runner.confine import Roots
from runner.errors import CommandError

__all__ = ["DIAGNOSTIC_HANDLERS", "HANDLERS", "Handler", "HandlerContext", "handlers_for", "run_command"]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class HandlerContext:
    roots: Roots
    default_dir: Path
    home: Path = field(default_factory=Path.home)
    """The host's HOME, where agents keep their config files (``mcp.*``)."""


Handler = Callable[[Any, HandlerContext], Any]


def _list_directory(payload: Any, ctx: HandlerContext) -> Any:
    return fs.list_directory(fs.DirectoryPayload.model_validate(payload), ctx.roots, ctx.default_dir)


def _git_repos(payload: Any, ctx: HandlerContext) -> Any:
    return fs.git_repos(fs.DirectoryPayload.model_validate(payload), ctx.roots, ctx.default_dir)


def _prepare_project(payload: Any, ctx: HandlerContext) -> Any:
    return projects.prepare(projects.PreparePayload.model_validate(payload), ctx.roots)


def _branches(payload: Any, ctx: HandlerContext) -> Any:
    repo_path = _repo_path(payload)
    ctx.roots.check(repo_path)
    return git.branches(repo_path)


def _search(payload: Any, ctx: HandlerContext) -> Any:
    parsed = search.SearchPayload.model_validate(payload)
    ctx.roots.check(parsed.repo_path)
    return search.search(parsed)


def _copy_image(payload: Any, ctx: HandlerContext) -> Any:
    return images.copy_to_worktree(images.CopyImagePayload.model_validate(payload), ctx.roots)


def _read_mcp_servers(payload: Any, ctx: HandlerContext) -> Any:
    return mcp.read_servers(mcp.ReadServersPayload.model_validate(payload), ctx.home, ctx.roots)


def _write_mcp_servers(payload: Any, ctx: HandlerContext) -> Any:
    return mcp.write_servers(mcp.WriteServersPayload.model_validate(payload), ctx.home, ctx.roots)


def _open_editor(payload: Any, ctx: HandlerContext) -> Any:
    return editor.open_editor(editor.OpenPayload.model_validate(payload), ctx.roots)


def _append_once(payload: Any, ctx: HandlerContext) -> Any:
    return diagnostics.append_once(diagnostics.AppendOncePayload.model_validate(payload), ctx.roots)


def _repo_path(payload: Any) -> str:
    if not isinstance(payload, dict) or not isinstance(payload.get("repoPath"), str):
        raise CommandError("internal", "payload needs repoPath (a string)")
    return str(payload["repoPath"])


HANDLERS: Mapping[str, Handler] = {
    "project.prepare": _prepare_project,
    "project.search": _search,
    "git.branches": _branches,
    "fs.listDirectory": _list_directory,
    "fs.gitRepos": _git_repos,
    "image.copyToWorktree": _copy_image,
    "mcp.readServers": _read_mcp_servers,
    "mcp.writeServers": _write_mcp_servers,
    "editor.open": _open_editor,
}

DIAGNOSTIC_HANDLERS: Mapping[str, Handler] = {"diag.appendOnce": _append_once}


def handlers_for(*, diagnostics_enabled: bool) -> Mapping[str, Handler]:
    return {**HANDLERS, **DIAGNOSTIC_HANDLERS} if diagnostics_enabled else HANDLERS


def run_command(
    kind: str, payload: Any, ctx: HandlerContext, handlers: Mapping[str, Handler] = HANDLERS
) -> dict[str, Any]:
    """Never raises: every failure becomes an error outcome (soft/api from the handler, internal otherwise)."""
    handler = handlers.get(kind)
    if handler is None:
        return {"ok": False, "error": {"kind": "internal", "message": f"unknown command kind: {kind}"}}
    try:
        result = handler(payload, ctx)
    except CommandError as exc:
        return {"ok": False, "error": exc.as_json()}
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(map(str, e['loc'])) or 'payload'}: {e['msg']}" for e in exc.errors())
        return {"ok": False, "error": {"kind": "internal", "message": f"invalid payload for {kind}: {problems}"}}
    except Exception as exc:
        log.exception("command %s failed", kind)
        return {"ok": False, "error": {"kind": "internal", "message": f"{type(exc).__name__}: {exc}"}}
    return {"ok": True, "result": result}
