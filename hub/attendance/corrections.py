"""Corrections: a location or an organisator changes the times of one child on one day.

The server enforces what the AARON guide asks, whatever screen sends the change: only one's own
locations; a location up to 2 calendar months back, an organisator up to 5 years; no changes in a
month marked closed or on days to come; and the saved day must not be red (no open interval on
a past day, departure after arrival, no overlap with a stay elsewhere, within opening hours).
Every correction is kept with who made it, when, and the times before and after.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time

import sqlite_utils

from hub.accounts.actors import Actor, Refused, may_manage
from hub.attendance import presence
from hub.attendance.cells import Cell, judge_day
from hub.attendance.days import (
    Correction,
    attendance,
    collected_direction,
    collected_direction_by,
    corrections_of_cell,
    intervals_json,
)
from hub.attendance.grid import elsewhere_of, judge_cell
from hub.attendance.pairing import Interval, Stamp
from hub.attendance.presence_rules import rederive
from hub.attendance.windows import correction_refusal
from hub.attendance.wording import finding_text
from hub.children.queries import Child, get_child, is_linked
from hub.core.db import write_transaction
from hub.core.localtime import BRUSSELS, day_bounds_utc, fmt_time, local, now_utc_iso, parse_utc
from hub.locations.queries import location_schedule
from wire import Direction, DirectionBy

Times = tuple[time, time | None]  # (arrival, departure) in local time; departure None: still here


@dataclass(frozen=True)
class EventRow:
    """A scan behind a cell, as the correction screen lists it."""

    id: str
    occurred_at: str  # UTC ISO, after clock repair
    direction: str
    source: str
    unit_id: str
    retimed: bool  # the unit's clock was not synced; the time was repaired


@dataclass(frozen=True)
class CellDetail:
    """Everything the correction screen shows for one cell."""

    location_id: str
    child: Child
    day: date
    cell: Cell
    events: tuple[EventRow, ...]
    corrections: tuple[Correction, ...]  # oldest first
    fingerprint: str  # of the intervals shown; send it back to detect a change in between
    refusal: str | None  # why this actor may not change the cell now, in Dutch; None when it may


def fingerprint(intervals: Sequence[Interval]) -> str:
    """A short fingerprint of a cell's intervals, so a save can tell they changed in the meantime."""
    return hashlib.sha256(intervals_json(intervals).encode()).hexdigest()[:16]


def cell_detail(
    db: sqlite_utils.Database,
    actor: Actor,
    location_id: str,
    child_id: int,
    day: date,
    now: datetime | None = None,
) -> CellDetail:
    """The cell of one child on one day with its scans, its history and whether ``actor`` may change it."""
    now = now or datetime.now(UTC)
    child = _check_access(db, actor, location_id, child_id)
    schedule = location_schedule(db, location_id)
    found = attendance(db, day, day, child_ids=[child_id])
    current = found.get((location_id, child_id, day))
    cell = judge_cell(current, schedule.on(day), now, elsewhere_of(db, found, location_id)[(child_id, day)])
    refusal = correction_refusal(
        actor.role, day, local(now).date(), schedule.month_closed(day.year, day.month)
    )
    return CellDetail(
        location_id,
        child,
        day,
        cell,
        tuple(_events_of_cell(db, location_id, child_id, day)),
        tuple(corrections_of_cell(db, location_id, child_id, day)),
        fingerprint(current.intervals if current else ()),
        refusal,
    )


def apply_correction(
    db: sqlite_utils.Database,
    actor: Actor,
    location_id: str,
    child_id: int,
    day: date,
    times: Sequence[Times],
    note: str = "",
    expected: str | None = None,
    now: datetime | None = None,
    also: Callable[[sqlite_utils.Database, int], None] | None = None,
) -> Cell:
    """Replace the times of one child on one day; returns the new cell. Raises :class:`Refused`.

    ``also(db, correction_id)`` runs in the same transaction right after the correction is written
    (e.g. marking the parent request it answers); if it raises, nothing of the correction stays.

    ``times`` are the day's stays in local time; an empty list means the child was not there.
    ``expected`` is the :func:`fingerprint` the screen showed: if the cell changed since (a scan
    arrived, someone else saved), the change is refused rather than overwriting unseen times.
    """
    now = now or datetime.now(UTC)
    today = local(now).date()
    with write_transaction(db):
        _check_access(db, actor, location_id, child_id)
        schedule = location_schedule(db, location_id)
        refusal = correction_refusal(actor.role, day, today, schedule.month_closed(day.year, day.month))
        if refusal:
            raise Refused(refusal)
        found = attendance(db, day, day, child_ids=[child_id])
        current = found.get((location_id, child_id, day))
        before = current.intervals if current else ()
        if expected is not None and expected != fingerprint(before):
            raise Refused(
                "De registraties van deze dag zijn intussen gewijzigd. Bekijk ze opnieuw en bewaar dan."
            )
        after = _intervals(day, times, now)
        cell = judge_day(schedule.on(day), after, now, elsewhere_of(db, found, location_id)[(child_id, day)])
        if cell.findings:
            raise Refused(
                "Deze tijden kunnen niet bewaard worden: " + "; ".join(map(finding_text, cell.findings)) + "."
            )
        cursor = db.execute(
            """
            INSERT INTO corrections (location_id, child_id, day, before, after, actor_role, actor_id,
                                     actor_name, note, made_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """,
            (
                location_id,
                child_id,
                day.isoformat(),
                intervals_json(before),
                intervals_json(after),
                actor.record_role.value,
                actor.record_id,
                actor.name,  # the person, when one is logged in
                note.strip(),
                now_utc_iso(),  # the hub's clock, like an event's received_at
            ),
        )
        if also is not None:
            also(db, cursor.lastrowid)
        presence.bump(db, [(location_id, child_id)])  # the units hear of the corrected presence
    return replace(cell, corrected=True)


def _check_access(db: sqlite_utils.Database, actor: Actor, location_id: str, child_id: int) -> Child:
    if not may_manage(db, actor, location_id):
        raise Refused("Je hebt geen toegang tot deze opvanglocatie.")
    child = get_child(db, child_id)
    if child is None or not is_linked(db, child_id, location_id):
        raise Refused("Dit kind is niet gekoppeld aan deze opvanglocatie.")
    return child


def _intervals(day: date, times: Sequence[Times], now: datetime) -> tuple[Interval, ...]:
    intervals = []
    for arrival_time, departure_time in sorted(times, key=lambda t: t[0]):
        arrival = datetime.combine(day, arrival_time, BRUSSELS)
        departure = datetime.combine(day, departure_time, BRUSSELS) if departure_time is not None else None
        for moment in (arrival, departure):
            if moment is not None and moment > now:
                raise Refused(f"{fmt_time(moment)} ligt in de toekomst.")
        if departure is not None and departure <= arrival:
            raise Refused(
                f"Het vertrek ({fmt_time(departure)}) moet na de aankomst ({fmt_time(arrival)}) liggen."
            )
        intervals.append(Interval(arrival, departure))
    return tuple(intervals)


def _events_of_cell(db: sqlite_utils.Database, location_id: str, child_id: int, day: date) -> list[EventRow]:
    start, end = day_bounds_utc(day)
    rows = db.execute(
        f"""
        SELECT e.id, occurred_at, {collected_direction("e")}, source, unit_id, retimed_by IS NOT NULL,
               {collected_direction_by("e")} FROM events e
        WHERE location_id = ? AND child_id = ? AND occurred_at >= ? AND occurred_at < ?
        ORDER BY occurred_at, id
        """,
        (location_id, child_id, start, end),
    ).fetchall()
    # a direction the unit chose by presence is shown as the hub re-derives it from the day
    derived = {
        stamp.ref: stamp.direction.value
        for stamp in rederive(
            (Stamp(parse_utc(row[1]), Direction(row[2]), row[0]), row[6] == DirectionBy.PRESENCE.value)
            for row in rows
        )
    }
    return [EventRow(row[0], row[1], derived[row[0]], row[3], row[4], bool(row[5])) for row in rows]
