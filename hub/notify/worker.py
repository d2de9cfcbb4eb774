"""The hub's notifier thread: stored events become queued messages, queued pushes go out.

Each round: scan the stored events not looked at yet (:func:`hub.notify.store.scan`, one
transaction, mails straight into the mail outbox), queue due daily summaries, then send the due
pushes one by one, marking each sent in its own transaction. The ingest wakes the notifier after
each commit (``wake``), which then waits ``BATCH_S`` for further commits to join the round; a round
runs at least every ``poll`` seconds whatever happens.

Exactly once: a message is queued once per (event, parent, channel) by the outbox's key. A push
is sent at least once and, unless the hub dies between the push service's answer and the commit
that follows, exactly once (the mail outbox's promise, the same way).

``AANWEZIG_NOTIFY_FAULT=after_scan:N`` (the fault suite's hook) SIGKILLs the hub right after the
N-th scan that queued messages committed: queued, nothing sent yet.
"""

from __future__ import annotations

import json
import logging
import os
import signal
import sqlite3
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import sqlite_utils
from py_vapid import Vapid02
from pywebpush import WebPushException, webpush

from hub.core.db import connect, target, write_transaction
from hub.notify import store, vapid
from hub.notify.rules import FRESH_FOR

log = logging.getLogger(__name__)

FAULT_ENV = "AANWEZIG_NOTIFY_FAULT"
PUSH_TIMEOUT_S = 10.0
# The push service forgot this browser (404, 410), or the subscription was made for another VAPID
# key (403: a hub restored without its vapid.pem): the subscription goes; the parent turns
# notifications on again on that phone.
GONE = (403, 404, 410)
SUMMARY_GIVE_UP = timedelta(hours=24)


def _now() -> datetime:
    return datetime.now(UTC)


def send_push(
    subscription: dict, payload: dict, key, subject: str, ttl: int, timeout: float = PUSH_TIMEOUT_S
) -> int:
    """POST one encrypted (aes128gcm) and VAPID-signed message to a push service; its HTTP status.

    Raises :class:`pywebpush.WebPushException` without a response when the service is unreachable.
    """
    try:
        response = webpush(
            subscription,
            data=json.dumps(payload, ensure_ascii=False),
            vapid_private_key=Vapid02(private_key=key),
            vapid_claims={"sub": subject},
            content_encoding="aes128gcm",
            ttl=ttl,
            timeout=timeout,
        )
    except WebPushException as exc:
        if exc.response is None:
            raise
        return exc.response.status_code
    return response.status_code


BATCH_S = 0.2


class Notifier:
    """Turns stored events into messages; :meth:`run` is the hub's notifier thread."""

    def __init__(
        self,
        database: str | Path,
        data_dir: str | Path,
        base_url: str,
        mail_wake: threading.Event | None = None,
        poll: float = 0.5,
        clock: Callable[[], datetime] = _now,
        subject: str = "mailto:noreply@aanwezig.invalid",
    ) -> None:
        self.database = target(database)
        self.data_dir = Path(data_dir)
        self.settings_url = base_url.rstrip("/") + "/ouders/meldingen"
        self.mail_wake = mail_wake or threading.Event()
        self.wake = threading.Event()
        self.poll = poll
        self.clock = clock
        self.subject = subject
        self._fault = _fault_point(os.environ.get(FAULT_ENV, ""))
        self._scans_with_messages = 0
        self._summaries_at = 0.0

    def run(self, stop: threading.Event) -> None:
        db = connect(self.database)
        key = None
        try:
            while not stop.is_set():
                self.wake.clear()
                try:
                    key = key or vapid.private_key(self.data_dir)  # made on first use
                    self.round(db, key, stop)
                except (sqlite3.OperationalError, OSError) as exc:  # disk full, I/O error, busy: next round
                    log.warning("notifier: database not writable now, trying again: %s", exc)
                except Exception:
                    log.exception("notifier: a round failed; trying again")
                if self.wake.wait(self.poll):
                    stop.wait(BATCH_S)  # woken by a commit: let the next few commits join this round
        finally:
            db.close()

    def round(self, db: sqlite_utils.Database, key=None, stop: threading.Event | None = None) -> int:
        """Scan, queue summaries (each minute), send due pushes; returns how many pushes went out."""
        key = key or vapid.private_key(self.data_dir)
        self.scan(db)
        if time.monotonic() - self._summaries_at > 60:
            with write_transaction(db):
                queued = store.queue_summaries(db, self.clock(), self.settings_url)
                store.prune(db, self.clock())
            self._summaries_at = time.monotonic()
            if queued:
                self.mail_wake.set()
        return self.send_due(db, key, stop)

    def scan(self, db: sqlite_utils.Database) -> int:
        """Look at every stored event not looked at yet (in bounded steps); events looked at."""
        seen = 0
        for _ in range(1000):  # bounded: 1000 steps of SCAN_BATCH events
            with write_transaction(db):
                events, queued = store.scan(db, self.clock(), self.settings_url)
            seen += events
            if queued:
                self._scans_with_messages += 1
                self._fault_reached("after_scan")
                self.mail_wake.set()
            if events < store.SCAN_BATCH:
                break
        return seen

    def send_due(self, db: sqlite_utils.Database, key, stop: threading.Event | None = None) -> int:
        sent = 0
        for _ in range(10_000):  # bounded; the next round takes the rest
            if stop is not None and stop.is_set():
                break
            with write_transaction(db):
                due = store.next_push(db, self.clock())
            if due is None:
                break
            sent += self._push(db, key, due)
        return sent

    def _push(self, db: sqlite_utils.Database, key, due: store.PushDue) -> int:
        now = self.clock()
        payload = {
            "title": due.title,
            "body": due.body,
            "tag": due.key,
            "url": f"/ouders#kind-{due.child_id}",
        }
        ttl = int(FRESH_FOR.total_seconds()) if due.expires_at else 86400
        delivered, errors = 0, []
        for sub_id, endpoint, p256dh, auth in store.subscriptions_of(db, due.account_id):
            subscription = {"endpoint": endpoint, "keys": {"p256dh": p256dh, "auth": auth}}
            try:
                status = send_push(subscription, payload, key, self.subject, ttl)
            except Exception as exc:  # unreachable, TLS, a bad key: try again later
                errors.append(f"{type(exc).__name__}: {exc}"[:200])
                continue
            if status in GONE:
                with write_transaction(db):
                    db.execute("DELETE FROM push_subscriptions WHERE id = ?", (sub_id,))
                log.info("push subscription %s gone (HTTP %s): removed", sub_id, status)
            elif 200 <= status < 300:
                delivered += 1
                with write_transaction(db):
                    db.execute(
                        "UPDATE push_subscriptions SET last_ok_at = ? WHERE id = ?", (now.isoformat(), sub_id)
                    )
            else:
                errors.append(f"HTTP {status}")
        with write_transaction(db):
            if delivered:
                store.push_done(db, due, self.clock(), sent=True, error="; ".join(errors))
            elif not errors:
                store.push_done(db, due, self.clock(), sent=False, error="geen browser")
            elif due.expires_at is None and now - _created(db, due) > SUMMARY_GIVE_UP:
                store.push_done(db, due, self.clock(), sent=False, error="; ".join(errors))
            else:
                delay = timedelta(seconds=min(5 * 2**due.attempts, 3600))
                store.push_retry(db, due, self.clock(), delay, "; ".join(errors))
                log.warning(
                    "push %s to account %s not sent, again in %s: %s", due.key, due.account_id, delay, errors
                )
        return 1 if delivered else 0

    def _fault_reached(self, point: str) -> None:
        if self._fault == (point, self._scans_with_messages):
            log.warning("fault injection: SIGKILL %s %d", point, self._scans_with_messages)
            os.kill(os.getpid(), signal.SIGKILL)


def _created(db: sqlite_utils.Database, due: store.PushDue) -> datetime:
    row = db.execute(
        "SELECT created_at FROM notify_outbox WHERE key = ? AND account_id = ? AND channel = 'push'",
        (due.key, due.account_id),
    ).fetchone()
    return datetime.fromisoformat(row[0])


def _fault_point(spec: str) -> tuple[str, int] | None:
    if not spec:
        return None
    point, _, number = spec.partition(":")
    if point != "after_scan" or not number.isdigit():
        raise ValueError(f"{FAULT_ENV}={spec!r}: expected after_scan:N")
    log.warning("fault injection armed: SIGKILL %s %s", point, number)
    return point, int(number)
