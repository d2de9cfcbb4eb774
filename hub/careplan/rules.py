"""The care plan (opvangplan) as values: which days are planned, at what size and hours.

A plan is kept as versions: each version holds from its ``valid_from`` until the next version's
(or the plan's end), so a change from a date never rewrites the days before it. A version says for
each weekday (0 Monday .. 6 Sunday) a full day, a half day (or a third, for out-of-school care) or
nothing, with start and end hours. Settling-in days (wendagen) lie before the start and are billed
like care days by the hours present (both documents), but they are no planned days: missing one
is no absence.
"""

from __future__ import annotations

import calendar
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, time, timedelta
from enum import StrEnum
from fractions import Fraction


class Size(StrEnum):
    FULL = "volledig"
    HALF = "half"
    THIRD = "derde"

    @property
    def days(self) -> Fraction:
        return {Size.FULL: Fraction(1), Size.HALF: Fraction(1, 2), Size.THIRD: Fraction(1, 3)}[self]


SIZE_NL = {Size.FULL: "volledige dag", Size.HALF: "halve dag", Size.THIRD: "derde dag"}
WEEKDAYS_NL = ("maandag", "dinsdag", "woensdag", "donderdag", "vrijdag", "zaterdag", "zondag")


@dataclass(frozen=True)
class PlanDay:
    size: Size
    start: time
    end: time


@dataclass(frozen=True)
class PlanVersion:
    valid_from: date
    weekdays: Mapping[int, PlanDay] = field(default_factory=dict)

    @property
    def days_a_week(self) -> Fraction:
        return sum((d.size.days for d in self.weekdays.values()), Fraction(0))


@dataclass(frozen=True)
class CarePlan:
    """One child's plan at one location: start, optional end, versions in date order."""

    start: date
    end: date | None
    versions: Sequence[PlanVersion]
    settling_in: frozenset[date] = frozenset()
    # an approved extra day or swap: that day's care, or None for none; the versions stay as they are
    day_changes: Mapping[date, PlanDay | None] = field(default_factory=dict)

    def version_on(self, day: date) -> PlanVersion | None:
        """The version in force on ``day``; None outside the plan's start..end."""
        if day < self.start or (self.end is not None and day > self.end):
            return None
        current = None
        for version in sorted(self.versions, key=lambda v: v.valid_from):
            if version.valid_from <= day:
                current = version
        return current

    def planned(self, day: date) -> PlanDay | None:
        """The planned day on ``day``, or None when nothing is planned (a change of that day first)."""
        if day in self.day_changes:
            return self.day_changes[day]
        version = self.version_on(day)
        return version.weekdays.get(day.weekday()) if version else None


def with_change(plan: CarePlan, change: PlanVersion) -> CarePlan:
    """The plan with a new version from ``change.valid_from``; later versions give way, earlier stay."""
    kept = [v for v in plan.versions if v.valid_from < change.valid_from]
    return CarePlan(plan.start, plan.end, (*kept, change), plan.settling_in, plan.day_changes)


def month_days(year: int, month: int) -> list[date]:
    return [date(year, month, d) for d in range(1, calendar.monthrange(year, month)[1] + 1)]


def months_in_care(plan: CarePlan, year: int) -> list[Fraction]:
    """Days a week of each month of ``year`` the plan covers (a month counts with one day covered).

    A month's days a week are those of the version covering most of its days, the later on a tie.
    """
    months = []
    for month in range(1, 13):
        counts: dict[date, int] = {}
        for day in month_days(year, month):
            version = plan.version_on(day)
            if version is not None:
                counts[version.valid_from] = counts.get(version.valid_from, 0) + 1
        if counts:
            chosen = max(counts, key=lambda start: (counts[start], start))
            version = next(v for v in plan.versions if v.valid_from == chosen)
            months.append(version.days_a_week)
    return months


def planned_days(plan: CarePlan, first: date, last: date) -> dict[date, PlanDay]:
    """Every planned day from ``first`` to ``last`` inclusive."""
    days = {}
    day = first
    while day <= last:
        planned = plan.planned(day)
        if planned is not None:
            days[day] = planned
        day += timedelta(days=1)
    return days


NOTICE_MONTHS = 1  # both documents: the care ends at the earliest a month after it is given notice


def earliest_end(notice_on: date) -> date:
    """The earliest last day of care when notice is given on ``notice_on``: a month later, less a day
    (notice on 15/03 -> 14/04; on 31/01 -> 27/02, the shorter month's last day less one)."""
    index = notice_on.year * 12 + notice_on.month - 1 + NOTICE_MONTHS
    year, month = divmod(index, 12)
    same_day = date(year, month + 1, min(notice_on.day, calendar.monthrange(year, month + 1)[1]))
    return same_day - timedelta(days=1)
