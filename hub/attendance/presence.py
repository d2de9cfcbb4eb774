"""Telling the units who is present: the presence version per location, and the retained message.

Every stored check-in, repaired or placed time and correction raises its location's presence
version and marks the child it concerns with that version (:func:`bump`, in the same transaction).
:class:`PresenceBroadcaster` watches the versions and publishes each changed location's presence,
retained, on every active unit's own presence topic (and all of them when the broker link comes
back, and when the local day changes). It keeps each location's present children and recomputes
only the children marked since its last send: a busy location's day is never derived whole per
send. The rules are in :mod:`hub.attendance.presence_rules`.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from datetime import date
from multiprocessing import get_context
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
# A busy location's presence is sent at most this often: the units act on their own scans meanwhile,
# and a burst of scans gives one message rather than one per scan.
MIN_GAP_S = 2.0


def bump(db: sqlite_utils.Database, changed: Iterable[tuple[str, int | None]]) -> None:
    """Raise the presence version of these (location, child) cells' locations and mark the children.

    Inside the caller's transaction. A child of None (an unknown card) raises the version only.
    """
    changed = set(changed)
    db.conn.executemany(
        """
        INSERT INTO presence_versions (location_id, seq) VALUES (?, 1)
        ON CONFLICT (location_id) DO UPDATE SET seq = presence_versions.seq + 1
        """,
        [(location_id,) for location_id in {location_id for location_id, _ in changed}],
    )
    db.conn.executemany(
        """
        INSERT INTO presence_children (location_id, child_id, seq)
        SELECT location_id, ?, seq FROM presence_versions WHERE location_id = ?
        ON CONFLICT (location_id, child_id) DO UPDATE SET seq = excluded.seq
        """,
        [(child_id, location_id) for location_id, child_id in changed if child_id is not None],
    )


def versions(db: sqlite_utils.Database) -> dict[str, int]:
    return dict(db.execute("SELECT location_id, seq FROM presence_versions").fetchall())


def present_children(
    db: sqlite_utils.Database,
    location_id: str,
    day: date | None = None,
    child_ids: Sequence[int] | None = None,
) -> set[int]:
    """The children present at the location on ``day``, today by default (among ``child_ids`` when given)."""
    day = day or today()
    cells = attendance(db, day, day, location_id=location_id, child_ids=child_ids)
    return {child for (_loc, child, _day), cell in cells.items() if is_present(cell.intervals)}


def changed_children(db: sqlite_utils.Database, location_id: str, since_seq: int) -> list[int]:
    """The children whose presence may have changed after presence version ``since_seq``."""
    return [
        child_id
        for (child_id,) in db.execute(
            "SELECT child_id FROM presence_children WHERE location_id = ? AND seq > ?",
            (location_id, since_seq),
        )
    ]


def presence_of(
    db: sqlite_utils.Database, location_id: str, day: date | None = None, known: Known | None = None
) -> Presence:
    """The location's presence now: the active cards of the children (and staff) present today.

    With ``known`` (the presence this caller computed at an earlier version of the same day), only
    the children changed since then are derived again, and ``known`` is brought up to date.
    """
    day = day or today()
    conn = db.conn
    own = not conn.in_transaction
    if own:
        conn.execute("BEGIN")  # one snapshot: the version and the attendance it stands for
    try:
        row = db.execute("SELECT seq FROM presence_versions WHERE location_id = ?", (location_id,)).fetchone()
        seq = row[0] if row else 0
        if known is not None and known.day == day and known.seq is not None:
            changed = changed_children(db, location_id, known.seq)
            now_present = present_children(db, location_id, day, changed) if changed else set()
            present = (known.present - set(changed)) | now_present
        else:
            present = present_children(db, location_id, day)
        if known is not None:
            known.day, known.seq, known.present = day, seq, present
        codes = [
            code
            for (code,) in db.execute(
                "SELECT code FROM cards "
                "WHERE state = 'active' AND child_id IN (SELECT CAST(value AS INTEGER) FROM json_each(?))",
                (f"[{','.join(str(c) for c in present)}]",),
            )
        ]
        codes += present_staff_cards(db, location_id, day)  # so a staff card's next scan is a departure
    finally:
        if own:
            conn.rollback()
    return Presence(
        location=location_id, day=day.isoformat(), seq=seq, present=sorted(codes), issued_at=now_utc_iso()
    )


@dataclass
class Known:
    """A location's present children as of a presence version and day (the broadcaster's memory)."""

    day: date | None = None
    seq: int | None = None
    present: set[int] = field(default_factory=set)


def publish_presence(
    db: sqlite_utils.Database, publish: Callable[[str, bytes, bool], bool], location_id: str, payload: bytes
) -> int:
    """Publish (retained) the location's presence to each of its active units; returns how many."""
    published = 0
    for unit in units.active_units(db):
        if unit.location_id == location_id:
            publish(str(Topic(location_id, unit.id, TopicKind.PRESENCE)), payload, True)
            published += 1
    return published


class Derivation:
    """Derives locations' presence messages from one database, remembering each location's last result."""

    def __init__(self, database: str | Path) -> None:
        self._database = database
        self._db: sqlite_utils.Database | None = None
        self._known: dict[str, Known] = {}

    def payload(self, location_id: str) -> bytes:
        """The encoded presence of the location now."""
        if self._db is None:
            self._db = connect(self._database)
        return encode(presence_of(self._db, location_id, known=self._known.setdefault(location_id, Known())))

    def forget(self) -> None:
        """Derive every location whole at its next payload."""
        self._known.clear()

    def close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None


class DerivationProcess:
    """A :class:`Derivation` in a process of its own, so that deriving a busy day never holds the
    GIL of the hub's ingest (at bench load, in-process derivation raised publish-to-ack p99 from
    5 ms to 170 ms). Same interface; a worker that died is started again at the next call.
    """

    def __init__(self, database: str | Path) -> None:
        self._database = str(database)
        self._pool: ProcessPoolExecutor | None = None

    def _call(self, fn: Callable, *args):
        if self._pool is None:
            self._pool = ProcessPoolExecutor(
                1, mp_context=get_context("spawn"), initializer=_start_worker, initargs=(self._database,)
            )
        try:
            return self._pool.submit(fn, *args).result(timeout=WORKER_TIMEOUT_S)
        except BrokenProcessPool:
            self._pool = None
            raise

    def payload(self, location_id: str) -> bytes:
        return self._call(_worker_payload, location_id)

    def forget(self) -> None:
        if self._pool is not None:
            self._call(_worker_forget)

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(cancel_futures=True)
            self._pool = None


WORKER_TIMEOUT_S = 120.0
_worker: Derivation | None = None


def _start_worker(database: str) -> None:
    global _worker
    _worker = Derivation(database)
    parent = os.getppid()
    threading.Thread(target=_exit_with, args=(parent,), name="parent-watch", daemon=True).start()


def _exit_with(parent: int) -> None:
    """A hub killed outright (SIGKILL, OOM) would leave its worker behind: leave when the parent is gone."""
    while os.getppid() == parent:
        time.sleep(1.0)
    os._exit(0)


def _worker_payload(location_id: str) -> bytes:
    return _worker.payload(location_id)


def _worker_forget() -> None:
    _worker.forget()


class PresenceBroadcaster:
    """Publishes a location's presence whenever its version changed (polled: a tiny table)."""

    def __init__(
        self,
        database: str | Path,
        publish: Callable[[str, bytes, bool], bool],
        min_gap_s: float = MIN_GAP_S,
        monotonic: Callable[[], float] = time.monotonic,
        derivation: Derivation | DerivationProcess | None = None,
    ) -> None:
        self._database = database
        self._publish = publish
        self._derivation = derivation or Derivation(database)
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
            self._derivation.close()

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
            self._derivation.forget()
            current = {**{u.location_id: 0 for u in units.active_units(db)}, **current}
        now = self._monotonic()
        changed = [
            loc
            for loc, seq in current.items()
            if self._sent.get(loc) != seq and now - self._sent_at.get(loc, float("-inf")) >= self._min_gap_s
        ]
        for location_id in changed:
            publish_presence(db, self._publish, location_id, self._derivation.payload(location_id))
            self._sent[location_id] = current[location_id]
            self._sent_at[location_id] = now
        return len(changed)
