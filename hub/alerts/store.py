"""The alerts kept, and their mails: opening and resolving happen in one transaction with the
mails queued in the durable outbox, so each alert is mailed exactly once, and its resolution once."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

import sqlite_utils

from hub.alerts import texts
from hub.alerts.rules import Condition
from hub.core.db import write_transaction
from hub.core.localtime import utc_iso
from hub.mail.outbox import enqueue


@dataclass(frozen=True)
class Alert:
    id: int
    key: str
    location_id: str | None
    text: str
    opened_at: str
    resolved_at: str | None = None


_COLUMNS = "id, key, location_id, text, opened_at, resolved_at"


def open_alerts(db: sqlite_utils.Database) -> dict[str, Alert]:
    rows = db.execute(f"SELECT {_COLUMNS} FROM alerts WHERE resolved_at IS NULL").fetchall()
    return {row[1]: Alert(*row) for row in rows}


def open_for(db: sqlite_utils.Database, location_ids: Iterable[str]) -> list[Alert]:
    """The open alerts of these locations and of the whole hub, oldest first (the overview's banner)."""
    rows = db.execute(
        f"""
        SELECT {_COLUMNS} FROM alerts WHERE resolved_at IS NULL
          AND (location_id IS NULL OR location_id IN (SELECT value FROM json_each(?)))
        ORDER BY opened_at, id
        """,
        (json.dumps(list(location_ids)),),
    ).fetchall()
    return [Alert(*row) for row in rows]


def recipients(db: sqlite_utils.Database, location_id: str | None) -> list[str]:
    """Who hears of an alert: the location's organisator, its staff with the organisator role and the
    location's responsibles; for the whole hub, every organisator."""
    if location_id is None:
        rows = db.execute("SELECT email FROM organisators ORDER BY id").fetchall()
    else:
        rows = db.execute(
            """
            SELECT o.email FROM locations l JOIN organisators o ON o.id = l.organisator_id WHERE l.id = :loc
            UNION
            SELECT s.email FROM staff s JOIN locations l ON l.organisator_id = s.organisator_id
            WHERE l.id = :loc AND s.active = 1 AND s.password_hash IS NOT NULL AND (
                s.role = 'organisator' OR (s.role = 'verantwoordelijke' AND EXISTS (
                    SELECT 1 FROM staff_locations sl WHERE sl.staff_id = s.id AND sl.location_id = :loc)))
            """,
            {"loc": location_id},
        ).fetchall()
    return sorted({row[0] for row in rows}, key=str.lower)


def apply(
    db: sqlite_utils.Database,
    opening: Iterable[Condition],
    resolving: Iterable[str],
    now: datetime,
    portal: str,
) -> tuple[list[Alert], list[Alert]]:
    """Open the new alerts and resolve the cleared ones, queueing their mails; (opened, resolved)."""
    opened, resolved = [], []
    with write_transaction(db):
        current = open_alerts(db)
        for condition in opening:
            if condition.key in current:
                continue  # another checker got there first
            alert_id = db.execute(
                "INSERT INTO alerts (key, location_id, text, opened_at) VALUES (?, ?, ?, ?)",
                (condition.key, condition.location_id, condition.text, utc_iso(now)),
            ).lastrowid
            alert = Alert(alert_id, condition.key, condition.location_id, condition.text, utc_iso(now))
            for to in recipients(db, alert.location_id):
                enqueue(db, texts.opened(to, alert, portal), now)
            opened.append(alert)
        for key in resolving:
            alert = current.get(key)
            if alert is None:
                continue
            db.execute("UPDATE alerts SET resolved_at = ? WHERE id = ?", (utc_iso(now), alert.id))
            alert = Alert(alert.id, alert.key, alert.location_id, alert.text, alert.opened_at, utc_iso(now))
            for to in recipients(db, alert.location_id):
                enqueue(db, texts.resolved(to, alert, portal), now)
            resolved.append(alert)
    return opened, resolved
