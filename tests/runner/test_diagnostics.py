"""diag.appendOnce: the detect-then-apply pattern that makes a re-run safe."""

from __future__ import annotations

from pathlib import Path

from runner.confine import Roots
from runner.diagnostics import AppendOncePayload, append_once


def test_appends_once_however_often_it_runs(tmp_path: Path) -> None:
    ledger = tmp_path / "ledger.txt"
    run = lambda line: append_once(AppendOncePayload(path=str(ledger), line=line), Roots([tmp_path]))  # noqa: E731
    assert run("a")["appended"] is True
    assert run("a")["appended"] is False
    assert run("b")["appended"] is True
    assert ledger.read_text() == "a\nb\n"
