"""Refused check-ins: well-formed, but not taken by the hub on its own; kept whole for a person.

A check-in from a unit the hub does not know or revoked, one that claims another location, or one
a successor delivers for a unit that is not its predecessor (see :mod:`hub.ingest.admission`) is
kept here as it arrived, without roll-up or pruning, until the organisator accepts it (stored once,
with who did it) or dismisses it. The hub answers "refused" with ``kept: true`` only after it is
kept. A unit gets at most ``per_unit_day`` kept per day: past that the hub keeps only a rolled-up
dead letter and sends no verdict, so the unit holds the event and offers it again (the next day's
quota takes it).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

import sqlite_utils

from hub.accounts.actors import Actor, NoAccess, Refused, Role, may_manage
from hub.attendance import pickups, presence
from hub.attendance.events import NewCheckIn, record_checkin, record_checkins
from hub.cards import codes as cards
from hub.cards import collectors
from hub.core.localtime import local, now_utc_iso
from wire import COLLECTOR_NOT_ALLOWED, CheckIn, Collection, ContractError, decode

DEFAULT_PER_UNIT_DAY = 2000  # well above a day of scans at the largest location


@dataclass(frozen=True)
class RefusedCheckIn:
    id: int
    event: CheckIn | Collection  # a collection: a collector card after a child's, not allowed
    via_unit: str
    location_id: str
    reason: str
    detail: str
    received_at: str
    state: str
    decided_by: str | None
    decided_at: str | None


def keep(
    db: sqlite_utils.Database,
    event: CheckIn | Collection,
    payload: bytes,
    via_unit: str,
    location_id: str,
    reason: str,
    detail: str,
    received_at: str,
    per_unit_day: int = DEFAULT_PER_UNIT_DAY,
) -> bool:
    """Keep a refused check-in (once per event id); False when the unit's quota for today is used up."""
    if db.execute("SELECT 1 FROM refused_events WHERE event_id = ?", (event.id,)).fetchone():
        return True
    day = received_at[:10]
    (today,) = db.execute(
        "SELECT count(*) FROM refused_events WHERE via_unit = ? AND day = ?", (via_unit, day)
    ).fetchone()
    if today >= per_unit_day:
        return False
    db.execute(
        """
        INSERT INTO refused_events (event_id, unit_id, via_unit, location_id, reason, detail, payload,
                                    received_at, day)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
        """,
        (event.id, event.unit, via_unit, location_id, reason, detail[:1000], payload, received_at, day),
    )
    return True


def count(db: sqlite_utils.Database, state: str | None = None) -> int:
    return db.execute(
        "SELECT count(*) FROM refused_events WHERE ? IS NULL OR state = ?", (state, state)
    ).fetchone()[0]


def open_count(db: sqlite_utils.Database, location_id: str) -> int:
    return db.execute(
        "SELECT count(*) FROM refused_events WHERE location_id = ? AND state = 'open'", (location_id,)
    ).fetchone()[0]


def listed(db: sqlite_utils.Database, location_id: str, state: str = "open") -> list[RefusedCheckIn]:
    """The refused check-ins delivered at a location, by unit then time."""
    rows = db.execute(
        f"SELECT {_COLUMNS} FROM refused_events WHERE location_id = ? AND state = ? "
        "ORDER BY via_unit, received_at, id",
        (location_id, state),
    ).fetchall()
    return [found for found in map(_row, rows) if found is not None]


def accept(db: sqlite_utils.Database, actor: Actor, refused_id: int, location_id: str) -> bool:
    """Store a refused check-in after review, once; True when it was new.

    One refused because its time lay ahead of the hub's clock goes to "tijd onzeker" (to be placed
    at a time by a person), not into the grid at the time the unit's wrong clock gave it. Only an
    organisator of the location that received it, and of the location the check-in names.
    """
    found = _decidable(db, actor, refused_id, location_id)
    if not may_manage(db, actor, found.event.location):
        raise Refused(
            "Deze registratie hoort bij een locatie die je niet beheert; ze kan hier niet aanvaard worden."
        )
    owner = cards.card_owners(db, {found.event.code}).get(found.event.code)
    child_id = owner[0] if owner else None
    with db.atomic():
        if isinstance(found.event, Collection):
            new = child_id is not None and _collected_after_review(db, found.event, child_id)
            _decide(db, refused_id, "accepted", actor)
            return new
        if found.reason == "clock_ahead":
            # its time is the unit's wrong clock: kept aside as "tijd onzeker" for a person to place
            [new] = record_checkins(db, [NewCheckIn(found.event, child_id, None)], now_utc_iso())
        else:
            new = record_checkin(db, found.event, child_id, now_utc_iso())
        if found.reason == COLLECTOR_NOT_ALLOWED and child_id is not None:
            _collected_after_review(db, found.event, child_id)
        _decide(db, refused_id, "accepted", actor)
    return new


def _collected_after_review(db: sqlite_utils.Database, event: CheckIn | Collection, child_id: int) -> bool:
    """A refused collector departure accepted by a person: "opgehaald door" the card's holder after
    all (the person at the door was checked). True when it was recorded now."""
    collector = event.collector or ""
    verdict = collectors.judge(db, collector, child_id)  # not allowed, but it names the person
    contact_id = verdict.contact_id
    if (
        contact_id is not None
        and not db.execute(
            "SELECT 1 FROM contacts WHERE id = ? AND child_id = ?", (contact_id, child_id)
        ).fetchone()
    ):
        contact_id = None  # the holder is no contact of this child: the name only
    event_id, collection_id = (event.event, event.id) if isinstance(event, Collection) else (event.id, None)
    now = now_utc_iso()
    recorded = db.execute(
        """
        INSERT INTO collector_departures (event_id, location_id, child_id, collector_code, contact_id, name,
                                          received_at, collection_id)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING
        """,
        (event_id, event.location, child_id, collector, contact_id, verdict.name, now, collection_id),
    ).rowcount
    row = db.execute("SELECT occurred_at FROM events WHERE id = ?", (event_id,)).fetchone()
    occurred_at = row[0] if row else event.wall_time
    pickups.record_collected(
        db, event.location, child_id, local(occurred_at).date(), contact_id, verdict.name, now
    )
    presence.bump(db, [(event.location, child_id)])
    return recorded == 1


def dismiss(db: sqlite_utils.Database, actor: Actor, refused_id: int, location_id: str) -> None:
    """Set a refused check-in aside for good, recording who did it."""
    _decidable(db, actor, refused_id, location_id)
    with db.atomic():
        _decide(db, refused_id, "dismissed", actor)


_COLUMNS = "id, payload, via_unit, location_id, reason, detail, received_at, state, decided_by, decided_at"


def _row(row: tuple) -> RefusedCheckIn | None:
    refused_id, payload, *rest = row
    try:
        event = decode(payload)
    except ContractError:  # kept by an older hub; nothing to show but the raw text
        return None
    if not isinstance(event, CheckIn | Collection):
        return None
    return RefusedCheckIn(refused_id, event, *rest)


def _decidable(db: sqlite_utils.Database, actor: Actor, refused_id: int, location_id: str) -> RefusedCheckIn:
    if actor.role is not Role.ORGANISATOR or not may_manage(db, actor, location_id):
        raise NoAccess(location_id)
    row = db.execute(
        f"SELECT {_COLUMNS} FROM refused_events WHERE id = ? AND location_id = ?", (refused_id, location_id)
    ).fetchone()
    found = _row(row) if row else None
    if found is None:
        raise NoAccess(str(refused_id))
    if found.state != "open":
        raise Refused("Over deze registratie is al beslist.")
    return found


def _decide(db: sqlite_utils.Database, refused_id: int, state: str, actor: Actor) -> None:
    who = json.dumps({"role": actor.role.value, "id": actor.id, "name": actor.name}, ensure_ascii=False)
    db.execute(
        "UPDATE refused_events SET state = ?, decided_by = ?, decided_at = ? WHERE id = ?",
        (state, who, now_utc_iso(), refused_id),
    )


def made_at(event: CheckIn) -> datetime:
    """The unit's wall time of the check-in, as an aware moment."""
    return datetime.fromisoformat(event.wall_time)
