"""Browser scanners: a tablet or phone enrolled from the location's portal as one of its units.

A browser scanner is a row in ``units`` (so the ingest's admission, the listing and revocation
treat it as a unit) plus a row in ``browser_scanners`` with the SHA-256 of its device credential
(256 random bits: a fast hash is enough, argon2 is for secrets people choose). The device sends
that credential as a bearer token; its check-ins go through the ingest's own transaction
(:meth:`hub.ingest.pipeline.Ingest.handle_direct`), exactly as a unit's MQTT message does.
"""

from __future__ import annotations

import functools
import hashlib
import secrets
import time
from dataclasses import dataclass

import sqlite_utils

from hub.accounts.sessions import token_hash
from hub.attendance.presence import presence_of
from hub.cards import codes as cards
from hub.cards import collectors
from hub.core.actors import Actor, NoAccess, Refused
from hub.core.db import write_transaction
from hub.core.localtime import now_utc_iso
from hub.ingest.link import Delivery
from hub.ingest.pipeline import Ingest
from hub.units import registry as units
from wire import Topic, TopicKind

NAME_MAX = 40
HEARTBEAT_S = 20  # the page says it is alive this often
OFFLINE_AFTER_S = 3 * HEARTBEAT_S  # then the listing shows it offline
VERIFIER_ITERATIONS = 100_000  # PBKDF2-SHA256 of the scanner code, checked offline by the page


@dataclass(frozen=True)
class Scanner:
    """A browser scanner as its credential finds it."""

    unit_id: str
    location_id: str
    state: str  # "active" or "revoked"
    name: str
    verifier_salt: str

    @property
    def active(self) -> bool:
        return self.state == "active"


@dataclass(frozen=True)
class Enrolment:
    scanner: Scanner
    credential: str  # shown to the device once, never stored in the clear


@dataclass(frozen=True)
class ListedScanner:
    unit_id: str
    name: str
    state: str
    enrolled_at: str
    enrolled_by: str


def enrol(db: sqlite_utils.Database, actor: Actor, location_id: str, name: str) -> Enrolment:
    """Make this browser a unit of the location; returns its credential (once). Refused: no name."""
    name = " ".join(name.split())
    if not name:
        raise Refused("Geef dit toestel een naam, bv. 'Tablet inkom'.")
    if len(name) > NAME_MAX:
        raise Refused(f"Een naam heeft hoogstens {NAME_MAX} tekens.")
    unit_id = f"browser-{secrets.token_hex(5)}"
    credential = f"{unit_id}.{secrets.token_urlsafe(32)}"
    salt = secrets.token_hex(16)
    with write_transaction(db):
        units.enrol(db, unit_id, location_id)
        # the hub's retained MQTT config for every active unit then carries a keyed staff-code hash
        # (wire/staffcode.py), never the legacy unkeyed one; the browser checks its own verifier
        units.new_staff_key(db, unit_id)
        db.execute(
            "UPDATE units SET label = ?, enrolled_at = ?, offline_after_s = ? WHERE id = ?",
            (name, now_utc_iso(), OFFLINE_AFTER_S, unit_id),
        )
        db.execute(
            "INSERT INTO browser_scanners (unit_id, credential_hash, name, verifier_salt, enrolled_at, "
            "enrolled_by) VALUES (?, ?, ?, ?, ?, ?)",
            (unit_id, token_hash(credential), name, salt, now_utc_iso(), actor.name),
        )
    return Enrolment(Scanner(unit_id, location_id, "active", name, salt), credential)


def scanner_for(db: sqlite_utils.Database, credential: str) -> Scanner | None:
    """The scanner whose credential this is (also a revoked one, so it can be told), or None."""
    if not credential or len(credential) > 200:
        return None
    row = db.execute(
        "SELECT u.id, u.location_id, u.state, b.name, b.verifier_salt FROM browser_scanners b "
        "JOIN units u ON u.id = b.unit_id WHERE b.credential_hash = ?",
        (token_hash(credential),),
    ).fetchone()
    return Scanner(*row) if row else None


def listing(db: sqlite_utils.Database, location_id: str) -> list[ListedScanner]:
    """The location's browser scanners, active first."""
    rows = db.execute(
        "SELECT u.id, b.name, u.state, b.enrolled_at, b.enrolled_by FROM browser_scanners b "
        "JOIN units u ON u.id = b.unit_id WHERE u.location_id = ? "
        "ORDER BY u.state = 'revoked', b.enrolled_at",
        (location_id,),
    ).fetchall()
    return [ListedScanner(*row) for row in rows]


def revoke(db: sqlite_utils.Database, location_id: str, unit_id: str) -> None:
    """Revoke a browser scanner of this location; another location's (or a unit's) id is NoAccess."""
    found = db.execute(
        "SELECT 1 FROM browser_scanners b JOIN units u ON u.id = b.unit_id "
        "WHERE u.id = ? AND u.location_id = ?",
        (unit_id, location_id),
    ).fetchone()
    if found is None:
        raise NoAccess(unit_id)
    with write_transaction(db):
        units.revoke(db, unit_id)


def heartbeat(db: sqlite_utils.Database, scanner: Scanner, backlog: int, version: str) -> None:
    """The page is alive: last seen now, with its outbox count."""
    with write_transaction(db):
        db.execute(
            "UPDATE units SET online = 1, last_seen = ?, backlog = ?, version = ? WHERE id = ?",
            (now_utc_iso(), max(0, min(backlog, 10**9)), version[:40], scanner.unit_id),
        )


def roster(db: sqlite_utils.Database, scanner: Scanner, repeat_window_s: float) -> dict:
    """What the page keeps for offline use: names by card, today's presence, the staff verifier."""
    (location_name, scanner_code) = db.execute(
        "SELECT name, scanner_code FROM locations WHERE id = ?", (scanner.location_id,)
    ).fetchone()
    presence = presence_of(db, scanner.location_id)
    staff = None
    if scanner_code:
        staff = {
            "salt": scanner.verifier_salt,
            "iterations": VERIFIER_ITERATIONS,
            "hash": scanner_verifier(scanner_code, scanner.verifier_salt),
        }
    return {
        "unit": scanner.unit_id,
        "location": scanner.location_id,
        "location_name": location_name,
        "name": scanner.name,
        "roster": cards.roster(db, scanner.location_id),
        "departed": cards.departed(db, scanner.location_id),
        **collectors.unit_fields(db, scanner.location_id),  # collector cards: collecting.js pairs them
        "presence": {"day": presence.day, "seq": presence.seq, "present": presence.present},
        "staff": staff,
        "repeat_window_s": repeat_window_s,
        "heartbeat_s": HEARTBEAT_S,
    }


@functools.lru_cache(maxsize=256)
def scanner_verifier(code: str, salt_hex: str) -> str:
    """PBKDF2-SHA256 of the scanner code under this scanner's salt (hex): what the page checks
    offline with WebCrypto. Salted per device, so one tablet's verifier says nothing of another's."""
    return hashlib.pbkdf2_hmac("sha256", code.encode(), bytes.fromhex(salt_hex), VERIFIER_ITERATIONS).hex()


def receive(ingest: Ingest, db: sqlite_utils.Database, scanner: Scanner, body: bytes) -> dict | None:
    """Hand one posted check-in to the ingest as if it came on the scanner's own event topic.

    Returns the verdict (the ack's fields) after the commit, or None when the hub gives none now
    (the kept-refusal quota is used up): the page keeps the event and offers it again.
    """
    topic = str(Topic(scanner.location_id, scanner.unit_id, TopicKind.EVENT))
    delivery = Delivery(topic=topic, payload=body, mid=0, qos=1, received=time.monotonic())
    outcome = ingest.handle_direct(db, delivery)
    return outcome.ack.to_dict() if outcome.ack is not None else None
