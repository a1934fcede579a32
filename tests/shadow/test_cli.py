from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner
from pydantic import SecretStr

from comparators.result import Diff, DiffKind, VerdictKind
from shadow.cli import main
from shadow.models import ComparisonRecord
from shadow.store import ResultStore, StoreSettings

Factory = Callable[..., ComparisonRecord]
PAT = "ghp_" + "Mn4bV7cX0zL3kJ6hG9fD2sA5pO8iU1yT4rE7"


@pytest.fixture
def filled(tmp_path: Path, make_record: Factory) -> tuple[Path, str]:
    """A store filled through the library: 3 matches, 2 occurrences of one mismatch, 1 timeout."""
    path = tmp_path / "parity.db"
    with ResultStore.open(path, settings=StoreSettings(redaction_key=SecretStr("k"))) as store:
        mismatch = dict(
            method="PUT",
            route="/api/config",
            group="config",
            path="/api/config",
            request_body={"github": {"pat": PAT}},
            diffs=(Diff(path="/body/data/github/pat", kind=DiffKind.VALUE, primary=PAT, candidate=None),),
        )
        store.record_many(
            [make_record(verdict=VerdictKind.MATCH, recorded_at=1_700_000_000.0 + i) for i in range(3)]
            + [make_record(**mismatch, recorded_at=1_700_000_010.0 + i) for i in range(2)]
            + [make_record(verdict=VerdictKind.TIMEOUT, candidate_error="timeout", group="projects")]
        )
        signature = store.top_signatures()[0].signature
    return path, signature


def test_results_tables(filled: tuple[Path, str]) -> None:
    path, signature = filled
    result = CliRunner(env={"COLUMNS": "200"}).invoke(main, ["results", "--store", str(path)])
    assert result.exit_code == 0, result.output
    assert "Comparisons: 6" in result.output
    assert signature in result.output and "PUT /api/config" in result.output
    assert "/body/data/github/pat:value" in result.output
    config_row = next(line for line in result.output.splitlines() if "config" in line and "│" in line)
    assert config_row.split("│")[1].strip() == "config"


def test_results_json(filled: tuple[Path, str]) -> None:
    path, signature = filled
    result = CliRunner().invoke(main, ["results", "--store", str(path), "--json", "--limit", "1"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["totals"]["by_verdict"] == {"match": 3, "mismatch": 2, "timeout": 1}
    assert data["totals"]["by_group"]["projects"] == {"timeout": 1}
    assert [s["signature"] for s in data["top_signatures"]] == [signature]
    assert data["top_signatures"][0]["count"] == 2


def test_show_prints_redacted_exemplars(filled: tuple[Path, str]) -> None:
    path, signature = filled
    result = CliRunner(env={"COLUMNS": "200"}).invoke(main, ["show", signature, "--store", str(path)])
    assert result.exit_code == 0, result.output
    assert "PUT /api/config" in result.output and "«redacted:hmac256:" in result.output
    assert PAT not in result.output
    as_json = CliRunner().invoke(main, ["show", signature, "--store", str(path), "--json"])
    data = json.loads(as_json.output)
    assert data["signature"]["signature"] == signature and len(data["exemplars"]) == 2
    body = json.loads(data["exemplars"][0]["record"]["exchange"]["request"]["body"]["$text"])
    assert body["github"]["pat"].startswith("«redacted:hmac256:")
    assert PAT not in as_json.output


@pytest.mark.parametrize("command", [["results"], ["show", "abc123"]])
def test_missing_store_exits_2_with_one_line(tmp_path: Path, command: list[str]) -> None:
    missing = tmp_path / "nowhere.db"
    result = CliRunner().invoke(main, [*command, "--store", str(missing)])
    assert result.exit_code == 2
    assert result.output.strip().splitlines() == [f"Error: no evidence store at {missing}"]
    assert not missing.exists()  # reading never creates a store


def test_unreadable_store_exits_2(tmp_path: Path) -> None:
    garbage = tmp_path / "garbage.db"
    garbage.write_bytes(b"not a database at all" * 50)
    result = CliRunner().invoke(main, ["results", "--store", str(garbage)])
    assert result.exit_code == 2
    (line,) = result.output.strip().splitlines()
    assert "garbage.db" in line and "not a database" in line


def test_unknown_signature_exits_2(filled: tuple[Path, str]) -> None:
    path, _ = filled
    result = CliRunner().invoke(main, ["show", "000000000000", "--store", str(path)])
    assert result.exit_code == 2
    assert result.output.strip() == f"Error: unknown signature '000000000000' in {path}"


def test_commands_are_documented() -> None:
    for command in ("results", "show"):
        result = CliRunner().invoke(main, [command, "--help"])
        assert result.exit_code == 0 and "--store" in result.output and "--json" in result.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--candidate", "ftp://nope"], "not an http(s) URL"),
        (["--candidate", "http://127.0.0.1:9", "--listen", "host:http"], "--listen must be HOST:PORT"),
        (["--candidate", "http://127.0.0.1:9", "--config", "/nonexistent.yaml"], "settings file not found"),
    ],
)
def test_proxy_bad_input_exits_2_before_starting_mitmdump(args: list[str], message: str) -> None:
    result = CliRunner().invoke(main, ["proxy", "--primary", "http://127.0.0.1:1", *args])
    assert result.exit_code == 2 and message in result.output


def test_replay_of_an_unreadable_capture_exits_2(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        main,
        ["replay", str(tmp_path / "none.har"), "--primary", "http://127.0.0.1:1", "--candidate", "http://127.0.0.1:2"],
    )
    assert result.exit_code == 2
    (line,) = result.output.strip().splitlines()
    assert "none.har" in line and "cannot read" in line


def test_proxy_and_replay_are_documented() -> None:
    for command in ("proxy", "replay"):
        result = CliRunner().invoke(main, [command, "--help"])
        assert result.exit_code == 0 and "--primary" in result.output and "--candidate" in result.output


def test_seed_sounds_reads_the_admin_key_from_the_environment_only(tmp_path: Path) -> None:
    from shadow.candidate import start_candidate
    from shadow.sounds import SOUND_NAMES

    runner = CliRunner()
    missing = runner.invoke(main, ["seed-sounds", "--convex-url", "http://127.0.0.1:1"], env={"CONVEX_ADMIN_KEY": ""})
    assert missing.exit_code == 2 and "CONVEX_ADMIN_KEY" in missing.output
    bad_url = runner.invoke(main, ["seed-sounds", "--convex-url", "127.0.0.1:1"], env={"CONVEX_ADMIN_KEY": "k"})
    assert bad_url.exit_code == 2 and "http(s)" in bad_url.output

    deployment = start_candidate(runners=0, sounds=False)
    try:
        args = ["seed-sounds", "--convex-url", deployment.api_url, "--admin-key-env", "STAGING_KEY"]
        seeded = runner.invoke(main, args, env={"STAGING_KEY": deployment.admin_key})
        assert seeded.exit_code == 0, seeded.output
        assert seeded.output.splitlines() == [f"stored {name}" for name in SOUND_NAMES]
        assert deployment.admin_key not in seeded.output
        served = httpx.get(f"{deployment.base_url}/api/sounds/ROOSTER", timeout=10)
        assert served.status_code == 200 and served.headers["content-type"] == "audio/wav"
        refused = runner.invoke(main, args, env={"STAGING_KEY": "wrong"})
        assert refused.exit_code == 1 and "uploading ABSTRACT_SOUND1" in refused.output
    finally:
        deployment.stop()


# ------------------------------------------------------------------------------------- parity compare


def _har_pair(tmp_path: Path) -> tuple[Path, Path]:
    from comparators.message import HttpRequest, HttpResponse
    from shadow.har import HarCapture, HarEntry, write_har

    def capture(status: str) -> HarCapture:
        body = json.dumps({"success": True, "data": {"status": status}, "error_data": None, "message": None})
        entry = HarEntry(
            started_at="2026-01-01T00:00:00Z",  # type: ignore[arg-type]
            time_ms=1.0,
            url="http://127.0.0.1:1/api/health",
            request=HttpRequest(method="GET", path="/api/health"),
            response=HttpResponse(status=200, headers=(("content-type", "application/json"),), body=body.encode()),
            request_id="system.health",
        )
        return HarCapture(entries=(entry,))

    return write_har(tmp_path / "a.har", capture("ok")), write_har(tmp_path / "b.har", capture("changed"))


def test_compare_prints_tables_and_exits_0_with_mismatches(tmp_path: Path) -> None:
    primary, candidate = _har_pair(tmp_path)
    result = CliRunner().invoke(main, ["compare", str(primary), str(candidate)])
    assert result.exit_code == 0, result.output
    assert "Parity per route group" in result.stdout and "Top mismatch signatures" in result.stdout


def test_compare_json_is_the_machine_readable_summary(tmp_path: Path) -> None:
    primary, candidate = _har_pair(tmp_path)
    result = CliRunner().invoke(main, ["compare", str(primary), str(primary), "--json"])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["verdicts"]["match"] == 1 and summary["parity_percent"] == 100.0
    assert set(summary) >= {"verdicts", "groups", "signatures", "unpaired", "poll_repeats"}
    mismatch = json.loads(CliRunner().invoke(main, ["compare", str(primary), str(candidate), "--json"]).stdout)
    (signature,) = mismatch["signatures"]
    assert signature["count"] == 1 and signature["example"][0]["path"] == "/body/data/status"


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("missing.har", None, "cannot read"),
        ("not-har.json", b'{"hello": "world"}', "not a HAR file"),
        ("garbage.har", b"\x00\x01\x02 garbage", "not JSON"),
    ],
)
def test_compare_bad_input_exits_2_with_one_line(tmp_path: Path, name: str, content: bytes | None, reason: str) -> None:
    primary, _ = _har_pair(tmp_path)
    bad = tmp_path / name
    if content is not None:
        bad.write_bytes(content)
    result = CliRunner().invoke(main, ["compare", str(primary), str(bad)])
    assert result.exit_code == 2
    assert reason in result.stderr and name in result.stderr
    assert result.stderr.strip().count("\n") == 0 and result.stdout == ""


def test_compare_unknown_profile_exits_2(tmp_path: Path) -> None:
    primary, candidate = _har_pair(tmp_path)
    result = CliRunner().invoke(main, ["compare", str(primary), str(candidate), "--profile", "no-such-profile"])
    assert result.exit_code == 2 and "no-such-profile" in result.stderr


# ---------------------------------------------------------------------------------- parity learn-noise


def test_learn_noise_writes_the_model_that_compare_noise_reads(tmp_path: Path) -> None:
    first, second = _har_pair(tmp_path)  # /api/health: the status field differs between the two
    model = tmp_path / "noise.json"
    result = CliRunner().invoke(
        main, ["learn-noise", str(first), str(second), "--out", str(model), "--min-observations", "1"]
    )
    assert result.exit_code == 0, result.output
    assert "1 self-comparison(s) over 1 route(s); 1 volatile field(s)" in result.stdout
    assert "GET /api/health  /body/data/status  differed in 100% of 1" in result.stdout
    plain = json.loads(CliRunner().invoke(main, ["compare", str(first), str(second), "--json"]).stdout)
    noisy = CliRunner().invoke(main, ["compare", str(first), str(second), "--json", "--noise", str(model)])
    assert noisy.exit_code == 0, noisy.output
    assert (plain["verdicts"]["mismatch"], plain["verdicts"]["noise"]) == (1, 0)
    verdicts = json.loads(noisy.stdout)["verdicts"]
    assert (verdicts["mismatch"], verdicts["noise"]) == (0, 1)


@pytest.mark.parametrize(
    ("args", "reason"),
    [
        (["a.har"], "HAR files come in pairs"),
        (["a.har", "missing.har"], "missing.har"),
        (["a.har", "b.har", "--threshold", "0"], "--threshold"),
        (["a.har", "b.har", "--min-observations", "0"], "--min-observations"),
    ],
)
def test_learn_noise_bad_input_exits_2(tmp_path: Path, args: list[str], reason: str) -> None:
    _har_pair(tmp_path)
    paths = [str(tmp_path / arg) if arg.endswith(".har") else arg for arg in args]
    result = CliRunner().invoke(main, ["learn-noise", *paths, "--out", str(tmp_path / "noise.json")])
    assert result.exit_code == 2 and reason in result.stderr
    assert not (tmp_path / "noise.json").exists()


def test_compare_with_an_unreadable_noise_model_exits_2(tmp_path: Path) -> None:
    primary, candidate = _har_pair(tmp_path)
    (tmp_path / "noise.json").write_text("[1, 2]")
    result = CliRunner().invoke(
        main, ["compare", str(primary), str(candidate), "--noise", str(tmp_path / "noise.json")]
    )
    assert result.exit_code == 2 and "is not a noise model" in result.stderr
    assert result.stderr.strip().count("\n") == 0
