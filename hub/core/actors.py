"""Who is acting in the hub: a location (logged in with its PIN) or an organisator, and the two
refusals every service can raise. Plain values, known to every layer; the login side (sessions,
passwords, who may manage what) is in :mod:`hub.accounts`.

The portal makes an :class:`Actor` from its session; service functions take one and check
themselves that it may touch what it asks for, so no screen can forget to.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


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


class Refused(Exception):
    """A change the hub will not make; ``reason`` is the Dutch sentence for the screen."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class NoAccess(LookupError):
    """What was asked for does not exist, or is not this actor's: the portal answers 404 either way."""
