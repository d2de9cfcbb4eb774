"""A location's month as it would be sent now: records, calendar and the checks, read from the database.

Everything is derived on read, like the grid: the month grid of :mod:`hub.attendance.grid` (so the
cells are judged by the same rules the screens show), the children's data, and what the checks of
:mod:`hub.upload.validation` need besides. Nothing here writes.
"""

from __future__ import annotations

import calendar as calendar_module
import json
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime

import sqlite_utils

from hub.attendance.cells import Cell, counted_stays, judge_day
from hub.attendance.days import attendance
from hub.attendance.grid import MonthGrid, month_grid
from hub.attendance.wording import finding_text
from hub.children.queries import CHILD_COLUMNS, Child, child_from_row
from hub.core.localtime import day_bounds_utc, local
from hub.locations.queries import get_location, location_schedule
from hub.locations.schedule import LocationSchedule
from hub.upload import batch as fmt
from hub.upload.validation import (
    Confirmation,
    Issue,
    Marker,
    data_issues,
    held_back,
    markers,
    time_issues,
)


@dataclass(frozen=True)
class PreparedMonth:
    location: fmt.Location
    price_model: str  # "vrije_prijs" or "inkomenstarief"
    year: int
    month: int
    closed_month: bool
    calendar: tuple[fmt.CalendarDay, ...]
    records: tuple[fmt.ChildRecord, ...]  # every child with registrations here, held back or not
    children: dict[int, Child]
    issues: tuple[Issue, ...]
    elsewhere: dict[int, dict[date, int]]  # child -> day -> minutes present at other locations
    grid: MonthGrid

    @property
    def key(self) -> str:
        return fmt.month_key(self.year, self.month)

    @property
    def held_back(self) -> frozenset[int]:
        return held_back(self.issues)

    @property
    def sendable(self) -> tuple[fmt.ChildRecord, ...]:
        """The records that may go: those of children without errors."""
        blocked = self.held_back
        return tuple(r for r in self.records if int(r.child.ref) not in blocked)

    @property
    def markers(self) -> frozenset[Marker]:
        return markers(self.issues)

    def batch(
        self, version: int, submission: str, created_at: datetime, records: Iterable[fmt.ChildRecord]
    ) -> fmt.MonthBatch:
        """A version of this month carrying ``records``."""
        return fmt.MonthBatch(
            self.location,
            self.key,
            version,
            submission,
            created_at.astimezone(UTC).replace(microsecond=0),
            self.closed_month,
            self.calendar,
            tuple(records),
        )


def prepare_month(
    db: sqlite_utils.Database,
    location_id: str,
    year: int,
    month: int,
    now: datetime | None = None,
    include: Iterable[int] = (),
) -> PreparedMonth:
    """The month of a location with its records and checks.

    ``include`` adds children that must have a record even without registrations now: those sent
    before, whose record must go again (empty) when their attendance was corrected away.
    """
    now = now or datetime.now(UTC)
    location = get_location(db, location_id)
    if location is None:
        raise LookupError(f"no location {location_id!r}")
    grid = month_grid(db, location_id, year, month, now=now)
    cells_of = {row.child.id: row.cells for row in grid.rows}
    registered = [cid for cid, cells in cells_of.items() if any(cell.intervals for cell in cells)]
    ids = list(dict.fromkeys([*registered, *include]))
    children = _children(db, ids)
    records = tuple(
        _record(location_id, year, month, children[cid], cells_of.get(cid, ()))
        for cid in ids
        if cid in children
    )
    issues = time_issues(
        ((cid, children[cid].name, cells_of[cid]) for cid in registered if cid in children), finding_text
    ) + data_issues(
        [children[int(r.child.ref)] for r in records],
        {cid: [cell.day for cell in cells_of.get(cid, ()) if cell.intervals] for cid in ids},
        _organisation_children(db, location.organisator_id),
        _card_uses(db, location_id, year, month),
        _confirmations(db, location_id, fmt.month_key(year, month)),
    )
    return PreparedMonth(
        fmt.Location(location.id, location.dossier_number, location.name),
        location.price_model,
        year,
        month,
        grid.closed,
        tuple(_calendar_day(day) for day in grid.days),
        records,
        {int(r.child.ref): children[int(r.child.ref)] for r in records},
        tuple(issues),
        _minutes_elsewhere(db, location_id, year, month, ids, now),
        grid,
    )


def _children(db: sqlite_utils.Database, ids: list[int]) -> dict[int, Child]:
    rows = db.execute(
        f"SELECT {CHILD_COLUMNS} FROM children ch"
        " WHERE ch.id IN (SELECT CAST(value AS INTEGER) FROM json_each(?))",
        (json.dumps(ids),),
    ).fetchall()
    return {row[0]: child_from_row(row) for row in rows}


def _record(location_id: str, year: int, month: int, child: Child, cells: Iterable[Cell]) -> fmt.ChildRecord:
    days = []
    for cell in cells:
        stays = tuple(fmt.Stay(_minute(i.arrival), _minute(i.departure)) for i in counted_stays(cell))
        if stays:
            days.append(fmt.DayPresence(cell.day, stays, cell.minutes))
    ref = str(child.id)
    return fmt.ChildRecord(
        fmt.record_id(location_id, year, month, ref),
        fmt.Child(
            ref,
            child.first_name,
            child.last_name,
            child.birth_date,
            fmt.Sex(child.sex) if child.sex else None,
            child.no_subsidy,
            child.school_start,
        ),
        tuple(days),
        sum(day.minutes for day in days),
    )


def _minute(moment: datetime | None) -> datetime:
    assert moment is not None
    return local(moment).replace(second=0, microsecond=0)


def _calendar_day(day) -> fmt.CalendarDay:
    hours = day.hours
    return fmt.CalendarDay(
        day.day, day.is_open, hours.opens if hours else None, hours.closes if hours else None, day.closed
    )


def _organisation_children(db: sqlite_utils.Database, organisator_id: int) -> list[tuple[Child, str]]:
    rows = db.execute(
        f"""
        SELECT {CHILD_COLUMNS}, l.name FROM children ch
        JOIN child_locations cl ON cl.child_id = ch.id
        JOIN locations l ON l.id = cl.location_id
        WHERE l.organisator_id = ?
        """,
        (organisator_id,),
    ).fetchall()
    return [(child_from_row(row[:7]), row[7]) for row in rows]


def _month_bounds(year: int, month: int) -> tuple[str, str]:
    start, _ = day_bounds_utc(date(year, month, 1))
    _, end = day_bounds_utc(date(year, month, calendar_module.monthrange(year, month)[1]))
    return start, end


def _card_uses(
    db: sqlite_utils.Database, location_id: str, year: int, month: int
) -> dict[str, list[tuple[int, str]]]:
    start, end = _month_bounds(year, month)
    uses: dict[str, list[tuple[int, str]]] = defaultdict(list)
    for code, child_id, name in db.execute(
        """
        SELECT DISTINCT e.code, e.child_id, ch.first_name || ' ' || ch.last_name FROM events e
        JOIN children ch ON ch.id = e.child_id
        WHERE e.location_id = ? AND e.occurred_at >= ? AND e.occurred_at < ?
        """,
        (location_id, start, end),
    ):
        uses[code].append((child_id, name))
    return dict(uses)


def _confirmations(
    db: sqlite_utils.Database, location_id: str, month: str
) -> dict[tuple[int, str], Confirmation]:
    return {
        (child_id, rule): Confirmation(name, at, note)
        for child_id, rule, name, at, note in db.execute(
            """
            SELECT child_id, rule, actor_name, confirmed_at, note FROM upload_confirmations
            WHERE location_id = ? AND month = ?
            """,
            (location_id, month),
        )
    }


def _minutes_elsewhere(
    db: sqlite_utils.Database, location_id: str, year: int, month: int, ids: list[int], now: datetime
) -> dict[int, dict[date, int]]:
    """Per child and day, the minutes that count at other locations (any organisator's), each day
    judged by that location's own hours, as its own month would count it."""
    first = date(year, month, 1)
    last = date(year, month, calendar_module.monthrange(year, month)[1])
    minutes: dict[int, dict[date, int]] = defaultdict(lambda: defaultdict(int))
    schedules: dict[str, LocationSchedule] = {}
    for (loc, child_id, day), found in attendance(db, first, last, child_ids=ids).items():
        if loc != location_id:
            schedule = schedules.setdefault(loc, location_schedule(db, loc)).on(day)
            minutes[child_id][day] += judge_day(schedule, found.intervals, now).minutes
    return {child: dict(days) for child, days in minutes.items()}
