"""The evidence store: every comparison, per-signature summaries and bounded exemplars, in SQLite.

Built on sqlite-utils (``shadow.migrations`` holds the schema). Files are opened in WAL mode with
``synchronous=NORMAL`` (a crash may lose the last batch, never corrupt the file) and incremental
auto-vacuum, so retention can hand freed pages back without a full ``VACUUM`` (see ``shadow.retention``).

Everything is redacted (``shadow.redact``) before anything is written. Writes are synchronous and one
transaction per batch; callers on an event loop use ``BatchWriter``, which batches and writes through
``asyncio.to_thread``. One connection serves all threads, guarded by a lock.

Exemplars: a mismatch signature keeps at most ``exemplars_per_signature`` (N) full exchanges: the first
N - 1 it ever had (what revealed the bug) plus the latest one (proof it still happens, with current data),
which every new occurrence replaces. Bodies in exemplars are cut at ``exemplar_body_limit`` bytes.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, SecretStr
from sqlite_utils import Database

from comparators.result import Verdict
from shadow.batch_writer import BatchWriter
from shadow.errors import StoreError
from shadow.migrations import migrations
from shadow.models import ComparisonRecord
from shadow.record_codec import decode_record, diff_keys, encode_diffs, encode_record
from shadow.redact import Redactor
from shadow.retention import PruneReport, give_back_pages, prune, used_bytes

__all__ = [
    "BatchWriter",
    "Exemplar",
    "PruneReport",
    "ResultStore",
    "SignatureSummary",
    "StoreSettings",
    "Totals",
]


class StoreSettings(BaseModel):
    """How much evidence to keep, and the key secrets are hashed with."""

    model_config = ConfigDict(frozen=True)

    retention_days: float = Field(default=14.0, gt=0)
    max_bytes: int = Field(default=512 * 1024 * 1024, ge=64 * 1024)
    exemplars_per_signature: int = Field(default=5, ge=1, le=1000)
    redaction_key: SecretStr | None = None  # None: random per-process key (see shadow.redact)
    exemplar_body_limit: int = Field(default=256 * 1024, ge=1024)  # bytes kept of each body in an exemplar
    diff_value_limit: int = Field(default=4096, ge=64)  # JSON chars kept of one diff value in a comparisons row


class Totals(BaseModel):
    """Counts of the retained comparisons."""

    total: int
    by_verdict: dict[str, int]
    by_group: dict[str, dict[str, int]]  # route group -> verdict -> count
    first_recorded_at: float | None
    last_recorded_at: float | None


class SignatureSummary(BaseModel):
    signature: str
    method: str
    route: str
    group: str
    diff_keys: list[str]  # "<generalized JSON pointer>:<diff kind>", what the signature is made of
    count: int  # retained comparisons with this signature
    seen: int  # lifetime occurrences (survives retention)
    first_seen: float
    last_seen: float
    exemplars: int


class Exemplar(BaseModel):
    id: int
    signature: str
    recorded_at: float
    truncated: bool  # a body was cut to the exemplar body limit
    record: ComparisonRecord  # redacted


class ResultStore:
    """Comparisons, signatures and exemplars over one sqlite-utils ``Database``.

    ``ResultStore(Database(memory=True))`` for tests; ``ResultStore.open(path)`` for files. Use from several
    threads only with a connection made with ``check_same_thread=False`` (``open`` does that)."""

    def __init__(self, db: Database, *, settings: StoreSettings | None = None) -> None:
        self._db = db
        self.settings = settings or StoreSettings()
        self._redactor: Redactor | None = None  # made at the first write: readers need no key (and no warning)
        self._lock = threading.RLock()
        self.location = _location(db)
        with self._errors("prepare"):
            _prefer_incremental_vacuum(db)
            migrations.apply(db)

    @classmethod
    def open(cls, path: Path | str, *, settings: StoreSettings | None = None, create: bool = True) -> ResultStore:
        """Open (and create, unless ``create=False``) the store at ``path``, migrated to the latest schema."""
        path = Path(path)
        if not create and not path.is_file():
            raise StoreError(f"no evidence store at {path}")
        try:
            if create:
                path.parent.mkdir(parents=True, exist_ok=True)
            conn = sqlite3.connect(str(path), check_same_thread=False, timeout=10.0)
            db = Database(conn)
            _prefer_incremental_vacuum(db)  # must precede WAL: the WAL header fixes the database's layout
            db.enable_wal()
            db.execute("PRAGMA synchronous = NORMAL")
        except (OSError, sqlite3.Error) as exc:
            raise StoreError(f"cannot open the evidence store at {path}: {exc}") from exc
        try:
            return cls(db, settings=settings)
        except StoreError:
            db.close()
            raise

    @property
    def db(self) -> Database:
        return self._db

    # -- writing -------------------------------------------------------------------------------------

    def record_many(self, records: Sequence[ComparisonRecord]) -> None:
        """Redact and write a batch in one transaction; all or nothing."""
        if not records:
            return
        if self._redactor is None:
            self._redactor = Redactor.from_key(self.settings.redaction_key)
        # Redacted before anything touches the file. A comparison row holds the verdict and the exchange's
        # statuses and timings, never a header or a body: those go only into the exemplars of a mismatch
        # signature. So a record without a signature (a match, most of them) only has its verdict redacted;
        # redacting its bodies and headers too was half of the worker's CPU per exchange (README, proxy).
        rows, exemplars = [], []
        for record in records:
            if record.verdict.signature is not None:
                full = self._redactor.record(record)
                rows.append(self._comparison_row(full, full.verdict))
                exemplars.append((full, record.verdict.signature))
            else:
                rows.append(self._comparison_row(record, self._redactor.verdict(record.verdict)))
        with self._lock, self._errors("write"), self._write_transaction():
            self._db.table("comparisons").insert_all(rows)
            for full, signature in exemplars:
                self._note_signature(full, signature)

    def record(self, record: ComparisonRecord) -> None:
        self.record_many([record])

    def _comparison_row(self, record: ComparisonRecord, verdict: Verdict) -> dict[str, Any]:
        """The row of one comparison: its texts come from ``verdict`` (redacted); of the record, only ids,
        statuses, timings and the candidate's error kind (a fixed word) are read."""
        exchange, candidate = record.exchange, record.candidate
        response = candidate.response
        return {
            "exchange_id": exchange.id,
            "recorded_at": record.recorded_at,
            "started_at": exchange.started_at,
            "completed_at": exchange.completed_at,
            "method": verdict.method.upper(),
            "route": verdict.route,
            "route_group": verdict.group,
            "verdict": verdict.kind.value,
            "signature": verdict.signature,
            "primary_status": exchange.primary.status,
            "candidate_status": response.status if response else None,
            "candidate_error": candidate.error,
            "primary_ms": exchange.primary.elapsed_ms,
            "candidate_ms": candidate.elapsed_ms if candidate.elapsed_ms is not None else _elapsed(response),
            "diff_count": len(verdict.diffs),
            "diffs": encode_diffs(verdict.diffs, self.settings.diff_value_limit),
            "explained": encode_diffs(verdict.explained, self.settings.diff_value_limit),
            "reason": verdict.reason,
        }

    def _note_signature(self, record: ComparisonRecord, signature: str) -> None:
        verdict = record.verdict
        self._db.execute(
            "INSERT INTO signatures (signature, method, route, route_group, diff_keys, first_seen, last_seen, seen)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, 1) ON CONFLICT(signature) DO UPDATE SET"
            " last_seen = max(last_seen, excluded.last_seen), seen = seen + 1",
            [
                signature,
                verdict.method.upper(),
                verdict.route,
                verdict.group,
                diff_keys(verdict.diffs),
                record.recorded_at,
                record.recorded_at,
            ],
        )
        (kept,) = self._db.execute("SELECT count(*) FROM exemplars WHERE signature = ?", [signature]).fetchone()
        if kept >= self.settings.exemplars_per_signature:
            # Keep the first N - 1; the newest slot always holds the latest occurrence.
            self._db.execute(
                "DELETE FROM exemplars WHERE id = (SELECT max(id) FROM exemplars WHERE signature = ?)", [signature]
            )
        text, truncated = encode_record(record, self.settings.exemplar_body_limit)
        self._db.table("exemplars").insert(
            {
                "signature": signature,
                "exchange_id": record.exchange.id,
                "recorded_at": record.recorded_at,
                "record": text,
                "truncated": int(truncated),
                "size": len(text.encode()),
            }
        )

    # -- reading -------------------------------------------------------------------------------------

    def totals(self) -> Totals:
        with self._lock, self._errors("read"):
            rows = self._db.execute(
                "SELECT route_group, verdict, count(*) FROM comparisons GROUP BY route_group, verdict"
            ).fetchall()
            first, last = self._db.execute("SELECT min(recorded_at), max(recorded_at) FROM comparisons").fetchone()
        by_verdict: dict[str, int] = {}
        by_group: dict[str, dict[str, int]] = {}
        for group, verdict, count in rows:
            by_verdict[verdict] = by_verdict.get(verdict, 0) + count
            by_group.setdefault(group, {})[verdict] = count
        return Totals(
            total=sum(by_verdict.values()),
            by_verdict=by_verdict,
            by_group=by_group,
            first_recorded_at=first,
            last_recorded_at=last,
        )

    _SIGNATURES_SQL = (
        "SELECT s.signature, s.method, s.route, s.route_group, s.diff_keys, s.seen, s.first_seen, s.last_seen,"
        " (SELECT count(*) FROM comparisons c WHERE c.signature = s.signature) AS count,"
        " (SELECT count(*) FROM exemplars e WHERE e.signature = s.signature) AS exemplars"
        " FROM signatures s"
    )

    def top_signatures(self, limit: int = 10) -> list[SignatureSummary]:
        """Mismatch signatures, most frequent among the retained comparisons first."""
        with self._lock, self._errors("read"):
            rows = list(
                self._db.query(self._SIGNATURES_SQL + " ORDER BY count DESC, s.last_seen DESC LIMIT ?", [limit])
            )
        return [_summary(row) for row in rows]

    def signature(self, signature: str) -> SignatureSummary | None:
        with self._lock, self._errors("read"):
            rows = list(self._db.query(self._SIGNATURES_SQL + " WHERE s.signature = ?", [signature]))
        return _summary(rows[0]) if rows else None

    def exemplars(self, signature: str) -> list[Exemplar]:
        """The kept exemplars of one signature, oldest first (already redacted); [] for an unknown one."""
        with self._lock, self._errors("read"):
            rows = list(
                self._db.query(
                    "SELECT id, signature, recorded_at, truncated, record FROM exemplars"
                    " WHERE signature = ? ORDER BY id",
                    [signature],
                )
            )
        return [
            Exemplar(
                id=row["id"],
                signature=row["signature"],
                recorded_at=row["recorded_at"],
                truncated=bool(row["truncated"]),
                record=decode_record(row["record"]),
            )
            for row in rows
        ]

    # -- upkeep --------------------------------------------------------------------------------------

    def prune(self, now: float | None = None) -> PruneReport:
        """Apply retention by age, then by size (oldest first); see ``shadow.retention``."""
        with self._lock, self._errors("prune"):
            with self._write_transaction():
                report = prune(
                    self._db,
                    now=time.time() if now is None else now,
                    retention_days=self.settings.retention_days,
                    max_bytes=self.settings.max_bytes,
                )
            give_back_pages(self._db)
            return report

    def used_bytes(self) -> int:
        """Bytes of the database in use (pages minus free pages)."""
        with self._lock, self._errors("read"):
            return used_bytes(self._db)

    def close(self) -> None:
        with self._lock:
            try:
                if self.location:
                    self._db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            except sqlite3.Error:
                pass  # closing anyway; the WAL is replayed on the next open
            finally:
                self._db.close()

    def __enter__(self) -> ResultStore:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    @contextmanager
    def _write_transaction(self) -> Iterator[None]:
        # BEGIN IMMEDIATE takes the write lock up front, so a writer in another process makes this wait
        # (busy timeout) instead of failing at once, as a deferred BEGIN upgrading its read lock would.
        conn = self._db.conn
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")

    @contextmanager
    def _errors(self, action: str) -> Iterator[None]:
        try:
            yield
        except sqlite3.Error as exc:
            where = self.location or "memory"
            raise StoreError(f"evidence store ({where}): cannot {action}: {exc}") from exc


def _prefer_incremental_vacuum(db: Database) -> None:
    # Only possible while the database has no table; lets retention shrink the file cheaply.
    if not db.table_names():
        db.execute("PRAGMA auto_vacuum = INCREMENTAL")


def _location(db: Database) -> str:
    """The file behind ``db`` ("" for an in-memory database)."""
    for _seq, name, file in db.execute("PRAGMA database_list").fetchall():
        if name == "main":
            return str(file or "")
    return ""


def _elapsed(response: Any) -> float | None:
    return response.elapsed_ms if response is not None else None


def _summary(row: dict[str, Any]) -> SignatureSummary:
    return SignatureSummary(
        signature=row["signature"],
        method=row["method"],
        route=row["route"],
        group=row["route_group"],
        diff_keys=json.loads(row["diff_keys"] or "[]"),
        count=row["count"],
        seen=row["seen"],
        first_seen=row["first_seen"],
        last_seen=row["last_seen"],
        exemplars=row["exemplars"],
    )
