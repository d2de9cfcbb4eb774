"""When months are sent: the upload day, the months sent without asking, the pauses between retries. No I/O.

A month goes on the upload day of the month after (the 7th by default: red cells are to be fixed
"voor de 7e van de maand", so the 7th sends what was fixed by the 6th). From then on the hub sends
that month's changes by itself for as long as a location may still correct it: the three latest
months whose upload day has come cover a location's window of two months back. Older months, which
only an organisator can still correct, are sent on demand.
"""

from __future__ import annotations

import calendar
from datetime import date

from hub.attendance.windows import shift_month

DEFAULT_UPLOAD_DAY = 7
AUTOMATIC_MONTHS = 3


def check_upload_day(day: int) -> int:
    if not 1 <= day <= 28:
        raise ValueError(f"the upload day must be a day that every month has (1-28), not {day}")
    return day


def due_date(year: int, month: int, upload_day: int = DEFAULT_UPLOAD_DAY) -> date:
    """The day the month is sent: ``upload_day`` of the month after."""
    next_year, next_month = shift_month(year, month, 1)
    return date(next_year, next_month, check_upload_day(upload_day))


def month_is_over(year: int, month: int, today: date) -> bool:
    return today > date(year, month, calendar.monthrange(year, month)[1])


def automatic_months(
    today: date, upload_day: int = DEFAULT_UPLOAD_DAY, count: int = AUTOMATIC_MONTHS
) -> list[tuple[int, int]]:
    """The months the hub sends (and resends when they change) by itself today, newest first."""
    year, month = shift_month(today.year, today.month, -1)
    if today < due_date(year, month, upload_day):
        year, month = shift_month(year, month, -1)
    return [shift_month(year, month, -n) for n in range(count)]


def backoff_delays(attempts: int, first_s: float, max_s: float) -> list[float]:
    """The pauses between ``attempts`` tries: doubling from ``first_s``, never more than ``max_s``."""
    return [min(max_s, first_s * 2**n) for n in range(max(0, attempts - 1))]
