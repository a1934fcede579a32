from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from pydantic import SecretStr
from sqlite_utils import Database

from comparators.result import Diff, DiffKind, VerdictKind
from shadow.models import ComparisonRecord
from shadow.retention import prune, used_bytes
from shadow.store import ResultStore, StoreSettings

Factory = Callable[..., ComparisonRecord]
DAY = 86_400.0
T0 = 1_700_000_000.0


def _settings(**update: object) -> StoreSettings:
    return StoreSettings(redaction_key=SecretStr("k")).model_copy(update=update)


def _mismatch(make_record: Factory, at: float, field: str = "title", body: int = 0) -> ComparisonRecord:
    return make_record(
        recorded_at=at,
        primary={"data": {field: "p", "padding": "x" * body}},
        diffs=(Diff(path=f"/body/data/{field}", kind=DiffKind.VALUE, primary="p", candidate="c"),),
    )


def test_prune_by_age(make_record: Factory) -> None:
    store = ResultStore(Database(memory=True), settings=_settings(retention_days=7))
    store.record_many([_mismatch(make_record, T0, "old"), _mismatch(make_record, T0 + 1, "both")])
    store.record_many([_mismatch(make_record, T0 + 10 * DAY, "both"), make_record(verdict=VerdictKind.MATCH,
                                                                                  recorded_at=T0 + 10 * DAY)])  # fmt: skip
    report = store.prune(now=T0 + 10 * DAY)
    assert (report.by_age, report.by_size, report.comparisons_deleted) == (2, 0, 2)
    assert report.signatures_deleted == 1  # "old" has nothing left; "both" still has a recent comparison
    assert report.exemplars_deleted == 2
    assert store.totals().total == 2
    (left,) = store.top_signatures()
    assert left.diff_keys == ["/body/data/both:value"]
    assert [e.record.recorded_at for e in store.exemplars(left.signature)] == [T0 + 10 * DAY]
    assert left.seen == 2  # the lifetime count survives retention


def test_prune_keeps_everything_young_and_small(make_record: Factory) -> None:
    store = ResultStore(Database(memory=True), settings=_settings())
    store.record_many([_mismatch(make_record, T0 + i) for i in range(20)])
    report = store.prune(now=T0 + 30)
    assert report.comparisons_deleted == report.exemplars_deleted == report.signatures_deleted == 0
    assert store.totals().total == 20


def test_prune_by_size_drops_the_oldest_first_and_gives_the_space_back(tmp_path: Path, make_record: Factory) -> None:
    path = tmp_path / "store.db"
    store = ResultStore.open(path, settings=_settings(exemplars_per_signature=2))
    for batch in range(20):  # 20 batches x 50 rows, each row with its own signature and a 2 KB body
        store.record_many([_mismatch(make_record, T0 + batch * 50 + i, f"f{batch}_{i}", body=2000) for i in range(50)])
    before = used_bytes(store.db)
    limit = before // 3
    store.close()
    file_before = path.stat().st_size

    store = ResultStore.open(path, settings=_settings(max_bytes=limit))
    report = store.prune(now=T0 + 1000)
    assert report.by_age == 0 and report.by_size > 0
    assert report.bytes_before == before and report.bytes_after <= limit
    assert used_bytes(store.db) <= limit
    remaining = store.totals()
    assert remaining.total == 1000 - report.by_size
    assert remaining.last_recorded_at == T0 + 999  # the newest survive
    assert remaining.first_recorded_at == T0 + report.by_size  # the oldest went first, in order
    assert report.bytes_after > limit // 2  # stops near the limit, not far below it
    store.close()
    assert path.stat().st_size < file_before * 0.6  # incremental vacuum handed the pages back


def test_prune_by_size_also_drops_exemplars_newer_than_every_comparison(make_record: Factory) -> None:
    db = Database(memory=True)
    store = ResultStore(db, settings=_settings())
    store.record_many([_mismatch(make_record, T0 + i, f"f{i}", body=3000) for i in range(30)])
    db.execute("DELETE FROM comparisons")  # only exemplars are left
    report = prune(db, now=T0 + 100, retention_days=14, max_bytes=64 * 1024)
    assert report.exemplars_deleted > 0
    assert used_bytes(db) <= 64 * 1024


def test_prune_on_a_store_without_incremental_vacuum(tmp_path: Path, make_record: Factory) -> None:
    # A store created by another tool (auto_vacuum off): pruning still works; freed pages are reused.
    path = tmp_path / "plain.db"
    Database(path).execute("CREATE TABLE keep_me (x)")  # a table exists, so auto_vacuum stays off
    store = ResultStore.open(path, settings=_settings(max_bytes=128 * 1024))
    assert store.db.execute("PRAGMA auto_vacuum").fetchone()[0] == 0
    store.record_many([_mismatch(make_record, T0 + i, f"f{i}", body=2000) for i in range(200)])
    report = store.prune(now=T0 + 300)
    assert report.by_size > 0 and used_bytes(store.db) <= 128 * 1024
    store.close()
