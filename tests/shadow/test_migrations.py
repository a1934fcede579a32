from __future__ import annotations

from pathlib import Path

from sqlite_utils import Database

from shadow.migrations import migrations

STEPS = ["create_comparisons", "create_signatures", "create_exemplars", "add_comparisons_indexes",
         "add_exemplars_signature_index"]  # fmt: skip


def test_steps_are_named_for_their_change_and_applied_in_order() -> None:
    db = Database(memory=True)
    assert [m.name for m in migrations.pending(db)] == STEPS
    migrations.apply(db)
    assert [m.name for m in migrations.applied(db)] == STEPS
    assert migrations.pending(db) == []


def test_applying_twice_is_a_no_op(tmp_path: Path) -> None:
    path = tmp_path / "store.db"
    with Database(path) as db:
        migrations.apply(db)
        schema = db.schema
    with Database(path) as db:
        migrations.apply(db)
        assert db.schema == schema
        assert [m.name for m in migrations.applied(db)] == STEPS  # recorded once each


def test_schema_has_the_tables_columns_and_indexes_the_store_queries() -> None:
    db = Database(memory=True)
    migrations.apply(db)
    assert {"comparisons", "signatures", "exemplars"} <= set(db.table_names())
    comparisons = db.table("comparisons")
    assert {"route", "route_group", "method", "verdict", "signature", "primary_ms", "candidate_ms", "recorded_at",
            "started_at", "completed_at", "diffs"} <= set(comparisons.columns_dict)  # fmt: skip
    assert comparisons.pks == ["id"] and db.table("signatures").pks == ["signature"]
    indexed = {tuple(i.columns) for i in comparisons.indexes}
    assert {("recorded_at",), ("signature",), ("route_group", "verdict")} <= indexed
    assert ("signature", "id") in {tuple(i.columns) for i in db.table("exemplars").indexes}
