"""The evidence store's schema, one named step per change (sqlite-utils ``Migrations``).

Steps are applied in order and recorded in ``_sqlite_migrations``; applying again is a no-op. Never edit a
step that has shipped: add a new one named for its change (``add_<column>_to_<table>``).

Tables:

* ``comparisons``: one row per compared exchange (route template, group, method, verdict, signature,
  statuses, latencies, timestamps, redacted diffs as JSON);
* ``signatures``: one row per mismatch signature (what it is, first/last seen, lifetime count);
* ``exemplars``: at most N redacted full exchanges per signature (request and both responses).
"""

from __future__ import annotations

from sqlite_utils import Database, Migrations

__all__ = ["migrations"]

migrations = Migrations("shadow")


@migrations()
def create_comparisons(db: Database) -> None:
    db.table("comparisons").create(
        {
            "id": int,
            "exchange_id": str,
            "recorded_at": float,  # unix seconds, when the verdict was reached
            "started_at": float,  # unix seconds, when the client's request arrived
            "completed_at": float,
            "method": str,
            "route": str,  # route template, never a raw path
            "route_group": str,
            "verdict": str,
            "signature": str,  # mismatches only
            "primary_status": int,
            "candidate_status": int,
            "candidate_error": str,  # timeout, refused, ... when the candidate did not answer
            "primary_ms": float,
            "candidate_ms": float,
            "diff_count": int,
            "diffs": str,  # JSON list of redacted Diff
            "explained": str,  # JSON list of redacted Diff accounted for by a rule
            "reason": str,
        },
        pk="id",
        not_null={"exchange_id", "recorded_at", "method", "route", "route_group", "verdict", "diff_count"},
    )


@migrations()
def create_signatures(db: Database) -> None:
    db.table("signatures").create(
        {
            "signature": str,
            "method": str,
            "route": str,
            "route_group": str,
            "diff_keys": str,  # JSON list of "<generalized path>:<kind>", what the signature hashes
            "first_seen": float,
            "last_seen": float,
            "seen": int,  # lifetime count, survives retention of the comparisons rows
        },
        pk="signature",
        not_null={"method", "route", "route_group", "first_seen", "last_seen", "seen"},
    )


@migrations()
def create_exemplars(db: Database) -> None:
    db.table("exemplars").create(
        {
            "id": int,
            "signature": str,
            "exchange_id": str,  # joins comparisons.exchange_id
            "recorded_at": float,
            "record": str,  # JSON of the redacted ComparisonRecord, bodies encoded (see shadow.store)
            "truncated": int,  # 1 when a body was cut to the exemplar body limit
            "size": int,  # bytes of "record", for retention by size
        },
        pk="id",
        not_null={"signature", "recorded_at", "record", "truncated", "size"},
        foreign_keys=[("signature", "signatures", "signature")],
    )


@migrations()
def add_comparisons_indexes(db: Database) -> None:
    db.table("comparisons").create_index(["recorded_at"])
    db.table("comparisons").create_index(["signature"])
    db.table("comparisons").create_index(["route_group", "verdict"])


@migrations()
def add_exemplars_signature_index(db: Database) -> None:
    db.table("exemplars").create_index(["signature", "id"])
    db.table("exemplars").create_index(["recorded_at"])
