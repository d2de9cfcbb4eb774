"""Telling the units who is present: the presence version per location, and the retained message.

Every stored check-in, repaired or placed time and correction raises its location's presence
version (:func:`bump`, in the same transaction). :class:`PresenceBroadcaster` watches the versions
and publishes each changed location's presence, retained, on every active unit's own presence
topic (and all of them when the broker link comes back, and when the local day changes). The
rules are in :mod:`hub.attendance.presence_rules`.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable
from datetime import date
from pathlib import Path

import sqlite_utils

from hub.attendance.days import attendance
from hub.attendance.presence_rules import is_present
from hub.core.db import connect
from hub.core.localtime import now_utc_iso, today
from hub.staff.presence import present_staff_cards
from hub.units import registry as units
from wire import Presence, Topic, TopicKind, encode

log = logging.getLogger(__name__)

POLL_S = 0.3
# A busy location's presence is sent at most this often: each send recomputes the day's attendance,
# and at a few scans a second that recomputation starved the ingest (bench-ingest: p99 5 ms -> 187 ms).
MIN_GAP_S = 2.0


def bump(db: sqlite_utils.Database, location_ids: Iterable[str]) -> None:
    """Raise the presence version of these locations (inside the caller's transaction)."""
    db.conn.executemany(
        """
        INSERT INTO presence_versions (location_id, seq) VALUES (?, 1)
        ON CONFLICT (location_id) DO UPDATE SET seq = seq + 1
        """,
        [(location_id,) for location_id in set(location_ids)],
    )


def versions(db: sqlite_utils.Database) -> dict[str, int]:
    return dict(db.execute("SELECT location_id, seq FROM presence_versions").fetchall())


def present_children(db: sqlite_utils.Database, location_id: str, day: date | None = None) -> list[int]:
    """The ids of the children present now at the location (arrived today, not yet left)."""
    day = day or today()
    cells = attendance(db, day, day, location_id=location_id)
    return [child for (_loc, child, _day), cell in cells.items() if is_present(cell.intervals)]


def presence_of(db: sqlite_utils.Database, location_id: str, day: date | None = None) -> Presence:
    """The location's presence now: the active cards of the children (and staff) present today."""
    day = day or today()
    conn = db.conn
    own = not conn.in_transaction
    if own:
        conn.execute("BEGIN")  # one snapshot: the version and the attendance it stands for
    try:
        row = db.execute("SELECT seq FROM presence_versions WHERE location_id = ?", (location_id,)).fetchone()
        present = present_children(db, location_id, day)
        codes = [
            code
            for (code,) in db.execute(
                "SELECT code FROM cards "
                "WHERE state = 'active' AND child_id IN (SELECT value FROM json_each(?))",
                (f"[{','.join(str(c) for c in present)}]",),
            )
        ]
        codes += present_staff_cards(db, location_id, day)  # so a staff card's next scan is a departure
    finally:
        if own:
            conn.rollback()
    return Presence(
        location=location_id, day=day.isoformat(), seq=row[0] if row else 0, present=sorted(codes),
        issued_at=now_utc_iso(),
    )  # fmt: skip


def publish_presence(
    db: sqlite_utils.Database, publish: Callable[[str, bytes, bool], bool], location_id: str
) -> int:
    """Publish (retained) the location's presence to each of its active units; returns how many."""
    payload = encode(presence_of(db, location_id))
    published = 0
    for unit in units.active_units(db):
        if unit.location_id == location_id:
            publish(str(Topic(location_id, unit.id, TopicKind.PRESENCE)), payload, True)
            published += 1
    return published


class PresenceBroadcaster:
    """Publishes a location's presence whenever its version changed (polled: a tiny table)."""

    def __init__(
        self,
        database: str | Path,
        publish: Callable[[str, bytes, bool], bool],
        min_gap_s: float = MIN_GAP_S,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._database = database
        self._publish = publish
        self._min_gap_s = min_gap_s
        self._monotonic = monotonic
        self._sent: dict[str, int] = {}
        self._sent_at: dict[str, float] = {}
        self._day: date | None = None
        self._all = threading.Event()

    def republish_all(self) -> None:
        """The broker link came (back): send every location's presence again."""
        self._all.set()

    def run(self, stop: threading.Event) -> None:
        db = connect(self._database)
        try:
            while not stop.wait(POLL_S):
                try:
                    self.step(db)
                except Exception:
                    log.exception("publishing the presence failed; trying again")
        finally:
            db.close()

    def step(self, db: sqlite_utils.Database) -> int:
        """Publish what changed since the last step; returns the number of locations published.

        A location sent less than ``min_gap_s`` ago waits for a later step (its units keep their own
        scans' effect meanwhile); a new day or a reconnect sends every location at once.
        """
        current = versions(db)
        if self._all.is_set() or self._day != today():
            self._all.clear()
            self._day = today()
            self._sent, self._sent_at = {}, {}
            current = {**{u.location_id: 0 for u in units.active_units(db)}, **current}
        now = self._monotonic()
        changed = [
            loc
            for loc, seq in current.items()
            if self._sent.get(loc) != seq and now - self._sent_at.get(loc, float("-inf")) >= self._min_gap_s
        ]
        for location_id in changed:
            publish_presence(db, self._publish, location_id)
            self._sent[location_id] = current[location_id]
            self._sent_at[location_id] = now
        return len(changed)
