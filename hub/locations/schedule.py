"""When a location expects children: opening hours per weekday, closing days, closed months. No I/O.

The AG Kinderopvang Antwerpen house rules give the common case: open Monday to Friday from 7 to
18 h, closed on public holidays, bridge days, the Christmas holidays and up to two pedagogical
study days a year. The Gezinsbond FAQ shows that hours can differ per weekday (Thursday 13-16 h,
the other weekdays 9-11.30 h).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, time

WEEKDAYS_NL = ("maandag", "dinsdag", "woensdag", "donderdag", "vrijdag", "zaterdag", "zondag")


@dataclass(frozen=True)
class Hours:
    """Opening hours of one weekday, from ``opens`` to ``closes`` (both local times)."""

    opens: time
    closes: time

    def __post_init__(self) -> None:
        if not self.opens < self.closes:
            raise ValueError(f"opening hours must open before they close: {self.opens}-{self.closes}")

    @classmethod
    def parse(cls, opens: str, closes: str) -> Hours:
        return cls(time.fromisoformat(opens), time.fromisoformat(closes))

    def __str__(self) -> str:
        return f"{self.opens:%H:%M}–{self.closes:%H:%M}"


@dataclass(frozen=True)
class DaySchedule:
    """What a location expects on one day: its hours, or why it expects no children at all."""

    day: date
    hours: Hours | None
    closed: str | None = None  # Dutch, for the screen: "gesloten maand", "sluitingsdag: Paasmaandag"

    @property
    def is_open(self) -> bool:
        return self.hours is not None and self.closed is None


@dataclass(frozen=True)
class LocationSchedule:
    """A location's week, its closing days and its closed months."""

    weekly: Mapping[int, Hours] = field(default_factory=dict)  # ISO weekday (1 = Monday) -> hours
    closing_days: Mapping[date, str] = field(default_factory=dict)  # day -> reason
    closed_months: frozenset[tuple[int, int]] = frozenset()  # (year, month)

    def month_closed(self, year: int, month: int) -> bool:
        return (year, month) in self.closed_months

    def on(self, day: date) -> DaySchedule:
        hours = self.weekly.get(day.isoweekday())
        if self.month_closed(day.year, day.month):
            return DaySchedule(day, hours, "gesloten maand")
        if day in self.closing_days:
            reason = self.closing_days[day]
            return DaySchedule(day, hours, f"sluitingsdag: {reason}" if reason else "sluitingsdag")
        if hours is None:
            return DaySchedule(day, None, f"gesloten op {WEEKDAYS_NL[day.weekday()]}")
        return DaySchedule(day, hours)


def weekdays(opens: str, closes: str, days: range = range(1, 6)) -> dict[int, Hours]:
    """The same hours on several weekdays; by default Monday to Friday."""
    hours = Hours.parse(opens, closes)
    return dict.fromkeys(days, hours)
