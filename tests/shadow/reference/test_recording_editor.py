"""The recording editor: a real executable that logs how it was started and can be held alive."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from shadow.reference.recording_editor import install_recording_editor


def test_each_run_records_argv_cwd_session_and_stdin(tmp_path: Path) -> None:
    editor = install_recording_editor(tmp_path / "bin", names=("code", "edit"))
    env = {**os.environ, "PATH": f"{editor.directory}{os.pathsep}{os.environ['PATH']}"}
    subprocess.run(["code", "--wait", "a b"], cwd=tmp_path, env=env, stdin=subprocess.DEVNULL, check=True)
    subprocess.run([str(editor.program("edit"))], cwd=editor.directory, check=True, start_new_session=True)

    first, second = editor.calls()
    assert first["argv"] == [str(editor.program("code")), "--wait", "a b"]  # found on PATH: the full path
    assert first["cwd"] == str(tmp_path)
    assert first["stdin"] == "/dev/null"
    assert first["sid"] == os.getsid(0)
    assert second["argv"] == [str(editor.program("edit"))]
    assert second["sid"] == second["pid"] == second["pgid"]


def test_a_held_editor_stays_alive_until_released(tmp_path: Path) -> None:
    editor = install_recording_editor(tmp_path)
    editor.hold()
    process = subprocess.Popen([str(editor.program("edit"))])
    try:
        assert len(editor.wait_for_calls(1)) == 1
        assert process.poll() is None
        editor.release()
        assert process.wait(timeout=10) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


def test_no_log_reads_as_no_calls(tmp_path: Path) -> None:
    editor = install_recording_editor(tmp_path)
    assert editor.calls() == []
    assert editor.wait_for_calls(1, timeout_s=0.1) == []
