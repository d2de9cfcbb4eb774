"""Counting wrong PINs and passwords, and locking out whoever guesses.

Each counter has a key: the account that was tried, or the client that tried (for PINs: per
location and client, where a client is a known device of that location or else an address,
hub/web/clients.py). A key that collects ``limit.failures`` wrong attempts within
``limit.window`` is locked for ``limit.lock``; while locked, attempts are refused without looking
at the PIN or password, so a locked key tells a guesser nothing. The counters live in the hub
database: a restart of the hub does not reset them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlite_utils

from hub.core.localtime import parse_utc, utc_iso


@dataclass(frozen=True)
class Limit:
    failures: int
    window: timedelta
    lock: timedelta


# PINs: 5 wrong from one client (a known device, else an address) at one location lock that
# client there for 15 minutes; a client spreading guesses over locations waits after 20.
PIN_LIMIT = Limit(5, timedelta(minutes=15), timedelta(minutes=15))
PIN_CLIENT_LIMIT = Limit(20, timedelta(minutes=15), timedelta(minutes=15))
# A whole location is locked (for every client but its known devices) only by a spread attack:
# at least 50 wrong PINs from at least 5 networks within an hour. Its organisator can lift it.
LOCATION_LOCK_FAILURES = 50
LOCATION_LOCK_NETWORKS = 5
LOCATION_LOCK_WINDOW = timedelta(hours=1)
LOCATION_LOCK = timedelta(hours=1)
_KEEP_PIN_FAILURES = timedelta(days=1)
# Looking up dossier numbers that do not exist: 10 per client in 15 minutes, then it waits.
DOSSIER_LIMIT = Limit(10, timedelta(minutes=15), timedelta(minutes=15))
# Passwords: 5 wrong per account; a client address may try 20 times (several people behind one
# office router), then waits too.
PASSWORD_ACCOUNT_LIMIT = Limit(5, timedelta(minutes=15), timedelta(minutes=15))
PASSWORD_CLIENT_LIMIT = Limit(20, timedelta(minutes=15), timedelta(minutes=15))


def locked_until(db: sqlite_utils.Database, keys: Iterable[str], now: datetime) -> dict[str, datetime]:
    """The keys among ``keys`` that are locked now, with the moment each lock ends."""
    keys = list(keys)
    rows = db.execute(
        f"SELECT key, locked_until FROM login_throttle WHERE key IN ({','.join('?' * len(keys))})"
        " AND locked_until IS NOT NULL",
        keys,
    ).fetchall()
    return {key: parse_utc(until) for key, until in rows if parse_utc(until) > now}


def record_failure(
    db: sqlite_utils.Database, key: str, limit: Limit, now: datetime
) -> tuple[int, datetime | None]:
    """Count one wrong attempt: (attempts left before a lock, end of the lock this attempt caused)."""
    row = db.execute("SELECT failures, window_start FROM login_throttle WHERE key = ?", (key,)).fetchone()
    failures, window_start = (row[0], parse_utc(row[1])) if row else (0, now)
    if now - window_start > limit.window:
        failures, window_start = 0, now
    failures += 1
    lock = now + limit.lock if failures >= limit.failures else None
    db.execute(
        """
        INSERT INTO login_throttle (key, failures, window_start, locked_until) VALUES (?, ?, ?, ?)
        ON CONFLICT (key) DO UPDATE SET failures = excluded.failures, window_start = excluded.window_start,
            locked_until = coalesce(excluded.locked_until, login_throttle.locked_until)
        """,
        (
            key,
            0 if lock else failures,
            utc_iso(now if lock else window_start),
            utc_iso(lock) if lock else None,
        ),
    )
    return max(0, limit.failures - failures), lock


def clear(db: sqlite_utils.Database, key: str) -> None:
    """Forget the wrong attempts on a key (after a correct one)."""
    db.execute("DELETE FROM login_throttle WHERE key = ?", (key,))


def location_locked_until(db: sqlite_utils.Database, location_id: str, now: datetime) -> datetime | None:
    """The end of the location-wide PIN lock, or None when the location is not locked now."""
    row = db.execute("SELECT pin_locked_until FROM locations WHERE id = ?", (location_id,)).fetchone()
    until = parse_utc(row[0]) if row and row[0] else None
    return until if until is not None and until > now else None


def record_pin_failure(
    db: sqlite_utils.Database, location_id: str, client: str, network: str, now: datetime
) -> datetime | None:
    """Log one wrong PIN; returns the end of a location-wide lock this failure started, else None."""
    db.execute(
        "INSERT INTO pin_failures (location_id, client, network, at) VALUES (?, ?, ?, ?)",
        (location_id, client, network, utc_iso(now)),
    )
    db.execute("DELETE FROM pin_failures WHERE at < ?", (utc_iso(now - _KEEP_PIN_FAILURES),))
    if location_locked_until(db, location_id, now) is not None:
        return None
    failures, networks = db.execute(
        "SELECT count(*), count(DISTINCT network) FROM pin_failures WHERE location_id = ? AND at > ?",
        (location_id, utc_iso(now - LOCATION_LOCK_WINDOW)),
    ).fetchone()
    if failures < LOCATION_LOCK_FAILURES or networks < LOCATION_LOCK_NETWORKS:
        return None
    until = now + LOCATION_LOCK
    db.execute("UPDATE locations SET pin_locked_until = ? WHERE id = ?", (utc_iso(until), location_id))
    return until


def lift_location_lock(db: sqlite_utils.Database, location_id: str) -> None:
    """End the location-wide lock and forget the wrong PINs that caused it (the organisator's call)."""
    db.execute("UPDATE locations SET pin_locked_until = NULL WHERE id = ?", (location_id,))
    db.execute("DELETE FROM pin_failures WHERE location_id = ?", (location_id,))
