"""The durable mail outbox: every mail the hub sends is first a row in ``mail_outbox``.

    enqueue(db, mail)        add a mail inside the caller's transaction (the API for any later
                             mail, such as notifications to parents); its attachments (an
                             invoice's PDF) are kept with it in ``mail_attachments``, bounded
                             (:class:`~hub.mail.MailTooLarge` before anything is written)
    Outbox(database)         a :class:`~hub.mail.Mailer` whose ``send`` only enqueues: what the
                             portal uses, so no request waits on (or reveals anything by) SMTP;
                             ``defer(kind, to)`` queues a request the mail thread turns into a
                             mail (or drops) with the ``prepare`` function of that kind, so a
                             "wachtwoord vergeten" does the same work for a known and an unknown
                             address
    MailWorker(...).run()    the hub's mail thread: sends due mails through the real mailer
                             (SMTP, or the .eml folder in development), retrying with exponential
                             back-off until the server takes it

A mail is sent at least once and, unless the hub dies between the server's "250" and the commit
that follows, exactly once. A sender claims a row for a while (``claimed_until``) before it talks
to the server, so two senders (the hub's thread and the ``invite`` command) never send one row
twice. A permanent refusal (SMTP 5xx) or a mail older than ``give_up_after`` is marked failed and
kept, with the error, for a person; nothing is deleted.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import sqlite_utils

from hub.core.db import connect, target, write_transaction
from hub.core.localtime import parse_utc, utc_iso
from hub.mail import Attachment, Mail, Mailer, MailError, check_size, mailer_for

if TYPE_CHECKING:
    from hub.core.settings import HubSettings

log = logging.getLogger(__name__)

CLAIM = timedelta(minutes=2)  # longer than one SMTP conversation may take (its timeout is 20 s)

# Turns a deferred request (its address, now) into the mail to send, or None for nothing to send.
Prepare = Callable[[sqlite_utils.Database, str, datetime], Mail | None]


def _now() -> datetime:
    return datetime.now(UTC)


def enqueue(
    db: sqlite_utils.Database,
    mail: Mail,
    now: datetime | None = None,
    kind: str = "",
    expires_at: datetime | None = None,
) -> int:
    """Add ``mail`` to the outbox (in the caller's transaction, if any); returns its id.

    ``expires_at``: a mail that has not gone out by then is dropped (marked failed, "verlopen"),
    for news that misleads when late ("Jules is aangekomen"). Raises
    :class:`~hub.mail.MailTooLarge` (nothing written) when the attachments are too large.
    """
    check_size(mail)
    moment = utc_iso(now or _now())
    cursor = db.execute(
        "INSERT INTO mail_outbox (kind, to_address, subject, body, created_at, next_attempt_at, expires_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?)",
        (kind, mail.to, mail.subject, mail.text, moment, moment, utc_iso(expires_at) if expires_at else None),
    )
    for position, attachment in enumerate(mail.attachments):
        db.execute(
            "INSERT INTO mail_attachments (mail_id, position, file_name, media_type, data) "
            "VALUES (?, ?, ?, ?, ?)",
            (cursor.lastrowid, position, attachment.file_name, attachment.media_type, attachment.data),
        )
    return cursor.lastrowid


def attachments_of(db: sqlite_utils.Database, mail_id: int) -> tuple[Attachment, ...]:
    """The files a queued mail carries, in order."""
    return tuple(
        Attachment(name, media_type, bytes(data))
        for name, media_type, data in db.execute(
            "SELECT file_name, media_type, data FROM mail_attachments WHERE mail_id = ? ORDER BY position",
            (mail_id,),
        )
    )


def pending(db: sqlite_utils.Database, to: str | None = None) -> int:
    """Mails not sent yet and not given up (to one address, with ``to``)."""
    return db.execute(
        "SELECT count(*) FROM mail_outbox WHERE sent_at IS NULL AND failed_at IS NULL "
        "AND (? IS NULL OR to_address = ? COLLATE NOCASE)",
        (to, to),
    ).fetchone()[0]


class Outbox:
    """A :class:`~hub.mail.Mailer` that enqueues: ``send`` writes a row and wakes the mail thread."""

    def __init__(self, database: str | Path, wake: threading.Event | None = None) -> None:
        self.database = target(database)
        self.wake = wake or threading.Event()

    def send(self, mail: Mail) -> None:
        check_size(mail)  # before a connection: a mail too large is the caller's error, at once
        db = connect(self.database)
        try:
            with write_transaction(db):
                enqueue(db, mail)
        finally:
            db.close()
        self.wake.set()

    def defer(self, kind: str, to: str) -> None:
        """Queue a request of ``kind`` (e.g. "password_reset") for ``to``; the mail thread prepares it."""
        db = connect(self.database)
        try:
            with write_transaction(db):
                enqueue(db, Mail(to, "", ""), kind=kind)
        finally:
            db.close()
        self.wake.set()


class MailWorker:
    """Sends the outbox's due mails through ``mailer``; :meth:`run` is the hub's mail thread."""

    def __init__(
        self,
        database: str | Path,
        mailer: Mailer,
        wake: threading.Event | None = None,
        first_retry: timedelta = timedelta(seconds=30),
        max_retry: timedelta = timedelta(hours=1),
        give_up_after: timedelta = timedelta(days=3),
        poll: float = 5.0,
        clock: Callable[[], datetime] = _now,
        prepare: Mapping[str, Prepare] | None = None,
    ) -> None:
        self.database = target(database)
        self.mailer = mailer
        self.wake = wake or threading.Event()
        self.first_retry, self.max_retry, self.give_up_after = first_retry, max_retry, give_up_after
        self.poll = poll
        self.clock = clock
        self.prepare = dict(prepare or {})

    def run(self, stop: threading.Event) -> None:
        """Send what is due, then wait for a new mail, the next retry or ``poll`` seconds; until ``stop``."""
        db = connect(self.database)
        try:
            while not stop.is_set():
                self.wake.clear()
                try:
                    self.deliver_due(db, stop)
                    wait = self._until_next(db)
                except Exception:
                    log.exception("mail outbox: a round failed; trying again")
                    wait = self.poll
                # wake early for a new mail; stop is checked at least every poll
                self.wake.wait(min(wait, self.poll))
        finally:
            db.close()

    def deliver_due(self, db: sqlite_utils.Database, stop: threading.Event | None = None) -> int:
        """Send every mail that is due now, oldest first; returns how many went out."""
        sent = 0
        while stop is None or not stop.is_set():
            claimed = self._claim_next(db)
            if claimed is None:
                return sent
            mail_id, kind, mail, attempts, created = claimed
            if kind:
                mail = self._prepared(db, mail_id, kind, mail.to)
                if mail is None:
                    continue
            sent += self._deliver(db, mail_id, mail, attempts, created)
        return sent

    def _prepared(self, db: sqlite_utils.Database, mail_id: int, kind: str, to: str) -> Mail | None:
        """The mail a deferred request becomes (the row now holds it), or None: the row is gone.

        Only kinds this worker can prepare are claimed (the ``invite`` command's leaves the rest
        to the hub's mail thread).
        """
        mail = self.prepare[kind](db, to, self.clock())
        with write_transaction(db):
            if mail is None:  # nothing to send (an unknown address): a request, not a mail, so no trace
                db.execute("DELETE FROM mail_outbox WHERE id = ?", (mail_id,))
                return None
            db.execute(
                "UPDATE mail_outbox SET kind = '', to_address = ?, subject = ?, body = ? WHERE id = ?",
                (mail.to, mail.subject, mail.text, mail_id),
            )
        return mail

    def _claim_next(self, db: sqlite_utils.Database) -> tuple[int, str, Mail, int, str] | None:
        now = self.clock()
        with write_transaction(db):
            # a mail past its expiry is dropped, not sent late (kept, with the reason)
            db.execute(
                "DELETE FROM mail_attachments WHERE mail_id IN (SELECT id FROM mail_outbox "
                "WHERE sent_at IS NULL AND failed_at IS NULL AND expires_at IS NOT NULL AND expires_at <= ?)",
                (utc_iso(now),),
            )
            db.execute(
                "UPDATE mail_outbox SET failed_at = ?, last_error = 'verlopen', body = '' "
                "WHERE sent_at IS NULL AND failed_at IS NULL AND expires_at IS NOT NULL AND expires_at <= ?",
                (utc_iso(now), utc_iso(now)),
            )
            row = db.execute(
                """
                SELECT id, kind, to_address, subject, body, attempts, created_at FROM mail_outbox
                WHERE sent_at IS NULL AND failed_at IS NULL AND next_attempt_at <= ?
                  AND (claimed_until IS NULL OR claimed_until <= ?)
                  AND (kind = '' OR kind IN (SELECT value FROM json_each(?)))
                ORDER BY next_attempt_at, id LIMIT 1
                """,
                (utc_iso(now), utc_iso(now), json.dumps(sorted(self.prepare))),
            ).fetchone()
            if row is None:
                return None
            db.execute(
                "UPDATE mail_outbox SET claimed_until = ? WHERE id = ?", (utc_iso(now + CLAIM), row[0])
            )
            attachments = attachments_of(db, row[0])
        return row[0], row[1], Mail(row[2], row[3], row[4], attachments), row[5], row[6]

    def _deliver(
        self, db: sqlite_utils.Database, mail_id: int, mail: Mail, attempts: int, created: str
    ) -> int:
        try:
            self.mailer.send(mail)
        except MailError as exc:
            self._failed_attempt(db, mail_id, attempts + 1, created, exc)
            return 0
        with write_transaction(db):
            db.execute(
                "UPDATE mail_outbox SET sent_at = ?, attempts = ?, body = '', claimed_until = NULL, "
                "last_error = '' WHERE id = ?",
                (utc_iso(self.clock()), attempts + 1, mail_id),
            )
            db.execute("DELETE FROM mail_attachments WHERE mail_id = ?", (mail_id,))  # sent: no copy lingers
        log.info("mail %s sent (attempt %s)", mail_id, attempts + 1)
        return 1

    def _failed_attempt(
        self, db: sqlite_utils.Database, mail_id: int, attempts: int, created: str, exc: MailError
    ) -> None:
        now = self.clock()
        give_up = exc.permanent or now - parse_utc(created) >= self.give_up_after
        delay = min(self.first_retry * 2 ** (attempts - 1), self.max_retry)
        with write_transaction(db):
            db.execute(
                "UPDATE mail_outbox SET attempts = ?, last_error = ?, claimed_until = NULL, "
                "next_attempt_at = ?, failed_at = ? WHERE id = ?",
                (attempts, str(exc)[:500], utc_iso(now + delay), utc_iso(now) if give_up else None, mail_id),
            )
        if give_up:
            log.error("mail %s given up after %s attempt(s): %s", mail_id, attempts, exc)
        else:
            log.warning("mail %s not sent (attempt %s), again in %s: %s", mail_id, attempts, delay, exc)

    def _until_next(self, db: sqlite_utils.Database) -> float:
        row = db.execute(
            "SELECT min(max(next_attempt_at, coalesce(claimed_until, ''))) FROM mail_outbox "
            "WHERE sent_at IS NULL AND failed_at IS NULL"
        ).fetchone()
        if row is None or row[0] is None:
            return self.poll
        return max(0.0, (parse_utc(row[0]) - self.clock()).total_seconds())


def worker_for(
    settings: HubSettings, wake: threading.Event | None = None, prepare: Mapping[str, Prepare] | None = None
) -> MailWorker:
    """The mail thread of a hub with these settings: SMTP when ``smtp_host`` is set, else the folder."""
    return MailWorker(
        settings.database_path,
        mailer_for(settings),
        wake,
        first_retry=timedelta(seconds=settings.mail_retry_seconds),
        max_retry=timedelta(seconds=settings.mail_retry_max_seconds),
        give_up_after=timedelta(hours=settings.mail_give_up_hours),
        poll=min(5.0, settings.mail_retry_seconds),
        prepare=prepare,
    )
