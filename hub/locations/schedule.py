"""When a location expects children: opening hours per weekday, closing days, closed months. No I/O.

The AG Kinderopvang Antwerpen house rules give the common case: open Monday to Friday from 7 to
18 h, closed on public holidays, bridge days, the Christmas holidays and up to two pedagogical
study days a year. The Gezinsbond FAQ shows that hours can differ per weekday (Thursday 13-16 h,
the other weekdays 9-11.30 h).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from functools import cached_property
from itertools import pairwise

from hub.core.localtime import BRUSSELS

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


Blocks = tuple[Hours, ...]  # the opening blocks of one day, in order (07:00–12:00, 13:00–18:00)
DEFAULT_PICKUP_MARGIN_MIN = 60  # after closing time, a child without departure is still "nog aanwezig"


def blocks_of(hours: Hours | Sequence[Hours]) -> Blocks:
    """One block or several, as an ordered tuple; overlapping or touching blocks are refused."""
    blocks = (hours,) if isinstance(hours, Hours) else tuple(sorted(hours, key=lambda h: h.opens))
    for a, b in pairwise(blocks):
        if b.opens <= a.closes:
            raise ValueError(f"opening blocks overlap: {a} and {b}")
    return blocks


@dataclass(frozen=True)
class DaySchedule:
    """What a location expects on one day: its hours, or why it expects no children at all.

    ``hours`` spans the day, from the first block's opening to the last block's closing; ``blocks``
    are the blocks themselves (one, mostly). ``closed`` says why the location is closed (Dutch, for
    the screen: "gesloten maand", "sluitingsdag: Paasmaandag").
    """

    day: date
    hours: Hours | None
    closed: str | None = None
    blocks: Blocks = ()
    pickup_margin: timedelta = timedelta(minutes=DEFAULT_PICKUP_MARGIN_MIN)

    def __post_init__(self) -> None:
        if self.hours is not None and not self.blocks:
            object.__setattr__(self, "blocks", (self.hours,))

    @property
    def is_open(self) -> bool:
        return self.hours is not None and self.closed is None

    def within(self, moment: time) -> bool:
        """Whether a local time of this day falls inside an opening block (edges included)."""
        return self.is_open and any(b.opens <= moment <= b.closes for b in self.blocks)

    @cached_property
    def spans(self) -> tuple[tuple[datetime, datetime], ...]:
        """The blocks as aware moments [opens, closes + 1 minute): a moment inside one shows (cut to
        the minute, as the screens show it) as a time inside the block. Worked out once per day;
        the grid compares thousands of moments with them."""
        return tuple(
            (  # in UTC: the registrations are, and moments of one zone compare without a zone lookup
                datetime.combine(self.day, b.opens, BRUSSELS).astimezone(UTC),
                (datetime.combine(self.day, b.closes, BRUSSELS) + timedelta(minutes=1)).astimezone(UTC),
            )
            for b in self.blocks
        )

    @cached_property
    def hours_text(self) -> str:
        """The day's blocks as shown: "07:00–18:00" or "07:00–12:00 en 13:00–18:00"."""
        return " en ".join(str(block) for block in self.blocks) if self.is_open else ""


@dataclass(frozen=True)
class LocationSchedule:
    """A location's week, its closing days and its closed months."""

    weekly: Mapping[int, Hours | Blocks] = field(default_factory=dict)  # ISO weekday (1 = Monday)
    closing_days: Mapping[date, str] = field(default_factory=dict)  # day -> reason
    closed_months: frozenset[tuple[int, int]] = frozenset()  # (year, month)
    pickup_margin_min: int = DEFAULT_PICKUP_MARGIN_MIN

    def month_closed(self, year: int, month: int) -> bool:
        return (year, month) in self.closed_months

    def blocks(self, weekday: int) -> Blocks:
        found = self.weekly.get(weekday)
        return blocks_of(found) if found else ()

    def on(self, day: date) -> DaySchedule:
        blocks = self.blocks(day.isoweekday())
        hours = Hours(blocks[0].opens, blocks[-1].closes) if blocks else None
        margin = timedelta(minutes=self.pickup_margin_min)

        def schedule(closed: str | None) -> DaySchedule:
            return DaySchedule(day, hours, closed, blocks, margin)

        if self.month_closed(day.year, day.month):
            return schedule("gesloten maand")
        if day in self.closing_days:
            reason = self.closing_days[day]
            return schedule(f"sluitingsdag: {reason}" if reason else "sluitingsdag")
        if hours is None:
            return schedule(f"gesloten op {WEEKDAYS_NL[day.weekday()]}")
        return schedule(None)


def weekdays(opens: str, closes: str, days: range = range(1, 6)) -> dict[int, Hours]:
    """The same hours on several weekdays; by default Monday to Friday."""
    hours = Hours.parse(opens, closes)
    return dict.fromkeys(days, hours)


DEFAULT_WEEK = "ma-vr 07:00-18:00"
_DAY_CODES = ("ma", "di", "wo", "do", "vr", "za", "zo")


def parse_week(text: str) -> dict[int, Blocks]:
    """A week as typed on the command line: "ma-vr 07:00-18:00; wo 07:00-12:00,13:00-18:00".

    Parts are separated by ``;``; each names days (a day, a range "ma-vr", or a list "ma,di") and
    one or more blocks separated by ``,``. A later part overrides an earlier one for its days;
    "zo gesloten" closes a day. Raises ValueError with what is wrong.
    """
    week: dict[int, Blocks] = {}
    for part in filter(None, (p.strip() for p in text.split(";"))):
        days_text, _, blocks_text = part.partition(" ")
        days = _parse_days(days_text.lower())
        blocks_text = blocks_text.strip()
        if blocks_text.lower() == "gesloten":
            for day in days:
                week.pop(day, None)
            continue
        blocks = []
        for block in filter(None, (b.strip() for b in blocks_text.split(","))):
            opens, sep, closes = block.partition("-")
            if not sep:
                raise ValueError(f"geen uren van-tot in {part!r}: schrijf zoals 07:00-18:00")
            blocks.append(Hours(parse_clock(opens), parse_clock(closes)))
        if not blocks:
            raise ValueError(f"geen uren in {part!r}")
        for day in days:
            week[day] = blocks_of(blocks)
    return week


def _parse_days(text: str) -> list[int]:
    def code(name: str) -> int:
        if name not in _DAY_CODES:
            raise ValueError(f"onbekende dag {name!r}: gebruik {', '.join(_DAY_CODES)}")
        return _DAY_CODES.index(name) + 1

    days: list[int] = []
    for item in text.split(","):
        first, sep, last = item.partition("-")
        days += range(code(first), code(last) + 1) if sep else [code(first)]
    return days


def parse_day(text: str) -> date:
    """A date as typed, DD/MM/YYYY (also with - or .) or ISO YYYY-MM-DD; raises ValueError otherwise."""
    text = text.strip()
    parts = text.replace("-", "/").replace(".", "/").split("/")
    if len(parts) == 3 and all(p.isdigit() for p in parts):
        if len(parts[0]) == 4:
            return date(int(parts[0]), int(parts[1]), int(parts[2]))
        if len(parts[2]) == 4:
            return date(int(parts[2]), int(parts[1]), int(parts[0]))
    raise ValueError(f"geen geldige datum: {text!r} (DD/MM/JJJJ)")


def parse_clock(text: str) -> time:
    """A 24-hour time as typed, "7:05", "07:05" or "0705"; raises ValueError otherwise."""
    text = text.strip().replace(".", ":").replace("u", ":")
    if ":" not in text and text.isdigit() and len(text) in (3, 4):
        text = f"{text[:-2]}:{text[-2:]}"
    hours, sep, minutes = text.partition(":")
    if not (sep and hours.isdigit() and minutes.isdigit() and len(minutes) == 2 and len(hours) <= 2):
        raise ValueError(f"geen geldig uur: {text!r} (uu:mm)")
    if not (0 <= int(hours) <= 23 and 0 <= int(minutes) <= 59):
        raise ValueError(f"geen geldig uur: {text!r} (uu:mm)")
    return time(int(hours), int(minutes))


def week_text(week: Mapping[int, Hours | Blocks]) -> str:
    """A week as shown: "ma 07:00–18:00, di ..."; closed weekdays left out."""
    return ", ".join(
        f"{_DAY_CODES[day - 1]} " + " en ".join(str(b) for b in blocks_of(week[day])) for day in sorted(week)
    )


class ClosingKind(StrEnum):
    HOLIDAY = "feestdag"
    BRIDGE = "brugdag"
    CHRISTMAS = "kerstvakantie"
    STUDY = "studiedag"
    OTHER = "andere"


def easter(year: int) -> date:
    """Easter Sunday (Gregorian, the anonymous algorithm of Meeus/Jones/Butcher)."""
    a, b, c = year % 19, year // 100, year % 100
    d, e = divmod(b, 4)
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    ell = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * ell) // 451
    month, day = divmod(h + ell - 7 * m + 114, 31)
    return date(year, month, day + 1)


def public_holidays(year: int, flemish_community_day: bool = False) -> list[tuple[date, str]]:
    """The Belgian public holidays of a year, by date; with 11 juli (Feest van de Vlaamse Gemeenschap)."""
    sunday = easter(year)
    days = [
        (date(year, 1, 1), "Nieuwjaar"),
        (sunday + timedelta(days=1), "Paasmaandag"),
        (date(year, 5, 1), "Dag van de Arbeid"),
        (sunday + timedelta(days=39), "O.L.H. Hemelvaart"),
        (sunday + timedelta(days=50), "Pinkstermaandag"),
        (date(year, 7, 21), "Nationale feestdag"),
        (date(year, 8, 15), "O.L.V. Hemelvaart"),
        (date(year, 11, 1), "Allerheiligen"),
        (date(year, 11, 11), "Wapenstilstand"),
        (date(year, 12, 25), "Kerstmis"),
    ]
    if flemish_community_day:
        days.append((date(year, 7, 11), "Feest van de Vlaamse Gemeenschap"))
    return sorted(days)
