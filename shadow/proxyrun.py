"""Run the shadow proxy (``parity proxy``: mitmdump + ``shadow/addon.py`` + its worker process) as a child
process: for the demo and the end-to-end tests.

``start_proxy`` writes the settings to a YAML file (prefixes and rewrites are mappings, which mitmproxy's
``--set`` cannot carry), validates them here first (a bad value is one ``ConfigError`` line, not a dead
child), starts ``parity proxy`` on a free loopback port in a session of its own and waits until it serves:
the port accepts connections and, when a metrics port is given, the worker answers ``/metrics`` (it serves
them only once it has built its pipeline, so nothing sent afterwards is shed for want of a worker).

``ProxyRun.stop`` stops it by pid with SIGTERM: mitmdump's orderly shutdown runs the addon's ``done``, which
lets the worker finish every queued comparison for up to ``drain_seconds``, flush the store and exit. Only if
that overruns is the process group (mitmdump and its worker) killed.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import yaml

from shadow.config import ShadowSettings, load_settings
from shadow.errors import ConfigError

__all__ = ["ProxyError", "ProxyRun", "parity_command", "running_proxy", "start_proxy"]

# After the drain: the worker gets 10 s more to flush and exit (shadow.offload), mitmdump a few to close.
_STOP_MARGIN_S = 20.0


class ProxyError(RuntimeError):
    """The proxy did not start or exited early (the message carries the tail of its log)."""


def parity_command() -> list[str]:
    """The ``parity`` console script of this environment (installed beside the running Python)."""
    beside = Path(sys.executable).with_name("parity")
    if not beside.exists():
        raise ConfigError(f"{beside} not found: install the project (./scripts/bootstrap)")
    return [str(beside)]


@dataclass
class ProxyRun:
    """A running proxy. ``url`` is what clients talk to; ``store`` holds the comparisons once stopped."""

    url: str
    port: int
    store: Path
    log: Path
    config: Path
    settings: ShadowSettings
    process: subprocess.Popen[bytes]
    metrics_url: str | None = None
    returncode: int | None = field(default=None, init=False)

    @property
    def pid(self) -> int:
        return self.process.pid

    def log_text(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""

    def log_tail(self, lines: int = 30) -> str:
        return "\n".join(self.log_text().splitlines()[-lines:]) or "(empty log)"

    def group_alive(self) -> bool:
        """Is any process of the proxy's process group (mitmdump, its worker) still there?"""
        try:
            os.killpg(self.pid, 0)
        except ProcessLookupError:
            return False
        except PermissionError:  # a process of that id exists but is not ours: not our group any more
            return False
        return True

    def stop(self, grace: float | None = None) -> int:
        """SIGTERM by pid, wait for the drain (``grace``, default from the settings), then SIGKILL the group.
        Returns mitmdump's exit code. Idempotent."""
        if self.returncode is not None:
            return self.returncode
        wait = self.settings.drain_seconds + _STOP_MARGIN_S if grace is None else grace
        if self.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(wait)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(self.pid, signal.SIGKILL)  # its own session and group: the worker too
                self.process.wait(5)
        # The worker leaves when its pipe closes; give it the same bounded time, then make sure.
        deadline = time.monotonic() + 5
        while self.group_alive() and time.monotonic() < deadline:
            time.sleep(0.05)
        if self.group_alive():
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.pid, signal.SIGKILL)
        self.returncode = self.process.returncode
        return self.returncode

    def comparisons(self) -> list[dict[str, Any]]:
        """Every comparison row in the store, oldest first (read it after ``stop``: the store is complete
        then)."""
        if not self.store.exists():
            return []
        with contextlib.closing(sqlite3.connect(f"file:{self.store}?mode=ro", uri=True)) as db:
            db.row_factory = sqlite3.Row
            return [dict(row) for row in db.execute("SELECT * FROM comparisons ORDER BY id")]


def start_proxy(
    primary: str,
    candidate: str,
    directory: Path,
    *,
    settings: Mapping[str, Any] | None = None,
    store: Path | None = None,
    metrics_port: int | None = None,
    listen_port: int | None = None,
    extra_args: Sequence[str] = (),
    ready_timeout: float = 30.0,
) -> ProxyRun:
    """Start ``parity proxy`` in front of ``primary``, teeing to ``candidate``; return once it serves.

    ``directory`` receives ``shadow.yaml`` (the settings), ``proxy.log`` and, by default, ``evidence.db``.
    ``settings`` are ``ShadowSettings`` fields (e.g. ``candidate_rewrites``, ``primary_prefixes``).
    """
    from shadow.reference.instance import free_port

    directory.mkdir(parents=True, exist_ok=True)
    config = directory / "shadow.yaml"
    config.write_text(yaml.safe_dump(dict(settings or {}), sort_keys=True))
    store = store or directory / "evidence.db"
    port = listen_port or free_port()
    checked = load_settings(config, primary=primary, candidate=candidate, store=store, metrics_port=metrics_port)
    argv = [*parity_command(), "proxy", "--primary", primary, "--candidate", candidate]
    argv += ["--listen", f"127.0.0.1:{port}", "--config", str(config), "--store", str(store)]
    if metrics_port is not None:
        argv += ["--metrics-port", str(metrics_port)]
    log = directory / "proxy.log"
    with open(log, "ab") as out:
        process = subprocess.Popen(
            [*argv, *extra_args],
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # Ctrl-C in a terminal does not reach it: it is stopped by pid, drained
        )
    run = ProxyRun(
        url=f"http://127.0.0.1:{port}",
        port=port,
        store=store,
        log=log,
        config=config,
        settings=checked,
        process=process,
        metrics_url=f"http://127.0.0.1:{metrics_port}/metrics" if metrics_port is not None else None,
    )
    try:
        _wait_serving(run, ready_timeout)
    except BaseException:
        run.stop(grace=5)
        raise
    return run


@contextlib.contextmanager
def running_proxy(primary: str, candidate: str, directory: Path, **kwargs: Any) -> Iterator[ProxyRun]:
    """``start_proxy`` as a context manager: stopped (and drained) on the way out, whatever happened."""
    run = start_proxy(primary, candidate, directory, **kwargs)
    try:
        yield run
    finally:
        run.stop()


def _wait_serving(run: ProxyRun, timeout: float) -> None:
    """Until a probe gets an HTTP answer through the proxy (whatever the primary says: a port someone else
    holds accepts connections too, but never answers) and, with metrics, the worker serves ``/metrics``.
    The probe carries the loop-guard header, so it is forwarded but never shadowed."""
    deadline = time.monotonic() + timeout
    probe = {run.settings.loop_guard_header: "proxyrun-readiness"}
    answered = False
    with httpx.Client(timeout=1.0) as client:
        while time.monotonic() < deadline:
            if run.process.poll() is not None:
                raise ProxyError(f"parity proxy exited with {run.process.returncode}:\n{run.log_tail()}")
            if not answered:
                with contextlib.suppress(httpx.HTTPError):
                    client.get(f"{run.url}/api/health", headers=probe)
                    answered = True
            if answered:
                if run.metrics_url is None:
                    # No metrics to ask: the worker is spawned as the proxy starts serving (the addon's
                    # ``running``); a moment's grace covers it.
                    time.sleep(0.3)
                    return
                with contextlib.suppress(httpx.HTTPError):
                    if client.get(run.metrics_url).status_code == 200:
                        return
            time.sleep(0.1)
    raise ProxyError(f"parity proxy not serving on {run.url} after {timeout:.0f}s:\n{run.log_tail()}")
