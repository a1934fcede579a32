"""``run_demo`` for real: two fresh instances, the workflow recorded against both, the comparison printed.
Only the ``errors`` family here (fast, no agent); tests/e2e/test_two_primaries.py runs the whole workflow."""

from __future__ import annotations

import io
from pathlib import Path

import httpx
import pytest
from rich.console import Console

from shadow.demo import run_demo
from shadow.har import read_har


def test_demo_records_both_instances_and_prints_the_comparison(tmp_path: Path) -> None:
    out = io.StringIO()
    result = run_demo(tmp_path / "out", families=["errors"], console=Console(file=out, width=160))
    assert result.directory.parent == tmp_path / "out" and result.directory.name.startswith("demo-")
    first, second = result.recordings
    assert (first.har_path.name, second.har_path.name) == ("primary.har", "secondary.har")
    assert first.report.ok and second.report.ok
    assert {e.request_id for e in read_har(first.har_path).entries} == {
        e.request_id for e in read_har(second.har_path).entries
    }
    assert result.comparison.summary.parity_percent == 100.0
    text = out.getvalue()
    assert "Parity per route group" in text and str(first.har_path) in text
    assert sorted(p.name for p in result.directory.iterdir()) == ["primary.har", "secondary.har"]  # work dirs removed
    for recording in result.recordings:  # both instances were stopped
        with pytest.raises(httpx.ConnectError):
            httpx.get(f"{recording.report.base_url}/api/health", timeout=2)
