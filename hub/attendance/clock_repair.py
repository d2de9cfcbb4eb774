"""Clock repair: re-timing events that a unit registered before its clock was synchronised.

A Raspberry Pi has no battery clock: after a power cut it may boot in 1970 or at the time it was
switched off, and it scans children long before NTP answers. Each event therefore carries the
unit's boot id and a monotonic reading (seconds since boot, never set back). The first synced
event of a boot, the one with the lowest monotonic reading, is the boot's *anchor*: for any event
of that boot, real time = anchor wall time - (anchor monotonic - event monotonic).

The ingest re-times every unsynced event of a boot when its anchor arrives (or a better one:
a synced event with a lower reading that was delivered late), and times unsynced events that
arrive after the anchor straight away. ``wall_time`` keeps what the unit said; ``occurred_at``
is the time attendance uses; ``retimed_by`` names the anchor.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlite_utils

from hub.core.localtime import parse_utc, utc_iso
from wire import CheckIn

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Anchor:
    """A synced event that ties one boot's monotonic clock to real time."""

    event_id: str
    wall: datetime  # aware
    monotonic: float


def effective_time(anchor: Anchor, monotonic: float) -> datetime:
    """The real time of a reading of the same boot's monotonic clock. Pure."""
    return anchor.wall - timedelta(seconds=anchor.monotonic - monotonic)


def improves(current: Anchor | None, candidate: Anchor) -> bool:
    """Whether ``candidate`` should anchor the boot instead of ``current``: the earliest reading wins."""
    return current is None or candidate.monotonic < current.monotonic


BootKey = tuple[str, str]  # (unit id, boot id)


class ClockRepair:
    """The anchors of the boots the ingest has seen, and the re-timing they cause.

    Only the ingest writes anchors, so the anchors it committed stay valid between batches;
    anchors found or made during a batch count only once the batch commits (:meth:`committed`).
    """

    def __init__(self) -> None:
        self._known: dict[BootKey, Anchor] = {}
        self._pending: dict[BootKey, Anchor | None] = {}

    def begin(self) -> None:
        self._pending = {}

    def committed(self) -> None:
        self._known.update({key: anchor for key, anchor in self._pending.items() if anchor is not None})
        self._pending = {}

    def anchor(self, db: sqlite_utils.Database, unit: str, boot: str) -> Anchor | None:
        key = (unit, boot)
        if key in self._pending:
            return self._pending[key]
        if key in self._known:
            return self._known[key]
        row = db.execute(
            "SELECT event_id, wall_utc, monotonic FROM clock_anchors WHERE unit_id = ? AND boot_id = ?", key
        ).fetchone()
        anchor = Anchor(row[0], parse_utc(row[1]), row[2]) if row else None
        self._pending[key] = anchor
        return anchor

    def timing(self, db: sqlite_utils.Database, event: CheckIn) -> tuple[str, str | None]:
        """(occurred_at, retimed_by) for a new event: its own time, or re-timed from a known anchor."""
        wall = datetime.fromisoformat(event.wall_time)
        if not event.clock_synced:
            anchor = self.anchor(db, event.unit, event.boot_id)
            if anchor is not None:
                return utc_iso(effective_time(anchor, event.monotonic)), anchor.event_id
        return utc_iso(wall), None

    def stored(self, db: sqlite_utils.Database, event: CheckIn) -> int:
        """After a new event is stored: if it anchors its boot, re-time the boot; returns events re-timed."""
        if not event.clock_synced:
            return 0
        candidate = Anchor(event.id, datetime.fromisoformat(event.wall_time), event.monotonic)
        if not improves(self.anchor(db, event.unit, event.boot_id), candidate):
            return 0
        db.execute(
            """
            INSERT INTO clock_anchors (unit_id, boot_id, event_id, wall_utc, monotonic) VALUES (?, ?, ?, ?, ?)
            ON CONFLICT (unit_id, boot_id) DO UPDATE
            SET event_id = excluded.event_id, wall_utc = excluded.wall_utc, monotonic = excluded.monotonic
            """,
            (event.unit, event.boot_id, event.id, utc_iso(candidate.wall), event.monotonic),
        )
        self._pending[(event.unit, event.boot_id)] = candidate
        return retime_boot(db, event.unit, event.boot_id, candidate)


def retime_boot(db: sqlite_utils.Database, unit: str, boot: str, anchor: Anchor) -> int:
    """Give every unsynced event of one boot its time from ``anchor``; returns how many moved."""
    rows = db.execute(
        """
        SELECT id, monotonic, occurred_at, retimed_by FROM events
        WHERE unit_id = ? AND boot_id = ? AND clock_synced = 0
        """,
        (unit, boot),
    ).fetchall()
    updates = []
    for event_id, monotonic, occurred_at, retimed_by in rows:
        repaired = utc_iso(effective_time(anchor, monotonic))
        if (repaired, anchor.event_id) != (occurred_at, retimed_by):
            updates.append((repaired, anchor.event_id, event_id))
    db.conn.executemany("UPDATE events SET occurred_at = ?, retimed_by = ? WHERE id = ?", updates)
    if updates:
        log.info("re-timed %d unsynced event(s) of unit %s, boot %s", len(updates), unit, boot)
    return len(updates)
