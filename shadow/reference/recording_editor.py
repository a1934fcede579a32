"""A stand-in editor that records how it was started, so open-editor can be compared on both backends.

``install_recording_editor(directory, names)`` writes one small executable per name (e.g. ``code`` for
VS_CODE, ``edit`` for a CUSTOM command) into ``directory``. Each run appends one JSON line to
``directory/calls.jsonl``: its argv (``argv[0]`` is the path the kernel ran, so a bare name found on PATH
reads as its full path), working directory, pid, process group, session and what its stdin is. While the
file ``directory/hold`` exists the editor stays alive (at most ``HOLD_LIMIT_S``), which lets a test see that
nobody waits for it.
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = ["HOLD_LIMIT_S", "RecordingEditor", "install_recording_editor"]

HOLD_LIMIT_S = 30.0

_SCRIPT = """#!{python}
import json, os, sys, time
here = os.path.dirname(os.path.abspath(__file__))
try:
    stdin = os.readlink("/proc/self/fd/0")
except OSError:
    stdin = None
record = {{"argv": sys.argv, "cwd": os.getcwd(), "pid": os.getpid(), "pgid": os.getpgid(0),
          "sid": os.getsid(0), "stdin": stdin}}
with open(os.path.join(here, "calls.jsonl"), "a") as log:
    log.write(json.dumps(record) + "\\n")
deadline = time.monotonic() + {hold_limit}
while os.path.exists(os.path.join(here, "hold")) and time.monotonic() < deadline:
    time.sleep(0.05)
"""


@dataclass(frozen=True)
class RecordingEditor:
    directory: Path

    @property
    def log_path(self) -> Path:
        return self.directory / "calls.jsonl"

    @property
    def hold_path(self) -> Path:
        return self.directory / "hold"

    def program(self, name: str) -> Path:
        return self.directory / name

    def calls(self) -> list[dict[str, Any]]:
        if not self.log_path.exists():
            return []
        return [json.loads(line) for line in self.log_path.read_text().splitlines() if line.strip()]

    def wait_for_calls(self, count: int, timeout_s: float = 10.0) -> list[dict[str, Any]]:
        """The calls once at least ``count`` were recorded (the editor runs detached, so it may lag)."""
        deadline = time.monotonic() + timeout_s
        while True:
            calls = self.calls()
            if len(calls) >= count or time.monotonic() >= deadline:
                return calls
            time.sleep(0.02)

    def hold(self) -> None:
        self.hold_path.touch()

    def release(self) -> None:
        self.hold_path.unlink(missing_ok=True)


def install_recording_editor(
    directory: Path, names: Iterable[str] = ("edit",), *, python: str | None = None
) -> RecordingEditor:
    directory.mkdir(parents=True, exist_ok=True)
    script = _SCRIPT.format(python=python or sys.executable, hold_limit=HOLD_LIMIT_S)
    for name in names:
        path = directory / name
        path.write_text(script)
        path.chmod(0o755)
    return RecordingEditor(directory)
