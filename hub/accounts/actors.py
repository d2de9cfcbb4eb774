"""Who is acting in the hub: a location (logged in with its PIN) or an organisator.

The portal makes an :class:`Actor` from its session; service functions take one and check
themselves that it may touch what it asks for, so no screen can forget to.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

import sqlite_utils


class Role(StrEnum):
    LOCATION = "location"
    ORGANISATOR = "organisator"


@dataclass(frozen=True)
class Actor:
    role: Role
    id: str  # the location id, or the organisator id as text
    name: str  # as the history shows it: the location's name, the organisator's person

    @classmethod
    def location(cls, location_id: str, name: str) -> Actor:
        return cls(Role.LOCATION, location_id, name)

    @classmethod
    def organisator(cls, organisator_id: int, name: str) -> Actor:
        return cls(Role.ORGANISATOR, str(organisator_id), name)


def may_manage(db: sqlite_utils.Database, actor: Actor, location_id: str) -> bool:
    """A location manages only itself; an organisator only its own locations."""
    if actor.role is Role.LOCATION:
        return actor.id == location_id
    row = db.execute("SELECT organisator_id FROM locations WHERE id = ?", (location_id,)).fetchone()
    return row is not None and str(row[0]) == actor.id


class Refused(Exception):
    """A change the hub will not make; ``reason`` is the Dutch sentence for the screen."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class NoAccess(LookupError):
    """What was asked for does not exist, or is not this actor's: the portal answers 404 either way."""
