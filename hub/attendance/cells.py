"""The state of one cell of the grid: one child, one day, at one location. No I/O, no screen text.

As the AARON guide describes the overview: green is complete, red is an error (for example a
missing departure), grey with a + is a day the child was not there, green with "nu aanwezig" is a
child in the building now. Days on which the location expects nobody (a closing day, a weekday
without opening hours, a month marked closed) are "closed"; days still to come are "future".

Real times are kept as they happened. Red is only for what Kind en Gezin cannot accept (a missing
departure, a departure without arrival, overlapping stays, an arrival after the departure). A time
outside the opening hours, a late pickup and attendance on a closing day are marks on a green
cell: shown, listed, never an error. A child without departure is "nog aanwezig" until closing
time plus the location's margin, then red, and red at midnight in any case; no time is invented.

This judgement is the only one: the grid, the correction form, the upload checks, the batch, the
CSV and the price previews all read a day through :func:`judge_day` and :func:`counted_stays`.
The Dutch words for problems and marks live with the screens (:mod:`hub.attendance.wording`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from itertools import pairwise

from hub.attendance.pairing import Interval
from hub.core.localtime import BRUSSELS, local
from hub.locations.schedule import DaySchedule


class CellState(StrEnum):
    COMPLETE = "complete"  # green
    ERROR = "error"  # red
    ABSENT = "absent"  # grey with +
    MISSED = "missed"  # "afwezig": a day of the care plan gone by without registration
    PRESENT = "present"  # green, "nu aanwezig"
    CLOSED = "closed"  # no attendance expected
    FUTURE = "future"  # not yet


class Problem(StrEnum):
    """What makes a cell red: Kind en Gezin cannot accept it."""

    DEPARTURE_MISSING = "departure_missing"
    DEPARTURE_WITHOUT_ARRIVAL = "departure_without_arrival"
    ARRIVAL_AFTER_DEPARTURE = "arrival_after_departure"
    OVERLAP = "overlap"


class Mark(StrEnum):
    """What a green cell shows besides its times: kept as it happened, not an error."""

    OUTSIDE_OPENING_HOURS = "outside_opening_hours"  # "buiten openingsuren"
    LATE_PICKUP = "late_pickup"  # "laat opgehaald": a departure after closing time
    ON_CLOSED_DAY = "on_closed_day"  # a warning: registered on a closing day


@dataclass(frozen=True)
class Finding:
    """One thing wrong with a cell: the problem, the times it is about, and where (for an overlap).

    ``swapped``: a departure without arrival followed by an arrival without departure, most likely a
    unit in the wrong mode; one finding says so better than two.
    """

    problem: Problem
    times: tuple[datetime | None, ...] = ()
    place: str = ""  # the other location of an overlapping stay; "" for one here
    swapped: bool = False


@dataclass(frozen=True)
class Marking:
    """One mark on a cell and the times it is about (none for a closed day)."""

    mark: Mark
    times: tuple[datetime, ...] = ()


@dataclass(frozen=True)
class Elsewhere:
    """The same child's stay at another location the same day (the hours add up; they may not overlap)."""

    interval: Interval
    place: str


@dataclass(frozen=True)
class Cell:
    day: date
    state: CellState
    intervals: tuple[Interval, ...] = ()
    findings: tuple[Finding, ...] = ()
    minutes: int = 0  # present in the stays that count (nothing on a red day)
    present_now: bool = False
    closed: str | None = None  # why no attendance is expected, in Dutch (from the schedule)
    corrected: bool = field(default=False, compare=False)  # set by the service layer
    marks: tuple[Marking, ...] = ()
    hours: str = ""  # the day's opening hours as shown ("07:00–18:00"), for the marks' wording

    @property
    def problems(self) -> set[Problem]:
        return {f.problem for f in self.findings}

    @property
    def marked(self) -> set[Mark]:
        return {m.mark for m in self.marks}


def judge_day(
    schedule: DaySchedule,
    intervals: Sequence[Interval],
    now: datetime,
    elsewhere: Sequence[Elsewhere] = (),
    planned: bool = False,
) -> Cell:
    """The cell of one child on ``schedule.day``, given that day's intervals at this location.

    ``planned``: the child's care plan has this day (the caller looks it up; no plan, no absence).
    """
    now = now.astimezone(UTC)
    intervals = tuple(sorted(intervals, key=lambda i: i.start))
    if not intervals:
        return _empty(schedule, local(now).date(), planned)
    present_now = _still_present(intervals, schedule, now)
    findings = _pairing_findings(intervals, present_now) + _overlaps(intervals, elsewhere)
    if findings:
        state = CellState.ERROR
    elif present_now:
        state = CellState.PRESENT
    else:
        state = CellState.COMPLETE
    minutes = sum(i.minutes() for i in _complete(intervals)) if state is not CellState.ERROR else 0
    return Cell(
        schedule.day,
        state,
        intervals,
        tuple(findings),
        minutes,
        present_now,
        schedule.closed,
        marks=_marks(intervals, schedule),
        hours=schedule.hours_text,
    )


def counted_stays(cell: Cell) -> tuple[Interval, ...]:
    """The stays of a day that count: sent to Kind en Gezin, in the CSV and the price previews.

    Those of a green cell; nothing of a red one (it is a time error, fixed before it counts) nor of
    a child still present (the day is not over).
    """
    if cell.state is not CellState.COMPLETE:
        return ()
    return _complete(cell.intervals)


def _empty(schedule: DaySchedule, today: date, planned: bool = False) -> Cell:
    if not schedule.is_open:
        return Cell(schedule.day, CellState.CLOSED, closed=schedule.closed)
    if schedule.day > today:
        return Cell(schedule.day, CellState.FUTURE)
    if planned and schedule.day < today:  # today the child may still come
        return Cell(schedule.day, CellState.MISSED)
    return Cell(schedule.day, CellState.ABSENT)


def _complete(intervals: Sequence[Interval]) -> tuple[Interval, ...]:
    return tuple(i for i in intervals if i.complete and i.departure >= i.arrival)


def present_until(schedule: DaySchedule) -> datetime:
    """Until when a child without departure is "nog aanwezig": closing time plus the location's
    margin on an open day, never past midnight; midnight on a closed day."""
    midnight = datetime.combine(schedule.day + timedelta(days=1), time(0), BRUSSELS).astimezone(UTC)
    if not schedule.is_open or schedule.hours is None:
        return midnight
    closes = datetime.combine(schedule.day, schedule.hours.closes, BRUSSELS).astimezone(UTC)
    return min(closes + schedule.pickup_margin, midnight)


def _still_present(intervals: Sequence[Interval], schedule: DaySchedule, now: datetime) -> bool:
    last = intervals[-1]
    return (
        last.arrival is not None
        and last.departure is None
        and schedule.day == local(now).date()
        and now < present_until(schedule)
    )


def _swapped(intervals: Sequence[Interval]) -> set[int]:
    """Indexes of a departure without arrival directly followed by an arrival without departure."""
    return {
        i
        for i in range(len(intervals) - 1)
        if intervals[i].arrival is None and intervals[i + 1].departure is None
    }


def _pairing_findings(intervals: Sequence[Interval], present_now: bool) -> list[Finding]:
    swapped = _swapped(intervals)
    found = []
    for i, interval in enumerate(intervals):
        if interval.arrival is None:
            if i in swapped:
                found.append(
                    Finding(
                        Problem.ARRIVAL_AFTER_DEPARTURE,
                        (intervals[i + 1].arrival, interval.departure),
                        swapped=True,
                    )
                )
            else:
                found.append(Finding(Problem.DEPARTURE_WITHOUT_ARRIVAL, (interval.departure,)))
        elif interval.departure is None:
            last = i + 1 == len(intervals)
            if not (last and present_now) and i - 1 not in swapped:
                found.append(Finding(Problem.DEPARTURE_MISSING, (interval.arrival,)))
        elif interval.departure < interval.arrival:
            found.append(Finding(Problem.ARRIVAL_AFTER_DEPARTURE, (interval.arrival, interval.departure)))
    return found


def _overlaps(intervals: Sequence[Interval], elsewhere: Sequence[Elsewhere]) -> list[Finding]:
    found = []
    complete = _complete(intervals)
    for a, b in pairwise(complete):
        if b.arrival < a.departure:
            found.append(Finding(Problem.OVERLAP, (a.arrival, a.departure, b.arrival, b.departure)))
    for mine in complete:
        for other in elsewhere:
            theirs = other.interval
            if theirs.complete and mine.arrival < theirs.departure and theirs.arrival < mine.departure:
                found.append(
                    Finding(
                        Problem.OVERLAP,
                        (mine.arrival, mine.departure, theirs.arrival, theirs.departure),
                        other.place,
                    )
                )
    return found


def _marks(intervals: Sequence[Interval], schedule: DaySchedule) -> tuple[Marking, ...]:
    """The marks of a day with registrations. Times are judged as the screen shows them (cut to
    the minute): 18:00:59 is 18:00, within hours; 18:01 is late (see ``DaySchedule.spans``)."""
    if not schedule.is_open:
        return (Marking(Mark.ON_CLOSED_DAY),)
    spans = schedule.spans
    moments = [m for i in intervals for m in (i.arrival, i.departure) if m is not None]
    if len(spans) == 1:  # one block a day, the common week: no inner loop (the grid judges thousands)
        ((opens, closes),) = spans
        outside = tuple(m for m in moments if not opens <= m < closes)
    else:
        outside = tuple(m for m in moments if not any(start <= m < end for start, end in spans))
    after_closing = spans[-1][1]
    late = tuple(i.departure for i in intervals if i.departure is not None and i.departure >= after_closing)
    marks = []
    if outside:
        marks.append(Marking(Mark.OUTSIDE_OPENING_HOURS, outside))
    if late:
        marks.append(Marking(Mark.LATE_PICKUP, late))
    return tuple(marks)


def month_minutes(cells: Sequence[Cell]) -> int:
    """Minutes present over a month's cells."""
    return sum(cell.minutes for cell in cells)
