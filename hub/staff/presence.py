"""Staff in and out: staff cards, their scans at the units (stored by the ingest, never as a
child's check-in), who is present now, and the location's norm of children per staff member.
The rules are in :mod:`hub.staff.ratio`."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

import sqlite_utils

from hub.core.actors import Actor, NoAccess, Refused, Role
from hub.core.db import write_transaction
from hub.core.localtime import day_bounds_utc, local, today, utc_iso
from hub.staff.ratio import direction_for
from hub.staff.service import get_member, organisation_of
from wire import CheckIn, DirectionBy, cardcode


@dataclass(frozen=True)
class StaffPresent:
    staff_id: int
    name: str
    since: str  # UTC ISO of the arrival


def staff_owners(db: sqlite_utils.Database, codes: Iterable[str]) -> dict[str, tuple[int, str]]:
    """Code -> (staff id, name) for the active cards of active staff persons among ``codes``."""
    rows = db.execute(
        """
        SELECT c.code, s.id, s.name FROM cards c JOIN staff s ON s.id = c.staff_id
        WHERE c.code IN (SELECT value FROM json_each(?)) AND c.state = 'active' AND s.active = 1
        """,
        (json.dumps(list(codes)),),
    ).fetchall()
    return {code: (staff_id, name) for code, staff_id, name in rows}


def _last_direction(db: sqlite_utils.Database, location_id: str, staff_id: int, day: date) -> str | None:
    start, end = day_bounds_utc(day)
    row = db.execute(
        "SELECT direction FROM staff_scans WHERE location_id = ? AND staff_id = ?"
        " AND occurred_at >= ? AND occurred_at < ? ORDER BY occurred_at DESC, event_id DESC LIMIT 1",
        (location_id, staff_id, start, end),
    ).fetchone()
    return row[0] if row else None


def record_scan(
    db: sqlite_utils.Database, event: CheckIn, staff_id: int, occurred_at: str | None, received_at: str
) -> bool:
    """Store one staff scan (inside the ingest's transaction); False when the event id was known.

    A direction chosen with a key or a fixed exit is kept; otherwise the scan turns the person's
    presence of that day around. An unsure unit clock is replaced by the hub's receipt.
    """
    when = occurred_at or received_at
    explicit = event.direction.value if event.direction_by in (DirectionBy.KEY, DirectionBy.FIXED) else None
    present = _last_direction(db, event.location, staff_id, local(when).date()) == "arrival"
    cursor = db.execute(
        """
        INSERT INTO staff_scans
            (event_id, location_id, staff_id, unit_id, direction, occurred_at, received_at)
        VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (event_id) DO NOTHING
        """,
        (event.id, event.location, staff_id, event.unit, direction_for(explicit, present), when, received_at),
    )
    return cursor.rowcount == 1


def staff_present(db: sqlite_utils.Database, location_id: str, day: date | None = None) -> list[StaffPresent]:
    """The staff whose last scan of the day at this location was an arrival, by name."""
    start, end = day_bounds_utc(day or today())
    rows = db.execute(
        """
        SELECT s.id, s.name, last.direction, last.occurred_at FROM staff s JOIN (
            SELECT staff_id, direction, occurred_at,
                   row_number() OVER (PARTITION BY staff_id ORDER BY occurred_at DESC, event_id DESC) AS n
            FROM staff_scans WHERE location_id = ? AND occurred_at >= ? AND occurred_at < ?
        ) last ON last.staff_id = s.id AND last.n = 1
        ORDER BY s.name COLLATE NOCASE
        """,
        (location_id, start, end),
    ).fetchall()
    return [StaffPresent(row[0], row[1], row[3]) for row in rows if row[2] == "arrival"]


def present_staff_cards(db: sqlite_utils.Database, location_id: str, day: date | None = None) -> list[str]:
    """The active cards of the staff present: the units' presence, so the next scan is a departure."""
    ids = [person.staff_id for person in staff_present(db, location_id, day)]
    return [
        code
        for (code,) in db.execute(
            "SELECT code FROM cards WHERE state = 'active'"
            " AND staff_id IN (SELECT CAST(value AS INTEGER) FROM json_each(?))",
            (json.dumps(ids),),
        )
    ]


def norm_of(db: sqlite_utils.Database, location_id: str) -> int | None:
    row = db.execute("SELECT max_children_per_staff FROM locations WHERE id = ?", (location_id,)).fetchone()
    return row[0] if row else None


def set_norm(db: sqlite_utils.Database, actor: Actor, location_id: str, value: str) -> None:
    """Set the location's maximum of children per staff member; only an organisator may."""
    row = db.execute("SELECT organisator_id FROM locations WHERE id = ?", (location_id,)).fetchone()
    if row is None or actor.role is not Role.ORGANISATOR or str(row[0]) != actor.id:
        raise NoAccess(location_id)
    value = value.strip()
    if not value.isdigit() or not 1 <= int(value) <= 50:
        raise Refused("Geef een aantal kinderen per medewerker van 1 tot 50.")
    with write_transaction(db):
        db.execute("UPDATE locations SET max_children_per_staff = ? WHERE id = ?", (int(value), location_id))


def link_card(db: sqlite_utils.Database, actor: Actor, staff_id: int, typed: str, now: datetime) -> str:
    """Give a staff person a card of the organisation's unassigned stock (typed code); returns it."""
    member = get_member(db, actor, staff_id)
    code = cardcode.normalise(typed)
    organisator = organisation_of(db, actor)
    row = db.execute(
        "SELECT organisator_id, state, child_id, staff_id FROM cards WHERE code = ?", (code,)
    ).fetchone()
    if row is None or row[0] != organisator:
        raise Refused("Deze kaart is niet gekend bij je organisatie.")
    if row[1] != "unassigned" or row[2] is not None or row[3] is not None:
        raise Refused("Deze kaart is al gekoppeld. Kies een nieuwe kaart.")
    with write_transaction(db):
        db.execute(
            "UPDATE cards SET staff_id = ?, state = 'active', linked_at = ? WHERE code = ?",
            (member.id, utc_iso(now), code),
        )
    return code


def cards_of(db: sqlite_utils.Database, staff_id: int) -> list[str]:
    return [
        c
        for (c,) in db.execute("SELECT code FROM cards WHERE staff_id = ? AND state = 'active'", (staff_id,))
    ]
