"""Start and stop real vibe-kanban 0.0.71 instances, isolated from each other.

Every instance gets its own fresh ``HOME`` (with a git identity: without one the chain's commits and
merges silently fail), its own ``TMPDIR`` (the server writes a shared port file there), a free port on
127.0.0.1 and ``DISABLE_WORKTREE_ORPHAN_CLEANUP=1``: all instances share
``/var/tmp/vibe-kanban/worktrees`` and would otherwise delete each other's worktrees at start-up.

The server runs in a session of its own, so stopping it can also stop every process it spawned (agents
and dev servers run in process groups of their own but stay in the server's session), found by session
id, never by name. Its worktrees are read from its own database and removed afterwards.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import sqlite3
import subprocess
import tempfile
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from shadow.reference.binary import ensure_binary

__all__ = [
    "WORKTREES_DIR",
    "Instance",
    "InstanceError",
    "free_port",
    "running_instance",
    "session_members",
    "start_instance",
]

WORKTREES_DIR = Path("/var/tmp/vibe-kanban/worktrees")
GIT_IDENTITY = "[user]\n\tname = Parity Workload\n\temail = parity@example.invalid\n"


class InstanceError(RuntimeError):
    """The instance did not come up (the message carries the tail of its log)."""


@dataclass
class Instance:
    """One running server. ``base_url`` has no trailing slash."""

    process: subprocess.Popen[bytes]
    port: int
    home: Path
    log_path: Path
    scratch: Path  # our own files (TMPDIR, server log), kept out of HOME so HOME holds only the server's
    owns_home: bool = True
    stopped: bool = field(default=False, init=False)

    @property
    def pid(self) -> int:
        return self.process.pid

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def db_path(self) -> Path:
        return self.home / ".local/share/vibe-kanban/db.sqlite"

    def log_tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no log)"

    def worktrees(self) -> list[Path]:
        """Worktree directories this instance's database references (only ours, never a neighbour's)."""
        if not self.db_path.exists():
            return []
        try:
            with contextlib.closing(sqlite3.connect(f"file:{self.db_path}?mode=ro", uri=True)) as db:
                rows = db.execute("SELECT container_ref FROM task_attempts WHERE container_ref IS NOT NULL")
                return [Path(ref) for (ref,) in rows]
        except sqlite3.Error:
            return []

    def stop(self, *, remove_home: bool | None = None) -> None:
        """Stop the server and everything it spawned, then remove its worktrees (and its HOME if ours)."""
        if self.stopped:
            return
        self.stopped = True
        worktrees = self.worktrees()
        _terminate(self.process)
        _kill_session(self.pid)
        for path in worktrees:
            if path.parent == WORKTREES_DIR:  # never follow a path the database could point anywhere
                shutil.rmtree(path, ignore_errors=True)
        if remove_home if remove_home is not None else self.owns_home:
            shutil.rmtree(self.home, ignore_errors=True)
        keep = os.environ.get("PARITY_INSTANCE_LOG_DIR")  # for post-mortems (CI): keep each server's log
        if keep and self.log_path.exists():
            Path(keep).mkdir(parents=True, exist_ok=True)
            shutil.copy(self.log_path, Path(keep) / f"vibe-kanban-{self.port}-{self.pid}.log")
        shutil.rmtree(self.scratch, ignore_errors=True)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_instance(
    *,
    home: Path | None = None,
    port: int | None = None,
    env: Mapping[str, str] | None = None,
    ready_timeout: float = 60.0,
) -> Instance:
    """Start one instance and wait until ``GET /api/health`` answers."""
    binary = ensure_binary()
    owns_home = home is None
    # HOME holds only what the server itself writes (plus the git identity, hidden), like a user's fresh
    # home: GET /api/filesystem/directory lists it by default, so harness files there would be compared.
    scratch = Path(tempfile.mkdtemp(prefix="vk-instance-"))
    home = scratch / "home" if home is None else home
    home.mkdir(parents=True, exist_ok=True)
    gitconfig = home / ".gitconfig"
    if not gitconfig.exists():
        gitconfig.write_text(GIT_IDENTITY)
    tmpdir = scratch / "tmp"
    tmpdir.mkdir(exist_ok=True)
    port = port or free_port()
    child_env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"BACKEND_PORT", "PORT", "HOST", "VIRTUAL_ENV"} and not key.startswith("GIT_")
    }
    child_env.update(
        HOME=str(home),
        TMPDIR=str(tmpdir),
        PORT=str(port),
        HOST="127.0.0.1",
        DISABLE_WORKTREE_ORPHAN_CLEANUP="1",
        RUST_LOG=child_env.get("RUST_LOG", "info"),
    )
    child_env.update(env or {})
    log_path = scratch / "server.log"
    with open(log_path, "ab") as log:
        process = subprocess.Popen(
            [str(binary)],
            cwd=home,
            env=child_env,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    instance = Instance(process=process, port=port, home=home, log_path=log_path, scratch=scratch, owns_home=owns_home)
    try:
        _wait_ready(instance, ready_timeout)
    except BaseException:
        instance.stop()
        raise
    return instance


@contextlib.contextmanager
def running_instance(**kwargs: object) -> Iterator[Instance]:
    instance = start_instance(**kwargs)  # type: ignore[arg-type]
    try:
        yield instance
    finally:
        instance.stop()


def _wait_ready(instance: Instance, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    with httpx.Client(timeout=2.0) as client:
        while time.monotonic() < deadline:
            if instance.process.poll() is not None:
                raise InstanceError(
                    f"vibe-kanban exited with {instance.process.returncode} during start-up:\n{instance.log_tail()}"
                )
            with contextlib.suppress(httpx.HTTPError):
                if client.get(f"{instance.base_url}/api/health").status_code == 200:
                    return
            time.sleep(0.1)
    raise InstanceError(f"vibe-kanban not ready on {instance.base_url} after {timeout}s:\n{instance.log_tail()}")


def _terminate(process: subprocess.Popen[bytes], grace: float = 5.0) -> None:
    if process.poll() is not None:
        return
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(grace)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(grace)


def _kill_session(session_id: int) -> None:
    """SIGKILL every process left in the server's session (agents, scripts, dev servers)."""
    for pid in session_members(session_id):
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.kill(pid, signal.SIGKILL)


def session_members(session_id: int, *, leader: bool = False, zombies: bool = True) -> list[int]:
    """The processes in session ``session_id`` (every process started with ``start_new_session`` leads one),
    from /proc. ``leader``: include the session leader itself; ``zombies``: include exited, unreaped ones
    (a kill need not skip them, a check for survivors must)."""
    members = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # Field 6 is the session id; split after the command name, which may hold spaces.
        fields = stat[stat.rfind(")") + 2 :].split()
        if len(fields) <= 3 or int(fields[3]) != session_id:
            continue
        pid = int(entry.name)
        if (pid == session_id and not leader) or (fields[0] == "Z" and not zombies):
            continue
        members.append(pid)
    return members
