"""Who may manage which staff person, with which role and locations. No I/O.

An organisator (its own login, or a person with the organisator role) manages every person of
its organisation. A location's responsible ("verantwoordelijke") manages only medewerkers whose
locations are all among its own, and may give only the medewerker role and its own locations. A
medewerker manages no one.
"""

from __future__ import annotations

from collections.abc import Collection

from hub.core.actors import Actor, Role, StaffRole

ROLE_NL = {
    StaffRole.ORGANISATOR: "organisator",
    StaffRole.RESPONSIBLE: "verantwoordelijke",
    StaffRole.MEMBER: "medewerker",
}


def manages_staff(actor: Actor) -> bool:
    """Whether the actor has a "Medewerkers" page at all."""
    return actor.role is Role.ORGANISATOR or actor.staff_role is StaffRole.RESPONSIBLE


def grantable_roles(actor: Actor) -> tuple[StaffRole, ...]:
    if actor.role is Role.ORGANISATOR:
        return (StaffRole.MEMBER, StaffRole.RESPONSIBLE, StaffRole.ORGANISATOR)
    if actor.staff_role is StaffRole.RESPONSIBLE:
        return (StaffRole.MEMBER,)
    return ()


def may_manage_person(actor: Actor, role: StaffRole, locations: Collection[str]) -> bool:
    """Whether ``actor`` may change a person (of the actor's organisation) with this role and these
    locations. The organisation itself is checked by the caller, with the database."""
    if actor.role is Role.ORGANISATOR:
        return True
    if actor.staff_role is not StaffRole.RESPONSIBLE:
        return False
    return role is StaffRole.MEMBER and bool(locations) and set(locations) <= actor.locations


def assignment_problem(
    actor: Actor, role: StaffRole, locations: Collection[str], organisation_locations: Collection[str]
) -> str | None:
    """Why ``actor`` may not give this role and these locations (Dutch), or None."""
    if role not in grantable_roles(actor):
        return f"Je kan geen {ROLE_NL[role]} aanduiden."
    unknown = set(locations) - set(organisation_locations)
    if actor.role is Role.STAFF:
        unknown |= set(locations) - actor.locations
    if unknown:
        return "Kies alleen opvanglocaties uit de lijst."
    if role is not StaffRole.ORGANISATOR and not locations:
        return f"Kies minstens één opvanglocatie voor een {ROLE_NL[role]}."
    return None
