"""The unit's durable outbox: every check-in is on disk before the parent sees green.

SQLite in WAL mode with ``synchronous=FULL``: a commit returns only after the data reached the
disk, so a power cut after the green light loses nothing. An event leaves the outbox only when
the hub acknowledges it (after the hub's own commit); until then it is published again after
every reconnect and after every ack time-out, oldest first. The outbox is bounded: it warns long
before it is full and then refuses new scans instead of dropping old ones.

The disk it lives on is watched too. Below ``disk_warn_bytes`` free it warns (as when nearly full)
and keeps its write-ahead log small; below ``disk_reserve_bytes`` it refuses new scans, so the
space left is kept for what empties the outbox: removing the events the hub acknowledged.

The same file keeps a small key/value table for state that must survive a restart (the last
roster from the hub).
"""

from __future__ import annotations

import contextlib
import logging
import os
import sqlite3
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from wire import CheckIn, Collection, encode

log = logging.getLogger(__name__)

_SCHEMA = """
CREATE TABLE IF NOT EXISTS outbox (
    seq      INTEGER PRIMARY KEY,
    id       TEXT NOT NULL UNIQUE,
    payload  BLOB NOT NULL
);
CREATE TABLE IF NOT EXISTS counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
INSERT OR IGNORE INTO counters (name, value) VALUES ('seq', 0);
CREATE TABLE IF NOT EXISTS state (key TEXT PRIMARY KEY, value TEXT NOT NULL);
"""


Event = TypeVar("Event", CheckIn, Collection)  # what a unit stores for the hub: it has an id


class OutboxFull(RuntimeError):
    """The outbox cannot take another event (capacity reached or disk full)."""


@dataclass(frozen=True)
class Pending:
    seq: int
    id: str
    payload: bytes


class Outbox:
    """Check-ins waiting for the hub's ack, in the order they were made."""

    def __init__(
        self,
        path: str | Path,
        capacity: int = 200_000,
        warn_ratio: float = 0.5,
        disk_warn_bytes: int = 50 * 2**20,
        disk_reserve_bytes: int = 5 * 2**20,
    ) -> None:
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        self.path = Path(path)
        self.capacity = capacity
        self.warn_at = int(capacity * warn_ratio)
        self.disk_warn_bytes = disk_warn_bytes
        self.disk_reserve_bytes = disk_reserve_bytes
        self._lock = threading.Lock()
        self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=FULL")
        self._db.executescript(_SCHEMA)
        self._count = self._db.execute("SELECT count(*) FROM outbox").fetchone()[0]

    def append(self, make: Callable[[int], Event]) -> Event:
        """Give the next sequence number to ``make``, store its event and flush it to disk."""
        with self._lock:
            if self._count >= self.capacity:
                raise OutboxFull(f"outbox holds {self._count} events, its capacity")
            free = self.free_bytes()
            if free < self.disk_reserve_bytes:
                raise OutboxFull(f"{free // 1024} KB free on the outbox's disk, below the reserve for acks")
            try:
                self._db.execute("BEGIN IMMEDIATE")
                (seq,) = self._db.execute(
                    "UPDATE counters SET value = value + 1 WHERE name = 'seq' RETURNING value"
                ).fetchone()
                event = make(seq)
                self._db.execute(
                    "INSERT INTO outbox (seq, id, payload) VALUES (?, ?, ?)", (seq, event.id, encode(event))
                )
                self._db.execute("COMMIT")
            except sqlite3.OperationalError as exc:
                self._rollback()
                raise OutboxFull(f"cannot write the outbox: {exc}") from exc
            except BaseException:
                self._rollback()
                raise
            self._count += 1
            self._keep_log_small(free)
            return event

    def pending(self, limit: int = 100) -> list[Pending]:
        """The oldest events not yet acknowledged."""
        with self._lock:
            rows = self._db.execute("SELECT seq, id, payload FROM outbox ORDER BY seq LIMIT ?", (limit,))
            return [Pending(seq, id_, bytes(payload)) for seq, id_, payload in rows]

    def remove(self, event_id: str) -> bool:
        """Forget an event the hub has acknowledged; False if it was not (or no longer) here.

        Raises :class:`OutboxFull` when even that cannot be written (the disk is full): the event
        stays, goes again and is acknowledged again.
        """
        with self._lock:
            try:
                removed = self._db.execute("DELETE FROM outbox WHERE id = ?", (event_id,)).rowcount > 0
            except sqlite3.OperationalError as exc:
                raise OutboxFull(f"cannot remove an acknowledged event: {exc}") from exc
            if removed:
                self._count -= 1
                self._keep_log_small(self.free_bytes())
            return removed

    def __len__(self) -> int:
        return self._count

    @property
    def nearly_full(self) -> bool:
        """Time to warn staff: many events wait, or little room is left on the disk."""
        return self._count >= self.warn_at or self.free_bytes() < self.disk_warn_bytes

    def free_bytes(self) -> int:
        """Free space on the outbox's disk, as an unprivileged process may use it."""
        stat = os.statvfs(self.path.parent)
        return stat.f_bavail * stat.f_frsize

    @property
    def last_seq(self) -> int:
        with self._lock:
            return self._db.execute("SELECT value FROM counters WHERE name = 'seq'").fetchone()[0]

    def get_state(self, key: str) -> str | None:
        with self._lock:
            row = self._db.execute("SELECT value FROM state WHERE key = ?", (key,)).fetchone()
            return row[0] if row else None

    def set_state(self, key: str, value: str) -> None:
        with self._lock:
            self._db.execute(
                "INSERT INTO state (key, value) VALUES (?, ?) "
                "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                (key, value),
            )

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def _keep_log_small(self, free: int) -> None:
        """On a nearly full disk, fold the write-ahead log into the database and truncate it after
        each write: left alone it grows to 4 MB before SQLite reuses it."""
        if free >= self.disk_warn_bytes:
            return
        try:
            self._db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        except sqlite3.OperationalError as exc:
            log.warning("could not shrink the outbox's write-ahead log: %s", exc)

    def _rollback(self) -> None:
        with contextlib.suppress(sqlite3.Error):  # no transaction was open
            self._db.execute("ROLLBACK")
