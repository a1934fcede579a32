"""The system against itself: the workflow recorded against two fresh real vibe-kanban 0.0.71 instances at
once (``run_demo(mode="two-primaries")``), then compared. Whatever differs after normalization is the noise floor of the
reference; it must stay under 2 % of the exchanges, and every remaining difference is printed with its
cause."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from rich.console import Console

from shadow.demo import BaselineDemo as DemoResult
from shadow.demo import run_demo
from shadow.offline import PairedVerdict

pytestmark = pytest.mark.e2e

# Known, documented causes of differences between two identical primaries, by route.
KNOWN_CAUSES = {
    "GET /api/task-attempts/{id}/diff": "the live diff never ends and, on Linux, feeds on its own file reads: a "
    "windowed read sees a timing-dependent number of add/remove cycles (CONTRACT-CORRECTIONS §32)",
    "GET /api/events": "the feed re-reads rows asynchronously: phantom DELETED_* records and states read before "
    "or after the write vary run to run (NOISE §2-§3, CONTRACT-CORRECTIONS §34)",
    "GET /api/execution-processes/{id}/raw-logs": "stdout and stderr are separate pipes: chunking and their "
    "interleaving vary run to run (NOISE §2)",
    "GET /api/execution-processes/{id}/normalized-logs": "stderr's error_message grows through a timing-dependent "
    "number of replace ops (NOISE §2)",
}


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> DemoResult:
    output = io.StringIO()
    result = run_demo(
        tmp_path_factory.mktemp("e2e-two-primaries"), mode="two-primaries", console=Console(file=output, width=200)
    )
    print(output.getvalue())
    assert isinstance(result, DemoResult)
    return result


def _cause(pair: PairedVerdict) -> str:
    key = f"{pair.verdict.method} {pair.verdict.route}"
    return KNOWN_CAUSES.get(key, "UNEXPLAINED: a missing comparator rule or a nondeterministic workload step")


def test_both_recordings_ran_every_step(demo: DemoResult) -> None:
    for recording in demo.recordings:
        assert recording.report.problems() == [], recording.name


def test_every_exchange_pairs_by_request_id(demo: DemoResult) -> None:
    assert demo.comparison.summary.unpaired == {"primary": 0, "candidate": 0}
    assert len(demo.comparison.pairs) > 150


def test_at_least_98_percent_match_after_normalization(demo: DemoResult) -> None:
    comparison = demo.comparison
    remaining = comparison.not_at_parity()
    print(f"\n{len(remaining)} of {len(comparison.pairs)} exchanges differ after normalization:")
    for pair in remaining:
        print(f"- {pair.request_id}: {pair.verdict.kind.value} {pair.verdict.method} {pair.verdict.route}")
        print(f"  cause: {_cause(pair)}")
        for diff in pair.verdict.diffs[:5]:
            print(f"  {diff.path} {diff.kind.value}: {str(diff.primary)[:100]!r} -> {str(diff.candidate)[:100]!r}")
    parity = comparison.summary.parity_percent
    assert parity is not None and parity >= 98.0, f"parity {parity} %"


def test_hars_and_the_learned_noise_are_kept_in_the_demo_directory(demo: DemoResult) -> None:
    assert sorted(Path(p).name for p in demo.directory.iterdir()) == ["noise.json", "primary.har", "secondary.har"]
