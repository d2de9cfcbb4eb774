"""The child's diary of the day in the parents' daily summary (hub.notify, issue 21).

:func:`register` adds :func:`diary_part` to the notifier's summary parts; the diary imports notify,
never the other way round. The app's ``install`` and the hub's service both register it.
"""

from __future__ import annotations

from datetime import date

import sqlite_utils

from hub.diary import entries
from hub.diary.rules import summary_texts
from hub.notify.rules import SummaryPart
from hub.notify.store import add_summary_part


def diary_part(db: sqlite_utils.Database, child_id: int, day: date) -> SummaryPart | None:
    """The child's entries of ``day`` at all its locations, or None on a day without entries."""
    places = [
        row[0]
        for row in db.execute("SELECT location_id FROM child_locations WHERE child_id = ?", (child_id,))
    ]
    lines = entries.day_of(db, child_id, places, day)
    texts = summary_texts([(line.kind, line.at, line.until, line.choice, line.text) for line in lines])
    return SummaryPart(*texts) if texts else None


def register() -> None:
    """Put the diary's day in every daily summary from now on."""
    add_summary_part(diary_part)
