"""Which locations an actor may see, and the location PIN and scanner code, which only its organisator sets.

Every portal screen about a location starts here: :func:`location_for` raises
:class:`~hub.core.actors.NoAccess` for a location that does not exist *and* for one that is not the
actor's, so tampering with the id in a URL learns nothing.
"""

from __future__ import annotations

import sqlite_utils

from hub.accounts import sessions
from hub.accounts.location_login import has_pin, location_by_dossier, pin_hash  # noqa: F401 - re-exported
from hub.accounts.passwords import hash_secret, verify_secret
from hub.core.actors import Actor, NoAccess, Refused, Role
from hub.core.db import write_transaction
from hub.locations.pin_rules import pin_problem
from hub.locations.queries import Location

_COLUMNS = "id, organisator_id, dossier_number, name, address, price_model"


def locations_of(db: sqlite_utils.Database, actor: Actor) -> list[Location]:
    """The locations an actor may open: an organisator's own, a staff member's, or the location
    itself; by name."""
    if actor.role is Role.STAFF:
        marks = ",".join("?" * len(actor.locations))
        rows = db.execute(
            f"SELECT {_COLUMNS} FROM locations WHERE id IN ({marks}) ORDER BY name COLLATE NOCASE, id",
            sorted(actor.locations),
        ).fetchall()
        return [Location(*row) for row in rows]
    column = "id" if actor.role is Role.LOCATION else "organisator_id"
    rows = db.execute(
        f"SELECT {_COLUMNS} FROM locations WHERE {column} = ? ORDER BY name COLLATE NOCASE, id",
        (actor.id,),
    ).fetchall()
    return [Location(*row) for row in rows]


def location_for(db: sqlite_utils.Database, actor: Actor, location_id: str) -> Location:
    """The location, if the actor may see it; raises :class:`NoAccess` otherwise."""
    row = db.execute(f"SELECT {_COLUMNS} FROM locations WHERE id = ?", (location_id,)).fetchone()
    location = Location(*row) if row else None
    if location is None:
        raise NoAccess(location_id)
    if actor.role is Role.LOCATION:
        allowed = location.id == actor.id
    elif actor.role is Role.STAFF:
        allowed = location.id in actor.locations
    else:
        allowed = str(location.organisator_id) == actor.id
    if not allowed:
        raise NoAccess(location_id)
    return location


def set_pin(db: sqlite_utils.Database, actor: Actor, location_id: str, pin: str, repeated: str) -> None:
    """Set or change a location's PIN; only its organisator may. Raises :class:`Refused`.

    Whoever is logged in as the location with the old PIN is logged out: a PIN is changed
    because someone who knew it should no longer get in.
    """
    location = location_for(db, actor, location_id)
    if actor.role is not Role.ORGANISATOR:
        raise Refused("Enkel de organisator kan de pincode van een opvanglocatie instellen.")
    pin = pin.strip()
    if pin != repeated.strip():
        raise Refused("De twee pincodes zijn niet gelijk. Typ twee keer dezelfde pincode.")
    problem = pin_problem(pin, location.dossier_number)
    if problem:
        raise Refused(problem)
    scanner = db.execute("SELECT scanner_code FROM locations WHERE id = ?", (location.id,)).fetchone()[0]
    if scanner is not None and scanner == pin:
        raise Refused("Kies een pincode die verschilt van de scannercode van de scanners.")
    hashed = hash_secret(pin)  # before the transaction: argon2 takes a while, the write lock should not
    with write_transaction(db):
        db.execute("UPDATE locations SET pin_hash = ? WHERE id = ?", (hashed, location.id))
        sessions.end_all(db, Role.LOCATION, location.id)


def has_scanner_code(db: sqlite_utils.Database, location_id: str) -> bool:
    row = db.execute("SELECT scanner_code IS NOT NULL FROM locations WHERE id = ?", (location_id,)).fetchone()
    return bool(row and row[0])


def set_scanner_code(
    db: sqlite_utils.Database, actor: Actor, location_id: str, code: str, repeated: str
) -> None:
    """Set or change the code staff type on the location's scanners; raises :class:`Refused`.

    The same rules as the PIN, and it may not be the PIN: the scanners must not teach anyone
    the portal's PIN. The caller refreshes the units' hashes and republishes their configs.
    """
    location = location_for(db, actor, location_id)
    if actor.role is not Role.ORGANISATOR:
        raise Refused("Enkel de organisator kan de scannercode van een opvanglocatie instellen.")
    code = code.strip()
    if code != repeated.strip():
        raise Refused("De twee scannercodes zijn niet gelijk. Typ twee keer dezelfde code.")
    problem = pin_problem(code, location.dossier_number)
    if problem:
        raise Refused(problem.replace("pincode", "scannercode"))
    stored = pin_hash(db, location.id)
    if stored is not None and verify_secret(stored, code):
        raise Refused("Kies een scannercode die verschilt van de pincode van het portaal.")
    with write_transaction(db):
        db.execute("UPDATE locations SET scanner_code = ? WHERE id = ?", (code, location.id))
