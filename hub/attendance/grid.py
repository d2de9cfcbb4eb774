"""The overview grid of a location: children × days, each cell judged by the rules, hours per child.

``month_grid`` is the AARON month overview (with the closed-month mark and the deadline by which
red cells must be fixed); ``period_grid`` is the same for any run of days, such as a week.
"""

from __future__ import annotations

import calendar
from collections import defaultdict
from dataclasses import dataclass, fields, replace
from datetime import UTC, date, datetime, timedelta

import sqlite_utils

from hub.attendance.cells import Cell, CellState, Elsewhere, Mark, judge_day, month_minutes
from hub.attendance.days import CellKey, DayAttendance, attendance
from hub.attendance.unknown_cards import UnknownCard, unknown_cards, unlisted_scans
from hub.attendance.windows import days_left_to_fix, fix_deadline, overdue
from hub.careplan.service import planned_at
from hub.children.queries import Child, Stay, children_at, stays_at
from hub.core.localtime import local
from hub.locations.queries import location_schedule, location_settings
from hub.locations.schedule import DaySchedule, LocationSchedule


@dataclass(frozen=True)
class GridRow:
    child: Child
    cells: tuple[Cell, ...]  # one per day of the grid
    minutes: int  # present over the grid's days

    @property
    def errors(self) -> int:
        return sum(1 for cell in self.cells if cell.state is CellState.ERROR)


@dataclass(frozen=True)
class Grid:
    location_id: str
    days: tuple[DaySchedule, ...]
    rows: tuple[GridRow, ...]
    unknown_cards: tuple[UnknownCard, ...]  # scans of cards no child has ("onbekende kaart")
    now: datetime
    unlisted_unknown_scans: int = 0  # scans of unknown cards beyond the list's cap per unit and day
    planned: tuple[int, ...] = ()  # children with a care plan on each day (issue 20's capacity)
    places: int | None = None  # the location's places, when it set them

    @property
    def errors(self) -> int:
        """Red cells in the grid."""
        return sum(row.errors for row in self.rows)

    @property
    def late_pickups(self) -> tuple[tuple[Child, Cell], ...]:
        """Each child's days with a departure after closing time, by day (the house rules' fine)."""
        found = [
            (row.child, cell) for row in self.rows for cell in row.cells if Mark.LATE_PICKUP in cell.marked
        ]
        return tuple(sorted(found, key=lambda pair: (pair[1].day, pair[0].name)))

    @property
    def present_now(self) -> tuple[Child, ...]:
        return tuple(row.child for row in self.rows if any(cell.present_now for cell in row.cells))


@dataclass(frozen=True)
class MonthGrid(Grid):
    year: int = 0
    month: int = 0
    closed: bool = False  # marked "gesloten maand": no attendance expected
    fix_deadline: date | None = None  # red cells must be fixed before this day (the 7th after)
    overdue: bool = False  # the deadline has come and red cells are left
    days_left: int = 0  # to fix red cells, today included


def period_grid(
    db: sqlite_utils.Database, location_id: str, first: date, last: date, now: datetime | None = None
) -> Grid:
    """The grid of a location from ``first`` to ``last`` (inclusive), e.g. one week."""
    return _grid(db, location_id, location_schedule(db, location_id), first, last, now or datetime.now(UTC))


def month_grid(
    db: sqlite_utils.Database, location_id: str, year: int, month: int, now: datetime | None = None
) -> MonthGrid:
    """The month overview of a location: every child linked to it × every day of the month."""
    now = now or datetime.now(UTC)
    schedule = location_schedule(db, location_id)
    first = date(year, month, 1)
    last = date(year, month, calendar.monthrange(year, month)[1])
    grid = _grid(db, location_id, schedule, first, last, now)
    today = local(now).date()
    return MonthGrid(
        **{f.name: getattr(grid, f.name) for f in fields(Grid)},
        year=year,
        month=month,
        closed=schedule.month_closed(year, month),
        fix_deadline=fix_deadline(year, month),
        overdue=grid.errors > 0 and overdue(year, month, today),
        days_left=days_left_to_fix(year, month, today),
    )


def judge_cell(
    day_attendance: DayAttendance | None, schedule: DaySchedule, now: datetime, elsewhere: list[Elsewhere]
) -> Cell:
    """One cell from what was registered that day (None: nothing), marked when a correction made it."""
    if day_attendance is None:
        return judge_day(schedule, (), now, elsewhere)
    cell = judge_day(schedule, day_attendance.intervals, now, elsewhere)
    return cell if day_attendance.correction is None else replace(cell, corrected=True)


def elsewhere_of(
    db: sqlite_utils.Database, found: dict[CellKey, DayAttendance], location_id: str
) -> dict[tuple[int, date], list[Elsewhere]]:
    """Per (child, day), the child's stays at locations other than ``location_id``.

    A location of the same organisator is named; another organisator's stays only count, as
    "een andere opvang": each organisation sees its own data only.
    """
    places = {
        loc: name if same else "een andere opvang"
        for loc, name, same in db.execute(
            """
            SELECT l.id, l.name, l.organisator_id = (SELECT organisator_id FROM locations WHERE id = ?)
            FROM locations l
            """,
            (location_id,),
        )
    }
    elsewhere: dict[tuple[int, date], list[Elsewhere]] = defaultdict(list)
    for (loc, child_id, day), day_attendance in found.items():
        if loc != location_id:
            elsewhere[(child_id, day)] += [Elsewhere(i, places[loc]) for i in day_attendance.intervals]
    return elsewhere


def _not_enrolled(day: DaySchedule) -> Cell:
    """A day before the child's first day or after its last: nothing expected, nothing to add."""
    return Cell(day.day, CellState.CLOSED, closed="niet ingeschreven")


def _grid(
    db: sqlite_utils.Database,
    location_id: str,
    schedule: LocationSchedule,
    first: date,
    last: date,
    now: datetime,
) -> Grid:
    days = tuple(schedule.on(first + timedelta(days=n)) for n in range((last - first).days + 1))
    stays = stays_at(db, location_id)
    # a child shows within its stay only: not before its first day, not after its last
    children = [
        child
        for child in children_at(db, location_id)
        if any(stays.get(child.id, Stay()).covers(d.day) for d in days)
    ]
    # every location of these children, so that stays at two places on one day can be compared
    found = attendance(db, first, last, child_ids=[child.id for child in children])
    elsewhere = elsewhere_of(db, found, location_id)
    # a day without registrations looks the same for every child (planned or not): judge it once
    empty = {day.day: judge_day(day, (), now) for day in days}
    missed = {day.day: judge_day(day, (), now, planned=True) for day in days}
    planned = planned_at(db, location_id, first, last)
    rows = []
    for child in children:
        stay = stays.get(child.id, Stay())
        cells = tuple(
            (
                (missed if (child.id, day.day) in planned else empty)[day.day]
                if stay.covers(day.day)
                else _not_enrolled(day)
            )
            if (registered := found.get((location_id, child.id, day.day))) is None
            else judge_cell(registered, day, now, elsewhere[(child.id, day.day)])
            for day in days
        )
        rows.append(GridRow(child, cells, month_minutes(cells)))
    listed = tuple(unknown_cards(db, location_id, first, last))
    unlisted = unlisted_scans(db, location_id, first, last) if listed else 0
    per_day = defaultdict(int)
    for _child, day in planned:
        per_day[day] += 1
    planned_counts = tuple(per_day[day.day] for day in days)
    places = location_settings(db, location_id).places
    return Grid(location_id, days, tuple(rows), listed, now, unlisted, planned_counts, places)
