from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest
from pydantic import SecretStr
from sqlite_utils import Database

from comparators.message import HttpRequest, HttpResponse
from comparators.result import Diff, DiffKind, Verdict, VerdictKind
from shadow.errors import StoreError
from shadow.models import CandidateOutcome, ComparisonRecord, Exchange
from shadow.reference.instance import Instance, running_instance
from shadow.store import ResultStore, StoreSettings

Factory = Callable[..., ComparisonRecord]
PAT = "ghp_" + "Qw3rTy6uIo9pAs2dFg5hJk8lZx1cVb4nMq7W"
SETTINGS = StoreSettings(redaction_key=SecretStr("test-key"))


def _file_store(path: Path, **settings: object) -> ResultStore:
    return ResultStore.open(path, settings=SETTINGS.model_copy(update=settings))


def _disk_bytes(path: Path) -> bytes:
    return b"".join(p.read_bytes() for p in path.parent.glob(path.name + "*"))


# -- opening ----------------------------------------------------------------------------------------


def test_open_creates_a_migrated_wal_store(tmp_path: Path) -> None:
    path = tmp_path / "nested" / "dir" / "store.db"
    with ResultStore.open(path) as store:
        assert store.db.journal_mode == "wal"
        assert store.db.execute("PRAGMA auto_vacuum").fetchone()[0] == 2  # incremental (retention)
        assert {"comparisons", "signatures", "exemplars"} <= set(store.db.table_names())
        assert store.location == str(path)
    with ResultStore.open(path, create=False) as again:  # reopening migrates nothing twice
        assert again.totals().total == 0


def test_open_refuses_a_missing_store_when_not_creating(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match=r"no evidence store at .*absent\.db"):
        ResultStore.open(tmp_path / "absent.db", create=False)
    assert not (tmp_path / "absent.db").exists()


@pytest.mark.parametrize("where", ["under_a_file", "proc"])
def test_unwritable_path_is_a_store_error_naming_it(tmp_path: Path, where: str) -> None:
    if where == "under_a_file":
        (tmp_path / "plain-file").write_text("x")
        path = tmp_path / "plain-file" / "store.db"  # its parent is a file: even root cannot create it
    else:
        path = Path("/proc/vk-parity-store.db")  # procfs refuses new files
    with pytest.raises(StoreError, match=r"cannot open the evidence store at .*store\.db"):
        ResultStore.open(path)


def test_a_file_that_is_not_a_database_is_a_store_error(tmp_path: Path) -> None:
    path = tmp_path / "garbage.db"
    path.write_bytes(b"this is not sqlite " * 100)
    with pytest.raises(StoreError, match="not a database"):
        ResultStore.open(path)
    assert path.read_bytes() == b"this is not sqlite " * 100  # nothing lost


# -- writing ----------------------------------------------------------------------------------------


def test_one_row_per_exchange_with_what_the_gate_needs(store: ResultStore, make_record: Factory) -> None:
    record = make_record()
    store.record_many([record])
    (row,) = store.db.table("comparisons").rows
    assert row["exchange_id"] == record.exchange.id
    assert (row["method"], row["route"], row["route_group"], row["verdict"]) == ("GET", "/api/tasks/{task_id}",
                                                                                "tasks", "mismatch")  # fmt: skip
    assert row["signature"] == record.verdict.signature
    assert (row["primary_status"], row["candidate_status"], row["candidate_error"]) == (200, 200, None)
    assert (row["primary_ms"], row["candidate_ms"]) == (1.0, 3.0)
    assert row["recorded_at"] == record.recorded_at and row["started_at"] == record.exchange.started_at
    assert json.loads(row["diffs"]) == [
        {"path": "/body/data/title", "kind": "value", "primary": "a", "candidate": "b", "note": None}
    ]


def test_candidate_error_rows(store: ResultStore, make_record: Factory) -> None:
    store.record_many([make_record(verdict=VerdictKind.TIMEOUT, candidate_error="timeout")])
    (row,) = store.db.table("comparisons").rows
    assert (row["verdict"], row["candidate_status"], row["candidate_error"], row["signature"]) == (
        "timeout",
        None,
        "timeout",
        None,
    )


def test_a_batch_is_one_transaction(make_record: Factory) -> None:
    conn = sqlite3.connect(":memory:")
    statements: list[str] = []
    store = ResultStore(Database(conn), settings=SETTINGS)
    conn.set_trace_callback(statements.append)
    store.record_many([make_record(recorded_at=1_700_000_000.0 + i) for i in range(50)])
    transaction = [s for s in statements if s.split()[0].upper() in ("BEGIN", "COMMIT", "ROLLBACK")]
    assert transaction == ["BEGIN IMMEDIATE", "COMMIT"]
    assert store.totals().total == 50


def test_a_failing_batch_writes_nothing(store: ResultStore, make_record: Factory) -> None:
    # A real SQLite failure in the middle of the batch: the trigger aborts the fifth insert.
    store.db.execute(
        "CREATE TRIGGER refuse_boom BEFORE INSERT ON comparisons WHEN new.route = '/boom'"
        " BEGIN SELECT RAISE(ABORT, 'boom refused'); END"
    )
    batch = [make_record(recorded_at=1_700_000_000.0 + i) for i in range(4)] + [make_record(route="/boom")]
    with pytest.raises(StoreError, match="evidence store \\(memory\\): cannot write: boom refused"):
        store.record_many(batch)
    assert store.totals().total == 0
    assert store.top_signatures() == []
    store.record_many(batch[:4])  # the store is still usable
    assert store.totals().total == 4


def test_totals_per_verdict_and_group(store: ResultStore, make_record: Factory) -> None:
    store.record_many(
        [make_record(verdict=VerdictKind.MATCH)] * 3
        + [make_record(verdict=VerdictKind.MISMATCH, group="projects", route="/api/projects")] * 2
        + [make_record(verdict=VerdictKind.NOISE, recorded_at=1_700_000_100.0)]
    )
    totals = store.totals()
    assert totals.total == 6
    assert totals.by_verdict == {"match": 3, "mismatch": 2, "noise": 1}
    assert totals.by_group == {"tasks": {"match": 3, "noise": 1}, "projects": {"mismatch": 2}}
    assert (totals.first_recorded_at, totals.last_recorded_at) == (1_700_000_000.0, 1_700_000_100.0)


def _mismatch(make_record: Factory, i: int, path: str = "/body/data/title") -> ComparisonRecord:
    return make_record(
        recorded_at=1_700_000_000.0 + i,
        diffs=(Diff(path=path, kind=DiffKind.VALUE, primary=f"p{i}", candidate=f"c{i}"),),
    )


def test_signatures_are_counted_and_ranked(store: ResultStore, make_record: Factory) -> None:
    store.record_many([_mismatch(make_record, i) for i in range(5)])
    store.record_many([_mismatch(make_record, 10 + i, "/body/data/status") for i in range(2)])
    first, second = store.top_signatures(limit=5)
    assert (first.count, first.seen, first.first_seen, first.last_seen) == (5, 5, 1_700_000_000.0, 1_700_000_004.0)
    assert first.diff_keys == ["/body/data/title:value"]
    assert (second.count, second.diff_keys) == (2, ["/body/data/status:value"])
    assert store.top_signatures(limit=1) == [first]
    assert store.signature(first.signature) == first
    assert store.signature("nope") is None


def test_exemplars_keep_the_first_n_minus_one_and_the_latest(make_record: Factory) -> None:
    store = ResultStore(Database(memory=True), settings=SETTINGS.model_copy(update={"exemplars_per_signature": 3}))
    for i in range(10):  # one batch per occurrence, and one batch with several
        store.record_many([_mismatch(make_record, i)])
    store.record_many([_mismatch(make_record, 10), _mismatch(make_record, 11)])
    (summary,) = store.top_signatures()
    kept = store.exemplars(summary.signature)
    assert [e.record.recorded_at for e in kept] == [1_700_000_000.0, 1_700_000_001.0, 1_700_000_011.0]
    assert summary.exemplars == 3 and summary.seen == 12
    assert kept[2].record.verdict.diffs[0].primary == "p11"
    assert store.exemplars("unknown") == []


def test_exemplar_is_the_whole_redacted_exchange(store: ResultStore, make_record: Factory) -> None:
    binary = b"\x89PNG\r\n\x1a\n\x00\xff" + PAT.encode()
    record = make_record(
        method="PUT",
        path="/api/config",
        request_body={"github": {"pat": PAT}},
        request_headers=(("Authorization", f"Bearer {PAT}"),),
        candidate=binary,
    )
    store.record_many([record])
    (exemplar,) = store.exemplars(store.top_signatures()[0].signature)
    kept = exemplar.record
    assert kept.exchange.id == record.exchange.id and not exemplar.truncated
    assert json.loads(kept.exchange.request.body) == {"github": {"pat": "«redacted:hmac256:" + _hex(PAT) + "»"}}
    assert kept.exchange.request.header("authorization") == f"Bearer «redacted:hmac256:{_hex(PAT)}»"
    assert kept.exchange.primary == record.exchange.primary  # nothing secret in it: kept byte for byte
    assert kept.candidate.response is not None
    assert kept.candidate.response.body.startswith(b"\x89PNG\r\n\x1a\n\x00\xff")  # binary survives ($base64)
    assert PAT.encode() not in kept.candidate.response.body
    assert kept.verdict == record.verdict


def test_matches_keep_only_their_redacted_verdict(tmp_path: Path, make_record: Factory) -> None:
    # A match has no exemplar: its row is written without its bodies and headers ever being redacted
    # (they are not written at all); what it explains is redacted like a mismatch's differences.
    path = tmp_path / "store.db"
    secret_body = {"success": True, "data": {"github": {"pat": PAT}}}
    matched = make_record(
        verdict=VerdictKind.MATCH,
        request_headers=(("Authorization", f"Bearer {PAT}"),),
        primary=secret_body,
        candidate=secret_body,
    )
    noisy = make_record(verdict=VerdictKind.NOISE)
    explained = (Diff(path="/body/data/note", kind=DiffKind.VALUE, primary=f"token {PAT}", candidate="x"),)
    noisy = noisy.model_copy(update={"verdict": noisy.verdict.model_copy(update={"explained": explained})})
    store = _file_store(path)
    store.record_many([matched, noisy])
    store.close()
    assert PAT.encode() not in _disk_bytes(path)
    with _file_store(path) as reopened:
        assert reopened.totals().by_verdict == {"match": 1, "noise": 1}
        (row,) = reopened.db.execute("SELECT explained FROM comparisons WHERE verdict = 'noise'").fetchall()
        assert "«redacted:hmac256:" + _hex(PAT) + "»" in row[0]
        assert reopened.db.execute("SELECT count(*) FROM exemplars").fetchone()[0] == 0


def _hex(secret: str) -> str:
    from shadow.redact import Redactor

    return Redactor(b"test-key").marker(secret).split(":")[-1].rstrip("»")


def test_exemplar_bodies_are_cut_at_the_limit(make_record: Factory) -> None:
    store = ResultStore(Database(memory=True), settings=SETTINGS.model_copy(update={"exemplar_body_limit": 1024}))
    store.record_many([make_record(primary={"data": "x" * 5000})])
    (exemplar,) = store.exemplars(store.top_signatures()[0].signature)
    assert exemplar.truncated
    assert len(exemplar.record.exchange.primary.body) == 1024
    (row,) = store.db.table("comparisons").rows
    assert row["primary_status"] == 200  # the comparisons row is complete regardless


def test_writes_from_several_threads(tmp_path: Path, make_record: Factory) -> None:
    with _file_store(tmp_path / "store.db") as store:

        def write(offset: int) -> None:
            for i in range(20):
                store.record_many([_mismatch(make_record, offset + i), make_record(verdict=VerdictKind.MATCH)])

        threads = [threading.Thread(target=write, args=(n * 100,)) for n in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert store.totals().by_verdict == {"mismatch": 80, "match": 80}
        assert store.top_signatures()[0].seen == 80


# -- secrets on disk --------------------------------------------------------------------------------

# The default config of a fresh 0.0.71 HOME (CONTRACT.md section 0), with a GitHub PAT set.
CONFIG = {
    "config_version": "v6", "theme": "SYSTEM", "executor_profile": {"executor": "CLAUDE_CODE"},
    "disclaimer_acknowledged": False, "onboarding_acknowledged": False, "github_login_acknowledged": False,
    "telemetry_acknowledged": False,
    "notifications": {"sound_enabled": True, "push_enabled": True, "sound_file": "COW_MOOING"},
    "editor": {"editor_type": "VS_CODE", "custom_command": None},
    "github": {"pat": PAT, "oauth_token": None, "username": None, "primary_email": None, "default_pr_base": "main"},
    "analytics_enabled": None, "workspace_dir": None, "last_app_version": "0.0.71", "show_release_notes": False,
}  # fmt: skip


def test_contract_config_with_a_pat_never_reaches_the_file(tmp_path: Path, make_record: Factory) -> None:
    path = tmp_path / "store.db"
    envelope = {"success": True, "data": CONFIG, "error_data": None, "message": None}
    records = [
        make_record(
            method="PUT",
            route="/api/config",
            group="config",
            path="/api/config",
            request_body=CONFIG,
            primary=envelope,
            candidate={**envelope, "data": {**CONFIG, "github": {**CONFIG["github"], "pat": None}}},  # type: ignore[dict-item]
            diffs=(Diff(path="/body/data/github/pat", kind=DiffKind.VALUE, primary=PAT, candidate=None),),
        ),
        make_record(
            route="/api/info", group="config", path="/api/info", primary={"success": True, "data": {"config": CONFIG}}
        ),
    ]
    store = _file_store(path)
    store.record_many(records)
    assert PAT.encode() not in _disk_bytes(path)  # main file and WAL while open
    store.close()
    assert PAT.encode() not in _disk_bytes(path)
    with _file_store(path) as reopened:
        assert reopened.totals().total == 2


@pytest.fixture
def real_primary() -> Iterator[Instance]:
    with running_instance() as instance:
        yield instance


def _captured(response: httpx.Response) -> tuple[HttpRequest, HttpResponse]:
    request = response.request
    return (
        HttpRequest(
            method=request.method,
            path=request.url.path,
            query=request.url.query.decode(),
            headers=tuple(request.headers.items()),
            body=request.content,
        ),
        HttpResponse(status=response.status_code, headers=tuple(response.headers.items()), body=response.content),
    )


@pytest.mark.e2e
def test_real_config_with_a_pat_never_reaches_the_file(real_primary: Instance, tmp_path: Path) -> None:
    """The real 0.0.71 server stores the PAT and echoes it from PUT /api/config and GET /api/info."""
    with httpx.Client(base_url=real_primary.base_url, timeout=30) as client:
        config = client.get("/api/info").json()["data"]["config"]
        config["github"]["pat"] = PAT
        put = client.put("/api/config", json=config)
        info = client.get("/api/info", headers={"Authorization": f"token {PAT}"})
    assert PAT.encode() in put.content and PAT.encode() in info.content  # the primary really echoes it
    records = []
    for response, route in ((put, "/api/config"), (info, "/api/info")):
        request, primary = _captured(response)
        verdict = Verdict(
            kind=VerdictKind.MISMATCH,
            method=request.method,
            route=route,
            group="config",
            diffs=(Diff(path="/body/data/github/pat", kind=DiffKind.VALUE, primary=PAT, candidate=None),),
        )
        records.append(
            ComparisonRecord(
                exchange=Exchange(request=request, primary=primary),
                candidate=CandidateOutcome(response=primary.model_copy(update={"body": b"{}"})),
                verdict=verdict,
            )
        )
    path = tmp_path / "store.db"
    with _file_store(path) as store:
        store.record_many(records)
        kept = [e.record for s in store.top_signatures() for e in store.exemplars(s.signature)]
        assert PAT.encode() not in _disk_bytes(path)
    assert PAT.encode() not in _disk_bytes(path)
    assert len(kept) == 2
    (kept_put,) = [r for r in kept if r.exchange.request.method == "PUT"]
    kept_config = json.loads(kept_put.exchange.request.body)
    assert kept_config["github"]["pat"].startswith("«redacted:hmac256:")
    assert {k: v for k, v in kept_config.items() if k != "github"} == {k: v for k, v in config.items() if k != "github"}
