"""A finished month at the demo location with both markers of the "Opgeladen" screen, for its tests.

The month is a number of months before today, so its upload day has passed and it can be sent
whatever the date the tests run on. Scans go in through the hub's ingest (the demo's door):

    Jules   arrives on the first open day and never leaves: a red cell, a time error (red clock)
    Noah    a whole day on the second open day, but no birth date: a data error (red cloud)
    Mila    a whole day on the second open day, 3 years old: the 2.5-year warning (red cloud)
    Lotte   whole days on both: in order

Birth dates are set relative to the month, so the same children are too young or too old
whatever today is. With ``elsewhere`` the organisation's second location "De Regenboog" gets a
child with a complete day in the same month.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from hub.attendance.windows import shift_month
from hub.core.localtime import today
from hub.demo import DemoData
from hub.locations.queries import location_schedule, set_opening_hours
from hub.locations.schedule import weekdays
from hub.prices.ko_toeslag import add_months
from tests.support.attendance import ARRIVAL, Door, at, child_id, day_at_the_creche, second_location

CHECKED = at("2026-04-02", "09:00")  # March 2026 is checked on 2 April (the upload checks' tests)


@dataclass(frozen=True)
class MarkedMonth:
    year: int
    month: int
    days: tuple[date, date]  # the first two open days
    red_child: int  # Jules: the red cell on days[0]
    undated_child: int  # Noah: no birth date
    older_child: int  # Mila: older than 2.5 years

    @property
    def key(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"


def months_back(count: int) -> tuple[int, int]:
    day = today()
    return shift_month(day.year, day.month, -count)


def open_days(db, location_id: str, year: int, month: int) -> list[date]:
    schedule = location_schedule(db, location_id)
    day, found = date(year, month, 1), []
    while day.month == month:
        if schedule.on(day).is_open:
            found.append(day)
        day += timedelta(days=1)
    return found


def month_with_both_markers(
    db, demo: DemoData, year: int, month: int, elsewhere: bool = False
) -> MarkedMonth:
    first, second = open_days(db, demo.location_id, year, month)[:2]
    start = date(year, month, 1)
    for name in ("Jules", "Lotte", "Louis", "Olivia"):
        _born(db, name, add_months(start, -12))
    _born(db, "Mila", add_months(start, -36))
    _born(db, "Noah", None)
    door = Door(db, demo)
    door.scan("Jules", at(first.isoformat(), "08:05"), ARRIVAL)  # the departure is missing
    day_at_the_creche(door, "Lotte", first.isoformat())
    for name in ("Lotte", "Noah", "Mila"):
        day_at_the_creche(door, name, second.isoformat())
    if elsewhere:
        regenboog = second_location(db, demo, "Olivia")
        set_opening_hours(db, "regenboog", weekdays("07:00", "18:00"))
        day_at_the_creche(regenboog, "Olivia", first.isoformat())
    return MarkedMonth(
        year, month, (first, second), child_id(db, "Jules"), child_id(db, "Noah"), child_id(db, "Mila")
    )


def _born(db, first_name: str, born: date | None) -> None:
    db.execute(
        "UPDATE children SET birth_date = ? WHERE first_name = ?",
        (born.isoformat() if born else None, first_name),
    )
    db.conn.commit()
