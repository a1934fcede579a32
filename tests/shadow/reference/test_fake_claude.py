from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from shadow.reference.agent import AGENT_SCRIPT


def run_agent(prompt: str, cwd: Path, *args: str) -> tuple[int, list[dict[str, object]], str]:
    done = subprocess.run(
        [sys.executable, str(AGENT_SCRIPT), "-p", "--verbose", "--output-format=stream-json", *args],
        input=prompt,
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=30,
    )
    return done.returncode, [json.loads(line) for line in done.stdout.splitlines()], done.stderr


def test_default_run_writes_hello_and_speaks_stream_json(tmp_path: Path) -> None:
    code, lines, _ = run_agent("Title: Add hello file", tmp_path)
    assert code == 0
    assert (tmp_path / "hello.txt").read_text() == "hello from fake agent\n"
    assert [line["type"] for line in lines] == ["system", "assistant", "user", "assistant", "result"]
    assert lines[0]["subtype"] == "init"
    session_ids = {line["session_id"] for line in lines}
    assert len(session_ids) == 1
    assert lines[-1]["result"] == "Created hello.txt with a greeting."


def test_session_id_is_deterministic_and_kept_on_resume(tmp_path: Path) -> None:
    _, first, _ = run_agent("Title: same prompt", tmp_path)
    _, again, _ = run_agent("Title: same prompt", tmp_path)
    assert first[0]["session_id"] == again[0]["session_id"]
    _, resumed, _ = run_agent("agent: nothing", tmp_path, "--resume", "sess-abc")
    assert {line["session_id"] for line in resumed} == {"sess-abc"}


def test_directives_edit_files_fail_and_write_stderr(tmp_path: Path) -> None:
    (tmp_path / "old.txt").write_text("x")
    prompt = "Title: t\n\nDescription:\nagent: write a/b.txt one\\ntwo\nagent: append a/b.txt three\nagent: delete old.txt\nagent: stderr oops\nagent: fail 3\nagent: write never.txt no"
    code, lines, stderr = run_agent(prompt, tmp_path)
    assert code == 3
    assert (tmp_path / "a/b.txt").read_text() == "one\ntwo\nthree\n"
    assert not (tmp_path / "old.txt").exists()
    assert not (tmp_path / "never.txt").exists()
    assert stderr == "oops\n"
    assert lines[-1]["type"] == "result" and lines[-1]["is_error"] is True
