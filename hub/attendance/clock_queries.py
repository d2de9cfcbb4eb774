"""Clock repair's SQL: anchors per boot, re-timing a boot's events, releasing its uncertain check-ins,
and the look-ups behind a time refusal. The rules are in :mod:`hub.attendance.clock_repair`.

The ingest re-times every unsynced event of a boot when its anchor arrives (or a better one: a
synced event with a lower reading that was delivered late), moves the boot's waiting "tijd
onzeker" check-ins into the event log at their repaired time, and times unsynced events that
arrive after the anchor straight away. ``wall_time`` keeps what the unit said; ``occurred_at``
is the time attendance uses; ``retimed_by`` names the anchor.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime

import sqlite_utils

from hub.accounts.actors import Role
from hub.attendance import presence
from hub.attendance.clock_repair import (
    Anchor,
    TimeRefusal,
    effective_time,
    improves,
    time_refusal,
    trusted_time,
)
from hub.attendance.windows import earliest_correctable_day
from hub.core.localtime import BRUSSELS, parse_utc, utc_iso
from wire import CheckIn

log = logging.getLogger(__name__)

BootKey = tuple[str, str]  # (unit id, boot id)
REPAIRED_BY = "klokherstel"  # settled_by of an uncertain check-in its boot's anchor repaired


class ClockRepair:
    """The anchors of the boots the ingest has seen, and the re-timing they cause.

    Only the ingest writes anchors, so the anchors it committed stay valid between batches;
    anchors found or made during a batch count only once the batch commits (:meth:`committed`).
    """

    def __init__(self, hub_now: Callable[[], datetime] | None = None) -> None:
        # the hub's clock for judging times; tests that replay a past day through the ingest set it
        self.hub_now = hub_now
        self._known: dict[BootKey, Anchor] = {}
        self._pending: dict[BootKey, Anchor | None] = {}
        self._months: dict[tuple[str, str], tuple[bool, bool]] = {}  # (closed, uploaded), per batch

    def begin(self) -> None:
        self._pending = {}
        self._months = {}

    def committed(self) -> None:
        self._known.update({key: anchor for key, anchor in self._pending.items() if anchor is not None})
        self._pending = {}

    def anchor(self, db: sqlite_utils.Database, unit: str, boot: str) -> Anchor | None:
        key = (unit, boot)
        if key in self._pending:
            return self._pending[key]
        if key in self._known:
            return self._known[key]
        row = db.execute(
            "SELECT event_id, wall_utc, monotonic FROM clock_anchors WHERE unit_id = ? AND boot_id = ?", key
        ).fetchone()
        anchor = Anchor(row[0], parse_utc(row[1]), row[2]) if row else None
        self._pending[key] = anchor
        return anchor

    def timing(self, db: sqlite_utils.Database, event: CheckIn) -> tuple[str | None, str | None]:
        """(occurred_at, retimed_by) for a new event: its own time, or re-timed from a known anchor;
        occurred_at None: "tijd onzeker", kept aside until its boot's anchor arrives."""
        anchor = None if event.clock_synced else self.anchor(db, event.unit, event.boot_id)
        trusted = trusted_time(
            datetime.fromisoformat(event.wall_time), event.clock_synced, event.monotonic, anchor
        )
        if trusted is None:
            return None, None
        return utc_iso(trusted[0]), trusted[1]

    def refusal(self, db: sqlite_utils.Database, event: CheckIn, received_at: str) -> TimeRefusal | None:
        """Why the hub refuses the time of a new check-in (an event stored before is a duplicate)."""
        occurred_at, _ = self.timing(db, event)
        if occurred_at is None:
            return None  # no time to judge yet: "tijd onzeker"
        moment = parse_utc(occurred_at)
        received = self.hub_now() if self.hub_now is not None else parse_utc(received_at)
        month = moment.astimezone(BRUSSELS).strftime("%Y-%m")
        key = (event.location, month)
        if key not in self._months:
            self._months[key] = _month_state(db, event.location, month)
        earliest = earliest_correctable_day(Role.LOCATION, received.astimezone(BRUSSELS).date())
        refusal = time_refusal(moment, received, earliest, *self._months[key])
        if refusal is None or db.execute("SELECT 1 FROM events WHERE id = ?", (event.id,)).fetchone():
            return None
        return refusal

    def stored(self, db: sqlite_utils.Database, event: CheckIn) -> int:
        """After a new event is stored: if it anchors its boot, re-time the boot; returns events re-timed."""
        if not event.clock_synced:
            return 0
        candidate = Anchor(event.id, datetime.fromisoformat(event.wall_time), event.monotonic)
        if not improves(self.anchor(db, event.unit, event.boot_id), candidate):
            return 0
        db.execute(
            """
            INSERT INTO clock_anchors (unit_id, boot_id, event_id, wall_utc, monotonic) VALUES (?, ?, ?, ?, ?)
            ON CONFLICT (unit_id, boot_id) DO UPDATE
            SET event_id = excluded.event_id, wall_utc = excluded.wall_utc, monotonic = excluded.monotonic
            """,
            (event.unit, event.boot_id, event.id, utc_iso(candidate.wall), event.monotonic),
        )
        self._pending[(event.unit, event.boot_id)] = candidate
        released = release_uncertain(db, event.unit, event.boot_id, candidate, utc_iso(candidate.wall))
        return retime_boot(db, event.unit, event.boot_id, candidate) + released


def _month_state(db: sqlite_utils.Database, location_id: str, month: str) -> tuple[bool, bool]:
    """(closed, uploaded) of one location's month."""
    closed = db.execute(
        "SELECT 1 FROM closed_months WHERE location_id = ? AND month = ?", (location_id, month)
    ).fetchone()
    uploaded = db.execute(
        "SELECT 1 FROM upload_submissions WHERE location_id = ? AND month = ? "
        "AND state IN ('pending', 'answered')",
        (location_id, month),
    ).fetchone()
    return closed is not None, uploaded is not None


def retime_boot(db: sqlite_utils.Database, unit: str, boot: str, anchor: Anchor) -> int:
    """Give every unsynced event of one boot its time from ``anchor``; returns how many moved."""
    rows = db.execute(
        """
        SELECT id, monotonic, occurred_at, retimed_by FROM events
        WHERE unit_id = ? AND boot_id = ? AND clock_synced = 0
        """,
        (unit, boot),
    ).fetchall()
    updates = []
    for event_id, monotonic, occurred_at, retimed_by in rows:
        repaired = utc_iso(effective_time(anchor, monotonic))
        if (repaired, anchor.event_id) != (occurred_at, retimed_by):
            updates.append((repaired, anchor.event_id, event_id))
    db.conn.executemany("UPDATE events SET occurred_at = ?, retimed_by = ? WHERE id = ?", updates)
    if updates:
        log.info("re-timed %d unsynced event(s) of unit %s, boot %s", len(updates), unit, boot)
        presence.bump(db, _cells_of(db, [u[2] for u in updates]))
    return len(updates)


def release_uncertain(db: sqlite_utils.Database, unit: str, boot: str, anchor: Anchor, now: str) -> int:
    """Move one boot's waiting "tijd onzeker" check-ins into the event log at their repaired time."""
    rows = db.execute(
        "SELECT id, monotonic FROM uncertain_checkins "
        "WHERE unit_id = ? AND boot_id = ? AND state = 'waiting'",
        (unit, boot),
    ).fetchall()
    for event_id, monotonic in rows:
        place(
            db,
            event_id,
            utc_iso(effective_time(anchor, monotonic)),
            "repaired",
            REPAIRED_BY,
            now,
            anchor.event_id,
        )
    if rows:
        log.info("repaired %d check-in(s) with uncertain time of unit %s, boot %s", len(rows), unit, boot)
    return len(rows)


def place(
    db: sqlite_utils.Database,
    event_id: str,
    occurred_at: str,
    state: str,
    by: str,
    now: str,
    retimed_by: str | None = None,
) -> None:
    """Put a waiting uncertain check-in into the event log at ``occurred_at`` and record who did."""
    db.execute(
        """
        INSERT INTO events (id, unit_id, location_id, seq, direction, code, source, wall_time, occurred_at,
                            clock_synced, boot_id, monotonic, child_id, received_at, retimed_by, direction_by)
        SELECT id, unit_id, location_id, seq, direction, code, source, wall_time, ?, 0, boot_id, monotonic,
               child_id, received_at, ?, direction_by
        FROM uncertain_checkins WHERE id = ? AND state = 'waiting'
        ON CONFLICT (id) DO NOTHING
        """,
        (occurred_at, retimed_by, event_id),
    )
    db.execute(
        """
        UPDATE uncertain_checkins SET state = ?, settled_at = ?, settled_by = ?, placed_at = ?
        WHERE id = ? AND state = 'waiting'
        """,
        (state, now, by, occurred_at, event_id),
    )
    presence.bump(db, _cells_of(db, [event_id]))


def _cells_of(db: sqlite_utils.Database, event_ids: list[str]) -> set[tuple[str, int | None]]:
    marks = ",".join("?" * len(event_ids))
    return {
        (location_id, child_id)
        for location_id, child_id in db.execute(
            f"SELECT DISTINCT location_id, child_id FROM events WHERE id IN ({marks})", event_ids
        )
    }
