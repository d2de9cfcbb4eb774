"""Who sees what in the portal, proved by trying: logins, sessions, CSRF, and URL tampering.

A location sees only its own children and attendance; an organisator only its own locations.
Tampering with another location's id or another organisator's child id in a URL gets 404 and
none of the other's data.
"""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta

from hub.core.localtime import today, utc_iso
from hub.demo import DEMO_DOSSIER, DEMO_EMAIL, DEMO_PASSWORD, DEMO_PIN
from tests.support.portal_world import OTHER_DOSSIER, OTHER_EMAIL, OTHER_PASSWORD, PortalWorld

OTHER_NAMES = ("Klavertje", "Geheim", "Dorpsplein")


def no_other_data(text: str) -> bool:
    return not any(name in text for name in OTHER_NAMES)


def test_every_page_and_the_api_need_a_login(world: PortalWorld) -> None:
    client = world.client()
    for path in (
        "/locaties",
        "/locaties/zonnebloem",
        "/locaties/zonnebloem/kinderen",
        "/locaties/zonnebloem/pincode",
    ):
        response = client.get(path)
        assert response.url.path == "/aanmelden", path
    assert client.get("/api/today").status_code == 401
    assert client.get("/api/locaties/zonnebloem/maand/2026-03").status_code == 401


def test_a_location_sees_its_own_children_and_gets_404_for_anything_else(world: PortalWorld) -> None:
    client = world.client()
    assert client.login_location(DEMO_DOSSIER, DEMO_PIN).url.path == "/locaties/zonnebloem"
    assert "Jules Peeters" in client.get("/locaties/zonnebloem").text
    assert client.get("/locaties").url.path == "/locaties/zonnebloem"
    day = today().isoformat()
    tampered = [
        "/locaties/klavertje",
        "/locaties/klavertje/kinderen",
        f"/locaties/klavertje/kinderen/{world.other_child}",
        f"/locaties/zonnebloem/kinderen/{world.other_child}",
        f"/locaties/zonnebloem/cel/{world.other_child}/{day}",
        f"/locaties/klavertje/cel/{world.other_child}/{day}",
        "/locaties/klavertje/week",
        "/locaties/nergens",
    ]
    for path in tampered:
        response = client.get(path)
        assert response.status_code == 404, path
        assert no_other_data(response.text), path
    assert client.get("/api/locaties/klavertje/maand/2026-03").status_code == 404
    today_api = client.get("/api/today").json()
    assert [loc["id"] for loc in today_api["locations"]] == ["zonnebloem"]
    # writing through a tampered URL changes nothing
    form = f"/locaties/zonnebloem/kinderen/{_first_child(world)}"
    for path, data in [
        (f"/locaties/zonnebloem/cel/{world.other_child}/{day}", {"arrival": "08:00", "departure": "09:00"}),
        (f"/locaties/zonnebloem/kinderen/{world.other_child}/kaart/{world.other_card}/verloren", {}),
        (f"/locaties/klavertje/kinderen/{world.other_child}/contacten", {"name": "Indringer"}),
        ("/locaties/zonnebloem/kinderen/koppelen", {"child_id": str(world.other_child)}),
    ]:
        response = client.post(path, data, form_page=form)
        assert response.status_code == 404 or "niet gevonden" in response.text, path
        assert no_other_data(response.text), path
    with sqlite3.connect(world.database) as db:
        assert db.execute("SELECT count(*) FROM corrections").fetchone() == (0,)
        assert db.execute("SELECT state FROM cards WHERE code = ?", (world.other_card,)).fetchone() == (
            "active",
        )
        assert db.execute("SELECT count(*) FROM contacts").fetchone() == (0,)
        assert db.execute(
            "SELECT count(*) FROM child_locations WHERE child_id = ?", (world.other_child,)
        ).fetchone() == (1,)


def _first_child(world: PortalWorld) -> int:
    with sqlite3.connect(world.database) as db:
        return db.execute(
            "SELECT min(child_id) FROM child_locations WHERE location_id = 'zonnebloem'"
        ).fetchone()[0]


def test_an_organisator_sees_only_its_own_locations_and_children(world: PortalWorld) -> None:
    client = world.client()
    assert client.login_organisator(OTHER_EMAIL, OTHER_PASSWORD).url.path == "/locaties/klavertje"
    for path in (
        "/locaties/zonnebloem",
        "/locaties/zonnebloem/kinderen",
        f"/locaties/zonnebloem/kinderen/{_first_child(world)}",
    ):
        response = client.get(path)
        assert response.status_code == 404, path
        assert "Jules" not in response.text and "Zonnebloem" not in response.text, path
    # the search for a known child never reaches into another organisator's children
    search = client.get(
        "/locaties/klavertje/kinderen/toevoegen", params={"voornaam": "Jules", "achternaam": "Peeters"}
    )
    assert "Er is nog geen kind met deze naam gekend." in search.text
    linked = client.post("/locaties/klavertje/kinderen/koppelen", {"child_id": str(_first_child(world))})
    assert "Dit kind werd niet gevonden." in linked.text
    with sqlite3.connect(world.database) as db:
        assert db.execute(
            "SELECT count(*) FROM child_locations WHERE location_id = 'klavertje'"
        ).fetchone() == (1,)


def test_only_the_organisator_sets_the_pin_and_trivial_pins_are_refused(world: PortalWorld) -> None:
    staff = world.client()
    staff.login_location(DEMO_DOSSIER, DEMO_PIN)
    page = staff.get("/locaties/zonnebloem/pincode").text
    assert "Enkel je organisator kan de pincode wijzigen." in page
    refused = staff.post("/locaties/zonnebloem/pincode", {"pin": "5937", "repeated": "5937"})
    assert "Enkel de organisator kan de pincode" in refused.text

    organisator = world.client()
    organisator.login_organisator(DEMO_EMAIL, DEMO_PASSWORD)
    tips = organisator.get("/locaties/zonnebloem/pincode").text
    assert "kies geen eenvoudige code zoals ‘0000’ of ‘1234’" in tips
    assert (
        "Kies geen reeks"
        in organisator.post("/locaties/zonnebloem/pincode", {"pin": "1234", "repeated": "1234"}).text
    )
    assert (
        "niet gelijk"
        in organisator.post("/locaties/zonnebloem/pincode", {"pin": "5937", "repeated": "5938"}).text
    )
    assert world.units.changed == []
    done = organisator.post("/locaties/zonnebloem/pincode", {"pin": "5937", "repeated": "5937"})
    assert "De pincode is ingesteld." in done.text
    assert world.units.changed == ["zonnebloem"], "the units get the new PIN hash"
    # the location's session with the old PIN has ended; the new PIN works
    assert staff.get("/locaties/zonnebloem").url.path == "/aanmelden"
    assert "Foute pincode" in staff.login_location(DEMO_DOSSIER, DEMO_PIN).text
    assert staff.login_location(DEMO_DOSSIER, "5937").url.path == "/locaties/zonnebloem"


def test_a_post_without_the_csrf_token_of_this_browser_is_refused(world: PortalWorld) -> None:
    client = world.client()
    client.login_organisator(DEMO_EMAIL, DEMO_PASSWORD)
    day = today().isoformat()
    child = _first_child(world)
    assert client.http.post("/afmelden").status_code == 403
    forged = client.http.post(
        f"/locaties/zonnebloem/cel/{child}/{day}", data={"csrf": "0" * 32, "arrival": "08:00"}
    )
    assert forged.status_code == 403
    other = world.client()  # another browser's token does not fit this browser's cookie
    token = other.csrf()
    assert client.http.post("/afmelden", data={"csrf": token}).status_code == 403
    assert client.get("/locaties/zonnebloem").status_code == 200, "still logged in"


def test_logout_ends_the_session_on_the_server(world: PortalWorld) -> None:
    client = world.client()
    client.login_organisator(DEMO_EMAIL, DEMO_PASSWORD)
    stolen = dict(client.http.cookies)
    assert "Je bent afgemeld." in client.post("/afmelden", form_page="/locaties/zonnebloem").text
    thief = world.client()
    thief.http.cookies.update(stolen)
    assert thief.get("/locaties/zonnebloem").url.path == "/aanmelden"


def test_a_session_expires_after_two_idle_hours(world: PortalWorld) -> None:
    client = world.client()
    client.login_location(DEMO_DOSSIER, DEMO_PIN)
    assert client.get("/locaties/zonnebloem").status_code == 200
    with sqlite3.connect(world.database) as db:
        db.execute(
            "UPDATE sessions SET last_seen_at = ?",
            (utc_iso(datetime.now(UTC) - timedelta(hours=2, minutes=1)),),
        )
    assert client.get("/locaties/zonnebloem").url.path == "/aanmelden"
    with sqlite3.connect(world.database) as db:
        assert db.execute("SELECT count(*) FROM sessions").fetchone() == (0,)


def test_the_role_and_name_are_shown_top_right(world: PortalWorld) -> None:
    client = world.client()
    page = client.login_location(OTHER_DOSSIER, "7391").text
    assert '<span class="role">Opvanglocatie</span>' in page
    assert '<span class="name">Kinderopvang Klavertje</span>' in page
    client.post("/afmelden", form_page="/locaties/klavertje")
    page = client.login_organisator(DEMO_EMAIL, DEMO_PASSWORD).text
    assert '<span class="role">Organisator</span>' in page and "Kinderopvang De Zonnebloem vzw" in page
