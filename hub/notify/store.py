"""The notifier's tables: preferences, push subscriptions, the scan of stored events, the outbox.

An event stored (and acked) is never missed: :func:`scan` finds stored events the notifier has not
looked at yet (``notify_scanned``), and in one transaction turns each into its outbox rows and marks
it looked at. The outbox's key (event, parent, channel) makes a second row for the same message
impossible, whatever runs twice. A mail is queued in the mail outbox in that same transaction (the
mail thread sends it); a push row waits for the notifier's thread. Events are looked at only once,
so a later re-derivation of a direction (presence, clock repair) never gives a second message.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import sqlite_utils

from hub.attendance.days import collected_direction, collected_direction_by
from hub.attendance.pairing import Stamp
from hub.attendance.presence_rules import rederive
from hub.core.localtime import day_bounds_utc, fmt_date, local, parse_utc, utc_iso
from hub.mail import Mail
from hub.mail import outbox as mail_outbox
from hub.notify import rules
from hub.notify.rules import FRESH_FOR, Channel, Mode, SummaryPart
from wire import Direction

log = logging.getLogger(__name__)

SCAN_BATCH = 500  # events looked at per transaction: a backlog is taken in bounded steps

# What other features add to a child's daily summary (the diary's day, issue 21): for a child and a
# Brussels day, a part or None. A feature registers its function (hub/diary/summary.py), so notify
# imports none of them; the hub registers them before the notifier's first round.
SummaryPartOf = Callable[[sqlite_utils.Database, int, date], SummaryPart | None]
_summary_parts: list[SummaryPartOf] = []


def add_summary_part(part_of: SummaryPartOf) -> None:
    """Add ``part_of`` to every daily summary from now on (once, however often it is called)."""
    if part_of not in _summary_parts:
        _summary_parts.append(part_of)


@dataclass(frozen=True)
class Pref:
    child_id: int
    mode: Mode
    summary_hour: int
    by_mail: bool
    by_push: bool


def prefs_of(db: sqlite_utils.Database, account_id: int) -> dict[int, Pref]:
    """The account's settings per child (a child without a row has none: no messages)."""
    return {
        row[0]: Pref(row[0], Mode(row[1]), row[2], bool(row[3]), bool(row[4]))
        for row in db.execute(
            "SELECT child_id, mode, summary_hour, by_mail, by_push FROM notify_prefs WHERE account_id = ?",
            (account_id,),
        )
    }


def set_pref(db: sqlite_utils.Database, account_id: int, pref: Pref) -> None:
    db.execute(
        """
        INSERT INTO notify_prefs (account_id, child_id, mode, summary_hour, by_mail, by_push)
        VALUES (?, ?, ?, ?, ?, ?)
        ON CONFLICT (account_id, child_id) DO UPDATE SET mode = excluded.mode,
            summary_hour = excluded.summary_hour, by_mail = excluded.by_mail, by_push = excluded.by_push
        """,
        (account_id, pref.child_id, pref.mode.value, pref.summary_hour, int(pref.by_mail), int(pref.by_push)),
    )


def add_subscription(
    db: sqlite_utils.Database, account_id: int, endpoint: str, p256dh: str, auth: str, now: datetime
) -> None:
    """Keep a browser's push subscription for the account (a known endpoint moves to this account)."""
    db.execute(
        """
        INSERT INTO push_subscriptions (account_id, endpoint, p256dh, auth, created_at) VALUES (?, ?, ?, ?, ?)
        ON CONFLICT (endpoint) DO UPDATE SET account_id = excluded.account_id, p256dh = excluded.p256dh,
            auth = excluded.auth
        """,
        (account_id, endpoint, p256dh, auth, utc_iso(now)),
    )


def remove_subscription(db: sqlite_utils.Database, account_id: int, endpoint: str) -> None:
    db.execute("DELETE FROM push_subscriptions WHERE account_id = ? AND endpoint = ?", (account_id, endpoint))


def subscriptions_of(db: sqlite_utils.Database, account_id: int) -> list[tuple[int, str, str, str]]:
    """(id, endpoint, p256dh, auth) of each browser the account allowed."""
    return db.execute(
        "SELECT id, endpoint, p256dh, auth FROM push_subscriptions WHERE account_id = ? ORDER BY id",
        (account_id,),
    ).fetchall()


# --- other features' news for a parent (a message of the location) ----------------------------------


def news_channels(db: sqlite_utils.Database, email: str, child_id: int) -> tuple[int | None, bool, bool]:
    """How a contact hears of news about the child, e.g. a new message of the location:
    (account id, by mail, by push).

    The channels the parent chose on "Meldingen" for this child apply, whatever they chose for
    arrivals and departures; a contact without an account or without settings for the child is mailed.
    """
    row = db.execute(
        """
        SELECT a.id, p.by_mail, p.by_push FROM parent_accounts a
        LEFT JOIN notify_prefs p ON p.account_id = a.id AND p.child_id = ?
        WHERE a.email = ?
        """,
        (child_id, email),
    ).fetchone()
    if row is None:
        return None, True, False
    account_id, by_mail, by_push = row
    if by_mail is None:
        return account_id, True, False
    return account_id, bool(by_mail), bool(by_push)


def queue_push(
    db: sqlite_utils.Database, key: str, account_id: int, child_id: int, title: str, body: str, now: datetime
) -> bool:
    """A push for the notifier's thread to send to the parent's browsers, once per ``key``."""
    message = rules.Message(title, body[:1000])
    return _outbox_row(db, key, account_id, Channel.PUSH, child_id, message, utc_iso(now), now, None)


# --- the scan: stored events -> outbox rows --------------------------------------------------------


@dataclass(frozen=True)
class Recipient:
    account_id: int
    email: str
    by_mail: bool
    by_push: bool


def recipients(db: sqlite_utils.Database, child_id: int, mode: Mode) -> list[Recipient]:
    """Accounts with ``mode`` for this child that are still one of its contacts (a removed contact
    gets nothing from that moment on)."""
    return [
        Recipient(*row)
        for row in db.execute(
            """
            SELECT p.account_id, a.email, p.by_mail, p.by_push FROM notify_prefs p
            JOIN parent_accounts a ON a.id = p.account_id
            WHERE p.child_id = ? AND p.mode = ?
              AND EXISTS (SELECT 1 FROM contacts c WHERE c.child_id = p.child_id AND c.email = a.email)
            ORDER BY p.account_id
            """,
            (child_id, mode.value),
        )
    ]


def _day_stamps(db: sqlite_utils.Database, location_id: str, child_id: int, at: datetime):
    start, end = day_bounds_utc(local(at).date())
    return [
        (Stamp(parse_utc(occurred), Direction(direction), event_id), by == "presence")
        for event_id, occurred, direction, by in db.execute(
            f"""
            SELECT e.id, occurred_at, {collected_direction("e")}, {collected_direction_by("e")} FROM events e
            WHERE location_id = ? AND child_id = ? AND occurred_at >= ? AND occurred_at < ?
            """,
            (location_id, child_id, start, end),
        )
    ]


def scan(db: sqlite_utils.Database, now: datetime, settings_url: str) -> tuple[int, int]:
    """Look at stored events not looked at yet; queue their messages. Returns (events, rows queued).

    Only events received in the last :data:`~hub.notify.rules.FRESH_FOR` can still be news, so
    the scan reads those (by the index on ``received_at``), and only of children some parent wants
    every message of: the others are never marked (a mark per event cost a fifth of the ingest's throughput
    at bench load). A parent who turns messages on hears of the child's events of the last minutes
    that are still news. The caller's transaction holds it all.
    """
    since = utc_iso(now - FRESH_FOR - timedelta(minutes=1))
    rows = db.execute(
        """
        SELECT e.id, e.location_id, e.child_id, e.occurred_at, e.received_at, l.name, c.first_name
        FROM events e JOIN locations l ON l.id = e.location_id JOIN children c ON c.id = e.child_id
        WHERE e.received_at >= ? AND e.child_id IS NOT NULL
          AND EXISTS (SELECT 1 FROM notify_prefs p WHERE p.child_id = e.child_id AND p.mode = ?)
          AND NOT EXISTS (SELECT 1 FROM notify_scanned s WHERE s.event_id = e.id)
        ORDER BY e.received_at LIMIT ?
        """,
        (since, Mode.EVERY.value, SCAN_BATCH),
    ).fetchall()
    queued = 0
    for event_id, location_id, child_id, occurred, received, place, first_name in rows:
        db.execute(
            "INSERT INTO notify_scanned (event_id, scanned_at) VALUES (?, ?) ON CONFLICT DO NOTHING",
            (event_id, utc_iso(now)),
        )
        at = parse_utc(occurred)
        if not rules.news_of(at, now):
            continue  # another day's registration, or delivered too late to be news
        people = recipients(db, child_id, Mode.EVERY)
        if not people:
            continue
        direction = rules.direction_of(event_id, _day_stamps(db, location_id, child_id, at))
        if direction is None:
            continue
        msg = rules.message(first_name, direction, at, place, _collector_of(db, event_id))
        expiry = rules.expires_at(at)
        for person in people:
            channels = [c for c, on in ((Channel.MAIL, person.by_mail), (Channel.PUSH, person.by_push)) if on]
            for channel in channels:
                fresh = _outbox_row(
                    db, event_id, person.account_id, channel, child_id, msg, received, now, expiry
                )
                queued += fresh
                if fresh and channel is Channel.MAIL:
                    mail_outbox.enqueue(
                        db,
                        Mail(person.email, msg.title, rules.mail_text(msg, settings_url)),
                        now,
                        expires_at=expiry,
                    )
    return len(rows), queued


def _collector_of(db: sqlite_utils.Database, event_id: str) -> str:
    """Who collected with this departure (a collector card before or after the child's), or ''."""
    row = db.execute("SELECT name FROM collector_departures WHERE event_id = ?", (event_id,)).fetchone()
    return row[0] if row else ""


def _outbox_row(
    db: sqlite_utils.Database,
    key: str,
    account_id: int,
    channel: Channel,
    child_id: int,
    msg: rules.Message,
    stored_at: str,
    now: datetime,
    expiry: datetime | None,
) -> bool:
    """Add the row unless that (key, parent, channel) already has one; True when added.

    A mail row is born sent: its mail is in the mail outbox from the same transaction on."""
    moment = utc_iso(now)
    cursor = db.execute(
        """
        INSERT INTO notify_outbox (key, account_id, channel, child_id, title, body, stored_at,
            created_at, expires_at, next_attempt_at, sent_at)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
        ON CONFLICT DO NOTHING
        """,
        (
            key,
            account_id,
            channel.value,
            child_id,
            msg.title,
            msg.body,
            stored_at,
            moment,
            utc_iso(expiry) if expiry else None,
            moment,
            moment if channel is Channel.MAIL else None,
        ),
    )
    return cursor.rowcount == 1


def queue_summaries(db: sqlite_utils.Database, now: datetime, settings_url: str) -> int:
    """Queue today's daily summaries that are due (from their hour on); each once per parent and
    channel (the key holds child and day), only on a day with registrations. A summary is never
    dropped for being late."""
    day = local(now).date()
    start, end = day_bounds_utc(day)
    queued = 0
    prefs = db.execute(
        "SELECT DISTINCT child_id FROM notify_prefs WHERE mode = ? AND summary_hour <= ?",
        (Mode.SUMMARY.value, local(now).hour),
    ).fetchall()
    for (child_id,) in prefs:
        key = f"samenvatting:{child_id}:{day.isoformat()}"
        people = [
            p
            for p in recipients(db, child_id, Mode.SUMMARY)
            if not db.execute(
                "SELECT 1 FROM notify_outbox WHERE key = ? AND account_id = ? LIMIT 1", (key, p.account_id)
            ).fetchone()
        ]
        if not people:
            continue
        stamps = _summary_stamps(db, child_id, start, end)
        if not stamps:
            continue  # a day without care (a weekend, an absence): no summary; it may still come later
        first_name = db.execute("SELECT first_name FROM children WHERE id = ?", (child_id,)).fetchone()[0]
        parts = [part for part_of in _summary_parts if (part := part_of(db, child_id, day)) is not None]
        base = rules.summary(first_name, fmt_date(day), stamps)
        for person in people:
            for channel, on in ((Channel.MAIL, person.by_mail), (Channel.PUSH, person.by_push)):
                if not on:
                    continue
                msg = rules.with_parts(base, parts, channel)
                if _outbox_row(db, key, person.account_id, channel, child_id, msg, utc_iso(now), now, None):
                    queued += 1
                    if channel is Channel.MAIL:
                        mail_outbox.enqueue(
                            db, Mail(person.email, msg.title, rules.mail_text(msg, settings_url)), now
                        )
    return queued


def _summary_stamps(db: sqlite_utils.Database, child_id: int, start: str, end: str):
    stamps = []
    by_place: dict[str, list] = {}
    names = {}
    for event_id, location_id, place, occurred, direction, by in db.execute(
        f"""
        SELECT e.id, e.location_id, l.name, e.occurred_at, {collected_direction("e")},
               {collected_direction_by("e")}
        FROM events e JOIN locations l ON l.id = e.location_id
        WHERE e.child_id = ? AND e.occurred_at >= ? AND e.occurred_at < ?
        """,
        (child_id, start, end),
    ):
        names[location_id] = place
        by_place.setdefault(location_id, []).append(
            (Stamp(parse_utc(occurred), Direction(direction), event_id), by == "presence")
        )
    for location_id, day_stamps in by_place.items():
        for stamp in rederive(day_stamps):
            stamps.append((stamp.direction, stamp.at, names[location_id]))
    return stamps


# --- the push side of the outbox --------------------------------------------------------------------


@dataclass(frozen=True)
class PushDue:
    key: str
    account_id: int
    title: str
    body: str
    child_id: int
    attempts: int
    expires_at: str | None


def next_push(db: sqlite_utils.Database, now: datetime) -> PushDue | None:
    """The oldest push row that is due; rows past their expiry are dropped first (kept, marked)."""
    moment = utc_iso(now)
    db.execute(
        "UPDATE notify_outbox SET dropped_at = ?, last_error = 'verlopen' WHERE channel = 'push' "
        "AND sent_at IS NULL AND dropped_at IS NULL AND expires_at IS NOT NULL AND expires_at <= ?",
        (moment, moment),
    )
    row = db.execute(
        """
        SELECT key, account_id, title, body, child_id, attempts, expires_at FROM notify_outbox
        WHERE channel = 'push' AND sent_at IS NULL AND dropped_at IS NULL AND next_attempt_at <= ?
        ORDER BY next_attempt_at, created_at LIMIT 1
        """,
        (moment,),
    ).fetchone()
    return PushDue(*row) if row else None


def push_done(db: sqlite_utils.Database, due: PushDue, now: datetime, sent: bool, error: str = "") -> None:
    """Mark a push row sent, or dropped (no browser could take it)."""
    column = "sent_at" if sent else "dropped_at"
    db.execute(
        f"UPDATE notify_outbox SET {column} = ?, attempts = attempts + 1, last_error = ? "
        "WHERE key = ? AND account_id = ? AND channel = 'push'",
        (utc_iso(now), error[:500], due.key, due.account_id),
    )


def push_retry(db: sqlite_utils.Database, due: PushDue, now: datetime, delay: timedelta, error: str) -> None:
    db.execute(
        "UPDATE notify_outbox SET attempts = attempts + 1, next_attempt_at = ?, last_error = ? "
        "WHERE key = ? AND account_id = ? AND channel = 'push'",
        (utc_iso(now + delay), error[:500], due.key, due.account_id),
    )


def until_next_push(db: sqlite_utils.Database, now: datetime) -> float | None:
    row = db.execute(
        "SELECT min(next_attempt_at) FROM notify_outbox WHERE channel = 'push' AND sent_at IS NULL "
        "AND dropped_at IS NULL"
    ).fetchone()
    if row[0] is None:
        return None
    return max(0.0, (parse_utc(row[0]) - now).total_seconds())


def prune(db: sqlite_utils.Database, now: datetime, keep: timedelta = timedelta(days=2)) -> None:
    """Forget scan marks older than any event that can still be news."""
    db.execute("DELETE FROM notify_scanned WHERE scanned_at < ?", (utc_iso(now - keep),))
