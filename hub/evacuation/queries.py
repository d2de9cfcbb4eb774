"""Who is in the building now, and how to reach their people: the evacuation list's data."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

import sqlite_utils

from hub.attendance.grid import period_grid
from hub.children.queries import Child, Contact, contacts_of
from hub.core.localtime import local


@dataclass(frozen=True)
class PresentChild:
    child: Child
    since: datetime  # arrival of the stay that is still open (aware)
    contacts: tuple[Contact, ...]
    emergency_notes: str
    after_closing: bool  # still open after closing time: perhaps collected without a scan


def present_now(db: sqlite_utils.Database, location_id: str, now: datetime) -> list[PresentChild]:
    """The children whose last stay today is still open at ``now``: arrived, no departure yet.

    Read from today's cell of the overview (registrations, corrections and pairing included), so
    the list and the overview agree. In an emergency a child too many on the list is better than
    one too few: a stay still open after closing time (a late pickup, or a departure not scanned)
    is listed too, marked. Sorted by last name, then first name.
    """
    today: date = local(now).date()
    grid = period_grid(db, location_id, today, today, now)
    found = []
    for row in grid.rows:
        cell = row.cells[-1]
        last = cell.intervals[-1] if cell.intervals else None
        if last is None or last.arrival is None or last.departure is not None:
            continue
        found.append(
            PresentChild(
                row.child,
                last.arrival,
                tuple(contacts_of(db, row.child.id)),
                _notes(db, row.child.id),
                after_closing=not cell.present_now,
            )
        )
    return sorted(found, key=lambda p: (p.child.last_name.casefold(), p.child.first_name.casefold()))


def _notes(db: sqlite_utils.Database, child_id: int) -> str:
    row = db.execute("SELECT emergency_notes FROM children WHERE id = ?", (child_id,)).fetchone()
    return row[0] if row else ""
