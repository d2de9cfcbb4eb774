"""Guessing is limited: five wrong PINs lock the client that typed them (at that location) for 15
minutes, kept in the database; a whole location only after a spread attack; organisator
passwords likewise. The attacks themselves, over HTTP: test_attack_*.py beside this file."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from hub.accounts import throttle
from hub.accounts.actors import Refused, Role
from hub.accounts.service import login_location, login_organisator
from hub.core.db import open_database
from hub.demo import DEMO_DOSSIER, DEMO_EMAIL, DEMO_PASSWORD, DEMO_PIN
from hub.web.app import create_app
from hub.web.clients import PinClient
from tests.support.portal import PortalClient, serve
from tests.support.portal_world import OTHER_PIN, PortalWorld, build_world

NOW = datetime(2026, 3, 10, 9, 0, tzinfo=UTC)


def test_five_wrong_pins_lock_that_client_for_15_minutes_also_after_a_restart(world: PortalWorld) -> None:
    client = world.client()
    answers = [client.login_location(DEMO_DOSSIER, "9157").text for _ in range(5)]
    assert "Je hebt nog 4 pogingen" in answers[0]
    assert "Je hebt nog 1 poging;" in answers[3]
    assert "Na 5 foute pincodes is dit toestel vergrendeld tot" in answers[4]
    locked = client.login_location(DEMO_DOSSIER, DEMO_PIN)
    assert locked.url.path == "/aanmelden/opvanglocatie/pincode", "the right PIN is refused while locked"
    assert "Te veel foute pincodes vanaf dit toestel" in locked.text
    # another browser (same address) and a restarted hub meet the same lock
    app = create_app(world.database)
    with serve(app) as url:
        again = PortalClient(url).login_location(DEMO_DOSSIER, DEMO_PIN)
        assert "vanaf dit toestel" in again.text and again.url.path != "/locaties/zonnebloem"


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
    with pytest.raises(Refused, match="opnieuw na 10:15"):  # 09:00 UTC is 10:00 in Brussels
        login_location(db, "zonnebloem", DEMO_PIN, "10.0.0.7", NOW + timedelta(minutes=14))
    actor = login_location(db, "zonnebloem", DEMO_PIN, "10.0.0.7", NOW + timedelta(minutes=15, seconds=1))
    assert actor.role is Role.LOCATION and actor.id == "zonnebloem"
    with pytest.raises(Refused, match="nog 4 pogingen"):
        login_location(db, "zonnebloem", "9157", "10.0.0.7", NOW + timedelta(minutes=16))


def test_five_wrong_pins_lock_that_client_at_that_location_only(db) -> None:
    client = "203.0.113.9"
    for _ in range(5):
        with pytest.raises(Refused):
            login_location(db, "zonnebloem", "9157", client, NOW)
    with pytest.raises(Refused, match="vanaf dit toestel"):
        login_location(db, "zonnebloem", DEMO_PIN, client, NOW + timedelta(minutes=1))
    later = NOW + timedelta(minutes=1)
    assert login_location(db, "zonnebloem", DEMO_PIN, "198.51.100.4", later).id == "zonnebloem"
    assert login_location(db, "klavertje", OTHER_PIN, client, later).id == "klavertje"


def test_an_ipv6_client_is_one_client_for_its_whole_64(db) -> None:
    for host in range(5):
        with pytest.raises(Refused):
            login_location(db, "zonnebloem", "9157", f"2001:db8:1:2::{host + 1}", NOW)
    with pytest.raises(Refused, match="vanaf dit toestel"):
        login_location(db, "zonnebloem", DEMO_PIN, "2001:db8:1:2:ffff::9", NOW)


def test_the_location_locks_only_after_50_wrong_pins_from_5_networks_and_known_devices_still_get_in(db):
    locked_at = []
    wrong = [f"10.{net}.0.{host}" for net in range(4) for host in range(13)][:50]  # 50 from 4 networks
    for moment, address in enumerate(wrong):
        at = NOW + timedelta(seconds=moment)
        with pytest.raises(Refused):
            login_location(db, "zonnebloem", "9157", address, at, locked_at.append)
    assert locked_at == [], "four networks are not enough"
    with pytest.raises(Refused):
        login_location(db, "zonnebloem", "9157", "10.99.0.1", NOW + timedelta(minutes=2), locked_at.append)
    assert locked_at == [NOW + timedelta(minutes=2) + throttle.LOCATION_LOCK]
    with pytest.raises(Refused, match="organisator kan ze ontgrendelen"):
        login_location(db, "zonnebloem", DEMO_PIN, "192.0.2.1", NOW + timedelta(minutes=3))
    tablet = PinClient("192.0.2.1", device="tablet-1")
    assert login_location(db, "zonnebloem", DEMO_PIN, tablet, NOW + timedelta(minutes=3)).id == "zonnebloem"
    throttle.lift_location_lock(db, "zonnebloem")
    unlocked = NOW + timedelta(minutes=4)
    assert login_location(db, "zonnebloem", DEMO_PIN, "192.0.2.1", unlocked).id == "zonnebloem"


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
