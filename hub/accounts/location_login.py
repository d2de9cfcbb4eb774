"""A location logs in with its dossier number and PIN: finding the location, reading its PIN hash.

The accounts own the login; the location's record and its PIN page are in :mod:`hub.locations`
(which re-exports these). Setting a PIN is :func:`hub.locations.access.set_pin`.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlite_utils


@dataclass(frozen=True)
class LoginLocation:
    """A location as the login pages show it."""

    id: str
    name: str
    address: str
    dossier_number: str


def location_by_dossier(db: sqlite_utils.Database, dossier_number: str) -> LoginLocation | None:
    """The location with this dossier number (spaces, dots and dashes as people type them ignored)."""
    typed = "".join(ch for ch in dossier_number if ch.isalnum())
    row = db.execute(
        "SELECT id, name, address, dossier_number FROM locations"
        " WHERE replace(replace(replace(dossier_number, ' ', ''), '.', ''), '-', '') = ? COLLATE NOCASE",
        (typed,),
    ).fetchone()
    return LoginLocation(*row) if row and typed else None


def has_pin(db: sqlite_utils.Database, location_id: str) -> bool:
    row = db.execute("SELECT pin_hash IS NOT NULL FROM locations WHERE id = ?", (location_id,)).fetchone()
    return bool(row and row[0])


def pin_hash(db: sqlite_utils.Database, location_id: str) -> str | None:
    row = db.execute("SELECT pin_hash FROM locations WHERE id = ?", (location_id,)).fetchone()
    return row[0] if row else None
