"""One-time links for organisators and staff: "wachtwoord instellen" (invitation) and "wachtwoord
vergeten".

The token travels only in the mail; the database keeps its SHA-256. A token works once and
until it expires; issuing a new one voids the person's older ones. A staff person's token carries
``staff_id`` (and its organisator's id); an organisator's has none.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

import sqlite_utils

from hub.accounts.sessions import new_token, token_hash
from hub.core.localtime import parse_utc, utc_iso


class Purpose(StrEnum):
    INVITE = "invite"
    RESET = "reset"


VALID_FOR = {Purpose.INVITE: timedelta(days=7), Purpose.RESET: timedelta(hours=1)}


@dataclass(frozen=True)
class TokenInfo:
    organisator_id: int
    purpose: Purpose
    expires_at: datetime
    staff_id: int | None = None


def issue(
    db: sqlite_utils.Database,
    organisator_id: int,
    purpose: Purpose,
    now: datetime,
    staff_id: int | None = None,
) -> str:
    """A new one-time token for an organisator (or one of its staff); older unused tokens stop working."""
    void_all(db, organisator_id, now, staff_id)
    token = new_token()
    db.execute(
        """
        INSERT INTO account_tokens (token_hash, organisator_id, purpose, created_at, expires_at, staff_id)
        VALUES (?, ?, ?, ?, ?, ?)
        """,
        (
            token_hash(token),
            organisator_id,
            purpose.value,
            utc_iso(now),
            utc_iso(now + VALID_FOR[purpose]),
            staff_id,
        ),
    )
    return token


def valid(db: sqlite_utils.Database, token: str, now: datetime) -> TokenInfo | None:
    """What an unused, unexpired token is for; None otherwise."""
    row = db.execute(
        "SELECT organisator_id, purpose, expires_at, staff_id FROM account_tokens"
        " WHERE token_hash = ? AND used_at IS NULL",
        (token_hash(token),),
    ).fetchone()
    if row is None or parse_utc(row[2]) <= now:
        return None
    return TokenInfo(row[0], Purpose(row[1]), parse_utc(row[2]), row[3])


def use(db: sqlite_utils.Database, token: str, now: datetime) -> None:
    db.execute(
        "UPDATE account_tokens SET used_at = ? WHERE token_hash = ? AND used_at IS NULL",
        (utc_iso(now), token_hash(token)),
    )


def void_all(
    db: sqlite_utils.Database, organisator_id: int, now: datetime, staff_id: int | None = None
) -> None:
    """Void the person's unused tokens: the organisator's own, or one staff person's."""
    db.execute(
        "UPDATE account_tokens SET used_at = ?"
        " WHERE organisator_id = ? AND staff_id IS NOT DISTINCT FROM ? AND used_at IS NULL",
        (utc_iso(now), organisator_id, staff_id),
    )


def issued_since(
    db: sqlite_utils.Database,
    organisator_id: int,
    purpose: Purpose,
    since: datetime,
    staff_id: int | None = None,
) -> int:
    (count,) = db.execute(
        "SELECT count(*) FROM account_tokens"
        " WHERE organisator_id = ? AND staff_id IS NOT DISTINCT FROM ? AND purpose = ? AND created_at >= ?",
        (organisator_id, staff_id, purpose.value, utc_iso(since)),
    ).fetchone()
    return count
