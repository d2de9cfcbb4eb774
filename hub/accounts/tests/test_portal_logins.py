"""Guessing is limited: five wrong PINs lock a location for 15 minutes, counted per location and
per client address and kept in the database; organisator passwords likewise."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from hub.accounts.actors import Refused, Role
from hub.accounts.service import login_location, login_organisator
from hub.core.db import open_database
from hub.demo import DEMO_DOSSIER, DEMO_EMAIL, DEMO_PASSWORD, DEMO_PIN
from hub.web.app import create_app
from tests.support.portal import PortalClient, serve
from tests.support.portal_world import OTHER_PIN, PortalWorld, build_world

NOW = datetime(2026, 3, 10, 9, 0, tzinfo=UTC)


def test_five_wrong_pins_lock_the_location_for_15_minutes_also_after_a_restart(world: PortalWorld) -> None:
    client = world.client()
    answers = [client.login_location(DEMO_DOSSIER, "9157").text for _ in range(5)]
    assert "Je hebt nog 4 pogingen" in answers[0]
    assert "Je hebt nog 1 poging;" in answers[3]
    assert "Na 5 foute pincodes is deze opvanglocatie vergrendeld tot" in answers[4]
    locked = client.login_location(DEMO_DOSSIER, DEMO_PIN)
    assert locked.url.path == "/aanmelden/opvanglocatie/pincode", "the right PIN is refused while locked"
    assert "deze opvanglocatie is vergrendeld tot" in locked.text
    # another browser (same address) and a restarted hub meet the same lock
    app = create_app(world.database)
    with serve(app) as url:
        again = PortalClient(url).login_location(DEMO_DOSSIER, DEMO_PIN)
        assert "vergrendeld" in again.text and again.url.path != "/locaties/zonnebloem"


@pytest.fixture
def db(hub_dir: Path):
    build_world(hub_dir, history_days=0)
    conn = open_database(hub_dir / "hub.sqlite3")
    yield conn
    conn.close()


def test_the_lock_ends_after_15_minutes_and_a_right_pin_clears_the_count(db) -> None:
    for _ in range(5):
        with pytest.raises(Refused):
            login_location(db, "zonnebloem", "9157", "10.0.0.7", NOW)
    with pytest.raises(Refused, match="vergrendeld tot 10:15"):  # 09:00 UTC is 10:00 in Brussels
        login_location(db, "zonnebloem", DEMO_PIN, "10.0.0.8", NOW + timedelta(minutes=14))
    actor = login_location(db, "zonnebloem", DEMO_PIN, "10.0.0.8", NOW + timedelta(minutes=15, seconds=1))
    assert actor.role is Role.LOCATION and actor.id == "zonnebloem"
    with pytest.raises(Refused, match="nog 4 pogingen"):
        login_location(db, "zonnebloem", "9157", "10.0.0.8", NOW + timedelta(minutes=16))


def test_five_wrong_pins_from_one_address_lock_that_address_for_every_location(db) -> None:
    client = "203.0.113.9"
    for attempt in range(5):
        location = ("zonnebloem", "klavertje")[attempt % 2]  # spread over two locations: neither locks
        with pytest.raises(Refused):
            login_location(db, location, "9157", client, NOW)
    with pytest.raises(Refused, match="vanaf dit toestel"):
        login_location(db, "klavertje", OTHER_PIN, client, NOW + timedelta(minutes=1))
    assert (
        login_location(db, "klavertje", OTHER_PIN, "198.51.100.4", NOW + timedelta(minutes=1)).id
        == "klavertje"
    )


def test_wrong_pins_spread_over_more_than_15_minutes_do_not_lock(db) -> None:
    for minutes in (0, 5, 10, 16, 21):
        with pytest.raises(Refused, match="Foute pincode"):
            login_location(db, "zonnebloem", "9157", "10.0.0.7", NOW + timedelta(minutes=minutes))
    assert (
        login_location(db, "zonnebloem", DEMO_PIN, "10.0.0.7", NOW + timedelta(minutes=22)).id == "zonnebloem"
    )


def test_password_guessing_locks_the_account_and_unknown_addresses_answer_alike(db) -> None:
    with pytest.raises(Refused) as unknown:
        login_organisator(db, "niemand@example.org", "wat-dan-ook-123", "10.0.0.7", NOW)
    with pytest.raises(Refused) as wrong:
        login_organisator(db, DEMO_EMAIL, "wat-dan-ook-123", "10.0.0.7", NOW)
    assert unknown.value.reason == wrong.value.reason == "Onbekend e-mailadres of fout wachtwoord."
    for _ in range(4):
        with pytest.raises(Refused):
            login_organisator(db, DEMO_EMAIL.upper(), "nog-altijd-fout", "10.0.0.9", NOW)
    with pytest.raises(Refused, match="Te veel foute pogingen"):
        login_organisator(db, DEMO_EMAIL, DEMO_PASSWORD, "10.0.0.10", NOW + timedelta(minutes=1))
    assert (
        login_organisator(db, DEMO_EMAIL, DEMO_PASSWORD, "10.0.0.10", NOW + timedelta(minutes=16)).role
        is Role.ORGANISATOR
    )


def test_a_location_without_pin_cannot_log_in_and_says_why(db) -> None:
    db.execute("UPDATE locations SET pin_hash = NULL WHERE id = 'zonnebloem'")
    with pytest.raises(Refused, match="Er is nog geen pincode ingesteld voor deze opvang"):
        login_location(db, "zonnebloem", DEMO_PIN, "10.0.0.7", NOW)
