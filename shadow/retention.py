"""Retention of the evidence store: by age, then by size, oldest first.

* Age: comparisons and exemplars recorded more than ``retention_days`` ago are deleted; a signature that has
  neither comparisons nor exemplars left, and was last seen before the cut-off, goes too.
* Size: while the pages in use exceed ``max_bytes``, the oldest tenth of the comparisons (at least 100 rows)
  and every exemplar older than the oldest comparison left are deleted. The store stops just under the
  limit rather than far below it, so the evidence kept is as long as the budget allows.

VACUUM policy: never a full ``VACUUM`` here: it rewrites the whole file, needs as much free disk again and
blocks writers for its whole run. Stores are created with ``auto_vacuum = INCREMENTAL``, so after deleting,
``PRAGMA incremental_vacuum`` hands the freed pages back to the file system at the cost of the pages moved,
and a WAL checkpoint keeps the ``-wal`` file from holding the old pages. A store created by another tool
(auto_vacuum off) still reuses its freed pages for new rows, so its file stops growing near ``max_bytes``.
"""

from __future__ import annotations

from pydantic import BaseModel
from sqlite_utils import Database

__all__ = ["PruneReport", "give_back_pages", "prune", "used_bytes"]

_DAY = 86_400.0
_MIN_SIZE_STEP = 100


class PruneReport(BaseModel):
    comparisons_deleted: int = 0
    exemplars_deleted: int = 0
    signatures_deleted: int = 0
    by_age: int = 0  # comparisons deleted because they were too old
    by_size: int = 0  # comparisons deleted to get under max_bytes
    bytes_before: int = 0
    bytes_after: int = 0


def used_bytes(db: Database) -> int:
    """Bytes in use: all pages minus the free list (what new rows cannot reuse)."""
    (page_size,) = db.execute("PRAGMA page_size").fetchone()
    (page_count,) = db.execute("PRAGMA page_count").fetchone()
    (free,) = db.execute("PRAGMA freelist_count").fetchone()
    return int((page_count - free) * page_size)


def prune(db: Database, *, now: float, retention_days: float, max_bytes: int) -> PruneReport:
    """Delete what retention says to; returns what was deleted and the bytes in use before and after.

    ``ResultStore.prune`` runs this inside one write transaction, then calls ``give_back_pages``."""
    report = PruneReport(bytes_before=used_bytes(db))
    cutoff = now - retention_days * _DAY
    with db.atomic():
        report.by_age = db.execute("DELETE FROM comparisons WHERE recorded_at < ?", [cutoff]).rowcount
        report.exemplars_deleted += db.execute("DELETE FROM exemplars WHERE recorded_at < ?", [cutoff]).rowcount
    while used_bytes(db) > max_bytes:
        deleted, exemplars = _delete_oldest_slice(db)
        if not deleted and not exemplars:
            break  # nothing left to delete: the schema alone is larger than the limit
        report.by_size += deleted
        report.exemplars_deleted += exemplars
    with db.atomic():
        report.signatures_deleted = db.execute(
            "DELETE FROM signatures WHERE last_seen < ?"
            " AND NOT EXISTS (SELECT 1 FROM comparisons c WHERE c.signature = signatures.signature)"
            " AND NOT EXISTS (SELECT 1 FROM exemplars e WHERE e.signature = signatures.signature)",
            [cutoff],
        ).rowcount
    report.comparisons_deleted = report.by_age + report.by_size
    report.bytes_after = used_bytes(db)
    return report


def _delete_oldest_slice(db: Database) -> tuple[int, int]:
    (rows,) = db.execute("SELECT count(*) FROM comparisons").fetchone()
    step = max(_MIN_SIZE_STEP, rows // 10)
    with db.atomic():
        deleted = db.execute(
            "DELETE FROM comparisons WHERE id IN (SELECT id FROM comparisons ORDER BY recorded_at, id LIMIT ?)",
            [step],
        ).rowcount
        (oldest,) = db.execute("SELECT min(recorded_at) FROM comparisons").fetchone()
        if oldest is None:
            exemplars = db.execute("DELETE FROM exemplars").rowcount
        else:
            exemplars = db.execute("DELETE FROM exemplars WHERE recorded_at < ?", [oldest]).rowcount
        if not deleted and not exemplars:
            # Only exemplars newer than every comparison are left: drop the oldest of them.
            exemplars = db.execute(
                "DELETE FROM exemplars WHERE id IN (SELECT id FROM exemplars ORDER BY recorded_at, id LIMIT ?)",
                [_MIN_SIZE_STEP],
            ).rowcount
    return deleted, exemplars


def give_back_pages(db: Database) -> None:
    """Return free pages to the file system (incremental auto-vacuum) and truncate the WAL; outside any
    transaction."""
    (mode,) = db.execute("PRAGMA auto_vacuum").fetchone()
    if mode == 2:  # incremental
        db.execute("PRAGMA incremental_vacuum").fetchall()
    (journal,) = db.execute("PRAGMA journal_mode").fetchone()
    if journal == "wal":
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchall()
