"""Linking QR cards to children: by typing the digits, or by "scan aan de deur".

A card belongs to one organisator and, once linked, to one child; a child has one active card
at a time (a lost card is marked lost first, then a replacement is linked). "Scan aan de deur":
the portal opens a request and the hub publishes ``link_card`` to the chosen unit; the unit's
``card_read`` answer comes through the ingest (:mod:`hub.ingest.card_reads`) to :func:`answer`,
which links the card if the request is still open and the card is free, or keeps the Dutch reason
why not.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlite_utils

from hub.accounts.actors import Actor, NoAccess, Refused
from hub.children.queries import Card, active_cards, cards_of, get_child  # noqa: F401 - re-exported
from hub.children.service import child_at
from hub.core.db import write_transaction
from hub.core.localtime import parse_utc, utc_iso
from hub.locations.access import location_for
from wire import CardRead, LinkCard, cardcode, encode
from wire.ids import new_event_id

log = logging.getLogger(__name__)

LINK_VALID_S = 60  # the unit waits this long for the card
_TRANSIT = timedelta(seconds=10)  # the command's and the answer's way through the broker


@dataclass(frozen=True)
class LinkRequest:
    id: str
    location_id: str
    unit_id: str
    child_id: int
    state: str  # "open", "linked", "refused"
    code: str | None
    reason: str | None
    expires_at: datetime

    def expired(self, now: datetime) -> bool:
        return self.state == "open" and now >= self.expires_at


def link_code(
    db: sqlite_utils.Database, organisator_id: int, child_id: int, code: str, now: datetime
) -> None:
    """Link ``code`` to a child inside the caller's transaction; raises :class:`Refused` (Dutch)."""
    child = get_child(db, child_id)
    assert child is not None
    if not cardcode.is_valid(code):
        raise Refused("Deze code klopt niet: controleer de 10 cijfers onder de QR-code.")
    current = db.execute(
        "SELECT code FROM cards WHERE child_id = ? AND state = 'active'", (child_id,)
    ).fetchone()
    if current is not None and current[0] == code:
        raise Refused(f"Deze kaart is al gekoppeld aan {child.first_name}.")
    if current is not None:
        raise Refused(
            f"{child.first_name} heeft al een actieve kaart ({cardcode.pretty(current[0])}). "
            "Meld die eerst als verloren en koppel dan de nieuwe."
        )
    row = db.execute(
        """
        SELECT c.organisator_id, c.state, ch.first_name, ch.last_name FROM cards c
        LEFT JOIN children ch ON ch.id = c.child_id WHERE c.code = ?
        """,
        (code,),
    ).fetchone()
    if row is None:
        db.execute(
            "INSERT INTO cards (code, organisator_id, child_id, state, linked_at)"
            " VALUES (?, ?, ?, 'active', ?)",
            (code, organisator_id, child_id, utc_iso(now)),
        )
        return
    owner, state, first, last = row
    if owner != organisator_id:
        raise Refused("Deze kaart hoort bij een andere organisator en kan hier niet gekoppeld worden.")
    if state == "lost":
        raise Refused(
            "Deze kaart is als verloren gemeld en kan niet opnieuw gebruikt worden. Neem een nieuwe kaart."
        )
    if state == "active":
        raise Refused(f"Deze kaart is al gekoppeld aan {first} {last}.")
    db.execute(
        "UPDATE cards SET child_id = ?, state = 'active', linked_at = ? WHERE code = ?",
        (child_id, utc_iso(now), code),
    )


def link_typed(
    db: sqlite_utils.Database, actor: Actor, location_id: str, child_id: int, typed: str, now: datetime
) -> str:
    """Link the card whose digits were typed; returns its code. Raises :class:`Refused`."""
    location = location_for(db, actor, location_id)
    child_at(db, actor, location_id, child_id)
    code = cardcode.normalise(typed)
    with write_transaction(db):
        link_code(db, location.organisator_id, child_id, code, now)
    return code


def mark_lost(
    db: sqlite_utils.Database, actor: Actor, location_id: str, child_id: int, code: str, now: datetime
) -> None:
    """The child's active card is lost: scans of it count as an unknown card from now on."""
    child_at(db, actor, location_id, child_id)
    with write_transaction(db):
        changed = db.execute(
            "UPDATE cards SET state = 'lost', lost_at = ?"
            " WHERE code = ? AND child_id = ? AND state = 'active'",
            (utc_iso(now), code, child_id),
        ).rowcount
    if not changed:
        raise Refused("Deze kaart is niet (meer) actief voor dit kind.")


# "Scan aan de deur"


def open_request(
    db: sqlite_utils.Database, actor: Actor, location_id: str, child_id: int, unit_id: str, now: datetime
) -> tuple[LinkRequest, bytes]:
    """Open a link request at one of the location's units; returns it and the link_card payload."""
    location_for(db, actor, location_id)
    child = child_at(db, actor, location_id, child_id)
    unit = db.execute(
        "SELECT 1 FROM units WHERE id = ? AND location_id = ? AND state = 'active'"
        " AND offline_after_s IS NULL",  # a browser scanner gets no link_card over MQTT
        (unit_id, location_id),
    ).fetchone()
    if unit is None:
        raise Refused("Kies een scanner van deze opvanglocatie.")
    request_id = new_event_id()
    expires = now + timedelta(seconds=LINK_VALID_S) + _TRANSIT
    with write_transaction(db):
        db.execute(
            """
            INSERT INTO link_requests
                (id, location_id, unit_id, child_id, requested_by, created_at, expires_at)
            VALUES (?, ?, ?, ?, ?, ?, ?)
            """,
            (request_id, location_id, unit_id, child_id, actor.name, utc_iso(now), utc_iso(expires)),
        )
    payload = encode(LinkCard(request=request_id, child=child.first_name, valid_s=LINK_VALID_S))
    return get_request(db, actor, location_id, request_id), payload


def get_request(db: sqlite_utils.Database, actor: Actor, location_id: str, request_id: str) -> LinkRequest:
    location_for(db, actor, location_id)
    request = _request(db, request_id)
    if request is None or request.location_id != location_id:
        raise NoAccess(request_id)
    return request


def _request(db: sqlite_utils.Database, request_id: str) -> LinkRequest | None:
    row = db.execute(
        "SELECT id, location_id, unit_id, child_id, state, code, reason, expires_at"
        " FROM link_requests WHERE id = ?",
        (request_id,),
    ).fetchone()
    return LinkRequest(*row[:7], parse_utc(row[7])) if row else None


def answer(db: sqlite_utils.Database, read: CardRead, now: datetime) -> LinkRequest | None:
    """Take a unit's card_read inside the ingest's transaction; returns the request it answered
    (None when there is no such open request: unknown, from another unit, or answered already)."""
    request = _request(db, read.request)
    if request is None or (request.location_id, request.unit_id) != (read.location, read.unit):
        log.warning("card_read for unknown request %s from %s@%s", read.request, read.unit, read.location)
        return None
    if request.state != "open":
        return None  # answered already (the unit's message came twice)
    reason = None
    if request.expired(now):
        reason = "De kaart werd te laat gescand: de aanvraag was verlopen. Probeer opnieuw."
    else:
        (organisator_id,) = db.execute(
            "SELECT organisator_id FROM locations WHERE id = ?", (request.location_id,)
        ).fetchone()
        try:  # link_code checks everything before it writes
            link_code(db, organisator_id, request.child_id, read.code, now)
        except Refused as refused:
            reason = refused.reason
    db.execute(
        "UPDATE link_requests SET state = ?, code = ?, reason = ?, answered_at = ? WHERE id = ?",
        ("refused" if reason else "linked", read.code, reason, utc_iso(now), request.id),
    )
    return _request(db, request.id)
