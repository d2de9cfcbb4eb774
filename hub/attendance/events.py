"""The immutable event log: storing check-ins once per event id, and reading them back."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

import sqlite_utils

from hub.localtime import day_bounds_utc, utc_iso
from wire import CheckIn


def record_checkin(
    db: sqlite_utils.Database,
    event: CheckIn,
    child_id: int | None,
    received_at: str,
    occurred_at: str | None = None,
    retimed_by: str | None = None,
) -> bool:
    """Insert the event unless its id is known; True when it is new. The caller commits.

    ``occurred_at`` is the time attendance uses: the unit's wall time unless clock repair
    (:mod:`hub.attendance.clock_repair`) re-timed it from the anchor ``retimed_by``.
    """
    cursor = db.execute(
        """
        INSERT INTO events (id, unit_id, location_id, seq, direction, code, source, wall_time,
                            occurred_at, clock_synced, boot_id, monotonic, child_id, received_at,
                            retimed_by)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
        ON CONFLICT (id) DO NOTHING
        """,
        (
            event.id,
            event.unit,
            event.location,
            event.seq,
            event.direction.value,
            event.code,
            event.source.value,
            event.wall_time,
            occurred_at or utc_iso(datetime.fromisoformat(event.wall_time)),
            int(event.clock_synced),
            event.boot_id,
            event.monotonic,
            child_id,
            received_at,
            retimed_by,
        ),
    )
    return cursor.rowcount == 1


@dataclass(frozen=True)
class CheckInRow:
    event_id: str
    occurred_at: str
    direction: str
    source: str
    code: str
    child_id: int | None
    child_name: str | None
    unit_id: str


def checkins_on(db: sqlite_utils.Database, location_id: str, day: date) -> list[CheckInRow]:
    """A location's check-ins on one local day, in time order; unknown cards included."""
    start, end = day_bounds_utc(day)
    rows = db.execute(
        """
        SELECT e.id, e.occurred_at, e.direction, e.source, e.code, e.child_id,
               c.first_name || ' ' || c.last_name, e.unit_id
        FROM events e LEFT JOIN children c ON c.id = e.child_id
        WHERE e.location_id = ? AND e.occurred_at >= ? AND e.occurred_at < ?
        ORDER BY e.occurred_at, e.id
        """,
        (location_id, start, end),
    ).fetchall()
    return [CheckInRow(*row) for row in rows]
