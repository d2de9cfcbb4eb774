"""Server-side sessions: the portal's cookie carries a random token, the database knows who it is.

A session ends at logout, after ``idle`` without a request, and at its absolute end, whichever
comes first; setting a new password ends all sessions of that person. Only the token's SHA-256
is stored. A staff person's session is kept as role ``staff`` with the person's id, whatever its
role: the actor is made afresh from the person on every request, so a deactivation or a changed
role or location counts at once.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlite_utils

from hub.accounts.actors import Actor, Role
from hub.core.actors import StaffRole
from hub.core.localtime import parse_utc, utc_iso

_TOUCH_EVERY = timedelta(minutes=1)  # write last_seen_at at most this often: reads stay reads


@dataclass(frozen=True)
class Session:
    token_hash: str
    role: Role
    actor_id: str
    last_seen_at: datetime
    expires_at: datetime


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_token() -> str:
    return secrets.token_urlsafe(32)


def create(db: sqlite_utils.Database, actor: Actor, client: str, now: datetime, lifetime: timedelta) -> str:
    """Start a session for ``actor``; returns the token for the cookie."""
    token = new_token()
    person = actor.person_id is not None
    db.execute(
        """
        INSERT INTO sessions (token_hash, role, actor_id, created_at, last_seen_at, expires_at, client)
        VALUES (?, ?, ?, ?, ?, ?, ?)
        """,
        (
            token_hash(token),
            Role.STAFF.value if person else actor.role.value,
            str(actor.person_id) if person else actor.id,
            utc_iso(now),
            utc_iso(now),
            utc_iso(now + lifetime),
            client,
        ),
    )
    db.execute("DELETE FROM sessions WHERE expires_at < ?", (utc_iso(now),))  # tidy up the long gone
    return token


def lookup(db: sqlite_utils.Database, token: str, now: datetime, idle: timedelta) -> Session | None:
    """The live session behind a cookie token, or None (an expired one is deleted)."""
    row = db.execute(
        "SELECT token_hash, role, actor_id, last_seen_at, expires_at FROM sessions WHERE token_hash = ?",
        (token_hash(token),),
    ).fetchone()
    if row is None:
        return None
    session = Session(row[0], Role(row[1]), row[2], parse_utc(row[3]), parse_utc(row[4]))
    if now >= session.expires_at or now - session.last_seen_at >= idle:
        db.execute("DELETE FROM sessions WHERE token_hash = ?", (session.token_hash,))
        return None
    if now - session.last_seen_at >= _TOUCH_EVERY:
        db.execute(
            "UPDATE sessions SET last_seen_at = ? WHERE token_hash = ?", (utc_iso(now), session.token_hash)
        )
    return session


def actor_of(db: sqlite_utils.Database, session: Session) -> Actor | None:
    """The actor a session stands for, with its current name; None if it no longer exists."""
    if session.role is Role.LOCATION:
        row = db.execute("SELECT id, name FROM locations WHERE id = ?", (session.actor_id,)).fetchone()
        return Actor.location(row[0], row[1]) if row else None
    if session.role is Role.STAFF:
        return staff_actor(db, int(session.actor_id))
    row = db.execute(
        "SELECT id, name FROM organisators WHERE id = ? AND password_hash IS NOT NULL", (session.actor_id,)
    ).fetchone()
    return Actor.organisator(row[0], row[1]) if row else None


def staff_actor(db: sqlite_utils.Database, person_id: int) -> Actor | None:
    """The actor of an active staff person with a password: an organisator under the person's name,
    or a staff member with their locations (of their own organisator only); None otherwise."""
    row = db.execute(
        "SELECT id, organisator_id, name, role FROM staff"
        " WHERE id = ? AND active = 1 AND password_hash IS NOT NULL",
        (person_id,),
    ).fetchone()
    if row is None:
        return None
    person, organisator_id, name, role = row
    if role == StaffRole.ORGANISATOR.value:
        return Actor.organisator(organisator_id, name, person_id=person)
    locations = frozenset(
        found
        for (found,) in db.execute(
            "SELECT sl.location_id FROM staff_locations sl JOIN locations l ON l.id = sl.location_id"
            " WHERE sl.staff_id = ? AND l.organisator_id = ?",
            (person, organisator_id),
        )
    )
    return Actor.staff(person, name, StaffRole(role), locations)


def end(db: sqlite_utils.Database, token: str) -> None:
    db.execute("DELETE FROM sessions WHERE token_hash = ?", (token_hash(token),))


def end_all(db: sqlite_utils.Database, role: Role, actor_id: str) -> None:
    db.execute("DELETE FROM sessions WHERE role = ? AND actor_id = ?", (role.value, actor_id))


def actor_for_token(db: sqlite_utils.Database, token: str, now: datetime, idle: timedelta) -> Actor | None:
    """The actor of the live session behind a cookie token, or None (what the portal asks per request)."""
    session = lookup(db, token, now, idle)
    return actor_of(db, session) if session else None
