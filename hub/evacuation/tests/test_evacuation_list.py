"""The evacuation list "Nu aanwezig": who is in the building now, with phone numbers and what matters
in an emergency; one location's list only, printable. Served by the real portal on loopback."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, time, timedelta

from hub.core.db import open_database
from hub.core.localtime import BRUSSELS, today
from hub.demo import DEMO_DOSSIER, DEMO_PIN, _record
from tests.support.portal_world import OTHER_EMAIL, OTHER_PASSWORD, PortalWorld
from wire import Direction

LIST = "/locaties/zonnebloem/nu-aanwezig"


def child_ids(world: PortalWorld) -> dict[str, int]:
    with sqlite3.connect(world.database) as db:
        return dict(db.execute("SELECT first_name, id FROM children"))


def scan_today(world: PortalWorld, first_name: str, *directions: Direction) -> None:
    """Registrations of today, seconds apart, the last one a moment ago (all on today, even at 00:00)."""
    db = open_database(world.database)
    code = db.execute(
        "SELECT c.code FROM cards c JOIN children ch ON ch.id = c.child_id WHERE ch.first_name = ?",
        [first_name],
    ).fetchone()[0]
    now = datetime.now(UTC)
    midnight = datetime.combine(today(), time(0), BRUSSELS)
    with db.atomic():
        for n, direction in enumerate(directions):
            moment = max(now - timedelta(seconds=10 * (len(directions) - n)), midnight + timedelta(seconds=n))
            _record(db, "unit-zonnebloem-in", code, moment, direction, code, now.isoformat())
    db.close()


def test_the_list_shows_the_children_in_the_building_with_phone_numbers_and_emergency_notes(
    world: PortalWorld,
) -> None:
    ids = child_ids(world)
    scan_today(world, "Jules", Direction.ARRIVAL)
    scan_today(world, "Mila", Direction.ARRIVAL)
    scan_today(world, "Lotte", Direction.ARRIVAL, Direction.DEPARTURE)  # came and went: not on the list
    client = world.client()
    client.login_location(DEMO_DOSSIER, DEMO_PIN)
    jules = f"/locaties/zonnebloem/kinderen/{ids['Jules']}"
    added = client.post(
        f"{jules}/contacten",
        {"name": "Sara Peeters", "relation": "moeder", "phone": "0470 12 34 56", "email": ""},
        form_page=jules,
    )
    assert "is toegevoegd als contactpersoon" in added.text
    bad = client.post(f"{jules}/contacten", {"name": "X", "phone": "bel me"}, form_page=jules)
    assert "geen geldig telefoonnummer" in bad.text
    notes = {"notes": "Notenallergie: EpiPen in de gele tas"}
    saved = client.post(f"{jules}/noodinfo", notes, form_page=jules)
    assert "De informatie bij nood is bewaard." in saved.text

    overview = client.get("/locaties/zonnebloem/week")
    assert f'href="{LIST}"' in overview.text, "reachable from the location's overview"
    page = client.get(LIST)
    assert page.status_code == 200
    assert page.headers["cache-control"] == "no-store"
    text = page.text
    assert "Nu aanwezig: 2 kinderen" in text, text[text.find("<article") :]
    assert "Peeters</strong> Jules" in text and "Mila" in text and "Lotte" not in text
    assert 'href="tel:0470123456"' in text and "Sara Peeters (moeder)" in text
    assert "Notenallergie: EpiPen in de gele tas" in text
    assert "geen contactpersonen" in text, "Mila's missing contacts are said out loud"
    assert "Personeel aanwezig (met personeelskaart): niemand gescand" in text
    css = client.get("/static/evacuation.css")
    assert css.status_code == 200 and "@media print" in css.text
    assert 'rel="stylesheet" href="/static/evacuation.css"' in text


def test_another_locations_list_is_404_and_shows_none_of_its_children(world: PortalWorld) -> None:
    scan_today(world, "Jules", Direction.ARRIVAL)
    anonymous = world.client()
    assert anonymous.get(LIST).url.path == "/aanmelden"

    location = world.client()
    location.login_location(DEMO_DOSSIER, DEMO_PIN)
    other = location.get("/locaties/klavertje/nu-aanwezig")
    assert other.status_code == 404 and "Geheim" not in other.text

    organisator = world.client()
    organisator.login_organisator(OTHER_EMAIL, OTHER_PASSWORD)
    refused = organisator.get(LIST)
    assert refused.status_code == 404 and "Jules" not in refused.text
    own = organisator.get("/locaties/klavertje/nu-aanwezig")
    assert own.status_code == 200 and "Nu aanwezig: 0 kinderen" in own.text


def test_printed_the_list_has_only_the_list_on_paper(world: PortalWorld, page) -> None:
    """In Chromium: the tab "Nu aanwezig" opens the list; printed, navigation and buttons are gone."""
    from playwright.sync_api import expect

    from hub.demo import DEMO_EMAIL, DEMO_PASSWORD
    from tests.support.browser import screenshot

    scan_today(world, "Jules", Direction.ARRIVAL)
    page.goto(f"{world.url}/aanmelden/organisator")
    page.get_by_label("E-mailadres").fill(DEMO_EMAIL)
    page.get_by_label("Wachtwoord").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Inloggen").click()
    page.goto(f"{world.url}/locaties/zonnebloem")
    page.get_by_role("navigation", name="Locatie").get_by_role("link", name="Nu aanwezig").click()
    expect(page.locator("h1")).to_have_text("Nu aanwezig: 1 kind")
    expect(page.get_by_role("button", name="Afdrukken")).to_be_visible()
    screenshot(page, "evacuation-list")
    page.emulate_media(media="print")
    expect(page.get_by_role("button", name="Afdrukken")).to_be_hidden()
    expect(page.locator("nav.tabs")).to_be_hidden()
    expect(page.locator("table.evacuation-list")).to_contain_text("Jules")
    screenshot(page, "evacuation-list-print")
    pdf = page.pdf(format="A4")
    assert pdf.startswith(b"%PDF")
