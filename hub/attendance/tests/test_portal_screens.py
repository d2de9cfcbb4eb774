"""What the overview screens show: the organisator's locations with red markers, the month with
its unknown cards and units, closed months, and the week view."""

from __future__ import annotations

import sqlite3

from hub.attendance.windows import shift_month
from hub.core.localtime import today
from hub.demo import DEMO_DOSSIER, DEMO_EMAIL, DEMO_PASSWORD, DEMO_PIN
from tests.support.portal_world import PortalWorld


def test_an_organisator_with_several_locations_sees_them_with_a_red_marker_where_cells_are_red(
    world: PortalWorld,
) -> None:
    with sqlite3.connect(world.database) as db:
        db.execute(
            "INSERT INTO locations (id, organisator_id, dossier_number, name, address) "
            "VALUES ('zonnebloem-2', 1, '903123999', 'De Zonnebloem II', 'Kerkstraat 14, 2000 Antwerpen')"
        )
    client = world.client()
    page = client.login_organisator(DEMO_EMAIL, DEMO_PASSWORD)
    assert page.url.path == "/locaties"
    assert '<li class="location-line has-errors">' in page.text and "1 fout" in page.text
    assert "De Zonnebloem II" in page.text and "Geen pincode ingesteld voor deze opvang" in page.text
    assert "Klavertje" not in page.text


def test_the_month_shows_unknown_cards_units_and_the_deadline(world: PortalWorld) -> None:
    client = world.client()
    client.login_location(DEMO_DOSSIER, DEMO_PIN)
    with sqlite3.connect(world.database) as db:
        (first_scan,) = db.execute("SELECT min(occurred_at) FROM events WHERE child_id IS NULL").fetchone()
    month = first_scan[:7]
    page = client.get(f"/locaties/zonnebloem?maand={month}").text
    assert "onbekende kaart" in page
    assert "unit-zonnebloem-in" in page and "offline" in page and "nog nooit" in page
    this_month = client.get("/locaties/zonnebloem").text
    assert "Jules Peeters" in this_month and 'class="hours"' in this_month
    searched = client.get("/locaties/zonnebloem", params={"zoek": "lotte"}).text
    assert "Lotte Janssens" in searched and "Jules Peeters" not in searched
    week = client.get("/locaties/zonnebloem/week").text
    assert "Week van" in week and "Jules Peeters" in week


def test_a_location_marks_a_month_without_childcare_closed_but_not_one_with_registrations(
    world: PortalWorld,
) -> None:
    client = world.client()
    client.login_location(DEMO_DOSSIER, DEMO_PIN)
    year, month = shift_month(today().year, today().month, 1)
    key = f"{year:04d}-{month:02d}"
    page = client.post(
        "/locaties/zonnebloem/gesloten-maand", {"maand": key, "actie": "sluiten"}, "/locaties/zonnebloem"
    )
    assert "is aangeduid als gesloten maand." in page.text
    assert "Deze maand is aangeduid als gesloten maand" in page.text
    reopened = client.post(
        "/locaties/zonnebloem/gesloten-maand", {"maand": key, "actie": "heropenen"}, "/locaties/zonnebloem"
    )
    assert "is niet langer een gesloten maand." in reopened.text
    with sqlite3.connect(world.database) as db:
        (last_scan,) = db.execute("SELECT max(occurred_at) FROM events").fetchone()
    now_key = last_scan[:7]  # a month with registrations (the demo's history may lie wholly in the last one)
    refused = client.post(
        "/locaties/zonnebloem/gesloten-maand", {"maand": now_key, "actie": "sluiten"}, "/locaties/zonnebloem"
    )
    assert (
        'class="notice error"' in refused.text
        and "kan niet als gesloten maand aangeduid worden" in refused.text
    )
