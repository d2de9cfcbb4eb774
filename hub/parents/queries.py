"""What a parent may see, read from the database on every request.

Which children an account sees is computed here from ``contacts`` (the account's e-mail address):
never stored, never cached, so a removed contact loses access with its next request. A child's
locations are those it is linked to (``child_locations``); a parent sees no other location.
The month's cells are judged by the attendance feature's own judgement (:func:`judge_cell`).
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import sqlite_utils

from hub.attendance.cells import Cell
from hub.attendance.days import attendance, collected_direction
from hub.attendance.grid import elsewhere_of, judge_cell
from hub.attendance.pickups import pickup_of
from hub.core.actors import NoAccess
from hub.core.localtime import day_bounds_utc, fmt_time, local
from hub.locations.queries import location_schedule
from hub.parents.accounts import Account
from hub.parents.rules import TodayState, today_state


@dataclass(frozen=True)
class Place:
    id: str
    name: str


@dataclass(frozen=True)
class ParentChild:
    id: int
    first_name: str
    last_name: str
    places: tuple[Place, ...]

    @property
    def name(self) -> str:
        return f"{self.first_name} {self.last_name}"


def children_of(db: sqlite_utils.Database, account: Account) -> list[ParentChild]:
    """The children whose contact list has the account's e-mail address, now."""
    rows = db.execute(
        """
        SELECT DISTINCT c.id, c.first_name, c.last_name FROM contacts ct JOIN children c ON c.id = ct.child_id
        WHERE ct.email = ? ORDER BY c.first_name, c.last_name, c.id
        """,
        (account.email,),
    ).fetchall()
    children = []
    for child_id, first, last in rows:
        places = tuple(
            Place(*row)
            for row in db.execute(
                """
                SELECT l.id, l.name FROM child_locations cl JOIN locations l ON l.id = cl.location_id
                WHERE cl.child_id = ? ORDER BY l.name
                """,
                (child_id,),
            )
        )
        children.append(ParentChild(child_id, first, last, places))
    return children


def child_of(db: sqlite_utils.Database, account: Account, child_id: int) -> ParentChild:
    """One of the account's children; another family's child raises :class:`NoAccess` (404)."""
    for child in children_of(db, account):
        if child.id == child_id:
            return child
    raise NoAccess(child_id)


def place_of(child: ParentChild, location_id: str) -> Place:
    for place in child.places:
        if place.id == location_id:
            return place
    raise NoAccess(location_id)


@dataclass(frozen=True)
class ChildToday:
    child: ParentChild
    state: TodayState
    unit: str  # the scanner of the last registration, "" when none


def today_of(db: sqlite_utils.Database, children: list[ParentChild], now: datetime) -> list[ChildToday]:
    """Each child's state now: its last stay today at one of its locations."""
    day = local(now).date()
    found = attendance(db, day, day, child_ids=[c.id for c in children]) if children else {}
    start, end = day_bounds_utc(day)
    result = []
    for child in children:
        stays = [
            (interval, place)
            for place in child.places
            if (registered := found.get((place.id, child.id, day))) is not None
            for interval in registered.intervals
        ]
        if not stays:
            result.append(ChildToday(child, today_state(None, None, ""), ""))
            continue
        interval, place = max(stays, key=lambda stay: stay[0].start)
        unit = db.execute(
            """
            SELECT unit_id FROM events WHERE location_id = ? AND occurred_at >= ? AND occurred_at < ?
              AND child_id = ? ORDER BY occurred_at DESC LIMIT 1
            """,
            (place.id, start, end, child.id),
        ).fetchone()
        pickup = pickup_of(db, place.id, child.id, day) if interval.departure else None
        state = today_state(
            fmt_time(interval.arrival) if interval.arrival else None,
            fmt_time(interval.departure) if interval.departure else None,
            place.name,
            pickup.name if pickup else "",
        )
        result.append(ChildToday(child, state, unit[0] if unit else ""))
    return result


def change_marker(db: sqlite_utils.Database, children: list[ParentChild], now: datetime) -> tuple:
    """A cheap value that changes when a registration or correction of today's children changes.

    Read about once a second by the live stream; uses the indexes of events (location, time) and
    corrections (location, day, child).
    """
    places = sorted({p.id for c in children for p in c.places})
    ids = [c.id for c in children]
    if not places or not ids:
        return ()
    start, end = day_bounds_utc(local(now).date())
    marks = ",".join("?" * len(places))
    child_marks = ",".join("?" * len(ids))
    events = db.execute(
        f"""
        SELECT count(*), max(received_at) FROM events
        WHERE location_id IN ({marks}) AND occurred_at >= ? AND occurred_at < ?
          AND child_id IN ({child_marks})
        """,
        (*places, start, end, *ids),
    ).fetchone()
    corrections = db.execute(
        f"""
        SELECT count(*), max(id) FROM corrections
        WHERE location_id IN ({marks}) AND day = ? AND child_id IN ({child_marks})
        """,
        (*places, local(now).date().isoformat(), *ids),
    ).fetchone()
    return (tuple(ids), tuple(events), tuple(corrections), local(now).date().isoformat())


def month_cells(
    db: sqlite_utils.Database, child: ParentChild, place: Place, year: int, month: int, now: datetime
) -> list[Cell]:
    """The child's row of the location's month grid, judged as the location's grid judges it."""
    schedule = location_schedule(db, place.id)
    first = date(year, month, 1)
    last = date(year, month, calendar.monthrange(year, month)[1])
    found = attendance(db, first, last, child_ids=[child.id])
    elsewhere = elsewhere_of(db, found, place.id)
    return [
        judge_cell(found.get((place.id, child.id, day)), schedule.on(day), now, elsewhere[(child.id, day)])
        for day in (first + timedelta(days=n) for n in range((last - first).days + 1))
    ]


@dataclass(frozen=True)
class Registration:
    time: str  # HH:MM local
    direction: str  # "Aankomst" / "Vertrek"
    unit: str


def registrations_on(
    db: sqlite_utils.Database, child: ParentChild, place: Place, day: date
) -> list[Registration]:
    """The scans of one child at one location on one day, oldest first."""
    start, end = day_bounds_utc(day)
    return [
        Registration(fmt_time(at), "Aankomst" if direction == "arrival" else "Vertrek", unit)
        for at, direction, unit in db.execute(
            f"""
            SELECT occurred_at, {collected_direction("e")}, unit_id FROM events e
            WHERE location_id = ? AND occurred_at >= ? AND occurred_at < ? AND child_id = ?
            ORDER BY occurred_at
            """,
            (place.id, start, end, child.id),
        )
    ]


def day_cell(db: sqlite_utils.Database, child: ParentChild, place: Place, day: date, now: datetime) -> Cell:
    schedule = location_schedule(db, place.id)
    found = attendance(db, day, day, child_ids=[child.id])
    return judge_cell(
        found.get((place.id, child.id, day)),
        schedule.on(day),
        now,
        elsewhere_of(db, found, place.id)[(child.id, day)],
    )
