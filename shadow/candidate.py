"""Start the candidate on this machine: the convex-test host (``localdev/convex-test-host``, a test/demo
stand-in for a Convex deployment, since the real backend cannot run here) and the runner
(``python -m runner``), wired with a fresh random HMAC key that travels by environment only.

``start_candidate()`` returns a ``Candidate`` with ``.base_url`` (the HTTP actions: the 0.0.71
compatibility API and ``/runner/...``), ``.api_url`` (Convex's public HTTP API; ``.admin_key`` reaches
internal functions), ``.home`` (the runner's HOME) and ``.stop()``. Both processes run in sessions of their
own and are stopped by pid.

Like a real primary started by ``start_instance()``, the runner gets a fresh HOME of its own (agents' config
files, such as the MCP servers of ``/api/mcp-config``, live there, and it is the HOME the deployment reports).
The deployment is seeded with the seven notification sounds (``shadow.sounds``) before it is announced.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import httpx

from shadow.reference.binary import BinaryFetchError
from shadow.reference.instance import InstanceError, free_port
from shadow.sounds import SoundsError, seed_sounds

__all__ = [
    "HOST_DIR",
    "Candidate",
    "CandidateError",
    "build_host",
    "read_ready_line",
    "run_until_signalled",
    "start_candidate",
]

REPO_ROOT = Path(__file__).resolve().parents[1]
HOST_DIR = REPO_ROOT / "localdev" / "convex-test-host"
KEY_ID = "local"
STOP_TIMEOUT_S = 15.0


class CandidateError(RuntimeError):
    """The candidate could not be built or started (the message carries what went wrong and the log)."""


def _tail(path: Path, lines: int = 25) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


def build_host(*, repo_root: Path = REPO_ROOT, convex_dir: Path | None = None, outfile: Path | None = None) -> Path:
    """Bundle the host with esbuild (about 0.2 s) and return the script to run with node.

    ``convex_dir``/``outfile`` build another app (tests); the output must stay inside the repository so
    that ``convex`` and ``convex-test`` resolve from its node_modules."""
    node = shutil.which("node")
    if node is None:
        raise CandidateError("node is not installed (Node 20 is needed for the convex-test host)")
    if not (repo_root / "node_modules" / "convex-test").is_dir():
        raise CandidateError(f"{repo_root}/node_modules is missing convex-test: run ./scripts/bootstrap")
    if convex_dir is None and not (repo_root / "convex" / "_generated").is_dir():
        raise CandidateError("convex/_generated is missing: run 'npm run codegen'")
    extra = [
        *(["--convex-dir", str(convex_dir)] if convex_dir else []),
        *(["--outfile", str(outfile)] if outfile else []),
    ]
    build = subprocess.run(
        [node, str(repo_root / "localdev/convex-test-host/build.mjs"), *extra],
        cwd=repo_root,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    if build.returncode != 0:
        raise CandidateError(f"building the convex-test host failed:\n{build.stderr.strip()}")
    return Path(build.stdout.strip().splitlines()[-1])


def read_ready_line(process: subprocess.Popen[bytes], log_path: Path, what: str, timeout_s: float) -> dict[str, Any]:
    """The first stdout line of a child that announces readiness as JSON."""
    assert process.stdout is not None
    deadline = time.monotonic() + timeout_s
    buffer = b""
    while b"\n" not in buffer:
        left = deadline - time.monotonic()
        if left <= 0:
            raise CandidateError(f"{what} was not ready after {timeout_s:.0f} s; log:\n{_tail(log_path)}")
        readable, _, _ = select.select([process.stdout], [], [], min(left, 0.2))
        if readable:
            chunk = os.read(process.stdout.fileno(), 4096)
            if not chunk:
                process.wait(timeout=5)
                raise CandidateError(
                    f"{what} exited ({process.returncode}) before it was ready; log:\n{_tail(log_path)}"
                )
            buffer += chunk
    line = buffer.split(b"\n", 1)[0]
    try:
        return dict(json.loads(line))
    except ValueError as exc:
        raise CandidateError(f"{what} printed {line[:200]!r} instead of its ready line") from exc


def _stop_process(process: subprocess.Popen[bytes], timeout_s: float = STOP_TIMEOUT_S) -> None:
    """SIGTERM by pid, then SIGKILL to its own process group if it does not exit in time."""
    if process.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.kill(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=timeout_s)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)  # its own session: pgid == pid
            process.wait(timeout=5)
    if process.stdout is not None:
        process.stdout.close()


def _child_env(drop_prefix: str, extra: Mapping[str, str]) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith(drop_prefix)}
    env.update(extra)
    return env


@dataclass
class Candidate:
    """A running candidate. ``runners`` may be killed and restarted by tests (``start_runner``)."""

    base_url: str
    api_url: str
    admin_key: str
    roots: tuple[Path, ...]
    workdir: Path
    home: Path
    host: subprocess.Popen[bytes]
    runner_env: dict[str, str]
    runners: list[subprocess.Popen[bytes]] = field(default_factory=list)
    owned_dirs: list[Path] = field(default_factory=list)
    stopped: bool = field(default=False, init=False)
    _logs: list[IO[bytes]] = field(default_factory=list, repr=False)

    def start_runner(
        self, *, env: Mapping[str, str] | None = None, ready_timeout_s: float = 30.0
    ) -> subprocess.Popen[bytes]:
        """Start one more runner (``python -m runner``) and wait until it registered."""
        index = len(self.runners)
        log_path = self.workdir / f"runner-{index}.log"
        log = open(log_path, "ab")  # noqa: SIM115 - kept open for the child's lifetime, closed in stop()
        self._logs.append(log)
        process = subprocess.Popen(
            [sys.executable, "-m", "runner"],
            cwd=self.workdir,
            env={**self.runner_env, "RUNNER_RUNNER_ID": f"local-{index}-{secrets.token_hex(3)}", **(env or {})},
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=log,
            start_new_session=True,
        )
        self.runners.append(process)
        read_ready_line(process, log_path, f"runner {index}", ready_timeout_s)
        return process

    def admin_call(self, kind: str, path: str, args: Mapping[str, Any], *, timeout_s: float = 30.0) -> Any:
        """Call any function (internal ones too) through the public HTTP API; raises on a function error."""
        response = httpx.post(
            f"{self.api_url}/api/{kind}",
            json={"path": path, "args": dict(args), "format": "json"},
            headers={"Authorization": f"Convex {self.admin_key}"},
            timeout=timeout_s,
        )
        response.raise_for_status()
        body = response.json()
        if body.get("status") != "success":
            raise CandidateError(f"{path}: {body.get('errorMessage')}")
        return body["value"]

    def log_tail(self, name: str = "host.log", lines: int = 40) -> str:
        return _tail(self.workdir / name, lines)

    def stop(self) -> None:
        """Stop the runners (each finishes its current command), then the host; remove what we created."""
        if self.stopped:
            return
        self.stopped = True
        for process in self.runners:
            _stop_process(process)
        _stop_process(self.host, timeout_s=5.0)
        for log in self._logs:
            log.close()
        for path in self.owned_dirs:
            shutil.rmtree(path, ignore_errors=True)


def start_candidate(
    *,
    port: int | None = None,
    api_port: int | None = None,
    roots: Sequence[Path] | None = None,
    home: Path | None = None,
    runners: int = 1,
    sounds: bool = True,
    host_env: Mapping[str, str] | None = None,
    runner_env: Mapping[str, str] | None = None,
    ready_timeout_s: float = 60.0,
) -> Candidate:
    """Build and start the host and ``runners`` runners; return once all are ready.

    ``roots``: directories the runner may touch (default: a fresh temporary directory, removed on stop).
    ``home``: the runner's HOME (default: a fresh directory, removed on stop).
    ``sounds``: upload the seven sounds (fetched once from a real primary, then cached) before returning.
    ``host_env``: deployment env vars for the stand-in (e.g. ``RUNNER_LEASE_MS``, ``CONVEX_TEST_HOST_CRON_MS``).
    ``runner_env``: extra ``RUNNER_*`` settings for every runner.
    """
    script = build_host()
    workdir = Path(tempfile.mkdtemp(prefix="vk-candidate-"))
    owned = [workdir]
    if roots is None:
        root = workdir / "root"
        root.mkdir()
        roots = [root]
    if home is None:
        home = workdir / "home"
        home.mkdir()
    secret = secrets.token_urlsafe(32)
    admin_key = secrets.token_urlsafe(24)
    env = _child_env(
        "RUNNER_",
        {
            "RUNNER_HMAC_KEYS": json.dumps({KEY_ID: secret}),
            "CONVEX_TEST_HOST_ADMIN_KEY": admin_key,
            **(host_env or {}),
        },
    )
    host_log_path = workdir / "host.log"
    host_log = open(host_log_path, "ab")  # noqa: SIM115 - closed in Candidate.stop()
    host = subprocess.Popen(
        [
            "node",
            str(script),
            "--api-port",
            str(api_port or free_port()),
            "--site-port",
            str(port or free_port()),
        ],
        cwd=REPO_ROOT,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=host_log,
        start_new_session=True,
    )
    candidate = Candidate(
        base_url="",
        api_url="",
        admin_key=admin_key,
        roots=tuple(Path(r) for r in roots),
        workdir=workdir,
        home=Path(home),
        host=host,
        runner_env=_child_env(
            "RUNNER_",
            {
                "RUNNER_KEY_ID": KEY_ID,
                "RUNNER_SECRET": secret,
                # HOME is a root too: the runner keeps agent configs there and lists it by default, as
                # 0.0.71 lists its HOME.
                "RUNNER_ROOTS": os.pathsep.join(str(r) for r in [*roots, home]),
                "HOME": str(home),
                **(runner_env or {}),
            },
        ),
        owned_dirs=owned,
        _logs=[host_log],
    )
    try:
        ready = read_ready_line(host, host_log_path, "the convex-test host", ready_timeout_s)
        candidate.base_url = str(ready["siteUrl"])
        candidate.api_url = str(ready["apiUrl"])
        candidate.runner_env["RUNNER_CONVEX_SITE_URL"] = candidate.base_url
        if sounds:
            try:
                seed_sounds(candidate.api_url, admin_key)
            except (SoundsError, InstanceError, BinaryFetchError, OSError) as exc:
                raise CandidateError(f"seeding the sounds failed: {exc}") from exc
        for _ in range(runners):
            candidate.start_runner(ready_timeout_s=ready_timeout_s)
    except BaseException:
        candidate.stop()
        raise
    return candidate


def run_until_signalled(candidate: Candidate, *, announce: Any = print) -> int:
    """Print the base URL, then wait for SIGINT/SIGTERM (or a child dying); stop everything by pid."""
    stop = threading.Event()
    previous = {sig: signal.signal(sig, lambda *_: stop.set()) for sig in (signal.SIGINT, signal.SIGTERM)}
    code = 0
    try:
        announce(candidate.base_url)
        while not stop.wait(0.5):
            dead = [p for p in [candidate.host, *candidate.runners] if p.poll() is not None]
            if dead:
                print(f"candidate process {dead[0].pid} exited ({dead[0].returncode}); stopping", file=sys.stderr)
                code = 1
                break
    finally:
        candidate.stop()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    return code
