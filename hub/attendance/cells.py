"""The state of one cell of the grid: one child, one day, at one location. No I/O.

As the AARON guide describes the overview: green is complete, red is an error (for example a
missing departure), grey with a + is a day the child was not there, green with "nu aanwezig" is a
child in the building now. Days on which the location expects nobody (a closing day, a weekday
without opening hours, a month marked closed) are "closed"; days still to come are "future".

The same judgement checks a proposed correction, so a saved correction never leaves a red cell.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from itertools import pairwise

from hub.attendance.pairing import Interval
from hub.core.localtime import BRUSSELS, fmt_time, local
from hub.locations.schedule import DaySchedule


class CellState(StrEnum):
    COMPLETE = "complete"  # green
    ERROR = "error"  # red
    ABSENT = "absent"  # grey with +
    PRESENT = "present"  # green, "nu aanwezig"
    CLOSED = "closed"  # no attendance expected
    FUTURE = "future"  # not yet


class Problem(StrEnum):
    DEPARTURE_MISSING = "departure_missing"
    DEPARTURE_WITHOUT_ARRIVAL = "departure_without_arrival"
    ARRIVAL_AFTER_DEPARTURE = "arrival_after_departure"
    OVERLAP = "overlap"
    OUTSIDE_OPENING_HOURS = "outside_opening_hours"
    ON_CLOSED_DAY = "on_closed_day"


@dataclass(frozen=True)
class Finding:
    """One thing wrong with a cell, with the Dutch sentence the screens show."""

    problem: Problem
    text: str


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
    minutes: int = 0  # present, in complete intervals
    present_now: bool = False
    closed: str | None = None  # why no attendance is expected, in Dutch
    corrected: bool = field(default=False, compare=False)  # set by the service layer

    @property
    def problems(self) -> set[Problem]:
        return {f.problem for f in self.findings}


def judge_day(
    schedule: DaySchedule,
    intervals: Sequence[Interval],
    now: datetime,
    elsewhere: Sequence[Elsewhere] = (),
) -> Cell:
    """The cell of one child on ``schedule.day``, given that day's intervals at this location."""
    day = schedule.day
    now = now.astimezone(UTC)
    today = local(now).date()
    intervals = tuple(sorted(intervals, key=lambda i: i.start))
    if not intervals:
        if not schedule.is_open:
            return Cell(day, CellState.CLOSED, closed=schedule.closed)
        if day > today:
            return Cell(day, CellState.FUTURE)
        return Cell(day, CellState.ABSENT)

    findings: list[Finding] = []
    if schedule.closed:
        findings.append(
            Finding(Problem.ON_CLOSED_DAY, f"Aanwezig terwijl de opvang dicht is ({schedule.closed})")
        )
    last_moment = _closing_moment(schedule)
    # a departure without arrival followed by an arrival without departure: most likely the unit
    # was in the wrong mode, and one finding says so better than two
    swapped = {
        i
        for i in range(len(intervals) - 1)
        if intervals[i].arrival is None and intervals[i + 1].departure is None
    }
    present_now = False
    for i, interval in enumerate(intervals):
        if interval.arrival is None:
            if i in swapped:
                findings.append(
                    Finding(
                        Problem.ARRIVAL_AFTER_DEPARTURE,
                        f"Aankomst om {fmt_time(intervals[i + 1].arrival)} na vertrek om "
                        f"{fmt_time(interval.departure)}: zijn aankomst en vertrek omgewisseld?",
                    )
                )
            else:
                findings.append(
                    Finding(
                        Problem.DEPARTURE_WITHOUT_ARRIVAL,
                        f"Vertrek om {fmt_time(interval.departure)} zonder aankomst",
                    )
                )
        elif interval.departure is None:
            if i + 1 == len(intervals) and day == today and now < last_moment:
                present_now = True
            elif i - 1 not in swapped:
                findings.append(
                    Finding(
                        Problem.DEPARTURE_MISSING,
                        f"Vertrek ontbreekt na aankomst om {fmt_time(interval.arrival)}",
                    )
                )
        elif interval.departure < interval.arrival:
            findings.append(
                Finding(
                    Problem.ARRIVAL_AFTER_DEPARTURE,
                    f"Vertrek om {fmt_time(interval.departure)} ligt voor aankomst om "
                    f"{fmt_time(interval.arrival)}",
                )
            )
    findings += _overlaps(intervals, elsewhere)
    if schedule.is_open:
        findings += _outside_hours(intervals, schedule)
    minutes = sum(i.minutes() for i in intervals if i.complete and i.departure >= i.arrival)
    if findings:
        state = CellState.ERROR
    elif present_now:
        state = CellState.PRESENT
    else:
        state = CellState.COMPLETE
    return Cell(day, state, intervals, tuple(findings), minutes, present_now, schedule.closed)


def _closing_moment(schedule: DaySchedule) -> datetime:
    """From when on a missing departure is an error: closing time, or midnight on a closed day."""
    if schedule.hours is not None and schedule.closed is None:
        return datetime.combine(schedule.day, schedule.hours.closes, BRUSSELS).astimezone(UTC)
    return datetime.combine(schedule.day + timedelta(days=1), time(0), BRUSSELS).astimezone(UTC)


def _overlaps(intervals: Sequence[Interval], elsewhere: Sequence[Elsewhere]) -> list[Finding]:
    found = []
    complete = [i for i in intervals if i.complete and i.departure >= i.arrival]
    for a, b in pairwise(complete):
        if b.arrival < a.departure:
            found.append(Finding(Problem.OVERLAP, f"{_span(a)} en {_span(b)} overlappen"))
    for mine in complete:
        for other in elsewhere:
            theirs = other.interval
            if theirs.complete and mine.arrival < theirs.departure and theirs.arrival < mine.departure:
                found.append(
                    Finding(Problem.OVERLAP, f"{_span(mine)} overlapt met {_span(theirs)} in {other.place}")
                )
    return found


def _outside_hours(intervals: Sequence[Interval], schedule: DaySchedule) -> list[Finding]:
    hours = schedule.hours
    assert hours is not None
    found = []
    for interval in intervals:
        for moment in (interval.arrival, interval.departure):
            if moment is None:
                continue
            shown = local(moment).time().replace(second=0, microsecond=0)  # judged as the screen shows it
            if shown < hours.opens or shown > hours.closes:
                found.append(
                    Finding(
                        Problem.OUTSIDE_OPENING_HOURS,
                        f"{fmt_time(moment)} valt buiten de openingsuren ({hours})",
                    )
                )
    return found


def _span(interval: Interval) -> str:
    return f"{fmt_time(interval.arrival)}–{fmt_time(interval.departure)}"


def month_minutes(cells: Sequence[Cell]) -> int:
    """Minutes present over a month's cells."""
    return sum(cell.minutes for cell in cells)
