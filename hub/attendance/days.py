"""Attendance derived on read: the intervals of each child on each day, from events and corrections.

Nothing derived is stored, so nothing derived can go stale: a cell is computed from the immutable
event log (at each event's effective time, after clock repair) and the latest correction of that
cell. A correction gives the day's times as the person saved them; scans that reach the hub after
the correction was made are added to them (a departure scanned after a morning correction still
closes the day; a unit's backlog that drains late shows up rather than vanishing).
"""

from __future__ import annotations

import json
from bisect import bisect_right
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

import sqlite_utils

from hub.attendance.pairing import Interval, Stamp, pair, stamps_of
from hub.attendance.presence_rules import rederive
from hub.core.localtime import day_bounds_utc, parse_utc, utc_iso
from wire import Direction, DirectionBy

CellKey = tuple[str, int, date]  # (location id, child id, local day)
_DIRECTIONS = {d.value: d for d in Direction}
_BY_PRESENCE = DirectionBy.PRESENCE.value


@dataclass(frozen=True)
class Correction:
    id: int
    location_id: str
    child_id: int
    day: date
    before: tuple[Interval, ...]
    after: tuple[Interval, ...]
    actor_role: str
    actor_id: str
    actor_name: str
    note: str
    made_at: str  # UTC ISO


@dataclass(frozen=True)
class DayAttendance:
    """One cell's intervals, and the correction they rest on (if any)."""

    intervals: tuple[Interval, ...]
    correction: Correction | None = None


def collected_direction(alias: str) -> str:
    """SQL for an event's direction as the day reads it: a departure when a collector made or named
    it (``collector_departures``: the collector card before the child's, or a collection after it,
    which may turn an arrival by presence into a departure), else the direction stored."""
    return f"CASE WHEN {_collected(alias)} THEN 'departure' ELSE {alias}.direction END"


def collected_direction_by(alias: str) -> str:
    """SQL for an event's ``direction_by`` as the day reads it: NULL ("taken as sent", never
    re-derived from presence) when a collector made or named it."""
    return f"CASE WHEN {_collected(alias)} THEN NULL ELSE {alias}.direction_by END"


def _collected(alias: str) -> str:
    return f"EXISTS (SELECT 1 FROM collector_departures cd WHERE cd.event_id = {alias}.id)"


def intervals_json(intervals: Iterable[Interval]) -> str:
    return json.dumps(
        [
            [utc_iso(i.arrival) if i.arrival else None, utc_iso(i.departure) if i.departure else None]
            for i in intervals
        ]
    )


def intervals_from_json(text: str) -> tuple[Interval, ...]:
    return tuple(
        Interval(parse_utc(arrival) if arrival else None, parse_utc(departure) if departure else None)
        for arrival, departure in json.loads(text)
    )


_CORRECTION_COLUMNS = (
    "id, location_id, child_id, day, before, after, actor_role, actor_id, actor_name, note, made_at"
)


def _correction(row: tuple) -> Correction:
    cid, location_id, child_id, day, before, after, role, actor_id, actor_name, note, made_at = row
    return Correction(
        cid,
        location_id,
        child_id,
        date.fromisoformat(day),
        intervals_from_json(before),
        intervals_from_json(after),
        role,
        actor_id,
        actor_name,
        note,
        made_at,
    )


def corrections_of_cell(
    db: sqlite_utils.Database, location_id: str, child_id: int, day: date
) -> list[Correction]:
    """The history of one cell, oldest first."""
    rows = db.execute(
        f"SELECT {_CORRECTION_COLUMNS} FROM corrections WHERE location_id = ? AND child_id = ? AND day = ? "
        "ORDER BY id",
        (location_id, child_id, day.isoformat()),
    ).fetchall()
    return [_correction(row) for row in rows]


def attendance(
    db: sqlite_utils.Database,
    first: date,
    last: date,
    location_id: str | None = None,
    child_ids: Sequence[int] | None = None,
) -> dict[CellKey, DayAttendance]:
    """The attendance of every cell with registrations from ``first`` to ``last`` (local days, inclusive).

    Restricted to one location, to some children (at any location), or both.
    """
    # the local day of an event from where its UTC text falls among the days' UTC starts: the
    # stored times all have one format (utc_iso), so text order is time order; no zone per event
    days_in_range = [first + timedelta(days=n) for n in range((last - first).days + 1)]
    starts = [day_bounds_utc(day)[0] for day in days_in_range]
    start, end = starts[0], day_bounds_utc(last)[1]
    where, params = _filters(location_id, child_ids)
    stamps: dict[CellKey, list[tuple[Stamp, str, bool]]] = defaultdict(list)
    for event_id, loc, child_id, occurred_at, direction, received_at, direction_by in db.execute(
        f"""
        SELECT e.id, location_id, child_id, occurred_at, {collected_direction("e")}, received_at,
               {collected_direction_by("e")} FROM events e
        WHERE child_id IS NOT NULL AND occurred_at >= ? AND occurred_at < ? {where}
        """,
        (start, end, *params),
    ):
        day = days_in_range[bisect_right(starts, occurred_at) - 1]
        stamp = Stamp(parse_utc(occurred_at), _DIRECTIONS[direction], event_id)
        stamps[(loc, child_id, day)].append((stamp, received_at, direction_by == _BY_PRESENCE))
    latest: dict[CellKey, Correction] = {}
    for row in db.execute(
        f"SELECT {_CORRECTION_COLUMNS} FROM corrections WHERE day >= ? AND day <= ? {where} ORDER BY id",
        (first.isoformat(), last.isoformat(), *params),
    ):
        correction = _correction(row)
        latest[(correction.location_id, correction.child_id, correction.day)] = correction
    days = {}
    for key in stamps.keys() | latest.keys():
        correction = latest.get(key)
        if correction is None:
            day_stamps = [(stamp, by_presence) for stamp, _, by_presence in stamps[key]]
        else:
            ref = f"correction:{correction.id}"
            day_stamps = [(stamp, False) for stamp in stamps_of(correction.after, ref)]
            day_stamps += [
                (stamp, by_presence)
                for stamp, received_at, by_presence in stamps.get(key, ())
                if received_at > correction.made_at
            ]
        days[key] = DayAttendance(tuple(pair(rederive(day_stamps))), correction)
    return days


def _filters(location_id: str | None, child_ids: Sequence[int] | None) -> tuple[str, list]:
    where, params = "", []
    if location_id is not None:
        where += " AND location_id = ?"
        params.append(location_id)
    if child_ids is not None:
        where += " AND child_id IN (SELECT CAST(value AS INTEGER) FROM json_each(?))"
        params.append(json.dumps(list(child_ids)))
    return where, params
