"""The hub's two databases hold the same schema: every SQLite migration has a PostgreSQL twin, the
tables, columns, keys and indexes are equivalent, and the triggers keep the same guarantees."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from hub.core.db import IntegrityError, migrations, open_database, write_transaction

SQLITE_TYPES = {
    "INTEGER": "bigint",
    "TEXT": "text",
    "REAL": "double precision",
    "DOUBLE PRECISION": "double precision",
    "BLOB": "bytea",
}


# pg_constraint.confdeltype as SQLite's foreign_key_list names the action: a cascade that one
# database has and the other lacks changes what a delete (an erasure, a removed thread) does
ON_DELETE = {"a": "NO ACTION", "r": "RESTRICT", "c": "CASCADE", "n": "SET NULL", "d": "SET DEFAULT"}


def test_every_sqlite_migration_has_a_postgresql_twin() -> None:
    sqlite_names = [name for name, _sql in migrations("sqlite")]
    postgresql_names = [name for name, _sql in migrations("postgresql")]
    assert postgresql_names == sqlite_names


def sqlite_schema(db) -> dict:
    conn: sqlite3.Connection = db.conn
    tables = [
        r[0]
        for r in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name"
        )
    ]
    schema = {}
    for table in tables:
        info = conn.execute(f"PRAGMA table_info('{table}')").fetchall()
        primary = tuple(r[1] for r in sorted((r for r in info if r[5]), key=lambda r: r[5]))
        columns = {r[1]: (SQLITE_TYPES[r[2].upper()], bool(r[3]) or r[1] in primary) for r in info}
        unique, indexes = set(), {}
        for _seq, name, is_unique, origin, partial in conn.execute(f"PRAGMA index_list('{table}')"):
            cols = tuple(r[2] for r in conn.execute(f"PRAGMA index_info('{name}')"))
            if origin == "u":
                unique.add(cols)
            elif origin == "c":
                indexes[name] = (cols, bool(is_unique), bool(partial))
        keys = {
            (r[2], r[3], r[4], r[6]) for r in conn.execute(f"PRAGMA foreign_key_list('{table}')")
        }  # (referenced table, from, to, on delete)
        schema[table] = {
            "columns": columns,
            "primary": primary,
            "unique": unique,
            "foreign": keys,
            "indexes": indexes,
        }
    views = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'view'")}
    return {"tables": schema, "views": views}


def postgresql_schema(db) -> dict:
    run = db.execute
    tables = [r[0] for r in run("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1")]
    schema = {}
    for table in tables:
        columns = {
            name: (kind, nullable == "NO")
            for name, kind, nullable in run(
                "SELECT column_name, data_type, is_nullable FROM information_schema.columns"
                " WHERE table_schema = 'public' AND table_name = ?",
                (table,),
            )
        }
        constraints = run(
            "SELECT c.contype, c.confdeltype, confrelid::regclass::text,"
            " (SELECT array_agg(a.attname ORDER BY k.n) FROM unnest(c.conkey) WITH ORDINALITY k(num, n)"
            "  JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.num),"
            " (SELECT array_agg(a.attname ORDER BY k.n) FROM unnest(c.confkey) WITH ORDINALITY k(num, n)"
            "  JOIN pg_attribute a ON a.attrelid = c.confrelid AND a.attnum = k.num)"
            " FROM pg_constraint c WHERE c.conrelid = to_regclass(?)",
            (table,),
        ).fetchall()
        primary = next((tuple(r[3]) for r in constraints if r[0] == "p"), ())
        unique = {tuple(r[3]) for r in constraints if r[0] == "u"}
        keys = set()
        for kind, on_delete, target, cols, target_cols in constraints:
            if kind == "f":
                for col, target_col in zip(cols, target_cols, strict=True):
                    keys.add((target, col, target_col, ON_DELETE[on_delete]))
        indexes = {
            name: (tuple(cols), unique_index, partial)
            for name, cols, unique_index, partial in run(
                "SELECT i.relname, (SELECT array_agg(a.attname ORDER BY k.n)"
                "  FROM unnest(x.indkey) WITH ORDINALITY k(num, n)"
                "  JOIN pg_attribute a ON a.attrelid = x.indrelid AND a.attnum = k.num),"
                " x.indisunique, x.indpred IS NOT NULL"
                " FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid"
                " WHERE x.indrelid = to_regclass(?)"
                " AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid)",
                (table,),
            )
        }
        schema[table] = {
            "columns": columns,
            "primary": primary,
            "unique": unique,
            "foreign": keys,
            "indexes": indexes,
        }
    views = {r[0] for r in run("SELECT viewname FROM pg_views WHERE schemaname = 'public'")}
    return {"tables": schema, "views": views}


def with_sqlite_foreign_key_targets(schema: dict) -> dict:
    """SQLite names a foreign key's target column only when the SQL does: REFERENCES t means t's key."""
    for table in schema["tables"].values():
        table["foreign"] = {
            (target, col, to or schema["tables"][target]["primary"][0], on_delete)
            for target, col, to, on_delete in table["foreign"]
        }
    return schema


def test_the_two_schemas_have_the_same_tables_columns_keys_and_indexes(
    tmp_path: Path, postgres_url: str
) -> None:
    lite = open_database(tmp_path / "hub.sqlite3")
    pg = open_database(postgres_url)
    try:
        expected = with_sqlite_foreign_key_targets(sqlite_schema(lite))
        found = postgresql_schema(pg)
    finally:
        lite.close()
        pg.close()
    assert sorted(found["tables"]) == sorted(expected["tables"])
    assert found["views"] == expected["views"]
    for table, shape in expected["tables"].items():
        for part in ("columns", "primary", "unique", "foreign", "indexes"):
            assert found["tables"][table][part] == shape[part], f"{table}: {part} differ"


# -- the triggers' guarantees, on both databases ---------------------------------------------------


def _a_child_and_an_event(db) -> None:
    with write_transaction(db):
        db.execute("INSERT INTO organisators (id, name, email) VALUES (1, 'Org', 'org@example.org')")
        db.execute(
            "INSERT INTO locations (id, organisator_id, dossier_number, name)"
            " VALUES ('loc-1', 1, 'D1', 'Kribbe')"
        )
        db.execute("INSERT INTO children (id, first_name, last_name) VALUES (7, 'Lotte', 'Peeters')")
        db.execute("INSERT INTO child_locations (child_id, location_id) VALUES (7, 'loc-1')")
        db.execute(
            "INSERT INTO events (id, unit_id, location_id, seq, direction, code, source, wall_time,"
            " occurred_at, clock_synced, boot_id, monotonic, child_id, received_at) VALUES"
            " ('ev-1', 'unit-1', 'loc-1', 1, 'arrival', 'C1', 'qr', '2026-03-02T08:00:00+01:00',"
            " '2026-03-02T07:00:00Z', 1, 'boot', 12.5, 7, '2026-03-02T07:00:01Z')"
        )


def _changes(db, month: str) -> int:
    row = db.execute(
        "SELECT changes FROM upload_summary_changes WHERE location_id = 'loc-1' AND month = ?", (month,)
    ).fetchone()
    return 0 if row is None else row[0]


def test_an_event_can_be_neither_changed_nor_deleted_on_either_database(hub_database) -> None:
    db = hub_database
    _a_child_and_an_event(db)
    for change in (
        "UPDATE events SET code = 'other' WHERE id = 'ev-1'",
        "UPDATE events SET occurred_at = '2026-03-02T09:00:00Z' WHERE id = 'ev-1'",  # synced: never
        "DELETE FROM events WHERE id = 'ev-1'",
    ):
        with pytest.raises(IntegrityError, match="immutable"), write_transaction(db):
            db.execute(change)
    assert db.execute("SELECT code, occurred_at FROM events").fetchall() == [("C1", "2026-03-02T07:00:00Z")]


def test_a_correction_is_kept_as_history_and_moves_the_month_summary_counter(hub_database) -> None:
    db = hub_database
    _a_child_and_an_event(db)
    assert _changes(db, "2026-03") >= 1, "the check-in counted for its month"
    before = _changes(db, "2026-03")
    with write_transaction(db):
        db.execute(
            "INSERT INTO corrections (location_id, child_id, day, before, after, actor_role, actor_id,"
            " actor_name, made_at) VALUES ('loc-1', 7, '2026-03-02', '[]', '[]', 'location', 'loc-1',"
            " 'Kribbe', '2026-03-02T10:00:00Z')"
        )
    assert _changes(db, "2026-03") == before + 1
    with pytest.raises(IntegrityError, match="history"), write_transaction(db):
        db.execute("UPDATE corrections SET note = 'later' WHERE location_id = 'loc-1'")
    with pytest.raises(IntegrityError, match="history"), write_transaction(db):
        db.execute("DELETE FROM corrections")
    assert db.execute("SELECT count(*) FROM corrections").fetchone()[0] == 1


def test_a_version_sent_to_kind_en_gezin_is_never_changed_or_deleted(hub_database) -> None:
    db = hub_database
    _a_child_and_an_event(db)
    with write_transaction(db):
        db.execute(
            "INSERT INTO upload_submissions (id, location_id, month, version, trigger, requested_by,"
            " created_at, calendar_hash, body) VALUES ('01J', 'loc-1', '2026-02', 1, 'schedule',"
            " 'planning', '2026-03-01T10:00:00Z', 'h', '{}')"
        )
    with pytest.raises(IntegrityError, match="never changed"), write_transaction(db):
        db.execute("UPDATE upload_submissions SET body = '{\"x\": 1}'")
    with pytest.raises(IntegrityError, match="kept"), write_transaction(db):
        db.execute("DELETE FROM upload_submissions")


def test_a_child_without_photo_consent_is_never_tagged_on_either_database(hub_database) -> None:
    db = hub_database
    _a_child_and_an_event(db)
    with write_transaction(db):
        db.execute(
            "INSERT INTO photos (id, location_id, made_by, created_at, width, height, stored_as, thumb_as)"
            " VALUES (1, 'loc-1', 'Kribbe', '2026-03-02T10:00:00Z', 4, 3, 'p1', 't1')"
        )
        db.execute("INSERT INTO photo_tags (photo_id, child_id) VALUES (1, 7)")
    with write_transaction(db):  # consent withdrawn: the child's tags go at once
        db.execute("UPDATE children SET no_photos = 1 WHERE id = 7")
    assert db.execute("SELECT count(*) FROM photo_tags").fetchone()[0] == 0
    with pytest.raises(IntegrityError, match="no photo consent"), write_transaction(db):
        db.execute("INSERT INTO photo_tags (photo_id, child_id) VALUES (1, 7)")
    with write_transaction(db):  # a photo that goes takes its tags along (ON DELETE CASCADE)
        db.execute("UPDATE children SET no_photos = 0 WHERE id = 7")
        db.execute("INSERT INTO photo_tags (photo_id, child_id) VALUES (1, 7)")
        db.execute("DELETE FROM photos WHERE id = 1")
    assert db.execute("SELECT count(*) FROM photo_tags").fetchone()[0] == 0
