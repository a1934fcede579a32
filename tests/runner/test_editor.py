"""editor.open with a real subprocess: the recording editor tells exactly what was started, how and where.

The 0.0.71 side of the same cases (same argv, same failures) is proved in tests/e2e/test_open_editor_parity.py.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from runner.confine import OUTSIDE_ROOTS, Roots
from runner.dispatch import HandlerContext, run_command
from runner.editor import NO_COMMAND, OpenPayload, open_editor
from runner.errors import CommandError
from shadow.reference.recording_editor import RecordingEditor, install_recording_editor


@pytest.fixture
def editor(tmp_path: Path) -> RecordingEditor:
    return install_recording_editor(tmp_path / "bin", names=("edit", "code"))


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    path = tmp_path / "root" / "repo"
    path.mkdir(parents=True)
    return path


@pytest.fixture
def roots(tmp_path: Path) -> Roots:
    return Roots([tmp_path / "root"])


def _open(command: list[str], repo_path: Path | str, roots: Roots) -> dict[str, object]:
    return open_editor(OpenPayload.model_validate({"repoPath": str(repo_path), "command": command}), roots)


def _gone(pid: int, timeout_s: float = 10.0) -> bool:
    """True once the pid has left the process table (exited *and* reaped: a zombie keeps its /proc entry)."""
    deadline = time.monotonic() + timeout_s
    while Path(f"/proc/{pid}").exists():
        if time.monotonic() >= deadline:
            return False
        time.sleep(0.02)
    return True


def test_runs_the_command_with_the_repository_path_last(editor: RecordingEditor, repo: Path, roots: Roots) -> None:
    # 0.0.71 splits the custom command on whitespace without any quoting: the pieces arrive as they are.
    result = _open([str(editor.program("edit")), "--flag", "'a", "b'"], repo, roots)
    (call,) = editor.wait_for_calls(1)
    assert call["argv"] == [str(editor.program("edit")), "--flag", "'a", "b'", str(repo)]
    assert call["pid"] == result["pid"]
    assert call["cwd"] == os.getcwd()  # the runner's own working directory, as 0.0.71 uses the server's
    assert call["stdin"] == "/dev/null"


def test_the_editor_gets_a_session_of_its_own(editor: RecordingEditor, repo: Path, roots: Roots) -> None:
    _open([str(editor.program("edit"))], repo, roots)
    (call,) = editor.wait_for_calls(1)
    assert call["sid"] == call["pid"] == call["pgid"]
    assert call["sid"] != os.getsid(0)
    assert call["pgid"] != os.getpgid(0)


def test_answers_without_waiting_and_reaps_the_editor_when_it_exits(
    editor: RecordingEditor, repo: Path, roots: Roots
) -> None:
    editor.hold()
    try:
        pid = int(str(_open([str(editor.program("edit"))], repo, roots)["pid"]))
        assert len(editor.wait_for_calls(1)) == 1
        # the command has answered while the editor is still running (it waits for the hold file)
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        assert state in {"R", "S"}
    finally:
        editor.release()
    assert _gone(pid), "the editor exited but was never reaped (a zombie was left)"


def test_a_bare_name_is_looked_up_on_path(
    editor: RecordingEditor, repo: Path, roots: Roots, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", f"{editor.directory}{os.pathsep}{os.environ['PATH']}")
    _open(["code"], repo, roots)
    (call,) = editor.wait_for_calls(1)
    assert call["argv"] == [str(editor.program("code")), str(repo)]


def test_a_repository_path_that_does_not_exist_is_still_opened(
    editor: RecordingEditor, tmp_path: Path, roots: Roots
) -> None:
    missing = tmp_path / "root" / "gone"
    _open([str(editor.program("edit"))], missing, roots)
    assert editor.wait_for_calls(1)[0]["argv"][-1] == str(missing)


@pytest.mark.parametrize(
    ("command", "detail"),
    [
        (["/nonexistent/editor"], "No such file or directory (os error 2)"),
        (["no-such-editor-on-path"], "No such file or directory (os error 2)"),
        (["{bin}"], "Permission denied (os error 13)"),  # a directory
        (["{bin}/calls-not-executable"], "Permission denied (os error 13)"),
    ],
)
def test_a_program_that_cannot_start_is_an_api_error(
    editor: RecordingEditor, repo: Path, roots: Roots, command: list[str], detail: str
) -> None:
    (editor.directory / "calls-not-executable").write_text("not a program\n")
    command = [part.format(bin=editor.directory) for part in command]
    with pytest.raises(CommandError) as raised:
        _open(command, repo, roots)
    assert raised.value.kind == "api"
    assert raised.value.message == f"IoError: cannot start {command[0]!r}: {detail}"
    assert editor.calls() == []


@pytest.mark.parametrize("command", [[], [""]])
def test_an_empty_command_is_an_api_error(repo: Path, roots: Roots, command: list[str]) -> None:
    with pytest.raises(CommandError) as raised:
        _open(command, repo, roots)
    assert (raised.value.kind, raised.value.message) == ("api", NO_COMMAND)


def test_a_repository_outside_the_roots_is_refused_and_nothing_starts(
    editor: RecordingEditor, tmp_path: Path, roots: Roots
) -> None:
    for outside in (tmp_path / "elsewhere", tmp_path / "root" / ".." / "elsewhere"):
        with pytest.raises(CommandError) as raised:
            _open([str(editor.program("edit"))], outside, roots)
        assert (raised.value.kind, raised.value.message) == ("soft", OUTSIDE_ROOTS)
    assert editor.calls() == []


def test_dispatch_answers_the_outcome_json(editor: RecordingEditor, repo: Path, roots: Roots) -> None:
    ctx = HandlerContext(roots=roots, default_dir=repo)
    started = run_command("editor.open", {"repoPath": str(repo), "command": [str(editor.program("edit"))]}, ctx)
    assert started["ok"] is True and isinstance(started["result"]["pid"], int)
    failed = run_command("editor.open", {"repoPath": str(repo), "command": ["/nonexistent/editor"]}, ctx)
    assert failed["error"]["kind"] == "api"
    invalid = run_command("editor.open", {"repoPath": str(repo), "command": "code"}, ctx)
    assert invalid["error"]["kind"] == "internal"
    assert invalid["error"]["message"].startswith("invalid payload for editor.open: command:")
    assert len(editor.wait_for_calls(1)) == 1
