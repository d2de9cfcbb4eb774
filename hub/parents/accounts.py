"""Parent accounts: one per e-mail address, made from a link in the contact confirmation mail.

A parent either sets a password (argon2id, :mod:`hub.accounts.passwords`) or logs in each time
with a link mailed to them. Tokens and sessions work like the staff portal's
(:mod:`hub.accounts.sessions`: random token, only its SHA-256 stored; idle and absolute end) but in
their own tables, so a parent's session can never stand for a location or organisator.
Wrong passwords are counted by :mod:`hub.accounts.throttle` per account and per client address.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlite_utils

from hub.accounts import throttle
from hub.accounts.passwords import hash_secret, verify_secret
from hub.accounts.sessions import new_token, token_hash
from hub.core.db import write_transaction
from hub.core.localtime import parse_utc, utc_iso

VALID_FOR = {"account": timedelta(days=7), "login": timedelta(minutes=30)}
_TOUCH_EVERY = timedelta(minutes=1)


@dataclass(frozen=True)
class Account:
    id: int
    email: str
    has_password: bool


def issue_token(db: sqlite_utils.Database, email: str, purpose: str, now: datetime) -> str:
    """A one-time link token for ``email``; older unused ones of the same purpose stop working."""
    db.execute(
        "UPDATE parent_tokens SET used_at = ? WHERE email = ? AND purpose = ? AND used_at IS NULL",
        (utc_iso(now), email, purpose),
    )
    token = new_token()
    db.execute(
        "INSERT INTO parent_tokens (token_hash, email, purpose, created_at, expires_at)"
        " VALUES (?, ?, ?, ?, ?)",
        (token_hash(token), email.strip(), purpose, utc_iso(now), utc_iso(now + VALID_FOR[purpose])),
    )
    return token


LINKS_PER_HOUR = 5  # mailed links per address: asking again and again mails nobody a flood


def links_in_last_hour(db: sqlite_utils.Database, email: str, now: datetime) -> int:
    (count,) = db.execute(
        "SELECT count(*) FROM parent_tokens WHERE email = ? AND created_at >= ?",
        (email.strip(), utc_iso(now - timedelta(hours=1))),
    ).fetchone()
    return count


def token_email(db: sqlite_utils.Database, token: str, purpose: str, now: datetime) -> str | None:
    """The e-mail address an unused, unexpired token of ``purpose`` was mailed to; None otherwise."""
    row = db.execute(
        "SELECT email, expires_at FROM parent_tokens"
        " WHERE token_hash = ? AND purpose = ? AND used_at IS NULL",
        (token_hash(token), purpose),
    ).fetchone()
    if row is None or parse_utc(row[1]) <= now:
        return None
    return row[0]


def use_token(db: sqlite_utils.Database, token: str, now: datetime) -> bool:
    """Spend a token; False if it was spent already (two tabs, one link)."""
    cursor = db.execute(
        "UPDATE parent_tokens SET used_at = ? WHERE token_hash = ? AND used_at IS NULL",
        (utc_iso(now), token_hash(token)),
    )
    return cursor.rowcount == 1


def is_contact(db: sqlite_utils.Database, email: str) -> bool:
    """Whether ``email`` is a contact of any child now (the only way in)."""
    return (
        db.execute("SELECT 1 FROM contacts WHERE email = ? LIMIT 1", (email.strip(),)).fetchone() is not None
    )


def account_by_email(db: sqlite_utils.Database, email: str) -> Account | None:
    row = db.execute(
        "SELECT id, email, password_hash IS NOT NULL FROM parent_accounts WHERE email = ?", (email.strip(),)
    ).fetchone()
    return Account(row[0], row[1], bool(row[2])) if row else None


def account_by_id(db: sqlite_utils.Database, account_id: int) -> Account | None:
    row = db.execute(
        "SELECT id, email, password_hash IS NOT NULL FROM parent_accounts WHERE id = ?", (account_id,)
    ).fetchone()
    return Account(row[0], row[1], bool(row[2])) if row else None


def make_account(db: sqlite_utils.Database, email: str, password: str | None, now: datetime) -> Account:
    """Create the account of ``email`` or set its password (None: log in by mailed link)."""
    hashed = hash_secret(password) if password else None
    db.execute(
        """
        INSERT INTO parent_accounts (email, password_hash, created_at) VALUES (?, ?, ?)
        ON CONFLICT (email) DO UPDATE SET password_hash = excluded.password_hash
        """,
        (email.strip(), hashed, utc_iso(now)),
    )
    account = account_by_email(db, email)
    assert account is not None
    end_sessions(db, account.id)  # a new password ends every other session
    return account


def check_password(
    db: sqlite_utils.Database, email: str, password: str, client: str, now: datetime
) -> tuple[Account | None, str | None]:
    """(the account, None) for a right password; (None, Dutch reason) otherwise. Throttled."""
    keys = (f"parent:{email.strip().lower()}", f"parent-client:{client}")
    if throttle.locked_until(db, keys, now):
        return (
            None,
            "Te veel foute pogingen. Probeer het over een kwartier opnieuw, of vraag een aanmeldlink.",
        )
    row = db.execute(
        "SELECT id, password_hash FROM parent_accounts WHERE email = ?", (email.strip(),)
    ).fetchone()
    if not verify_secret(row[1] if row else None, password) or not is_contact(db, email):
        with write_transaction(db):
            throttle.record_failure(db, keys[0], throttle.PASSWORD_ACCOUNT_LIMIT, now)
            throttle.record_failure(db, keys[1], throttle.PASSWORD_CLIENT_LIMIT, now)
        return None, "Dit e-mailadres en wachtwoord passen niet bij elkaar."
    with write_transaction(db):
        throttle.clear(db, keys[0])
    return account_by_id(db, row[0]), None


def start_session(
    db: sqlite_utils.Database, account_id: int, token: str, client: str, now: datetime, lifetime: timedelta
) -> None:
    db.execute(
        """
        INSERT INTO parent_sessions (token_hash, account_id, created_at, last_seen_at, expires_at, client)
        VALUES (?, ?, ?, ?, ?, ?)
        """,
        (token_hash(token), account_id, utc_iso(now), utc_iso(now), utc_iso(now + lifetime), client),
    )
    db.execute("DELETE FROM parent_sessions WHERE expires_at < ?", (utc_iso(now),))


def session_account(
    db: sqlite_utils.Database, token: str, now: datetime, idle: timedelta, touch: bool = True
) -> Account | None:
    """The account of the live parent session behind a cookie token; None (an expired one is deleted).

    ``touch=False`` (the live stream) reads without counting as activity: an open page alone does
    not keep a session alive past its idle time.
    """
    row = db.execute(
        "SELECT account_id, last_seen_at, expires_at FROM parent_sessions WHERE token_hash = ?",
        (token_hash(token),),
    ).fetchone()
    if row is None:
        return None
    last_seen, expires = parse_utc(row[1]), parse_utc(row[2])
    if now >= expires or now - last_seen >= idle:
        with write_transaction(db):
            db.execute("DELETE FROM parent_sessions WHERE token_hash = ?", (token_hash(token),))
        return None
    if touch and now - last_seen >= _TOUCH_EVERY:
        with write_transaction(db):
            db.execute(
                "UPDATE parent_sessions SET last_seen_at = ? WHERE token_hash = ?",
                (utc_iso(now), token_hash(token)),
            )
    return account_by_id(db, row[0])


def end_session(db: sqlite_utils.Database, token: str) -> None:
    db.execute("DELETE FROM parent_sessions WHERE token_hash = ?", (token_hash(token),))


def end_sessions(db: sqlite_utils.Database, account_id: int) -> None:
    db.execute("DELETE FROM parent_sessions WHERE account_id = ?", (account_id,))


def account_link(db: sqlite_utils.Database, base_url: str, email: str, now: datetime) -> str:
    """The "Maak je account aan" link for a contact's confirmation mail."""
    return f"{base_url.rstrip('/')}/ouders/account/{issue_token(db, email, 'account', now)}"
