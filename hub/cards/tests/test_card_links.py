"""Linking cards to children: typed digits (check digit validated), "scan aan de deur" answered
through the ingest, lost cards and their replacement; every change refreshes the units' roster."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from hub.accounts.actors import Actor, NoAccess, Refused
from hub.cards import links as card_links
from hub.cards.codes import card_owner, roster
from hub.children.queries import add_child
from hub.core.db import connect
from hub.ingest.card_reads import card_read_handler
from hub.ingest.link import Delivery
from hub.ingest.pipeline import Ingest
from hub.units.config import config_for
from hub.units.registry import registered_unit
from tests.support.portal_world import build_world
from wire import CardRead, LinkCard, Source, Topic, TopicKind, cardcode, decode, encode


def now() -> datetime:
    """The time now: the card-read handler checks requests against the real clock, so a test
    must not use a time taken when the module was imported, minutes earlier in a full run."""
    return datetime.now(UTC)


ZONNEBLOEM = Actor.location("zonnebloem", "Kinderdagverblijf De Zonnebloem")


@pytest.fixture
def db(hub_dir: Path):
    build_world(hub_dir, history_days=0)
    conn = connect(hub_dir / "hub.sqlite3")
    yield conn
    conn.close()


@pytest.fixture
def paulien(db) -> int:
    return add_child(db, "zonnebloem", "Paulien", "Claes")


def fresh_code() -> str:
    return cardcode.new_code()


def test_a_typed_card_is_linked_and_a_mistyped_one_refused(db, paulien: int) -> None:
    code = fresh_code()
    mistyped = (
        code[:-2] + code[-1] + code[-2] if code[-1] != code[-2] else code[:-1] + str((int(code[-1]) + 1) % 10)
    )
    with pytest.raises(Refused, match="Deze code klopt niet"):
        card_links.link_typed(db, ZONNEBLOEM, "zonnebloem", paulien, mistyped, now())
    linked = card_links.link_typed(db, ZONNEBLOEM, "zonnebloem", paulien, cardcode.pretty(code), now())
    assert linked == code
    assert card_owner(db, code) == (paulien, "Paulien")
    assert roster(db, "zonnebloem")[code] == "Paulien"


def test_a_card_in_use_lost_or_of_another_organisator_is_refused_with_the_reason(db, paulien: int) -> None:
    jules = db.execute(
        "SELECT code FROM cards c JOIN children ch ON ch.id = c.child_id WHERE first_name = 'Jules'"
    )
    (jules_code,) = jules.fetchone()
    with pytest.raises(Refused, match="Deze kaart is al gekoppeld aan Jules Peeters"):
        card_links.link_typed(db, ZONNEBLOEM, "zonnebloem", paulien, jules_code, now())
    (other_code,) = db.execute("SELECT code FROM cards WHERE organisator_id != 1").fetchone()
    with pytest.raises(Refused, match="hoort bij een andere organisator"):
        card_links.link_typed(db, ZONNEBLOEM, "zonnebloem", paulien, other_code, now())


def test_a_lost_card_stops_working_and_a_replacement_takes_its_place(db, paulien: int) -> None:
    first, second = fresh_code(), fresh_code()
    card_links.link_typed(db, ZONNEBLOEM, "zonnebloem", paulien, first, now())
    with pytest.raises(Refused, match="heeft al een actieve kaart"):
        card_links.link_typed(db, ZONNEBLOEM, "zonnebloem", paulien, second, now())
    card_links.mark_lost(db, ZONNEBLOEM, "zonnebloem", paulien, first, now())
    assert card_owner(db, first) is None and first not in roster(db, "zonnebloem")
    with pytest.raises(Refused, match="als verloren gemeld"):
        card_links.link_typed(db, ZONNEBLOEM, "zonnebloem", paulien, first, now())
    card_links.link_typed(db, ZONNEBLOEM, "zonnebloem", paulien, second, now())
    assert [(c.code, c.state) for c in card_links.cards_of(db, paulien)] == [
        (second, "active"),
        (first, "lost"),
    ]


def test_a_location_cannot_link_a_card_to_a_child_of_another_location(db) -> None:
    (other_child,) = db.execute(
        "SELECT child_id FROM child_locations WHERE location_id = 'klavertje'"
    ).fetchone()
    with pytest.raises(NoAccess):
        card_links.link_typed(db, ZONNEBLOEM, "zonnebloem", other_child, fresh_code(), now())
    with pytest.raises(NoAccess):
        card_links.open_request(db, ZONNEBLOEM, "zonnebloem", other_child, "unit-zonnebloem-in", now())


def test_the_units_config_carries_a_keyed_scanner_code_hash_and_never_the_portal_pin_hash(db) -> None:
    (portal_pin_hash,) = db.execute("SELECT pin_hash FROM locations WHERE id = 'zonnebloem'").fetchone()
    config = config_for(db, registered_unit(db, "unit-zonnebloem-in"))
    assert config.staff_code_hash.startswith("$argon2id$")
    assert config.pin_hash is None, "a unit with a staff key gets only the keyed hash"
    assert portal_pin_hash not in encode(config).decode()


# "Scan aan de deur", through the ingest


@pytest.fixture
def ingest(hub_dir: Path, db) -> tuple[Ingest, list[str]]:
    linked: list[str] = []
    ingest = Ingest(hub_dir / "hub.sqlite3", publish=lambda t, p: True, settle=lambda d: None)
    ingest.on_event(CardRead, card_read_handler(on_linked=linked.append))
    return ingest, linked


def read(request: str, code: str, unit: str = "unit-zonnebloem-in") -> Delivery:
    message = CardRead(
        request=request,
        unit=unit,
        location="zonnebloem",
        code=code,
        source=Source.QR,
        wall_time=datetime.now(UTC).isoformat(timespec="milliseconds"),
    )
    return Delivery(str(Topic("zonnebloem", unit, TopicKind.EVENT)), encode(message), 1, 1, 0.0)


def test_the_next_card_scanned_at_the_chosen_unit_is_linked(db, ingest, paulien: int) -> None:
    ingest_, linked = ingest
    request, payload = card_links.open_request(
        db, ZONNEBLOEM, "zonnebloem", paulien, "unit-zonnebloem-in", now()
    )
    command = decode(payload, LinkCard)
    assert (command.request, command.child, command.valid_s) == (request.id, "Paulien", 60)
    code = fresh_code()
    [outcome] = ingest_.handle_batch(db, [read(request.id, code)])
    assert outcome.ack is None and not outcome.dead
    answered = card_links.get_request(db, ZONNEBLOEM, "zonnebloem", request.id)
    assert (answered.state, answered.code) == ("linked", code)
    assert card_owner(db, code) == (paulien, "Paulien")
    assert linked == ["zonnebloem"], "the units' roster is republished after the commit"
    # the unit's message delivered again changes nothing
    ingest_.handle_batch(db, [read(request.id, code)])
    assert linked == ["zonnebloem"]


def test_a_card_read_too_late_or_of_a_card_in_use_is_refused_with_the_reason(
    db, ingest, paulien: int
) -> None:
    ingest_, linked = ingest
    old = now() - timedelta(seconds=75)
    late, _ = card_links.open_request(db, ZONNEBLOEM, "zonnebloem", paulien, "unit-zonnebloem-in", old)
    ingest_.handle_batch(db, [read(late.id, fresh_code())])
    answered = card_links.get_request(db, ZONNEBLOEM, "zonnebloem", late.id)
    assert answered.state == "refused" and "te laat gescand" in answered.reason

    (jules_code,) = db.execute("SELECT code FROM cards WHERE child_id = 1").fetchone()
    busy, _ = card_links.open_request(db, ZONNEBLOEM, "zonnebloem", paulien, "unit-zonnebloem-in", now())
    ingest_.handle_batch(db, [read(busy.id, jules_code)])
    answered = card_links.get_request(db, ZONNEBLOEM, "zonnebloem", busy.id)
    assert answered.state == "refused" and answered.reason == "Deze kaart is al gekoppeld aan Jules Peeters."
    assert linked == []


def test_a_card_read_from_another_unit_than_asked_links_nothing(db, ingest, paulien: int) -> None:
    ingest_, linked = ingest
    request, _ = card_links.open_request(db, ZONNEBLOEM, "zonnebloem", paulien, "unit-zonnebloem-in", now())
    ingest_.handle_batch(db, [read(request.id, fresh_code(), unit="unit-zonnebloem-uit")])
    assert card_links.get_request(db, ZONNEBLOEM, "zonnebloem", request.id).state == "open"
    assert linked == []


def test_only_a_unit_of_the_location_can_be_asked(db, paulien: int) -> None:
    with pytest.raises(Refused, match="Kies een scanner van deze opvanglocatie"):
        card_links.open_request(db, ZONNEBLOEM, "zonnebloem", paulien, "unit-elders", now())
