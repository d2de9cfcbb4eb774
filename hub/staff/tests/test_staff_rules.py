"""Who may manage which staff person (pure rules, no database)."""

from __future__ import annotations

from hub.core.actors import Actor, StaffRole
from hub.staff.rules import assignment_problem, grantable_roles, manages_staff, may_manage_person

ORGANISATOR = Actor.organisator(1, "Vzw Zon")
RESPONSIBLE = Actor.staff(7, "Lien", StaffRole.RESPONSIBLE, frozenset({"zon"}))
MEMBER = Actor.staff(8, "Jan", StaffRole.MEMBER, frozenset({"zon"}))
EVERY = ["zon", "maan"]


def test_an_organisator_manages_everyone_and_gives_every_role() -> None:
    assert manages_staff(ORGANISATOR)
    assert set(grantable_roles(ORGANISATOR)) == set(StaffRole)
    assert may_manage_person(ORGANISATOR, StaffRole.RESPONSIBLE, ["maan"])
    assert assignment_problem(ORGANISATOR, StaffRole.ORGANISATOR, [], EVERY) is None


def test_a_responsible_manages_medewerkers_of_own_locations_only() -> None:
    assert manages_staff(RESPONSIBLE)
    assert grantable_roles(RESPONSIBLE) == (StaffRole.MEMBER,)
    assert may_manage_person(RESPONSIBLE, StaffRole.MEMBER, ["zon"])
    assert not may_manage_person(RESPONSIBLE, StaffRole.MEMBER, ["zon", "maan"])
    assert not may_manage_person(RESPONSIBLE, StaffRole.RESPONSIBLE, ["zon"])
    assert (
        assignment_problem(RESPONSIBLE, StaffRole.MEMBER, ["maan"], EVERY)
        == "Kies alleen opvanglocaties uit de lijst."
    )


def test_a_medewerker_manages_no_one() -> None:
    assert not manages_staff(MEMBER)
    assert grantable_roles(MEMBER) == ()
    assert not may_manage_person(MEMBER, StaffRole.MEMBER, ["zon"])


def test_a_medewerker_or_responsible_needs_a_location_and_acts_as_the_location_in_the_history() -> None:
    assert "minstens één opvanglocatie" in assignment_problem(ORGANISATOR, StaffRole.MEMBER, [], EVERY)
    assert MEMBER.at_location and MEMBER.record_role.value == "location" and MEMBER.record_id == "staff:8"
    assert ORGANISATOR.record_id == "1" and not ORGANISATOR.at_location
