"""Who is acting in the hub: a location (logged in with its PIN), an organisator, or a staff member
with a personal login, and the two refusals every service can raise. Plain values, known to every
layer; the login side (sessions, passwords, who may manage what) is in :mod:`hub.accounts`.

The portal makes an :class:`Actor` from its session; service functions take one and check
themselves that it may touch what it asks for, so no screen can forget to.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Role(StrEnum):
    LOCATION = "location"
    ORGANISATOR = "organisator"
    STAFF = "staff"  # a person ("verantwoordelijke" or "medewerker") acting for their own locations


class StaffRole(StrEnum):
    """A personal login's role within its organisation (the "Medewerkers" page sets it)."""

    ORGANISATOR = "organisator"  # acts as the organisator (Role.ORGANISATOR), under its own name
    RESPONSIBLE = "verantwoordelijke"  # a location's responsible: its locations, and their medewerkers
    MEMBER = "medewerker"  # its locations, like the location's own login


@dataclass(frozen=True)
class Actor:
    role: Role
    id: str  # the location id, the organisator id as text, or (STAFF) the person's id as text
    name: str  # as the history shows it: the location's name, the organisator's or staff person
    person_id: int | None = None  # the staff person behind a personal login (any role), else None
    staff_role: StaffRole | None = None
    locations: frozenset[str] = frozenset()  # STAFF: the locations this person may act for

    @classmethod
    def location(cls, location_id: str, name: str) -> Actor:
        return cls(Role.LOCATION, location_id, name)

    @classmethod
    def organisator(cls, organisator_id: int, name: str, person_id: int | None = None) -> Actor:
        staff_role = StaffRole.ORGANISATOR if person_id is not None else None
        return cls(Role.ORGANISATOR, str(organisator_id), name, person_id, staff_role)

    @classmethod
    def staff(cls, person_id: int, name: str, staff_role: StaffRole, locations: frozenset[str]) -> Actor:
        return cls(Role.STAFF, str(person_id), name, person_id, staff_role, frozenset(locations))

    @property
    def at_location(self) -> bool:
        """True for those who act as a location does (its login, its staff): a location's windows."""
        return self.role is not Role.ORGANISATOR

    @property
    def record_role(self) -> Role:
        """The role a history row keeps: a staff member acts for the location (the person is in the name)."""
        return Role.LOCATION if self.role is Role.STAFF else self.role

    @property
    def record_id(self) -> str:
        """The id a history row keeps: ``staff:<id>`` for a person, else the location or organisator."""
        return f"staff:{self.person_id}" if self.person_id is not None else self.id


class Refused(Exception):
    """A change the hub will not make; ``reason`` is the Dutch sentence for the screen."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class NoAccess(LookupError):
    """What was asked for does not exist, or is not this actor's: the portal answers 404 either way."""
