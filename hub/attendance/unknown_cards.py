"""Scans of cards that belong to no child: stored like any scan, shown to the location as "onbekende kaart".

Scans of the card of a child whose last day at the location had passed are kept the same way, and
shown with the child's name as "niet meer ingeschreven": they are not the child's attendance.

Usually a new card that was not linked yet, or a lost card that was blocked. The location sees
the code and when it was scanned, links the card, and adds the times to the child by a correction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import sqlite_utils

from hub.core.localtime import day_bounds_utc


@dataclass(frozen=True)
class UnknownCard:
    code: str
    scans: int
    first_at: str  # UTC ISO
    last_at: str
    card_state: str | None  # None: a code the hub has never issued; "unassigned", "lost"; "active":
    child: str | None = None  # the card of a child whose last day here had passed ("niet meer ingeschreven")


def unknown_cards(db: sqlite_utils.Database, location_id: str, first: date, last: date) -> list[UnknownCard]:
    """The unknown cards scanned at a location from ``first`` to ``last`` (local days), latest first."""
    start, _ = day_bounds_utc(first)
    _, end = day_bounds_utc(last)
    rows = db.execute(
        """
        SELECT e.code, count(*), min(e.occurred_at), max(e.occurred_at), c.state,
               -- the child, when its last day here lies before the scans (a card linked later is not it);
               -- the UTC date of the scan is close enough here: the ingest decided on the local day
               CASE WHEN cl.last_day < substr(min(e.occurred_at), 1, 10)
                    THEN ch.first_name || ' ' || ch.last_name END
        FROM events e LEFT JOIN cards c ON c.code = e.code LEFT JOIN children ch ON ch.id = c.child_id
        LEFT JOIN child_stays cl ON cl.child_id = c.child_id AND cl.location_id = e.location_id
        WHERE e.location_id = ? AND e.child_id IS NULL AND e.occurred_at >= ? AND e.occurred_at < ?
        GROUP BY e.code ORDER BY max(e.occurred_at) DESC
        """,
        (location_id, start, end),
    ).fetchall()
    return [UnknownCard(*row) for row in rows]
