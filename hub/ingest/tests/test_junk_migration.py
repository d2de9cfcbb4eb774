"""Upgrading a hub: check-ins an earlier hub filed as dead letters although they were well-formed
(a revoked unit's, a successor's delivery of its predecessor's outbox) come back for a person, and
the old dead letters shrink to the same short prefix as new ones."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from hub.core.db import connect, migrate, migrations
from hub.ingest import refused
from tests.support.messages import checkin
from wire import encode


def test_upgrading_brings_well_formed_checkins_out_of_the_old_dead_letters(tmp_path: Path) -> None:
    db = connect(tmp_path / "hub.sqlite3")
    db.execute("CREATE TABLE schema_migrations (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)")
    for name, sql in migrations():
        if name >= "0011_":
            break
        db.conn.executescript(
            f"BEGIN;\n{sql}\n;INSERT INTO schema_migrations VALUES ('{name}', 'x');\nCOMMIT;"
        )
    lost = checkin(unit="unit-old", location="zonnebloem")
    rows = [
        ("aanwezig/v1/loc/zonnebloem/unit/unit-new/event", "topic_mismatch", encode(lost)),
        ("aanwezig/v1/loc/zonnebloem/unit/unit-new/event", "bad_json", b"{not json" + b"x" * 70_000),
        ("aanwezig/v1/loc/zonnebloem/unit/unit-new/status", "topic_mismatch", b'{"type":"status"}'),
    ]
    with db.atomic():
        for topic, reason, payload in rows:
            db.execute(
                "INSERT INTO dead_letters (received_at, topic, reason, payload) VALUES (?, ?, ?, ?)",
                ("2026-11-20T08:00:00.000+00:00", topic, reason, payload),
            )
    assert migrate(db) == [name for name, _ in migrations() if name >= "0011_"]

    [back] = refused.listed(db, "zonnebloem")
    assert (back.event, back.via_unit, back.reason) == (lost, "unit-new", "topic_mismatch")
    left = db.execute("SELECT reason, length(payload), size FROM dead_letters ORDER BY id").fetchall()
    assert left == [("bad_json", 4096, 70_009), ("topic_mismatch", 17, 17)]
    db.close()
    assert sqlite3.connect(tmp_path / "hub.sqlite3").execute("PRAGMA integrity_check").fetchone() == ("ok",)
