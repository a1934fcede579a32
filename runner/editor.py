"""``editor.open``: the host half of ``POST /api/projects/{id}/open-editor``. Convex picks the command from
the config (``convex/lib/editor.ts``); here it is started as ``command + [repoPath]``, as 0.0.71's
``EditorConfig::open_file`` does (observed on the binary: no shell, no quoting, the repository path as the
last argument, the path need not exist, and the editor is never waited for: ``sleep 3`` or ``false`` still
answer at once with success).

Deliberate differences from 0.0.71, which spawns the editor as a plain child of the server (same process
group and session, its stdin/stdout/stderr and every open descriptor inherited, never reaped: a zombie per
call):
- the editor gets a session (so a process group) of its own and survives the runner;
- its standard streams are ``/dev/null`` and no other descriptor leaks into it;
- a daemon thread reaps it when it exits, so no zombie is left behind;
- ``repoPath`` must lie inside the runner's roots (a soft refusal otherwise).
Like 0.0.71 it inherits the runner's environment (``PATH`` finds bare command names) and working directory
(where a relative command such as ``./edit.sh`` is looked up).

Only a failure to start the program (missing, not executable, a directory, an empty command) is an error:
kind "api", which the route answers with 0.0.71's bare empty 500.
"""

from __future__ import annotations

import logging
import subprocess
import threading
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from runner.confine import Roots
from runner.errors import api_error

__all__ = ["NO_COMMAND", "OpenPayload", "open_editor"]

log = logging.getLogger(__name__)

# 0.0.71 logs the same words when the custom command holds nothing but whitespace.
NO_COMMAND = "IoError: No editor command configured"


class OpenPayload(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)
    repo_path: str = Field(alias="repoPath")
    command: list[str]
    """The program and its leading arguments, already split (0.0.71 splits the custom command on whitespace)."""


def open_editor(payload: OpenPayload, roots: Roots) -> dict[str, Any]:
    """Start the editor and return at once with its pid; raise ``CommandError`` when it cannot start."""
    roots.check(payload.repo_path)
    if not payload.command or payload.command[0] == "":
        raise api_error(NO_COMMAND)
    argv = [*payload.command, payload.repo_path]
    try:
        process = subprocess.Popen(
            argv,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
    except OSError as exc:
        # ENOENT, EACCES, a directory, a bad interpreter line: exec failed, nothing runs.
        raise api_error(f"IoError: cannot start {argv[0]!r}: {exc.strerror} (os error {exc.errno})") from exc
    log.info("opened editor pid=%d argv=%r", process.pid, argv)
    threading.Thread(target=process.wait, name=f"editor-reaper-{process.pid}", daemon=True).start()
    return {"pid": process.pid}
