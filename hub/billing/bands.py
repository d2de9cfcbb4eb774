"""A billed day's band: the minutes present within 06:00-20:00 Brussels, and the share of the day price.

Both documents bill a calendar day by the hours present that day (Gezinsbond FAQ; AG Antwerpen
"op basis van het aantal uren"):

    under 180 minutes    40 %   only for a child who goes to school full time (else 60 %)
    under 300 minutes    60 %
    300 to 660 minutes   100 %  inclusive at both ends
    over 660 minutes     160 %

"Tussen 5 uur en minder dan 11 uur: 100 %" and "langer dan 11 uren: 160 %" leave exactly 11:00 in
neither band. Our reading: exactly 11 h (660 minutes) is 100 %, the 160 % starts at 11 h 01; the
long band is "more than", so the boundary stays with the normal day (docs/billing.md says the
same). Only minutes between 06:00 and 20:00 Brussels count ("overdag (tussen 6 en 20uur)"); several
stays on one day add up. Times are cut to the minute first, as the grid shows them.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, time, timedelta

from hub.core.localtime import BRUSSELS
from hub.prices.income_tariff import day_percentage

DAY_FROM = time(6, 0)
DAY_UNTIL = time(20, 0)


def _minute(moment: datetime) -> datetime:
    return moment.astimezone(BRUSSELS).replace(second=0, microsecond=0)


def _window(day: date) -> tuple[datetime, datetime]:
    return (
        datetime.combine(day, DAY_FROM, tzinfo=BRUSSELS),
        datetime.combine(day, DAY_UNTIL, tzinfo=BRUSSELS),
    )


def minutes_by_day(stays: Iterable[tuple[datetime, datetime]]) -> dict[date, int]:
    """Minutes present within 06:00-20:00 Brussels per calendar day, summed over the stays.

    A stay is (arrival, departure) as aware datetimes; one over midnight counts on both days.
    """
    totals: dict[date, int] = {}
    for arrival, departure in stays:
        start, end = _minute(arrival), _minute(departure)
        day = start.date()
        while day <= end.date():
            low, high = _window(day)
            seconds = (min(end, high) - max(start, low)).total_seconds()
            if seconds > 0:
                totals[day] = totals.get(day, 0) + int(seconds // 60)
            day += timedelta(days=1)
    return totals


def band_percentage(minutes: int, school_full_time: bool = False) -> int:
    """The share of the day price in percent for ``minutes`` (within 06:00-20:00) on one day."""
    return day_percentage(minutes, school_full_time)


def planned_minutes(start: time, end: time) -> int:
    """Minutes of a planned day from its hours, within 06:00-20:00 (for a planned day missed)."""
    low = max(start, DAY_FROM)
    high = min(end, DAY_UNTIL)
    if high <= low:
        return 0
    return (high.hour * 60 + high.minute) - (low.hour * 60 + low.minute)
