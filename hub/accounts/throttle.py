"""Counting wrong PINs and passwords, and locking out whoever guesses.

Each counter has a key: the location or account that was tried, or the client address that
tried. A key that collects ``limit.failures`` wrong attempts within ``limit.window`` is locked
for ``limit.lock``; while locked, attempts are refused without looking at the PIN or password,
so a locked key tells a guesser nothing. The counters live in the hub database: a restart of
the hub does not reset them.
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


# The rule for PINs: 5 wrong -> locked for 15 minutes, per location and per client address.
PIN_LIMIT = Limit(5, timedelta(minutes=15), timedelta(minutes=15))
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
