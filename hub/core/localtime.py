"""Time as people in Flanders read it: Europe/Brussels, dates DD/MM/YYYY, times HH:MM.

The database keeps UTC ISO strings (they sort and compare as text); everything shown on a
screen goes through these helpers, so summer time is handled in one place.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

BRUSSELS = ZoneInfo("Europe/Brussels")
MONTHS_NL = (
    "januari",
    "februari",
    "maart",
    "april",
    "mei",
    "juni",
    "juli",
    "augustus",
    "september",
    "oktober",
    "november",
    "december",
)


def utc_iso(moment: datetime) -> str:
    """An aware datetime as the database stores it: UTC, millisecond precision."""
    return moment.astimezone(UTC).isoformat(timespec="milliseconds")


def now_utc_iso() -> str:
    return utc_iso(datetime.now(UTC))


def parse_utc(value: str) -> datetime:
    return datetime.fromisoformat(value).astimezone(UTC)


def local(moment: datetime | str) -> datetime:
    if isinstance(moment, str):
        moment = datetime.fromisoformat(moment)
    return moment.astimezone(BRUSSELS)


def today() -> date:
    return datetime.now(BRUSSELS).date()


def day_bounds_utc(day: date) -> tuple[str, str]:
    """The UTC ISO range [start, end) of one local calendar day (23 or 25 hours on DST days)."""
    start = datetime.combine(day, time(0), BRUSSELS)
    end = datetime.combine(day + timedelta(days=1), time(0), BRUSSELS)
    return utc_iso(start), utc_iso(end)


def fmt_date(day: date) -> str:
    return day.strftime("%d/%m/%Y")


def fmt_time(moment: datetime | str) -> str:
    return local(moment).strftime("%H:%M")


def fmt_month(year: int, month: int) -> str:
    """'maart 2026'."""
    return f"{MONTHS_NL[month - 1]} {year}"


def fmt_duration(minutes: int) -> str:
    """Hours and minutes as Flemish screens write them: '8u05'."""
    return f"{minutes // 60}u{minutes % 60:02d}"
