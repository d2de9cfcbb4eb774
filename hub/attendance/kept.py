"""The month grid kept per location and month, so the screen does not judge ~3,600 cells and render
them again on each request (issue 17: a month grid of 120 children under 50 ms).

Kept in the portal process, never in the database: each process keeps its own, and each checks on
every request, with one query, that nothing changed since. The database counts every change that
may alter a location's month (triggers of migrations 0029 and 0032, in the same transaction as the
change: check-ins, corrections, collectors' departures, opening hours, closing days, closed months,
children, stays, care plans, the location's settings); a kept grid is used only while

- the counts of its month and of its location it was computed at are still the current ones,
- the database is the same one (``database_identity``: not one made anew at the same place),
- the clock is on the same Brussels day, not before the moment it was computed and not yet at its
  ``valid_until``: the next midnight, or sooner the moment a child still present turns red.

The counts are read before the grid is, so a change that lands while the grid is computed leaves
it marked with the older counts: recomputed on the next request, never trusted stale. What the
counters do not cover is not kept: the unknown cards (they hang on the cards' table) are read on
each request. The rendered rows are kept with the grid, per set of other features' notes (a
parent's open request), which are read on each request too.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta

import sqlite_utils

from hub.attendance.cells import present_until
from hub.attendance.grid import Grid, MonthGrid, month_grid
from hub.attendance.unknown_cards import unknown_cards, unlisted_scans
from hub.attendance.windows import days_left_to_fix, overdue
from hub.core.localtime import BRUSSELS, local

# location-months per process (the location list of a 100-location organisator reads 200): some
# 0.1 to 1 MB each with the rendered rows, by the number of children
KEPT_GRIDS = 256


@dataclass
class _Kept:
    counts: tuple  # (database identity, month changes, location changes)
    day: date  # the Brussels day it was computed on
    computed_at: datetime
    valid_until: datetime
    grid: MonthGrid
    rendered: dict = field(default_factory=dict)  # (notes, search, ...) -> the rows' HTML


_kept: OrderedDict[tuple, _Kept] = OrderedDict()
_lock = threading.Lock()


def forget_grids() -> None:
    """Drop every kept grid (a test that wants a cold start, or a benchmark)."""
    with _lock:
        _kept.clear()


def valid_until(grid: Grid, now: datetime) -> datetime:
    """Until when a grid stays true without any change in the database: the next Brussels midnight
    (a day to come becomes a day gone by), or sooner when a child still present today turns red."""
    until = datetime.combine(local(now).date() + timedelta(days=1), time(0), BRUSSELS).astimezone(UTC)
    for row in grid.rows:
        for day, cell in zip(grid.days, row.cells, strict=True):
            if cell.present_now:
                until = min(until, present_until(day))
    return until


def _address(db: sqlite_utils.Database) -> str:
    url = getattr(db, "url", None)
    if url:
        return str(url)
    return str(db.execute("PRAGMA database_list").fetchone()[2])


def _counts(db: sqlite_utils.Database, location_id: str, year: int, month: int) -> tuple:
    return tuple(
        db.execute(
            """
            SELECT (SELECT id FROM database_identity),
                   coalesce((SELECT changes FROM upload_summary_changes
                             WHERE location_id = ? AND month = ?), 0),
                   coalesce((SELECT changes FROM upload_summary_changes
                             WHERE location_id = ? AND month = '*'), 0)
            """,
            (location_id, f"{year:04d}-{month:02d}", location_id),
        ).fetchone()
    )


@dataclass(frozen=True)
class KeptGrid:
    """A month grid as the screen shows it, and its rows rendered once per set of notes."""

    grid: MonthGrid
    _entry: _Kept

    def rendered(self, key: tuple, render: Callable[[], str]) -> str:
        """The rows' HTML for ``key`` (everything besides the grid the rows depend on), kept."""
        with _lock:
            found = self._entry.rendered.get(key)
        if found is None:
            found = render()
            with _lock:
                if len(self._entry.rendered) >= 4:  # a few variants (notes come and go); not a leak
                    self._entry.rendered.clear()
                self._entry.rendered[key] = found
        return found


def red_cells(
    db: sqlite_utils.Database, location_id: str, year: int, month: int, now: datetime | None = None
) -> int:
    """The red cells of a location's month, from the kept grid (the location list's counts)."""
    return _entry(db, location_id, year, month, (now or datetime.now(UTC)).astimezone(UTC)).grid.errors


def kept_month_grid(
    db: sqlite_utils.Database, location_id: str, year: int, month: int, now: datetime | None = None
) -> KeptGrid:
    """The month grid of :func:`hub.attendance.grid.month_grid`, from the kept one when nothing
    changed since, else computed and kept. The unknown cards are always read anew."""
    now = (now or datetime.now(UTC)).astimezone(UTC)
    today = local(now).date()
    entry = _entry(db, location_id, year, month, now)
    grid = entry.grid
    first, last = grid.days[0].day, grid.days[-1].day
    listed = tuple(unknown_cards(db, location_id, first, last))
    grid = replace(
        grid,
        now=now,
        unknown_cards=listed,
        unlisted_unknown_scans=unlisted_scans(db, location_id, first, last) if listed else 0,
        overdue=grid.errors > 0 and overdue(year, month, today),
        days_left=days_left_to_fix(year, month, today),
    )
    return KeptGrid(grid, entry)


def _entry(db: sqlite_utils.Database, location_id: str, year: int, month: int, now: datetime) -> _Kept:
    today = local(now).date()
    counts = _counts(db, location_id, year, month)  # before the grid: see the module's docstring
    key = (_address(db), location_id, year, month)
    with _lock:
        entry = _kept.get(key)
        if entry is not None:
            _kept.move_to_end(key)
    usable = (
        entry is not None
        and entry.counts == counts
        and entry.day == today
        and entry.computed_at <= now < entry.valid_until
    )
    if not usable:
        grid = month_grid(db, location_id, year, month, now)
        entry = _Kept(counts, today, now, valid_until(grid, now), grid)
        with _lock:
            _kept[key] = entry
            _kept.move_to_end(key)
            while len(_kept) > KEPT_GRIDS:
                _kept.popitem(last=False)
    return entry
