""" "Tijd onzeker": check-ins whose time the hub cannot trust, waiting for a person.

A check-in from a boot whose clock never synced, before any synced event of that boot reached the
hub, is kept in ``uncertain_checkins`` with what is known (received at, boot, monotonic reading,
the unit's own clock). It is not attendance and not sent to Kind en Gezin. When its boot's anchor
arrives, clock repair puts it in the event log on its own (:mod:`hub.attendance.clock_queries`);
otherwise staff place it at a time or discard it here, and the row keeps who did what and when.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time

import sqlite_utils

from hub.accounts.actors import Actor, Refused, may_manage
from hub.attendance.clock_queries import place
from hub.attendance.windows import correction_refusal
from hub.core.db import write_transaction
from hub.core.localtime import BRUSSELS, fmt_date, utc_iso


@dataclass(frozen=True)
class UncertainCheckIn:
    id: str
    unit_id: str
    direction: str
    code: str
    child_id: int | None
    child_name: str | None
    wall_time: str  # what the unit's clock said
    boot_id: str
    monotonic: float
    received_at: str  # UTC ISO, hub time


def count_waiting(db: sqlite_utils.Database, location_id: str) -> int:
    """How many check-ins of the location wait with an uncertain time."""
    (count,) = db.execute(
        "SELECT count(*) FROM uncertain_checkins WHERE location_id = ? AND state = 'waiting'", (location_id,)
    ).fetchone()
    return count


def waiting(db: sqlite_utils.Database, location_id: str) -> list[UncertainCheckIn]:
    """The location's check-ins waiting for a time, in the order the hub received them."""
    rows = db.execute(
        """
        SELECT u.id, u.unit_id, u.direction, u.code, u.child_id, c.first_name || ' ' || c.last_name,
               u.wall_time, u.boot_id, u.monotonic, u.received_at
        FROM uncertain_checkins u LEFT JOIN children c ON c.id = u.child_id
        WHERE u.location_id = ? AND u.state = 'waiting'
        ORDER BY u.received_at, u.unit_id, u.seq
        """,
        (location_id,),
    ).fetchall()
    return [UncertainCheckIn(*row) for row in rows]


def _one(db: sqlite_utils.Database, actor: Actor, location_id: str, event_id: str) -> None:
    if not may_manage(db, actor, location_id):
        raise Refused("Deze registratie hoort niet bij je locatie.")
    row = db.execute(
        "SELECT state FROM uncertain_checkins WHERE id = ? AND location_id = ?", (event_id, location_id)
    ).fetchone()
    if row is None:
        raise Refused("Deze registratie bestaat niet.")
    if row[0] != "waiting":
        raise Refused("Deze registratie heeft intussen al een tijd gekregen of werd verwijderd.")


def place_checkin(
    db: sqlite_utils.Database,
    actor: Actor,
    location_id: str,
    event_id: str,
    day: date,
    at: time,
    now: datetime,
) -> datetime:
    """Give a waiting check-in a time (Brussels); it becomes attendance from then on. Returns the time."""
    moment = datetime.combine(day, at, BRUSSELS)
    if moment.astimezone(UTC).astimezone(BRUSSELS).replace(tzinfo=None) != datetime.combine(day, at):
        # the night the clocks go forward, 02:00-02:59 does not exist (an October time that occurs
        # twice is taken as the first, summer-time one)
        raise Refused(f"{at:%H:%M} bestaat niet op {fmt_date(day)}: de klok ging van 02:00 naar 03:00.")
    with write_transaction(db):
        _one(db, actor, location_id, event_id)
        refusal = correction_refusal(actor.role, day, now.astimezone(BRUSSELS).date())
        if refusal:
            raise Refused(refusal)
        if moment > now:
            raise Refused("Een tijd in de toekomst kan je niet kiezen.")
        place(db, event_id, utc_iso(moment), "placed", actor.name, utc_iso(now))
    return moment


def discard_checkin(
    db: sqlite_utils.Database, actor: Actor, location_id: str, event_id: str, now: datetime
) -> None:
    """Set a waiting check-in aside for good (kept, with who and when); it never becomes attendance."""
    with write_transaction(db):
        _one(db, actor, location_id, event_id)
        db.execute(
            "UPDATE uncertain_checkins SET state = 'discarded', settled_at = ?, settled_by = ? WHERE id = ?",
            (utc_iso(now), actor.name, event_id),
        )
