"""Diagnostic commands, registered only when ``RUNNER_ENABLE_DIAGNOSTICS`` is set: they let protocol tests
(crash and restart, concurrency) hold a lease for a while and observe side effects, with real files.

``diag.appendOnce {path, line, holdS}`` appends ``line`` to a ledger file under the roots unless the file
already holds it; after appending it holds the command ``holdS`` seconds (slow work after the side
effect: the window in which a crash forces a re-run). It is the pattern every side-effecting command follows: detect that the
effect already happened, so a re-run after a crash (lease expiry, re-claim) never applies it twice.
"""

from __future__ import annotations

import fcntl
import os
import time
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from runner.confine import Roots

__all__ = ["AppendOncePayload", "append_once"]


class AppendOncePayload(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)
    path: str
    line: str = Field(pattern=r"^[^\n]+$")
    hold_s: float = Field(default=0.0, alias="holdS", ge=0, le=60)


def append_once(payload: AppendOncePayload, roots: Roots) -> dict[str, Any]:
    path = roots.check(payload.path)
    with open(path, "a+", encoding="utf-8") as ledger:
        fcntl.flock(ledger, fcntl.LOCK_EX)  # several runners may append to one ledger
        ledger.seek(0)
        already = payload.line in ledger.read().splitlines()
        if not already:
            ledger.write(payload.line + "\n")
            ledger.flush()
            os.fsync(ledger.fileno())
    if not already:
        time.sleep(payload.hold_s)
    return {"appended": not already, "pid": os.getpid()}
