"""A browser scanner over HTTP, without a browser: enrolment behind the location's PIN, its own
credential stored hashed, check-ins through the ingest's own transaction (stored once, a resend
answers "duplicate"), listed with the units, revoked like a unit."""

from __future__ import annotations

import json
import math
import time

import httpx
import pytest

from hub.accounts.sessions import token_hash
from hub.browserscan.service import scanner_verifier
from hub.demo import DEMO_DOSSIER, DEMO_PIN, DEMO_SCANNER_CODE
from tests.support.browser_scanner import checkin, enrol_over_http
from tests.support.hub_sql import sql_rows
from tests.support.portal_world import PortalWorld

pytestmark = pytest.mark.both_databases  # SQLite and PostgreSQL


def rows(world: PortalWorld, sql: str, params: tuple = ()) -> list[tuple]:
    """One statement on the world's database, committed; its rows."""
    return sql_rows(world.database, sql, params)


def location_client(world: PortalWorld):
    client = world.client()
    client.login_location(DEMO_DOSSIER, DEMO_PIN)
    return client


def card_of(world: PortalWorld, first_name: str) -> str:
    [(code,)] = rows(
        world,
        "SELECT c.code FROM cards c JOIN children ch ON ch.id = c.child_id WHERE ch.first_name = ?",
        (first_name,),
    )
    return code


def device(world: PortalWorld, credential: str) -> httpx.Client:
    return httpx.Client(base_url=world.url, headers={"Authorization": f"Bearer {credential}"}, timeout=30)


def test_a_browser_enrolled_with_the_location_pin_gets_its_own_credential_stored_only_hashed(
    world: PortalWorld,
) -> None:
    unit, credential = enrol_over_http(location_client(world), "zonnebloem", "Tablet inkom")
    [(stored,)] = rows(world, "SELECT credential_hash FROM browser_scanners WHERE unit_id = ?", (unit,))
    [state] = rows(world, "SELECT location_id, state, label FROM units WHERE id = ?", (unit,))
    assert stored == token_hash(credential) and credential not in stored
    assert state == ("zonnebloem", "active", "Tablet inkom"), "a unit of the location like any other"


def test_a_wrong_pin_enrols_nothing_and_counts_towards_the_pins_limit(world: PortalWorld) -> None:
    client = location_client(world)
    page = "/locaties/zonnebloem/scanner-toestel"
    answer = client.post(page, {"name": "Tablet", "pin": "0000"}, form_page=page)
    assert "Foute pincode" in answer.text and "nog 4 pogingen" in answer.text
    for _ in range(4):
        answer = client.post(page, {"name": "Tablet", "pin": "0000"}, form_page=page)
    answer = client.post(page, {"name": "Tablet", "pin": DEMO_PIN}, form_page=page)
    assert "Te veel foute pincodes" in answer.text, "locked: even the right PIN waits"
    assert rows(world, "SELECT count(*) FROM browser_scanners") == [(0,)]


def test_a_posted_checkin_is_stored_once_and_a_resend_answers_duplicate(world: PortalWorld) -> None:
    unit, credential = enrol_over_http(location_client(world), "zonnebloem")
    event = checkin(unit, "zonnebloem", card_of(world, "Mila"))
    with device(world, credential) as http:
        before = math.floor(time.time() * 1000)  # the hub runs on this machine's clock
        first = http.post("/scanner/api/checkin", content=json.dumps(event))
        after = math.ceil(time.time() * 1000)
        again = http.post("/scanner/api/checkin", content=json.dumps(event))
    assert first.status_code == 200, first.text
    assert first.json()["ack"]["verdict"] == "stored" and first.json()["ack"]["child"].startswith("Mila")
    assert again.json()["ack"]["verdict"] == "duplicate"
    # the hub's clock in ms since the epoch, read while it answered (no bound on how long that took)
    assert before <= first.json()["server_time"] <= after, "server_time is the hub's clock, in ms"
    stored = rows(world, "SELECT unit_id, direction FROM events WHERE id = ?", (event["id"],))
    assert stored == [(unit, "arrival")], "stored once, under the browser scanner"


def test_a_wrong_check_digit_is_junk_and_a_checkin_for_another_location_is_refused_and_kept(
    world: PortalWorld,
) -> None:
    unit, credential = enrol_over_http(location_client(world), "zonnebloem")
    code = card_of(world, "Mila")
    wrong = code[:-1] + str((int(code[-1]) + 1) % 10)
    elsewhere = checkin(unit, "klavertje", code)
    with device(world, credential) as http:
        junk = http.post("/scanner/api/checkin", content=json.dumps(checkin(unit, "zonnebloem", wrong)))
        refused = http.post("/scanner/api/checkin", content=json.dumps(elsewhere))
    assert junk.json()["ack"]["verdict"] == "refused" and not junk.json()["ack"].get("kept")
    assert refused.json()["ack"] == {
        "v": 1, "type": "ack", "id": elsewhere["id"], "verdict": "refused", "child": None,
        "reason": "wrong_location", "kept": True,
    }  # fmt: skip
    kept = rows(world, "SELECT via_unit FROM refused_events WHERE event_id = ?", (elsewhere["id"],))
    assert kept == [(unit,)], "kept for a person, as a unit's"


def test_the_roster_has_names_presence_and_a_staff_verifier_and_the_time_of_the_hub(
    world: PortalWorld,
) -> None:
    unit, credential = enrol_over_http(location_client(world), "zonnebloem")
    with device(world, credential) as http:
        http.post(
            "/scanner/api/checkin", content=json.dumps(checkin(unit, "zonnebloem", card_of(world, "Mila")))
        )
        roster = http.get("/scanner/api/roster").json()
    assert roster["roster"][card_of(world, "Mila")].startswith("Mila")
    assert card_of(world, "Mila") in roster["presence"]["present"], "the arrival makes her present"
    assert roster["staff"]["hash"] == scanner_verifier(DEMO_SCANNER_CODE, roster["staff"]["salt"])
    assert DEMO_PIN not in json.dumps(roster) and DEMO_SCANNER_CODE not in json.dumps(roster)
    assert isinstance(roster["server_time"], int)


def test_the_browser_scanner_is_listed_with_the_units_online_last_seen_and_backlog(
    world: PortalWorld,
) -> None:
    client = location_client(world)
    unit, credential = enrol_over_http(client, "zonnebloem")
    overview = client.get("/locaties/zonnebloem").text
    row = overview[overview.index(f"<td>{unit}</td>") :][:600]
    assert "offline" in row and "nog nooit" in row
    with device(world, credential) as http:
        assert (
            http.post("/scanner/api/status", content=json.dumps({"backlog": 3, "version": "t"})).status_code
            == 200
        )
    overview = client.get("/locaties/zonnebloem").text
    row = overview[overview.index(f"<td>{unit}</td>") :][:600]
    assert "online" in row and "<td>3" in row


def test_a_revoked_browser_scanner_is_refused_and_told_so(world: PortalWorld) -> None:
    client = location_client(world)
    unit, credential = enrol_over_http(client, "zonnebloem")
    page = "/locaties/zonnebloem/scanner-toestel"
    answer = client.post(f"{page}/{unit}/intrekken", form_page=page)
    assert "ingetrokken" in answer.text
    event = checkin(unit, "zonnebloem", card_of(world, "Mila"))
    with device(world, credential) as http:
        refused = http.post("/scanner/api/checkin", content=json.dumps(event))
        roster = http.get("/scanner/api/roster")
    assert refused.status_code == 403 and refused.json()["error"] == "revoked"
    assert "ingetrokken" in refused.json()["message"] and roster.status_code == 403
    assert rows(world, "SELECT count(*) FROM events WHERE id = ?", (event["id"],)) == [(0,)]
    assert rows(world, "SELECT state FROM units WHERE id = ?", (unit,)) == [("revoked",)]


def test_another_organisations_scanner_cannot_be_revoked_and_a_stranger_cannot_post(
    world: PortalWorld,
) -> None:
    unit, _credential = enrol_over_http(location_client(world), "zonnebloem")
    other = world.client()
    other.post("/aanmelden/opvanglocatie/pincode", {"dossier": "904555111", "pin": "7391"})
    page = "/locaties/klavertje/scanner-toestel"
    assert other.post(f"{page}/{unit}/intrekken", form_page=page).status_code == 404
    with device(world, "browser-0000000000.nothing") as http:
        assert http.post("/scanner/api/checkin", content="{}").status_code == 401
    assert httpx.post(f"{world.url}/scanner/api/checkin", content="{}").status_code in (401, 403)


def test_scan_aan_de_deur_is_not_offered_at_a_browser_scanner(world: PortalWorld) -> None:
    client = location_client(world)
    unit, _credential = enrol_over_http(client, "zonnebloem")
    [(child,)] = rows(world, "SELECT id FROM children WHERE first_name = 'Mila'")
    rows(world, "UPDATE cards SET state = 'lost' WHERE child_id = ?", (child,))  # she needs a new card
    page = client.get(f"/locaties/zonnebloem/kinderen/{child}").text
    assert 'value="unit-zonnebloem-in"' in page and f'value="{unit}"' not in page, "link_card needs MQTT"
