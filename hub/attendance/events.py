"""The immutable event log: storing check-ins once per event id, and reading them back."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

import sqlite_utils

from hub.attendance import presence
from hub.attendance.days import collected_direction
from hub.core.localtime import day_bounds_utc, utc_iso
from wire import CheckIn, DirectionBy


@dataclass(frozen=True)
class NewCheckIn:
    """A check-in as the ingest stores it: the event, whose card it was, and when it happened.

    ``occurred_at`` is the time attendance uses: the unit's wall time unless clock repair
    (:mod:`hub.attendance.clock_repair`) re-timed it from the anchor ``retimed_by``; None when the
    time cannot be trusted yet ("tijd onzeker": kept aside in ``uncertain_checkins``).
    """

    event: CheckIn
    child_id: int | None
    occurred_at: str | None
    retimed_by: str | None = None


def record_checkins(
    db: sqlite_utils.Database, checkins: Sequence[NewCheckIn], received_at: str
) -> list[bool]:
    """Insert check-ins, each unless its event id is stored already; per check-in, True when it is new.

    The primary key keeps each event id once whatever happens. The caller holds the write lock
    (:func:`hub.core.db.write_transaction`), so the look-up that tells new from duplicate cannot race
    another writer; the insert count is checked against it all the same. The caller commits.
    """
    ids = json.dumps([c.event.id for c in checkins])
    known = {
        row[0]
        for row in db.conn.execute(
            "SELECT id FROM events WHERE id IN (SELECT value FROM json_each(?)) "
            "UNION SELECT id FROM uncertain_checkins WHERE id IN (SELECT value FROM json_each(?))",
            (ids, ids),
        )
    }
    new, rows, uncertain = [], [], []
    for c in checkins:
        e = c.event
        new.append(e.id not in known)
        if e.id in known:
            continue
        known.add(e.id)  # the same event twice in one batch: the second is a duplicate
        # 'collector' is stored as NULL ("taken as sent") beside a row of collector_departures, which
        # names the collector: see migration 0023 for why not a new value in the CHECK
        by = e.direction_by.value if e.direction_by and e.direction_by is not DirectionBy.COLLECTOR else None
        if c.occurred_at is None:
            uncertain.append(
                (e.id, e.unit, e.location, e.seq, e.direction.value, by, e.code, e.source.value, e.wall_time,
                 e.boot_id, e.monotonic, c.child_id, received_at)
            )  # fmt: skip
            continue
        rows.append(
            (e.id, e.unit, e.location, e.seq, e.direction.value, e.code, e.source.value, e.wall_time,
             c.occurred_at, int(e.clock_synced), e.boot_id, e.monotonic, c.child_id, received_at,
             c.retimed_by, by)
        )  # fmt: skip
    # rowcount counts the rows these statements wrote, not those their triggers write (migration
    # 0029 counts each check-in for the "Opgeladen" summaries); total_changes would count both
    stored = db.conn.executemany(
        """
        INSERT INTO events (id, unit_id, location_id, seq, direction, code, source, wall_time,
                            occurred_at, clock_synced, boot_id, monotonic, child_id, received_at,
                            retimed_by, direction_by)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
        ON CONFLICT (id) DO NOTHING
        """,
        rows,
    ).rowcount
    stored += db.conn.executemany(
        """
        INSERT INTO uncertain_checkins (id, unit_id, location_id, seq, direction, direction_by, code, source,
                                        wall_time, boot_id, monotonic, child_id, received_at)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
        ON CONFLICT (id) DO NOTHING
        """,
        uncertain,
    ).rowcount
    if stored != len(rows) + len(uncertain):
        raise sqlite3.IntegrityError("events were written under the ingest's write lock")
    if rows:
        presence.bump(db, {(row[2], row[12]) for row in rows})
    return new


def record_checkin(db: sqlite_utils.Database, event: CheckIn, child_id: int | None, received_at: str) -> bool:
    """Insert one check-in at its own wall time unless its id is known; True when it is new."""
    occurred_at = utc_iso(datetime.fromisoformat(event.wall_time))
    return record_checkins(db, [NewCheckIn(event, child_id, occurred_at)], received_at)[0]


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
        f"""
        SELECT e.id, e.occurred_at, {collected_direction("e")}, e.source, e.code, e.child_id,
               c.first_name || ' ' || c.last_name, e.unit_id
        FROM events e LEFT JOIN children c ON c.id = e.child_id
        WHERE e.location_id = ? AND e.occurred_at >= ? AND e.occurred_at < ?
        ORDER BY e.occurred_at, e.id
        """,
        (location_id, start, end),
    ).fetchall()
    return [CheckInRow(*row) for row in rows]
