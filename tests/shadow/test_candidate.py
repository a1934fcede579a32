"""The local candidate: build, start (real Node host + real runner), answer through the host, stop by pid."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
import pytest

from shadow.candidate import Candidate, CandidateError, build_host, start_candidate
from shadow.reference.instance import Instance


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie still answers kill(0); it is gone for our purposes once it is not running.
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().split(") ", 1)[1][0] != "Z"
    except OSError:
        return False


def test_the_candidate_fixture_answers_health_and_runs_commands(candidate: Candidate) -> None:
    health = httpx.get(f"{candidate.base_url}/api/health", timeout=10)
    assert health.status_code == 200
    assert health.json() == {"success": True, "data": "OK", "error_data": None, "message": None}
    (candidate.roots[0] / "sub").mkdir()
    command_id = candidate.admin_call(
        "mutation", "commands:enqueue", {"kind": "fs.listDirectory", "payload": {"path": str(candidate.roots[0])}}
    )
    deadline = time.monotonic() + 20
    while (state := candidate.admin_call("query", "commands:get", {"commandId": command_id}))["status"] != "succeeded":
        assert time.monotonic() < deadline, state
        time.sleep(0.05)
    assert [e["name"] for e in state["result"]["entries"]] == ["sub"]


def test_stop_leaves_no_process_behind() -> None:
    started = start_candidate()
    pids = [started.host.pid, *(runner.pid for runner in started.runners)]
    workdir = started.workdir
    assert all(alive(pid) for pid in pids)
    started.stop()
    assert not any(alive(pid) for pid in pids)
    assert not workdir.exists()
    started.stop()  # idempotent


def test_internal_functions_need_the_admin_key(candidate: Candidate) -> None:
    body = {"path": "commands:enqueue", "args": {"kind": "x", "payload": None}, "format": "json"}
    anonymous = httpx.post(f"{candidate.api_url}/api/mutation", json=body, timeout=10).json()
    assert anonymous["status"] == "error" and "Could not find public function" in anonymous["errorMessage"]


def test_build_errors_are_clear(tmp_path: Path) -> None:
    with pytest.raises(CandidateError, match="bootstrap"):
        build_host(repo_root=tmp_path)
    assert build_host().name == "host.mjs"


def test_parity_candidate_command_starts_answers_and_stops_cleanly() -> None:
    parity = Path(sys.executable).with_name("parity")
    process = subprocess.Popen(
        [str(parity), "candidate"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True
    )
    try:
        assert process.stdout is not None
        url = process.stdout.readline().strip()
        assert url.startswith("http://127.0.0.1:"), process.stderr.read() if process.stderr else ""
        assert httpx.get(f"{url}/api/health", timeout=10).json()["data"] == "OK"
        children = subprocess.run(
            ["ps", "-o", "pid=", "--ppid", str(process.pid)], capture_output=True, text=True, check=False
        ).stdout.split()
        assert len(children) == 2  # the host and one runner
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=30) == 0
        assert not any(alive(int(pid)) for pid in children)
        with pytest.raises(httpx.TransportError):
            httpx.get(f"{url}/api/health", timeout=2)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


def test_the_official_python_client_reads_the_hosts_numbers(candidate: Candidate) -> None:
    from convex.http_client import ConvexHttpClient

    client = ConvexHttpClient(candidate.api_url)
    client.set_admin_auth(candidate.admin_key)
    chunks = [{"processId": "p", "stream": "stdout", "seq": seq, "content": f"{seq}"} for seq in range(3)]
    # Its decoder refuses JSON integers (ValueError "Bad JSON value"): whole floats must come as 0.0, 1.0,
    # as the real backend writes them.
    assert client.mutation("logs:append", {"chunks": chunks}) == {"inserted": 3, "duplicates": 0}
    page = client.query("logs:listByProcess", {"processId": "p", "limit": 2})
    assert [chunk["seq"] for chunk in page["chunks"]] == [0, 1] and page["nextAfterSeq"] == 1
    with pytest.raises(Exception, match="Could not find function"):
        client.query("commands:nope", {})


STREAM_APP = {
    "schema.ts": 'import { defineSchema } from "convex/server";\nexport default defineSchema({});\n',
    "_generated/api.js": "export const api = {};\n",
    "http.ts": """
import { httpActionGeneric, httpRouter } from "convex/server";
const http = httpRouter();
http.route({
  path: "/stream",
  method: "GET",
  handler: httpActionGeneric(async () => {
    let n = 0;
    const body = new ReadableStream({
      async pull(controller) {
        await new Promise((resolve) => setTimeout(resolve, 300));
        controller.enqueue(new TextEncoder().encode(`data: ${n}\\n\\n`));
        if (++n === 3) controller.close();
      },
    });
    return new Response(body, { headers: { "content-type": "text/event-stream" } });
  }),
});
export default http;
""",
}


def test_the_host_pipes_http_action_bodies_chunk_by_chunk(tmp_path: Path) -> None:
    """SSE must stay live through the host: each chunk arrives when the action produces it."""
    from shadow.candidate import HOST_DIR, read_ready_line

    for rel, text in STREAM_APP.items():
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(text)
    script = build_host(convex_dir=tmp_path, outfile=HOST_DIR / "dist" / f"stream-test-{os.getpid()}.mjs")
    log_path = tmp_path / "host.log"
    with open(log_path, "wb") as log:
        host = subprocess.Popen(
            ["node", str(script)], stdout=subprocess.PIPE, stderr=log, stdin=subprocess.DEVNULL, start_new_session=True
        )
    try:
        ready = read_ready_line(host, log_path, "stream host", 30)
        arrivals: list[tuple[float, bytes]] = []
        with httpx.stream("GET", f"{ready['siteUrl']}/stream", timeout=10) as response:
            assert response.headers["content-type"] == "text/event-stream"
            started = time.monotonic()
            for chunk in response.iter_raw():
                arrivals.append((time.monotonic() - started, chunk))
        assert b"".join(chunk for _, chunk in arrivals) == b"data: 0\n\ndata: 1\n\ndata: 2\n\n"
        assert len(arrivals) == 3
        assert arrivals[-1][0] - arrivals[0][0] >= 0.45  # not buffered until the end
    finally:
        host.terminate()
        host.wait(timeout=10)
        script.unlink(missing_ok=True)


def test_the_runner_reports_its_own_fresh_home_and_this_host_like_the_primary(
    primary: Instance, candidate: Candidate
) -> None:
    """/api/info's environment and the HOME-relative path of /api/profiles, primary vs candidate."""
    assert candidate.home.is_dir() and candidate.home != Path.home()
    with (
        httpx.Client(base_url=primary.base_url, timeout=30) as p,
        httpx.Client(base_url=candidate.base_url, timeout=30) as c,
    ):
        assert c.get("/api/info").json()["data"]["environment"] == p.get("/api/info").json()["data"]["environment"]
        expected = p.get("/api/profiles").json()["data"]["path"].replace(str(primary.home), "<HOME>")
        assert c.get("/api/profiles").json()["data"]["path"].replace(str(candidate.home), "<HOME>") == expected


def test_a_failed_sound_seeding_stops_the_start_cleanly(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("x")
    monkeypatch.setenv("PARITY_CACHE_DIR", str(blocker))  # no sound cache can be made (and nothing is fetched)
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))  # where start_candidate makes its work directory
    with pytest.raises(CandidateError, match="seeding the sounds failed"):
        start_candidate(runners=0)
    assert list(scratch.iterdir()) == []  # the host was stopped and its directory removed
