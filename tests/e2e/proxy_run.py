"""Runs the real ``parity proxy`` (mitmdump + shadow/addon.py + its worker process) for end-to-end tests.

Started on a free loopback port, stopped by its process id (SIGTERM: the addon drains the shadow and
closes the store; SIGKILL of its own session as a last resort). The comparisons it recorded are read
back from the SQLite evidence store.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from shadow.reference.instance import free_port

PARITY = str(Path(sys.executable).with_name("parity"))


@dataclass
class ProxyRun:
    url: str
    store: Path
    log: Path
    process: subprocess.Popen[bytes]

    def log_text(self) -> str:
        return self.log.read_text(errors="replace")

    def comparisons(self) -> list[dict[str, Any]]:
        """Every recorded comparison, oldest first (read after the proxy stopped)."""
        with contextlib.closing(sqlite3.connect(self.store)) as db:
            db.row_factory = sqlite3.Row
            return [dict(row) for row in db.execute("SELECT * FROM comparisons ORDER BY id")]


@contextlib.contextmanager
def running_proxy(
    primary: str,
    candidate: str,
    work: Path,
    *,
    settings: dict[str, Any] | None = None,
    store: Path | None = None,
    args: tuple[str, ...] = (),
) -> Iterator[ProxyRun]:
    work.mkdir(parents=True, exist_ok=True)
    config = work / "shadow.yaml"
    config.write_text(yaml.safe_dump(settings or {}))
    port = free_port()
    store = store or work / "evidence.db"
    log = work / "proxy.log"
    argv = [PARITY, "proxy", "--primary", primary, "--candidate", candidate, "--listen", f"127.0.0.1:{port}"]
    argv += ["--config", str(config), "--store", str(store), *args]
    with open(log, "ab") as out:
        process = subprocess.Popen(argv, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    run = ProxyRun(f"http://127.0.0.1:{port}", store, log, process)
    try:
        _wait_listening(port, process, log)
        yield run
    finally:
        stop(run)


def stop(run: ProxyRun, grace: float = 30.0) -> None:
    if run.process.poll() is None:
        run.process.send_signal(signal.SIGTERM)
        try:
            run.process.wait(grace)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(run.process.pid, signal.SIGKILL)  # its own session: the worker too
            run.process.wait(5)


def _wait_listening(port: int, process: subprocess.Popen[bytes], log: Path, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"parity proxy exited with {process.returncode}:\n{log.read_text(errors='replace')}")
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=1):
            time.sleep(0.3)  # the worker process starts with the first configure; give it a moment
            return
        time.sleep(0.1)
    raise RuntimeError(f"parity proxy not listening after {timeout}s:\n{log.read_text(errors='replace')}")
