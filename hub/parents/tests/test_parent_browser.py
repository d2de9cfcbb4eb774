"""The parents' side in real Chromium at a phone's viewport (390×844), mails through real SMTP.

Screenshots for people go to test-artifacts/ouders-*.png.
"""

from __future__ import annotations

import calendar
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from hub.attendance.grid import month_grid
from hub.core.db import open_database
from hub.core.localtime import today
from hub.core.settings import HubSettings
from hub.demo import DEMO_DOSSIER, DEMO_PIN
from hub.mail.smtp import SmtpMailer
from hub.web.app import create_app
from hub.web.channel import RecordingChannel
from tests.support.browser import screenshot
from tests.support.parents import ANNE, PASSWORD, Families, add_families, last_open_day, scan_now
from tests.support.portal import PortalClient, serve
from tests.support.portal_world import build_world
from tests.support.smtp import SmtpServer, body, link_in
from wire import Direction

PHONE = {"width": 390, "height": 844}


@dataclass
class Hub:
    url: str
    database: Path
    smtp: SmtpServer
    families: Families


@pytest.fixture
def parents_hub(hub_dir: Path) -> Iterator[Hub]:
    database, other_child, _code = build_world(hub_dir)
    families = add_families(database, other_child, with_accounts=False)
    smtp = SmtpServer().start()
    mailer = SmtpMailer("127.0.0.1", smtp.port, "none", "", "", "Aanwezig <hub@aanwezig.example>")
    app = create_app(
        database, units=RecordingChannel(), mailer=mailer, settings=HubSettings(data_dir=hub_dir)
    )
    try:
        with serve(app) as url:
            app.state.portal.base_url = url  # links in mails point at this test's portal
            yield Hub(url, database, smtp, families)
    finally:
        smtp.stop()


@pytest.fixture
def phone(browser: BrowserContext) -> Page:
    page = browser.pages[0] if browser.pages else browser.new_page()
    page.set_viewport_size(PHONE)
    return page


def _staff(hub: Hub) -> PortalClient:
    staff = PortalClient(hub.url)
    staff.login_location(DEMO_DOSSIER, DEMO_PIN)
    return staff


def _account_from_the_confirmation_mail(hub: Hub, phone: Page, email: str = ANNE) -> None:
    """The location adds a contact; the contact follows "Maak je account aan" and sets a password."""
    staff = _staff(hub)
    child = f"/locaties/zonnebloem/kinderen/{hub.families.noah}"
    staff.post(
        f"{child}/contacten", {"name": "Anne Peeters", "email": email, "relation": "meter"}, form_page=child
    )
    (mail,) = hub.smtp.inbox.wait_for(email)
    assert "Maak je account aan" in body(mail)
    phone.goto(link_in(mail))
    expect(phone.locator("#account-email")).to_have_text(email)
    screenshot(phone, "ouders-account-aanmaken")
    phone.get_by_label("Wachtwoord", exact=True).fill(PASSWORD)
    phone.get_by_label("Wachtwoord (nog een keer)").fill(PASSWORD)
    phone.get_by_role("button", name="Account aanmaken").click()
    expect(phone.locator("h1")).to_contain_text("Vandaag")


def test_a_contact_goes_from_the_confirmation_mail_to_their_account_on_a_phone(
    parents_hub: Hub, phone: Page
) -> None:
    _account_from_the_confirmation_mail(parents_hub, phone)
    # Anne is a contact of Jules and Fien too (two organisators): one account shows all three
    for name in ("Jules", "Fien", "Noah"):
        expect(phone.locator(".child h2", has_text=name)).to_be_visible()
    expect(phone.locator(".child h2", has_text="Lotte")).to_have_count(0)
    screenshot(phone, "ouders-vandaag")
    # the account works the next day too: log out, log in with the password
    phone.get_by_role("button", name="Afmelden").click()
    phone.get_by_label("E-mailadres", exact=True).fill(ANNE)
    phone.get_by_label("Wachtwoord").fill(PASSWORD)
    phone.get_by_role("button", name="Inloggen").click()
    expect(phone.locator(".child")).to_have_count(3)


def test_vandaag_updates_live_when_a_check_in_is_stored_without_a_reload(
    parents_hub: Hub, phone: Page
) -> None:
    _account_from_the_confirmation_mail(parents_hub, phone)
    jules = phone.locator(f'[data-child="{parents_hub.families.jules}"] .state')
    expect(jules).to_have_text("Nog niet aangekomen")
    phone.wait_for_function("window.aanwezigStream && window.aanwezigStream.readyState === 1")
    phone.evaluate("window.sentinel = 'nog dezelfde pagina'")
    scan_now(parents_hub.database, "Jules", Direction.ARRIVAL)
    expect(jules).to_contain_text("Aangekomen om")
    expect(jules).to_contain_text(f"in {_location_name(parents_hub)}")
    expect(phone.locator(f'[data-child="{parents_hub.families.jules}"] .unit')).to_have_text(
        "scanner unit-zonnebloem-in"
    )
    assert phone.evaluate("window.sentinel") == "nog dezelfde pagina"  # no reload
    assert phone.evaluate("window.aanwezigStream.readyState") == 1  # the EventSource is open
    screenshot(phone, "ouders-vandaag-live")


def test_the_month_view_shows_the_locations_judgement_and_a_day_on_a_tap(
    parents_hub: Hub, phone: Page
) -> None:
    _account_from_the_confirmation_mail(parents_hub, phone)
    families = parents_hub.families
    phone.locator(f'[data-child="{families.jules}"] .links a').first.click()
    expect(phone.locator(".calendar .day")).to_have_count(_days_in(today()))
    day = last_open_day(parents_hub.database)
    if (day.year, day.month) != (today().year, today().month):
        phone.get_by_label("Vorige maand").click()
    cell = phone.locator(f'.calendar [data-day="{day.isoformat()}"]')
    # the same judgement as the location's grid for this child on that day
    db = open_database(parents_hub.database)
    grid = month_grid(db, "zonnebloem", day.year, day.month)
    db.close()
    row = next(r for r in grid.rows if r.child.id == families.jules)
    expect(cell).to_have_attribute("data-state", row.cells[day.day - 1].state.value)
    screenshot(phone, "ouders-maand")
    cell.click()
    expect(phone.locator("h1")).to_contain_text(day.strftime("%d/%m/%Y"))
    expect(phone.locator("#klopt-niet summary")).to_have_text("Klopt er iets niet?")
    screenshot(phone, "ouders-dag")


def _days_in(day) -> int:
    return calendar.monthrange(day.year, day.month)[1]


def _location_name(hub: Hub) -> str:
    with sqlite3.connect(hub.database) as db:
        return db.execute("SELECT name FROM locations WHERE id = 'zonnebloem'").fetchone()[0]


def _ask_for(phone: Page, hub: Hub, arrival: str, departure: str, comment: str):
    day = last_open_day(hub.database)
    phone.goto(f"{hub.url}/ouders/kinderen/{hub.families.jules}/dag/{day.isoformat()}?locatie=zonnebloem")
    phone.locator("#klopt-niet summary").click()
    phone.get_by_label("Aankomst (uu:mm)").fill(arrival)
    phone.get_by_label("Vertrek (uu:mm)").fill(departure)
    phone.get_by_label("Opmerking").fill(comment)
    phone.get_by_role("button", name="Verzoek versturen").click()
    expect(phone.locator("#flash")).to_contain_text("Je verzoek is verstuurd")
    return day


def _decide(hub: Hub, action: str, reason: str = "") -> None:
    """The location decides the open request from its own browser session (its own cookie jar)."""
    staff = _staff(hub)
    page = "/locaties/zonnebloem/ouderverzoeken"
    listing = staff.get(page).text
    assert 'data-count="ouderverzoeken">1<' in listing
    with sqlite3.connect(hub.database) as db:
        (request_id,) = [r for (r,) in db.execute("SELECT id FROM parent_requests")]
    answer = staff.post(f"{page}/{request_id}/{action}", {"reden": reason}, form_page=page)
    assert 'id="flash"' in answer.text
    staff.close()


def test_a_klopt_niet_request_accepted_by_the_location_changes_the_parents_view(
    parents_hub: Hub, phone: Page
) -> None:
    _account_from_the_confirmation_mail(parents_hub, phone)
    day = _ask_for(phone, parents_hub, "07:50", "16:20", "Papa bracht Jules vroeger")
    expect(phone.locator(".request .status")).to_contain_text("Ingediend")
    _decide(parents_hub, "goedkeuren")
    phone.reload()
    expect(phone.locator(".request .status")).to_contain_text("Goedgekeurd")
    expect(phone.locator("#stays")).to_contain_text("07:50–16:20")
    (mail,) = [m for m in parents_hub.smtp.inbox.wait_for(ANNE, 2) if "goedgekeurd" in m["Subject"]]
    assert day.strftime("%d/%m/%Y") in body(mail)
    screenshot(phone, "ouders-verzoek-goedgekeurd")


def test_a_refused_request_shows_the_reason_to_the_parent(parents_hub: Hub, phone: Page) -> None:
    _account_from_the_confirmation_mail(parents_hub, phone)
    _ask_for(phone, parents_hub, "07:50", "16:20", "")
    _decide(parents_hub, "afwijzen", "Jules kwam om 09:00, dat zagen we zelf.")
    phone.goto(parents_hub.url + "/ouders/verzoeken")
    expect(phone.locator(".request .status")).to_contain_text("Afgewezen: Jules kwam om 09:00")
    (mail,) = [m for m in parents_hub.smtp.inbox.wait_for(ANNE, 2) if "afgewezen" in m["Subject"]]
    assert "Jules kwam om 09:00" in body(mail)
    screenshot(phone, "ouders-verzoek-afgewezen")
