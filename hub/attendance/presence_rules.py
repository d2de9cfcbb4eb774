"""Arrival or departure from the child's presence, re-derived on the hub. No I/O.

A unit chooses a direction by presence from what it knows: the hub's last presence and its own
scans. Offline, or when the child came in through another door, it may know wrong. The hub
therefore takes the direction of an event chosen by presence from the child's ordered
registrations of that day: the first of a child not present is an arrival, the next a
departure. Directions chosen otherwise (a mode key, a fixed entrance or exit, a correction, a
unit of before presence) stand as registered and set the presence for what follows.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable

from hub.attendance.pairing import Interval, Stamp
from wire import Direction


def rederive(stamps: Iterable[tuple[Stamp, bool]]) -> list[Stamp]:
    """One child's stamps of one day in time order, with the direction of each stamp chosen by
    presence (``True`` beside it) re-derived: an arrival when the child is not present, else a
    departure. A parent who scans twice at one door is answered "al geregistreerd" by the unit
    itself (its repeat window holds for either direction when presence decides)."""
    present = False
    out = []
    for stamp, by_presence in sorted(stamps, key=lambda pair: (pair[0].at, pair[0].ref)):
        if by_presence:
            direction = Direction.DEPARTURE if present else Direction.ARRIVAL
            stamp = dataclasses.replace(stamp, direction=direction)
        present = stamp.direction is Direction.ARRIVAL
        out.append(stamp)
    return out


def is_present(intervals: Iterable[Interval]) -> bool:
    """Whether a child is present after a day's intervals: the last one has no departure."""
    last = None
    for interval in intervals:
        if last is None or interval.start >= last.start:
            last = interval
    return last is not None and last.arrival is not None and last.departure is None
