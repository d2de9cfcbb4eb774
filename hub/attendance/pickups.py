"""Who collected a child on a day: as staff fill it in on the cell's page, or by a collector card.

One row per location, child and day: a contact of the child who may collect, or a name typed in
(someone not on the list). A contact who "mag niet ophalen" cannot be chosen: the page shows why.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

import sqlite_utils

from hub.children.queries import Contact, contacts_of
from hub.core.actors import Actor, Refused
from hub.core.db import write_transaction
from hub.core.localtime import utc_iso

MAX_NAME = 100


@dataclass(frozen=True)
class Pickup:
    name: str
    contact_id: int | None
    recorded_by: str
    recorded_at: str


def pickup_of(db: sqlite_utils.Database, location_id: str, child_id: int, day: date) -> Pickup | None:
    row = db.execute(
        "SELECT name, contact_id, recorded_by, recorded_at FROM pickups "
        "WHERE location_id = ? AND child_id = ? AND day = ?",
        (location_id, child_id, day.isoformat()),
    ).fetchone()
    return Pickup(*row) if row else None


def set_pickup(
    db: sqlite_utils.Database,
    actor: Actor,
    location_id: str,
    organisator_id: int,
    child_id: int,
    day: date,
    contact_id: int | None,
    name: str,
    now: datetime,
) -> Pickup | None:
    """Record who collected (a contact, or a typed name); neither clears it. Raises :class:`Refused`.

    The caller has checked that ``actor`` may see this child's cell at ``location_id``."""
    contacts = {c.id: c for c in contacts_of(db, child_id, organisator_id)}
    chosen: Contact | None = None
    if contact_id is not None:
        chosen = contacts.get(contact_id)
        if chosen is None:
            raise Refused("Kies een contactpersoon van dit kind.")
        if not chosen.may_collect:
            note = f" ({chosen.collect_note})" if chosen.collect_note else ""
            raise Refused(f"{chosen.name} mag dit kind niet ophalen{note}.")
        name = chosen.name
    name = name.strip()
    if len(name) > MAX_NAME:
        raise Refused(f"De naam is te lang: hoogstens {MAX_NAME} tekens.")
    with write_transaction(db):
        if not name:
            db.execute(
                "DELETE FROM pickups WHERE location_id = ? AND child_id = ? AND day = ?",
                (location_id, child_id, day.isoformat()),
            )
            return None
        db.execute(
            """
            INSERT INTO pickups (location_id, child_id, day, contact_id, name, recorded_by, recorded_at)
            VALUES (?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT (location_id, child_id, day) DO UPDATE SET contact_id = excluded.contact_id,
                name = excluded.name, recorded_by = excluded.recorded_by, recorded_at = excluded.recorded_at
            """,
            (
                location_id,
                child_id,
                day.isoformat(),
                chosen.id if chosen else None,
                name,
                actor.name,
                utc_iso(now),
            ),
        )
    return pickup_of(db, location_id, child_id, day)


def record_collected(
    db: sqlite_utils.Database,
    location_id: str,
    child_id: int,
    day: date,
    contact_id: int | None,
    name: str,
    recorded_at: str,
) -> None:
    """A collector card's departure: "opgehaald door" that person (the latest word of the day wins,
    as when staff fill it in). The caller holds the write transaction."""
    db.execute(
        """
        INSERT INTO pickups (location_id, child_id, day, contact_id, name, recorded_by, recorded_at)
        VALUES (?, ?, ?, ?, ?, 'de ophaalkaart', ?)
        ON CONFLICT (location_id, child_id, day) DO UPDATE SET contact_id = excluded.contact_id,
            name = excluded.name, recorded_by = excluded.recorded_by, recorded_at = excluded.recorded_at
        """,
        (location_id, child_id, day.isoformat(), contact_id, name[:MAX_NAME], recorded_at),
    )
