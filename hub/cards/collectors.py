"""Collector cards ("ophaalkaart"): a card of the organisation's stock linked to a contact.

The card belongs to the person, not to a child: a contact row is one child's, so the person is that
contact and the contacts of other children with the same e-mail address (a grandmother of two
siblings). The units get the collector cards with the children each person may collect
(:func:`unit_fields`); a unit pairs a collector card with a child's card into a departure sent
with ``direction_by: "collector"``, and the hub judges it again when it stores it (:func:`judge`):
the person must be a contact of that child who "mag ophalen".
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlite_utils

from hub.accounts.actors import Actor, NoAccess, Refused
from hub.children.queries import contacts_of
from hub.children.service import child_at
from hub.core.db import write_transaction
from hub.core.localtime import utc_iso
from hub.locations.access import location_for
from wire import cardcode

# The contacts that are the same person as a card's contact k: the contact itself, or a contact of
# the same organisation with the same (non-empty) e-mail address.
_SAME_PERSON = """
    (p.id = k.id OR (k.email IS NOT NULL AND k.email != '' AND p.email = k.email
                     AND p.organisator_id IS NOT DISTINCT FROM k.organisator_id))
"""


@dataclass(frozen=True)
class Judgement:
    """The hub's judgement of one collector departure: allowed with the contact, or a reason."""

    allowed: bool
    name: str  # the collector's name, or the card's code when the card is not a collector card
    contact_id: int | None = None
    reason: str = ""  # for people (Dutch), when not allowed


def link_collector_card(
    db: sqlite_utils.Database,
    actor: Actor,
    location_id: str,
    child_id: int,
    contact_id: int,
    typed: str,
    now: datetime,
) -> str:
    """Give a contact of the child a collector card of the organisation's unassigned stock (typed
    code); returns the code. Raises :class:`Refused` with the reason for people."""
    child_at(db, actor, location_id, child_id)
    organisator_id = location_for(db, actor, location_id).organisator_id
    contact = next((c for c in contacts_of(db, child_id, organisator_id) if c.id == contact_id), None)
    if contact is None:
        raise NoAccess(contact_id)
    code = cardcode.normalise(typed)
    if not cardcode.is_valid(code):
        raise Refused("Deze kaartcode klopt niet: kijk de cijfers na.")
    row = db.execute(
        "SELECT organisator_id, state, child_id, staff_id, contact_id FROM cards WHERE code = ?", (code,)
    ).fetchone()
    if row is None or row[0] != organisator_id:
        raise Refused("Deze kaart is niet gekend bij je organisatie.")
    if row[1] != "unassigned" or any(owner is not None for owner in row[2:]):
        raise Refused("Deze kaart is al gekoppeld. Kies een nieuwe kaart.")
    with write_transaction(db):
        db.execute(
            "UPDATE cards SET contact_id = ?, state = 'active', linked_at = ? WHERE code = ?",
            (contact.id, utc_iso(now), code),
        )
    return code


def unit_fields(db: sqlite_utils.Database, location_id: str) -> dict[str, dict[str, str] | None]:
    """``collectors`` (code -> name), ``collector_children`` (code -> the card codes of the
    location's children that person may collect, space-separated) and ``collector_refused`` (the
    same for children whose contact the person is but who "mag niet ophalen") for a unit's config;
    None when the location has no collector cards, so the config stays as it was."""
    rows = db.execute(
        f"""
        SELECT c.code, k.name, ch.code, p.may_collect = 1 FROM cards c
        JOIN contacts k ON k.id = c.contact_id
        LEFT JOIN contacts p ON {_SAME_PERSON}
        LEFT JOIN child_locations cl ON cl.child_id = p.child_id AND cl.location_id = :loc
        LEFT JOIN cards ch ON ch.child_id = cl.child_id AND ch.state = 'active'
        WHERE c.state = 'active' AND EXISTS (
            SELECT 1 FROM contacts q JOIN child_locations ql ON ql.child_id = q.child_id
            WHERE ql.location_id = :loc AND (q.id = k.id OR (k.email IS NOT NULL AND k.email != ''
                AND q.email = k.email AND q.organisator_id IS NOT DISTINCT FROM k.organisator_id)))
        ORDER BY c.code, ch.code
        """,
        {"loc": location_id},
    ).fetchall()
    names: dict[str, str] = {}
    children: dict[str, list[str]] = {}
    refused: dict[str, list[str]] = {}
    for code, name, child_code, may in rows:
        names[code] = name
        children.setdefault(code, [])
        if child_code is not None:
            (children if may else refused).setdefault(code, []).append(child_code)
    if not names:
        return {"collectors": None, "collector_children": None, "collector_refused": None}
    # the same person as two contacts of one child: one that may collect is enough (see judge)
    not_allowed = {
        code: " ".join(sorted(set(codes) - set(children[code]))) for code, codes in refused.items()
    }
    return {
        "collectors": names,
        "collector_children": {code: " ".join(codes) for code, codes in children.items()},
        "collector_refused": {code: codes for code, codes in not_allowed.items() if codes} or None,
    }


def judge(db: sqlite_utils.Database, collector_code: str, child_id: int) -> Judgement:
    """Whether the holder of ``collector_code`` may collect the child: a contact of that child (the
    card's contact or the same person) who "mag ophalen"."""
    card = db.execute(
        "SELECT k.id, k.name FROM cards c JOIN contacts k ON k.id = c.contact_id "
        "WHERE c.code = ? AND c.state = 'active'",
        (collector_code,),
    ).fetchone()
    if card is None:
        return Judgement(False, cardcode.pretty(collector_code), reason="geen geldige ophaalkaart")
    contact_id, name = card
    rows = db.execute(
        f"""
        SELECT p.id, p.may_collect = 1, p.collect_note FROM contacts k JOIN contacts p ON {_SAME_PERSON}
        WHERE k.id = ? AND p.child_id = ? ORDER BY p.may_collect DESC, p.id
        """,
        (contact_id, child_id),
    ).fetchall()
    if not rows:
        return Judgement(False, name, contact_id, f"{name} is geen contactpersoon van dit kind")
    match_id, may, note = rows[0]
    if not may:
        return Judgement(
            False, name, match_id, f"{name} mag dit kind niet ophalen" + (f": {note}" if note else "")
        )
    return Judgement(True, name, match_id)


def record_departure(
    db: sqlite_utils.Database,
    event_id: str,
    location_id: str,
    child_id: int,
    collector_code: str,
    verdict: Judgement,
    received_at: str,
    collection_id: str | None = None,
) -> None:
    """Note that a collector made this departure (once per event id, and once per collection: the
    id of the unit's ``collection`` message when the collector card came after the child's; never
    changed afterwards)."""
    db.execute(
        """
        INSERT INTO collector_departures (event_id, location_id, child_id, collector_code, contact_id, name,
                                          received_at, collection_id)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING
        """,
        (event_id, location_id, child_id, collector_code, verdict.contact_id, verdict.name, received_at,
         collection_id),
    )  # fmt: skip


def is_recorded(db: sqlite_utils.Database, event_id: str) -> bool:
    return (
        db.execute("SELECT 1 FROM collector_departures WHERE event_id = ?", (event_id,)).fetchone()
        is not None
    )


def mark_lost(
    db: sqlite_utils.Database,
    actor: Actor,
    location_id: str,
    child_id: int,
    contact_id: int,
    code: str,
    now: datetime,
) -> None:
    """A contact's collector card is lost: it pairs with no child's card any more."""
    child_at(db, actor, location_id, child_id)
    organisator_id = location_for(db, actor, location_id).organisator_id
    if not any(c.id == contact_id for c in contacts_of(db, child_id, organisator_id)):
        raise NoAccess(contact_id)
    with write_transaction(db):
        changed = db.execute(
            "UPDATE cards SET state = 'lost', lost_at = ? "
            "WHERE code = ? AND contact_id = ? AND state = 'active'",
            (utc_iso(now), code, contact_id),
        ).rowcount
    if not changed:
        raise Refused("Deze ophaalkaart is niet (meer) actief.")
