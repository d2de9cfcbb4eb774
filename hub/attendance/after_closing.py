"""Children still present at closing time, with their contacts' phone numbers: the house rules'
late-pickup procedure (staff phone the parents, then the other contacts), on the location's overview.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlite_utils

from hub.attendance.grid import period_grid
from hub.children.queries import Child, Contact, contacts_of
from hub.core.localtime import BRUSSELS, local
from hub.locations.queries import location_schedule


@dataclass(frozen=True)
class StillHere:
    child: Child
    since: datetime  # the arrival of the stay still open (aware)
    contacts: tuple[Contact, ...]


def closing_time(db: sqlite_utils.Database, location_id: str, now: datetime) -> datetime | None:
    """Today's closing time (aware), or None on a day the location is closed."""
    schedule = location_schedule(db, location_id).on(local(now).date())
    if not schedule.is_open or schedule.hours is None:
        return None
    return datetime.combine(schedule.day, schedule.hours.closes, BRUSSELS)


def still_here_after_closing(db: sqlite_utils.Database, location_id: str, now: datetime) -> list[StillHere]:
    """From today's closing time until midnight: the children whose last stay today is still open."""
    closes = closing_time(db, location_id, now)
    if closes is None or now < closes:
        return []
    day = local(now).date()
    grid = period_grid(db, location_id, day, day, now)
    found = []
    for row in grid.rows:
        cell = row.cells[-1]
        last = cell.intervals[-1] if cell.intervals else None
        if last is None or last.arrival is None or last.departure is not None:
            continue
        found.append(StillHere(row.child, last.arrival, tuple(contacts_of(db, row.child.id))))
    return sorted(found, key=lambda s: (s.child.last_name.casefold(), s.child.first_name.casefold()))
