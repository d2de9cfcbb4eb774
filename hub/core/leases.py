"""Once-only jobs: a job that must run in one hub process only runs while that process holds its lease.

A lease is a row of ``job_leases`` (name, holder, expiry), taken in a write transaction when it is
free, expired, or already this holder's, and renewed well before it expires. Several hub processes
(portals, a standby) can then all start the notifier, the mail outbox or the upload planner: one
runs each, and when its process dies another takes over once the lease has expired.

The holder's name is stable across a restart of the same process (host and the hub's client id),
so a hub that restarts after a crash takes its own jobs back at once instead of waiting out its
old lease. Two live processes must therefore have different client ids (they need them anyway:
the broker allows one connection per client id).

Expiry is compared with each process's wall clock: on one machine (SQLite) that is one clock; on
several machines they must be NTP-synced, and the lease time must stay well above their skew.

On PostgreSQL the lease is the same row, taken in a write transaction that holds the hub's advisory
write lock (hub/core/postgres.py), so of several hub processes on one database exactly one takes
it (hub/core/tests/test_leases.py runs two contending processes on both databases). A row rather
than a session-level advisory lock: it survives a lost connection of a holder that still runs its
job, and its expiry, not a dropped TCP connection, decides when another process takes over.
"""

from __future__ import annotations

import contextlib
import logging
import socket
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import sqlite_utils

from hub.core.db import connect, write_transaction

log = logging.getLogger(__name__)

LEASE_S = 30.0  # how long a lease lasts without renewal: the longest a dead holder's job stays orphaned


def holder_name(identity: str) -> str:
    """This process's name as a lease holder: the host and an identity that survives its restart."""
    return f"{socket.gethostname()}/{identity}"


def take(
    db: sqlite_utils.Database, name: str, holder: str, lease_s: float = LEASE_S, now: float | None = None
) -> bool:
    """Take or renew the lease ``name`` for ``lease_s`` seconds; True when ``holder`` has it now.

    Free, expired or already ours: it becomes ours until ``now + lease_s``. Held by another and not
    expired: untouched, False. One write transaction, so two processes cannot both win.
    """
    now = time.time() if now is None else now
    with write_transaction(db):
        db.execute(
            """
            INSERT INTO job_leases (name, holder, taken_at, expires_at) VALUES (?, ?, ?, ?)
            ON CONFLICT (name) DO UPDATE SET
                holder = excluded.holder,
                taken_at = CASE WHEN job_leases.holder = excluded.holder
                                THEN job_leases.taken_at ELSE excluded.taken_at END,
                expires_at = excluded.expires_at
            WHERE job_leases.holder = excluded.holder OR job_leases.expires_at <= ?
            """,
            (name, holder, now, now + lease_s, now),
        )
        row = db.execute("SELECT holder FROM job_leases WHERE name = ?", (name,)).fetchone()
    return row is not None and row[0] == holder


def release(db: sqlite_utils.Database, name: str, holder: str) -> None:
    """Give the lease up (a clean stop), so another process need not wait for it to expire."""
    with write_transaction(db):
        db.execute("DELETE FROM job_leases WHERE name = ? AND holder = ?", (name, holder))


def holder_of(db: sqlite_utils.Database, name: str, now: float | None = None) -> str | None:
    """Who holds the lease now (None when free or expired)."""
    now = time.time() if now is None else now
    row = db.execute(
        "SELECT holder FROM job_leases WHERE name = ? AND expires_at > ?", (name, now)
    ).fetchone()
    return row[0] if row else None


@contextlib.contextmanager
def held(db: sqlite_utils.Database, name: str, holder: str, lease_s: float = LEASE_S) -> Iterator[bool]:
    """For a short job (a daily command): ``with held(db, "retention", me) as mine: if mine: ...``.

    Yields whether this holder got the lease; gives it back afterwards. The job must end within
    ``lease_s`` or renew it with :func:`take` as it goes.
    """
    mine = take(db, name, holder, lease_s)
    try:
        yield mine
    finally:
        if mine:
            with contextlib.suppress(sqlite3.Error):
                release(db, name, holder)


class LeasedJob:
    """Runs a long-lived job (``job(stop)``, a thread's loop) only while this process holds its lease.

    :meth:`run` is the thread: it tries to take the lease every third of ``lease_s``; once it has it,
    it starts the job and renews the lease at that pace. The job is told to stop (its own event)
    when the lease is lost to another process or could not be renewed before it ran out, and when
    ``run``'s ``stop`` is set; a clean stop gives the lease back.
    """

    def __init__(
        self,
        database: str | Path,
        name: str,
        holder: str,
        job: Callable[[threading.Event], None],
        lease_s: float = LEASE_S,
        on_taken: Callable[[], None] = lambda: None,
    ) -> None:
        self.database = database
        self.name = name
        self.holder = holder
        self.job = job
        self.lease_s = lease_s
        self.on_taken = on_taken  # e.g. republish what the previous holder may not have sent
        self._mine = threading.Event()

    @property
    def mine(self) -> bool:
        """Whether this process runs the job now."""
        return self._mine.is_set()

    def run(self, stop: threading.Event) -> None:
        db = connect(self.database)
        try:
            while not stop.is_set():
                try:
                    if take(db, self.name, self.holder, self.lease_s):
                        self._hold(db, stop)
                except sqlite3.OperationalError as exc:  # busy or disk trouble: try again shortly
                    log.warning("lease %s: %s", self.name, exc)
                stop.wait(self.lease_s / 3)
        finally:
            db.close()

    def _hold(self, db: sqlite_utils.Database, stop: threading.Event) -> None:
        expires = time.time() + self.lease_s
        log.info("lease %s taken by %s: running the job here", self.name, self.holder)
        self._mine.set()
        job_stop = threading.Event()
        worker = threading.Thread(target=self._run_job, args=(job_stop,), name=self.name, daemon=True)
        try:
            self.on_taken()
        except Exception:
            log.exception("lease %s: the take-over step failed", self.name)
        worker.start()
        try:
            while not stop.wait(self.lease_s / 3):
                try:
                    renewed_at = time.time()
                    if not take(db, self.name, self.holder, self.lease_s, now=renewed_at):
                        log.warning("lease %s: taken over by another process; stopping the job", self.name)
                        return
                    expires = renewed_at + self.lease_s
                except sqlite3.OperationalError as exc:
                    # not renewed now: keep running while the lease certainly lasts, then give way
                    if time.time() > expires - self.lease_s / 3:
                        log.warning("lease %s not renewed in time (%s); stopping the job", self.name, exc)
                        return
                if not worker.is_alive():  # the job's loop ended on its own: run it again
                    worker = threading.Thread(
                        target=self._run_job, args=(job_stop,), name=self.name, daemon=True
                    )
                    worker.start()
        finally:
            self._mine.clear()
            job_stop.set()
            worker.join(timeout=30)
            if stop.is_set():
                with contextlib.suppress(sqlite3.Error):
                    release(db, self.name, self.holder)

    def _run_job(self, job_stop: threading.Event) -> None:
        try:
            self.job(job_stop)
        except Exception:
            log.exception("job %s failed", self.name)
