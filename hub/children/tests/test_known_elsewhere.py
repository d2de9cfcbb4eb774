"""A child known to another organisator: found only by its exact first name, last name and birth
date (nothing else is shown), added with its card, its contacts staying with the organisator that
entered them; its hours at both organisators on one day add up in the KO-toeslag preview.
Fixed dates in March 2026."""

from __future__ import annotations

from datetime import date

import pytest

from hub.accounts.actors import Actor, NoAccess
from hub.cards.codes import roster
from hub.children.queries import add_contact, contacts_of
from hub.children.service import contacts_for, link_known, search_known
from hub.demo import DemoData
from hub.prices.ko_toeslag import Credit
from hub.upload.month import prepare_month
from hub.upload.service import preview
from tests.support.attendance import ARRIVAL, DEPARTURE, Door, at, db, door
from tests.support.portal_world import seed_other_organisator

__all__ = ["db", "door"]  # fixtures
BORN = date(2024, 5, 1)  # the other organisator's child "Geheim Kind" (tests/support/portal_world.py)


@pytest.fixture
def other(hub_dir, demo: DemoData, db) -> tuple[int, str]:
    child, code = seed_other_organisator(hub_dir / "hub.sqlite3")
    return child, code


def zonnebloem(demo: DemoData) -> Actor:
    return Actor.location(demo.location_id, "Kinderdagverblijf De Zonnebloem")


def test_a_child_of_another_organisator_is_found_only_by_name_and_birth_date(db, demo, other) -> None:
    assert search_known(db, zonnebloem(demo), demo.location_id, "Geheim", "Kind") == []
    assert search_known(db, zonnebloem(demo), demo.location_id, "Geheim", "Kind", date(2024, 5, 2)) == []
    [found] = search_known(db, zonnebloem(demo), demo.location_id, "geheim", "kind", BORN)
    assert found.elsewhere and found.locations == () and not found.here
    assert (found.child.sex, found.child.school_start) == (None, None), "nothing but what was typed"


def test_it_is_added_with_its_card_and_the_other_organisators_contacts_stay_theirs(db, demo, other) -> None:
    child, code = other
    add_contact(db, child, "Moeder Geheim", "moeder@geheim.example", "moeder")  # entered at Klavertje
    with pytest.raises(NoAccess):
        link_known(db, zonnebloem(demo), demo.location_id, child)  # an id alone is not enough
    with pytest.raises(NoAccess):
        link_known(db, zonnebloem(demo), demo.location_id, child, ("Geheim", "Kind", date(2024, 5, 2)))
    link_known(db, zonnebloem(demo), demo.location_id, child, ("Geheim", "Kind", BORN))
    assert code in roster(db, demo.location_id), "the card works here too"
    assert contacts_for(db, zonnebloem(demo), demo.location_id, child) == []
    (klavertje_org,) = db.execute("SELECT organisator_id FROM locations WHERE id = 'klavertje'").fetchone()
    assert [c.name for c in contacts_of(db, child, klavertje_org)] == ["Moeder Geheim"]


def test_hours_at_two_organisators_on_one_day_add_up_in_the_ko_toeslag_preview(db, door, demo, other) -> None:
    child, code = other
    link_known(db, zonnebloem(demo), demo.location_id, child, ("Geheim", "Kind", BORN))
    db["units"].insert({"id": "unit-klavertje", "location_id": "klavertje"})
    db.conn.commit()
    klavertje = Door(db, DemoData("klavertje", "unit-klavertje", {"Geheim": code}))
    klavertje.scan("Geheim", at("2026-03-10", "08:00"), ARRIVAL)
    klavertje.scan("Geheim", at("2026-03-10", "11:00"), DEPARTURE)
    door.scan(code, at("2026-03-10", "13:00"), ARRIVAL)
    door.scan(code, at("2026-03-10", "16:00"), DEPARTURE)
    prepared = prepare_month(db, demo.location_id, 2026, 3, now=at("2026-04-02", "09:00"))
    [mine] = [p for p in preview(prepared) if p.child.id == child]
    [day] = [d for d in mine.subsidy.days if d.day == date(2026, 3, 10)]
    assert (day.minutes_here, day.minutes_elsewhere) == (180, 180)
    assert day.credit is Credit.WHOLE, "3 + 3 hours: a whole day, where either alone is half"
