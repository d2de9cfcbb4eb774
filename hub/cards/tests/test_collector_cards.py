"""Collector cards ("ophaalkaart"): a card of the stock given to a contact on the child's page; the
units' config lists it with the children that person may collect; the hub judges each collector
departure (a contact of that child who "mag ophalen")."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from hub.accounts.actors import Actor, NoAccess, Refused
from hub.cards import collectors
from hub.cards.codes import register_unassigned
from hub.children.queries import add_child, add_contact
from hub.core.db import connect
from hub.units.config import config_for
from hub.units.registry import registered_unit
from tests.support.portal_world import build_world

ZONNEBLOEM = Actor.location("zonnebloem", "Kinderdagverblijf De Zonnebloem")


@pytest.fixture
def world(hub_dir: Path):
    _database, other_child, _code = build_world(hub_dir, history_days=0)
    db = connect(hub_dir / "hub.sqlite3")
    jules = db.execute("SELECT id FROM children WHERE first_name = 'Jules'").fetchone()[0]
    (org,) = db.execute("SELECT organisator_id FROM locations WHERE id = 'zonnebloem'").fetchone()
    yield db, jules, org, other_child
    db.close()


def _card_of(db, child_id: int) -> str:
    return db.execute(
        "SELECT code FROM cards WHERE child_id = ? AND state = 'active'", (child_id,)
    ).fetchone()[0]


def test_a_contact_gets_a_card_from_the_stock_and_the_units_config_lists_it_with_the_child(world) -> None:
    db, jules, org, _other = world
    rita = add_contact(db, jules, "Oma Rita", "rita@example.org", "grootmoeder")
    [code] = register_unassigned(db, org, 1)
    assert (
        collectors.link_collector_card(db, ZONNEBLOEM, "zonnebloem", jules, rita, code, datetime.now(UTC))
        == code
    )
    config = config_for(db, registered_unit(db, "unit-zonnebloem-in"))
    assert config.collectors == {code: "Oma Rita"}
    assert config.collector_children == {code: _card_of(db, jules)}
    assert code not in config.roster, "not a child's card"
    assert collectors.judge(db, code, jules).allowed


def test_one_card_lets_a_grandmother_collect_two_siblings_known_by_the_same_email(world) -> None:
    db, jules, org, _other = world
    mila = db.execute("SELECT id FROM children WHERE first_name = 'Mila'").fetchone()[0]
    rita = add_contact(db, jules, "Oma Rita", "rita@example.org", "grootmoeder")
    add_contact(db, mila, "Oma Rita", "RITA@example.org", "grootmoeder")
    [code] = register_unassigned(db, org, 1)
    collectors.link_collector_card(db, ZONNEBLOEM, "zonnebloem", jules, rita, code, datetime.now(UTC))
    assert collectors.judge(db, code, mila).allowed
    config = config_for(db, registered_unit(db, "unit-zonnebloem-in"))
    assert set(config.collector_children[code].split()) == {_card_of(db, jules), _card_of(db, mila)}


def test_a_contact_who_may_not_collect_is_not_allowed_with_the_note_and_not_listed_for_the_child(
    world,
) -> None:
    db, jules, org, _other = world
    marc = add_contact(db, jules, "Nonkel Marc", None, "oom")
    db.execute("UPDATE contacts SET may_collect = 0, collect_note = 'bel de moeder' WHERE id = ?", (marc,))
    [code] = register_unassigned(db, org, 1)
    collectors.link_collector_card(db, ZONNEBLOEM, "zonnebloem", jules, marc, code, datetime.now(UTC))
    verdict = collectors.judge(db, code, jules)
    assert (verdict.allowed, verdict.reason) == (
        False,
        "Nonkel Marc mag dit kind niet ophalen: bel de moeder",
    )
    assert config_for(db, registered_unit(db, "unit-zonnebloem-in")).collector_children == {code: ""}


def test_a_collector_card_does_not_take_a_child_the_person_is_no_contact_of(world) -> None:
    db, jules, org, _other = world
    other_child = add_child(db, "zonnebloem", "Noor", "Janssens", datetime.now(UTC).date(), "v")
    rita = add_contact(db, jules, "Oma Rita", None, "grootmoeder")
    [code] = register_unassigned(db, org, 1)
    collectors.link_collector_card(db, ZONNEBLOEM, "zonnebloem", jules, rita, code, datetime.now(UTC))
    verdict = collectors.judge(db, code, other_child)
    assert not verdict.allowed and verdict.reason == "Oma Rita is geen contactpersoon van dit kind"


def test_a_lost_collector_card_takes_nobody(world) -> None:
    db, jules, org, _other = world
    rita = add_contact(db, jules, "Oma Rita", None, "grootmoeder")
    [code] = register_unassigned(db, org, 1)
    collectors.link_collector_card(db, ZONNEBLOEM, "zonnebloem", jules, rita, code, datetime.now(UTC))
    collectors.mark_lost(db, ZONNEBLOEM, "zonnebloem", jules, rita, code, datetime.now(UTC))
    assert not collectors.judge(db, code, jules).allowed
    assert config_for(db, registered_unit(db, "unit-zonnebloem-in")).collectors is None


def test_a_card_already_linked_or_of_another_organisation_is_refused(world) -> None:
    db, jules, _org, other_child = world
    rita = add_contact(db, jules, "Oma Rita", None, "grootmoeder")
    with pytest.raises(Refused, match="al gekoppeld"):
        collectors.link_collector_card(
            db, ZONNEBLOEM, "zonnebloem", jules, rita, _card_of(db, jules), datetime.now(UTC)
        )
    with pytest.raises(Refused, match="niet gekend bij je organisatie"):
        collectors.link_collector_card(
            db, ZONNEBLOEM, "zonnebloem", jules, rita, _card_of(db, other_child), datetime.now(UTC)
        )


def test_another_familys_contact_or_another_organisations_child_is_not_found(world) -> None:
    db, jules, org, other_child = world
    mila = db.execute("SELECT id FROM children WHERE first_name = 'Mila'").fetchone()[0]
    milas_mother = add_contact(db, mila, "Sofie", None, "moeder")
    [code] = register_unassigned(db, org, 1)
    with pytest.raises(NoAccess):
        collectors.link_collector_card(
            db, ZONNEBLOEM, "zonnebloem", jules, milas_mother, code, datetime.now(UTC)
        )
    with pytest.raises(NoAccess):
        collectors.link_collector_card(
            db, ZONNEBLOEM, "zonnebloem", other_child, milas_mother, code, datetime.now(UTC)
        )
