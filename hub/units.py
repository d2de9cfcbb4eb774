"""Scanner units as the hub knows them: which location each serves, and its last reported state."""

from __future__ import annotations

from dataclasses import dataclass

import sqlite_utils

from wire import Status


@dataclass(frozen=True)
class Unit:
    id: str
    location_id: str
    state: str


def registered_unit(db: sqlite_utils.Database, unit_id: str) -> Unit | None:
    row = db.execute("SELECT id, location_id, state FROM units WHERE id = ?", (unit_id,)).fetchone()
    return Unit(*row) if row else None


def refusal(unit: Unit | None, location_id: str) -> str | None:
    """Why a message from ``unit`` claiming ``location_id`` must be refused, or None when it may pass."""
    if unit is None:
        return "unknown_unit"
    if unit.state != "active":
        return "revoked_unit"
    if unit.location_id != location_id:
        return "wrong_location"
    return None


def record_status(db: sqlite_utils.Database, status: Status, seen_at: str) -> None:
    db.execute(
        "UPDATE units SET online = ?, backlog = ?, version = ?, last_scan = ?, last_seen = ? WHERE id = ?",
        (int(status.online), status.backlog, status.version, status.last_scan, seen_at, status.unit),
    )


def record_seen(db: sqlite_utils.Database, unit_ids: set[str], seen_at: str) -> None:
    for unit_id in unit_ids:
        db.execute("UPDATE units SET last_seen = ? WHERE id = ?", (seen_at, unit_id))


def active_units(db: sqlite_utils.Database) -> list[Unit]:
    rows = db.execute(
        "SELECT id, location_id, state FROM units WHERE state = 'active' ORDER BY id"
    ).fetchall()
    return [Unit(*row) for row in rows]
