"""Pairing arrivals and departures into presence intervals, per child and per local day. No I/O.

A day is a calendar day in Europe/Brussels: 23 hours on the last Sunday of March, 25 on the
last Sunday of October. Times are kept and compared in UTC, so an interval across a clock
change has its true length. A child may come and go several times a day; each arrival opens an
interval and the next departure closes it. What cannot be paired stays visible as a half-open
interval (arrival without departure, departure without arrival) for the cell rules to judge.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from hub.core.localtime import BRUSSELS
from wire import Direction

# The same card in the same direction again within this window is one scan, not two: a parent who
# did not see the green light scans again. The unit drops such repeats itself (repeat_window_s);
# the hub does the same for repeats that reach it through two units or a typed code.
REPEAT_WINDOW = timedelta(minutes=2)


@dataclass(frozen=True, order=True)
class Stamp:
    """One registered moment of one child: an arrival or a departure (from a scan or a correction)."""

    at: datetime  # aware; kept in UTC
    direction: Direction
    ref: str = ""  # event id, or "correction:N"

    def __post_init__(self) -> None:
        object.__setattr__(self, "at", _utc(self.at))


@dataclass(frozen=True)
class Interval:
    """A stay: from arrival to departure. One side is None when it could not be paired."""

    arrival: datetime | None  # aware; kept in UTC
    departure: datetime | None

    def __post_init__(self) -> None:
        object.__setattr__(self, "arrival", _utc(self.arrival))
        object.__setattr__(self, "departure", _utc(self.departure))

    @property
    def complete(self) -> bool:
        return self.arrival is not None and self.departure is not None

    @property
    def start(self) -> datetime:
        """The earliest known moment of the interval."""
        return self.arrival or self.departure  # type: ignore[return-value]

    def minutes(self) -> int:
        """Whole minutes present, as the screen shows them (both ends cut to the minute)."""
        if not self.complete:
            return 0
        # both ends cut to the minute: whole minutes since the epoch (UTC has no odd offsets); the
        # grid counts tens of thousands of these, so no datetime arithmetic
        return int(self.departure.timestamp() // 60) - int(self.arrival.timestamp() // 60)


def local_day(moment: datetime) -> date:
    return moment.astimezone(BRUSSELS).date()


def by_local_day(stamps: Iterable[Stamp]) -> dict[date, list[Stamp]]:
    """Stamps grouped by the Brussels calendar day they fall on, each group in time order."""
    days: dict[date, list[Stamp]] = defaultdict(list)
    for stamp in stamps:
        days[local_day(stamp.at)].append(stamp)
    return {day: sorted(group) for day, group in days.items()}


def pair(stamps: Iterable[Stamp], repeat_window: timedelta = REPEAT_WINDOW) -> list[Interval]:
    """Pair one child's stamps of one day into intervals, in time order.

    An arrival while the child is present closes nothing: the earlier interval stays without a
    departure (unless the second arrival is a repeat within ``repeat_window``, which is dropped).
    A departure while the child is not present is a departure without arrival (unless it repeats
    the previous departure within the window).
    """
    intervals: list[Interval] = []
    open_arrival: datetime | None = None
    last_departure: datetime | None = None
    for stamp in sorted(stamps):
        if stamp.direction is Direction.ARRIVAL:
            if open_arrival is not None:
                if stamp.at - open_arrival <= repeat_window:
                    continue
                intervals.append(Interval(open_arrival, None))
            open_arrival = stamp.at
        elif open_arrival is not None:
            intervals.append(Interval(open_arrival, stamp.at))
            open_arrival, last_departure = None, stamp.at
        elif last_departure is not None and stamp.at - last_departure <= repeat_window:
            continue
        else:
            intervals.append(Interval(None, stamp.at))
            last_departure = stamp.at
    if open_arrival is not None:
        intervals.append(Interval(open_arrival, None))
    return intervals


def stamps_of(intervals: Iterable[Interval], ref: str = "") -> list[Stamp]:
    """The stamps that make up some intervals (the inverse of :func:`pair` for well-formed days)."""
    stamps = []
    for interval in intervals:
        if interval.arrival is not None:
            stamps.append(Stamp(interval.arrival, Direction.ARRIVAL, ref))
        if interval.departure is not None:
            stamps.append(Stamp(interval.departure, Direction.DEPARTURE, ref))
    return stamps


def _utc(moment: datetime | None) -> datetime | None:
    # Python compares and subtracts two datetimes of the same zone by their wall clocks, which is
    # wrong across a clock change (03:30 CEST - 01:30 CET is one hour, not two); in UTC it is right.
    if moment is None or moment.tzinfo is UTC:  # already UTC (as read from the database): as is
        return moment
    if moment.tzinfo is None:
        raise ValueError(f"a naive time cannot be placed: {moment}")
    return moment.astimezone(UTC)
