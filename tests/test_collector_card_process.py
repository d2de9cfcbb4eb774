"""Collector cards ("ophaalkaart") with real processes: Mosquitto, the hub and a scanner unit whose
camera is a folder of generated card images. Staff link a contact's card on the child's page; at
the door the collector's card and the child's card, in either order, make a departure "opgehaald
door" that person; someone who "mag niet ophalen" is answered red with a long beep in either order,
no departure is recorded for them, and the attempt is on the location's overview.
"""

from __future__ import annotations

import contextlib
import sqlite3
import time
from collections.abc import Iterator
from pathlib import Path

from device.feedback import Signal
from device.feedback.patterns import PATTERNS
from hub.cards.codes import register_unassigned
from hub.children.queries import add_contact
from hub.core.db import open_database
from hub.demo import DEMO_DOSSIER, DEMO_PIN, DEMO_UNITS, seed
from provisioning.mosquitto import UnitAccount
from tests.support.clock import clear_of_midnight
from tests.support.doors import Door
from tests.support.portal import PortalClient
from tests.support.processes import start_hub
from tests.support.waiting import wait_for

UNIT = DEMO_UNITS[0][0]
SCAN = {"departure_from": "00:00", "repeat_window_s": 0, "collector_window_s": 20}


def _world(hub_dir: Path) -> tuple[str, str, int, int, int, list[str]]:
    """The demo location with Jules's contacts Oma Rita (mag ophalen) and Nonkel Marc (mag niet
    ophalen), and two cards of the stock for them."""
    db = open_database(hub_dir / "hub.sqlite3")
    demo = seed(db, (UNIT,))
    jules = db.execute("SELECT id FROM children WHERE first_name = 'Jules'").fetchone()[0]
    rita = add_contact(db, jules, "Oma Rita", None, "grootmoeder", "0470 11 22 33")
    marc = add_contact(db, jules, "Nonkel Marc", None, "oom", "0480 99 88 77")
    (org,) = db.execute("SELECT organisator_id FROM locations WHERE id = ?", (demo.location_id,)).fetchone()
    stock = register_unassigned(db, org, 2)
    db.close()
    return demo.location_id, demo.cards["Jules"], jules, rita, marc, stock


def _give_collector_card(staff: PortalClient, location: str, child: int, contact: int, code: str) -> None:
    page = f"/locaties/{location}/kinderen/{child}"
    answer = staff.post(f"{page}/contacten/{contact}/ophaalkaart", {"code": code}, form_page=page)
    assert "is gekoppeld" in answer.text, answer.text[:2000]


BARRED = "Rechterlijke beslissing: bel de moeder"  # the staff's note on "mag niet ophalen"


@contextlib.contextmanager
def _at_the_door(
    tmp_path: Path,
    hub_dir: Path,
    start_mosquitto,
    location: str,
    child: int,
    contact: int,
    code: str,
    barred: bool = False,
) -> Iterator[tuple[Door, PortalClient]]:
    """Mosquitto, the hub and a unit at ``location``, staff logged in, and ``contact``'s collector
    card ``code`` linked on ``child``'s page (``barred``: after "mag niet ophalen" with a note) and
    known at the unit. Yields the door and the staff's portal client; stops everything after."""
    mosquitto = start_mosquitto(UnitAccount(UNIT, location, "secret"))
    hub, portal = start_hub(hub_dir, broker_url=mosquitto.hub_url)
    door = Door(tmp_path, UNIT, location, mosquitto.unit_url(UNIT), scan=SCAN).start()
    staff = PortalClient(portal)
    page = f"/locaties/{location}/kinderen/{child}"
    try:
        staff.login_location(DEMO_DOSSIER, DEMO_PIN)
        wait_for(lambda: "presence from the hub" in door.log(), what="the hub's presence at the unit")
        if barred:
            staff.post(
                f"{page}/contacten/{contact}/ophalen", {"mag": "nee", "notitie": BARRED}, form_page=page
            )
        _give_collector_card(staff, location, child, contact, code)
        wait_for(lambda: "1 collector card(s)" in door.log(), what="the config with the collector card")
        yield door, staff
    finally:
        staff.close()
        door.stop()
        hub.stop()
    assert "Traceback" not in door.log() + hub.log()


def test_collector_card_then_child_card_records_opgehaald_door(
    tmp_path: Path, hub_dir: Path, start_mosquitto
) -> None:
    clear_of_midnight()
    location, jules_card, jules, rita, _marc, (rita_card, _) = _world(hub_dir)
    with _at_the_door(tmp_path, hub_dir, start_mosquitto, location, jules, rita, rita_card) as (door, staff):
        assert "Ophaalkaart <strong>" in staff.get(f"/locaties/{location}/kinderen/{jules}").text
        door.present([rita_card])
        wait_for(lambda: "Ophaalkaart van Oma Rita — toon de kaart van het kind" in door.log(), what="Rita")
        time.sleep(1.0)  # the next card: a new presentation
        door.present([jules_card])  # Jules is not present: by presence this would be an arrival
        wait_for(lambda: "opgehaald door Oma Rita" in door.log(), what="the goodbye with the collector")
        wait_for(lambda: door.outbox_size() == 0, what="the departure stored")
    assert "[ok] Tot ziens Jules — " in door.log()
    with sqlite3.connect(hub_dir / "hub.sqlite3") as db:
        assert db.execute(
            "SELECT direction, direction_by FROM events WHERE code = ?", (jules_card,)
        ).fetchall() == [("departure", None)], "stored as sent: the re-derivation leaves it a departure"
        assert db.execute(
            "SELECT c.name, c.contact_id, c.collector_code FROM collector_departures c "
            "JOIN events e ON e.id = c.event_id WHERE e.code = ?",
            (jules_card,),
        ).fetchall() == [("Oma Rita", rita, rita_card)]
        assert db.execute("SELECT name, contact_id FROM pickups WHERE child_id = ?", (jules,)).fetchall() == [
            ("Oma Rita", rita)
        ]


def test_a_contact_who_may_not_collect_is_refused_and_the_attempt_is_on_the_overview(
    tmp_path: Path, hub_dir: Path, start_mosquitto
) -> None:
    clear_of_midnight()
    location, jules_card, jules, _rita, marc, (_, marc_card) = _world(hub_dir)
    with _at_the_door(tmp_path, hub_dir, start_mosquitto, location, jules, marc, marc_card, barred=True) as (
        door,
        staff,
    ):
        door.present([marc_card])
        wait_for(lambda: "Ophaalkaart van Nonkel Marc" in door.log(), what="Marc's card")
        time.sleep(1.0)
        door.present([jules_card])
        wait_for(lambda: "[refused] Niet toegestaan — verwittig de opvang" in door.log(), what="red")
        wait_for(lambda: door.outbox_size() == 0, what="the attempt kept at the hub")
        overview = staff.get(f"/locaties/{location}").text
    red_long_beep = PATTERNS[Signal.REFUSED][0]
    assert red_long_beep.red and red_long_beep.buzzer and red_long_beep.seconds >= 0.5, "the long beep"
    assert "Ophalen niet toegestaan" in overview
    assert f"Nonkel Marc mag dit kind niet ophalen: {BARRED} (kind: Jules)" in overview
    with sqlite3.connect(hub_dir / "hub.sqlite3") as db:
        assert db.execute("SELECT count(*) FROM events WHERE code = ?", (jules_card,)).fetchone() == (0,)
        assert db.execute("SELECT count(*) FROM pickups WHERE child_id = ?", (jules,)).fetchone() == (0,)
        assert db.execute(
            "SELECT reason, state FROM refused_events WHERE json_extract(payload, '$.code') = ?",
            (jules_card,),
        ).fetchall() == [("collector_not_allowed", "open")], "kept for a person"


def test_child_card_then_collector_card_records_opgehaald_door(
    tmp_path: Path, hub_dir: Path, start_mosquitto
) -> None:
    clear_of_midnight()
    location, jules_card, jules, rita, _marc, (rita_card, _) = _world(hub_dir)
    with _at_the_door(tmp_path, hub_dir, start_mosquitto, location, jules, rita, rita_card) as (door, staff):
        door.present([jules_card])  # Jules is not present: by presence an arrival, sent at once
        wait_for(lambda: "[ok] Welkom Jules" in door.log(), what="Jules's scan")
        wait_for(lambda: door.outbox_size() == 0, what="the scan stored")
        time.sleep(1.0)  # the next card: a new presentation
        door.present([rita_card])
        wait_for(
            lambda: "[ok] Tot ziens Jules — opgehaald door Oma Rita" in door.log(), what="the collection"
        )
        wait_for(lambda: door.outbox_size() == 0, what="the collection stored")
        overview = staff.get(f"/locaties/{location}").text
    assert "Ophalen niet toegestaan" not in overview
    with sqlite3.connect(hub_dir / "hub.sqlite3") as db:
        [(event_id, direction)] = db.execute("SELECT id, direction FROM events WHERE code = ?", (jules_card,))
        assert direction == "arrival", "the event log keeps the scan as sent"
        assert db.execute(
            "SELECT name, contact_id, collector_code, collection_id IS NOT NULL FROM collector_departures "
            "WHERE event_id = ?",
            (event_id,),
        ).fetchall() == [("Oma Rita", rita, rita_card, 1)], "the collector made it a departure"
        assert db.execute("SELECT name, contact_id FROM pickups WHERE child_id = ?", (jules,)).fetchall() == [
            ("Oma Rita", rita)
        ]


def test_child_card_then_a_contact_who_may_not_collect_is_refused_and_on_the_overview(
    tmp_path: Path, hub_dir: Path, start_mosquitto
) -> None:
    clear_of_midnight()
    location, jules_card, jules, _rita, marc, (_, marc_card) = _world(hub_dir)
    with _at_the_door(tmp_path, hub_dir, start_mosquitto, location, jules, marc, marc_card, barred=True) as (
        door,
        staff,
    ):
        door.present([jules_card])  # in
        wait_for(lambda: "[ok] Welkom Jules" in door.log(), what="Jules in")
        time.sleep(1.0)
        door.present([jules_card])  # out, by presence: the child leaves with whoever holds it
        wait_for(lambda: "[ok] Tot ziens Jules" in door.log(), what="Jules out")
        wait_for(lambda: door.outbox_size() == 0, what="both scans stored")
        time.sleep(1.0)
        door.present([marc_card])
        wait_for(lambda: "[refused] Niet toegestaan — verwittig de opvang" in door.log(), what="red")
        wait_for(lambda: door.outbox_size() == 0, what="the attempt kept at the hub")
        overview = staff.get(f"/locaties/{location}").text
    assert "Ophalen niet toegestaan" in overview
    assert f"Nonkel Marc mag dit kind niet ophalen: {BARRED} (kind: Jules)" in overview
    assert "het kind was al uitgescand om" in overview and "nagaan wie het kind meenam" in overview
    with sqlite3.connect(hub_dir / "hub.sqlite3") as db:
        assert db.execute("SELECT count(*) FROM collector_departures").fetchone() == (0,)
        assert db.execute("SELECT count(*) FROM pickups WHERE child_id = ?", (jules,)).fetchone() == (0,)
        assert db.execute(
            "SELECT reason, state, json_extract(payload, '$.type') FROM refused_events"
        ).fetchall() == [("collector_not_allowed", "open", "collection")], "kept for a person"


def test_one_collector_card_then_two_siblings_cards_collects_both(
    tmp_path: Path, hub_dir: Path, start_mosquitto
) -> None:
    clear_of_midnight()
    db = open_database(hub_dir / "hub.sqlite3")
    demo = seed(db, (UNIT,))
    jules, mila = (
        db.execute("SELECT id FROM children WHERE first_name = ?", (name,)).fetchone()[0]
        for name in ("Jules", "Mila")
    )
    # one grandmother of two siblings: a contact of each, with the same e-mail address
    rita = add_contact(db, jules, "Oma Rita", "rita@example.be", "grootmoeder")
    add_contact(db, mila, "Oma Rita", "rita@example.be", "grootmoeder")
    (org,) = db.execute("SELECT organisator_id FROM locations WHERE id = ?", (demo.location_id,)).fetchone()
    [rita_card] = register_unassigned(db, org, 1)
    db.close()
    with _at_the_door(tmp_path, hub_dir, start_mosquitto, demo.location_id, jules, rita, rita_card) as (
        door,
        _staff,
    ):
        door.present([rita_card])
        wait_for(lambda: "Ophaalkaart van Oma Rita" in door.log(), what="Rita")
        time.sleep(1.0)
        door.present([demo.cards["Jules"]])
        wait_for(lambda: "[ok] Tot ziens Jules — " in door.log(), what="Jules collected")
        time.sleep(1.0)
        door.present([demo.cards["Mila"]])
        wait_for(lambda: "[ok] Tot ziens Mila — " in door.log(), what="Mila collected")
        wait_for(lambda: door.outbox_size() == 0, what="both departures stored")
    assert door.log().count("— opgehaald door Oma Rita") == 2
    with sqlite3.connect(hub_dir / "hub.sqlite3") as db:
        assert sorted(db.execute("SELECT child_id, name FROM collector_departures").fetchall()) == sorted(
            [(jules, "Oma Rita"), (mila, "Oma Rita")]
        )
        assert sorted(
            db.execute("SELECT child_id, name FROM pickups WHERE recorded_by = 'de ophaalkaart'").fetchall()
        ) == sorted([(jules, "Oma Rita"), (mila, "Oma Rita")])
