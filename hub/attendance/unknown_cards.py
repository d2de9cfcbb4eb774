"""Scans of cards that belong to no child: stored like any scan, shown to the location as "onbekende kaart".

Scans of the card of a child whose last day at the location had passed are kept the same way, and
shown with the child's name as "niet meer ingeschreven": they are not the child's attendance.

Usually a new card that was not linked yet, or a lost card that was blocked. The location sees
the code and when it was scanned, links the card, and adds the times to the child by a correction.

The list is bounded: per unit and local day only the first :data:`LISTED_PER_UNIT_DAY` different
codes are listed; the scans of further codes are stored (the unit got its ack) and counted
(:func:`unlisted_scans`), so a unit that sends random codes cannot flood the screen.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, timedelta

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


LISTED_PER_UNIT_DAY = 20  # different unknown codes listed per unit and day; a real door sees a few


def _days(first: date, last: date):
    day = first
    while day <= last:
        yield day
        day += timedelta(days=1)


def unknown_cards(db: sqlite_utils.Database, location_id: str, first: date, last: date) -> list[UnknownCard]:
    """The unknown cards scanned at a location from ``first`` to ``last`` (local days), latest first.

    Per unit and day, the first :data:`LISTED_PER_UNIT_DAY` codes seen; the rest is counted only.
    """
    found: dict[str, list] = {}
    for day in _days(first, last):
        start, end = day_bounds_utc(day)
        rows = db.execute(
            """
            SELECT code, scans, first_at, last_at FROM (
                SELECT code, count(*) AS scans, min(occurred_at) AS first_at, max(occurred_at) AS last_at,
                       row_number() OVER (PARTITION BY unit_id ORDER BY min(occurred_at), code) AS rank
                FROM events
                WHERE location_id = ? AND child_id IS NULL AND occurred_at >= ? AND occurred_at < ?
                GROUP BY unit_id, code
            ) AS ranked WHERE rank <= ?
            """,
            (location_id, start, end, LISTED_PER_UNIT_DAY),
        ).fetchall()
        for code, scans, first_at, last_at in rows:
            seen = found.setdefault(code, [code, 0, first_at, last_at])
            seen[1] += scans
            seen[2], seen[3] = min(seen[2], first_at), max(seen[3], last_at)
    if not found:
        return []
    cards = {
        code: (state, name, last_day)
        for code, state, name, last_day in db.execute(
            """
            SELECT c.code, c.state, ch.first_name || ' ' || ch.last_name, cl.last_day
            FROM cards c LEFT JOIN children ch ON ch.id = c.child_id
            LEFT JOIN child_stays cl ON cl.child_id = c.child_id AND cl.location_id = ?
            WHERE c.code IN (SELECT value FROM json_each(?))
            """,
            (location_id, json.dumps(list(found))),
        ).fetchall()
    }
    listed = []
    for code, scans, first_at, last_at in found.values():
        state, name, last_day = cards.get(code, (None, None, None))
        # the child, when its last day here lies before the scans (a card linked later is not it); the
        # UTC date of the scan is close enough here: the ingest decided on the local day
        gone = name if last_day is not None and last_day < first_at[:10] else None
        listed.append(UnknownCard(code, scans, first_at, last_at, state, gone))
    return sorted(listed, key=lambda card: card.last_at, reverse=True)


def unlisted_scans(db: sqlite_utils.Database, location_id: str, first: date, last: date) -> int:
    """Scans of unknown cards from ``first`` to ``last`` left out of :func:`unknown_cards` by its cap."""
    start, _ = day_bounds_utc(first)
    _, end = day_bounds_utc(last)
    (total,) = db.execute(
        "SELECT count(*) FROM events WHERE location_id = ? AND child_id IS NULL AND occurred_at >= ? "
        "AND occurred_at < ?",
        (location_id, start, end),
    ).fetchone()
    if total == 0:
        return 0
    listed = 0
    for day in _days(first, last):
        day_start, day_end = day_bounds_utc(day)
        (scans,) = db.execute(
            """
            SELECT coalesce(sum(scans), 0) FROM (
                SELECT count(*) AS scans,
                       row_number() OVER (PARTITION BY unit_id ORDER BY min(occurred_at), code) AS rank
                FROM events
                WHERE location_id = ? AND child_id IS NULL AND occurred_at >= ? AND occurred_at < ?
                GROUP BY unit_id, code
            ) AS ranked WHERE rank <= ?
            """,
            (location_id, day_start, day_end, LISTED_PER_UNIT_DAY),
        ).fetchone()
        listed += scans
    return total - listed
