"""The "Geweigerde registraties" screen in real Chromium: the organisator finds it in the menu,
reads the refused check-ins of a revoked unit with the reason, accepts one and dismisses the other.

A screenshot of the list is saved in test-artifacts/refused-list.png.
"""

from __future__ import annotations

import sqlite3

from playwright.sync_api import Page, expect

from hub.demo import DEMO_EMAIL, DEMO_PASSWORD
from hub.ingest.tests.test_refused_screen import refuse_at_revoked_unit
from tests.support.browser import screenshot
from tests.support.portal_world import PortalWorld


def test_an_organisator_accepts_and_dismisses_refused_checkins_in_the_browser(
    world: PortalWorld, page: Page
) -> None:
    events = refuse_at_revoked_unit(world)
    page.goto(world.url + "/aanmelden/organisator")
    page.get_by_label("E-mailadres").fill(DEMO_EMAIL)
    page.get_by_label("Wachtwoord").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Inloggen").click()
    page.get_by_role("link", name="Geweigerd").click()
    expect(page.get_by_role("heading", name="Geweigerde registraties")).to_be_visible()
    expect(page.get_by_role("heading", name="Scanner unit-zonnebloem-uit")).to_be_visible()
    rows = page.locator("table.refused tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.first).to_contain_text("10/03/2026 10:00")
    expect(rows.first).to_contain_text("scanner was ingetrokken")
    screenshot(page, "refused-list")

    rows.first.get_by_role("button", name="Aanvaarden").click()
    expect(page.locator("#flash")).to_contain_text("De registratie is aanvaard")
    expect(rows).to_have_count(1)
    rows.first.get_by_role("button", name="Negeren").click()
    expect(page.locator("#flash")).to_contain_text("De registratie is genegeerd")
    expect(page.get_by_text("Geen geweigerde registraties.")).to_be_visible()
    with sqlite3.connect(world.database) as db:
        stored = db.execute(
            "SELECT id FROM events WHERE id IN (?, ?)", (events[0].id, events[1].id)
        ).fetchall()
    assert stored == [(events[0].id,)], "the accepted one stored once, the dismissed one not"
