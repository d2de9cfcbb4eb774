"""The portal in real Chromium (Debian's package, driven by Playwright), as its people use it.

- an organisator from the invitation mail (real SMTP on loopback) to a first child with a card;
- a location that types a wrong PIN five times and meets the lock;
- a scan that arrives through MQTT (real Mosquitto, a hub process) and turns a cell green;
- fixing a red cell; a change outside the location's window refused with the reason.

Screenshots of the grid and the child form are saved in test-artifacts/.
"""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, time, timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from hub.attendance.cells import CellState
from hub.attendance.grid import month_grid
from hub.attendance.windows import shift_month
from hub.core.db import connect, open_database
from hub.core.localtime import BRUSSELS, fmt_date, fmt_time, today
from hub.demo import DEMO_DOSSIER, DEMO_PIN, DemoData
from hub.locations.queries import set_opening_hours
from hub.locations.schedule import weekdays
from provisioning.mosquitto import UnitAccount
from tests.support.browser import login_organisator, screenshot
from tests.support.messages import checkin
from tests.support.portal_world import PortalWorld
from tests.support.processes import ROOT, start_hub
from tests.support.raw_unit import RawUnit
from tests.support.smtp import SmtpServer, body, link_in
from tests.support.waiting import wait_for
from wire import Direction, Verdict, cardcode, encode


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    server = SmtpServer().start()
    yield server
    server.stop()


def hub_command(config: Path, *args: str) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "hub", *args, "--config", str(config)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_an_organisator_goes_from_the_invitation_mail_to_a_first_child_with_a_linked_card(
    hub_dir: Path, smtp: SmtpServer, page: Page
) -> None:
    hub, _url = start_hub(hub_dir, embedded_port=0, extra_settings=smtp.settings())
    try:
        config = hub_dir / "hub.toml"
        hub_command(config, "invite", "info@kleinewereld.example", "--name", "Vzw De Kleine Wereld")
        hub_command(
            config,
            "add-location",
            "kleinewereld",
            "--organisator",
            "info@kleinewereld.example",
            "--dossier",
            "905000111",
            "--name",
            "Kinderopvang De Kleine Wereld",
            "--address",
            "Schoolstraat 5, 3000 Leuven",
        )
        (invitation,) = smtp.inbox.wait_for("info@kleinewereld.example")
        link = link_in(invitation)

        # Stap 1-2: the link from the mail, the password typed twice
        page.goto(link)
        expect(page.get_by_role("heading", name="Geef nieuw wachtwoord")).to_be_visible()
        page.get_by_label("Nieuw wachtwoord").fill("kleine-wereld-2026")
        page.get_by_label("Nog eens hetzelfde wachtwoord").fill("kleine-wereld-2026")
        page.get_by_role("button", name="Instellen").click()
        # Stap 3: e-mail and password again
        expect(page.locator("#flash")).to_contain_text("Je wachtwoord is ingesteld.")
        expect(page.get_by_label("E-mailadres")).to_have_value("info@kleinewereld.example")
        page.get_by_label("Wachtwoord").fill("kleine-wereld-2026")
        page.get_by_role("button", name="Inloggen").click()
        # one location: straight to its overview, which has no children yet
        expect(page.locator(".who .role")).to_have_text("Organisator")
        expect(page.locator(".who .name")).to_have_text("Vzw De Kleine Wereld")
        expect(page.get_by_text("Er zijn nog geen kinderen gekoppeld aan je locatie.")).to_be_visible()

        # the PIN for the location, with the tips; a trivial one is refused
        page.get_by_role("link", name="Pincode").click()
        expect(page.get_by_text("Geen pincode ingesteld voor deze opvang.")).to_be_visible()
        expect(page.get_by_text("kies geen eenvoudige code zoals ‘0000’ of ‘1234’")).to_be_visible()
        page.get_by_label("Pincode", exact=True).fill("1234")
        page.get_by_label("Nog eens dezelfde pincode").fill("1234")
        page.get_by_role("button", name="Pincode instellen").click()
        expect(page.get_by_role("alert")).to_have_text(
            "Kies geen reeks opeenvolgende cijfers, zoals 1234 of 4321."
        )
        page.get_by_label("Pincode", exact=True).fill("5937")
        page.get_by_label("Nog eens dezelfde pincode").fill("5937")
        page.get_by_role("button", name="Pincode instellen").click()
        expect(page.locator("#flash")).to_contain_text("De pincode is ingesteld.")

        # Kind toevoegen: first the name, the search finds nobody, then the form
        page.get_by_role("link", name="Kind toevoegen").first.click()
        page.get_by_label("Voornaam").fill("Paulien")
        page.get_by_label("Achternaam").fill("Claes")
        page.get_by_role("button", name="Zoeken").click()
        expect(page.get_by_text("Er is nog geen kind met deze naam gekend.")).to_be_visible()
        page.get_by_role("link", name="Nieuw kind toevoegen").click()
        expect(page.get_by_label("Voornaam")).to_have_value("Paulien")
        page.get_by_label("Geboortedatum").fill("02/02/2025")
        page.get_by_label("Meisje").check()
        page.locator("input[name=contact_0_name]").fill("Sofie Claes")
        page.locator("input[name=contact_0_email]").fill("sofie@claes.example")
        page.locator("input[name=contact_0_relation]").fill("moeder")
        page.get_by_role("button", name="Nog een contactpersoon").click()
        page.locator("input[name=contact_1_name]").fill("Tom Claes")
        screenshot(page, "child-form")
        page.get_by_role("button", name="Verder").click()
        expect(page.locator("#flash")).to_contain_text(
            "Paulien is geregistreerd in Kinderopvang De Kleine Wereld."
        )

        # a new QR card, linked by typing the digits under the QR (a typo first)
        code = cardcode.new_code()
        typo = code[:9] + str((int(code[9]) + 1) % 10)
        page.get_by_label("Cijfers onder de QR-code").fill(cardcode.pretty(typo))
        page.get_by_role("button", name="Kaart koppelen", exact=True).click()
        expect(page.locator("#card-error")).to_contain_text("Deze code klopt niet")
        page.get_by_label("Cijfers onder de QR-code").fill(cardcode.pretty(code))
        page.get_by_role("button", name="Kaart koppelen", exact=True).click()
        expect(page.locator("#flash")).to_contain_text(
            f"Paulien geregistreerd in de opvang: kaart {cardcode.pretty(code)}"
        )
        expect(page.locator(".card-line .code")).to_have_text(cardcode.pretty(code))
        screenshot(page, "child-page")

        (confirmation,) = smtp.inbox.wait_for("sofie@claes.example")
        assert "Paulien Claes is geregistreerd in de kinderopvang Kinderopvang De Kleine Wereld" in body(
            confirmation
        )
        with connect(hub_dir / "hub.sqlite3") as db:
            assert db.execute("SELECT state FROM cards WHERE code = ?", (code,)).fetchone() == ("active",)
    finally:
        hub.stop()
    assert "Traceback" not in hub.log(), hub.log()[-3000:]


def test_a_location_that_types_a_wrong_pin_five_times_is_locked(world: PortalWorld, page: Page) -> None:
    page.goto(world.url)
    page.get_by_role("link", name="Ik ben een opvanglocatie").click()
    page.get_by_label("Vul je volledige dossiernummer in").fill(DEMO_DOSSIER)
    page.get_by_role("button", name="Zoeken").click()
    expect(page.locator("#gevonden")).to_contain_text("Kinderdagverblijf De Zonnebloem")
    expect(page.locator("#gevonden")).to_contain_text("Kerkstraat 12, 2000 Antwerpen")
    page.get_by_role("link", name="Verder").click()
    for left in (4, 3, 2, 1):
        page.get_by_label("Pincode").fill("9157")
        page.get_by_role("button", name="Aanmelden").click()
        expect(page.get_by_role("alert")).to_contain_text(f"nog {left} poging")
    page.get_by_label("Pincode").fill("9157")
    page.get_by_role("button", name="Aanmelden").click()
    expect(page.get_by_role("alert")).to_contain_text("Na 5 foute pincodes is dit toestel vergrendeld tot")
    page.get_by_label("Pincode").fill(DEMO_PIN)  # the right PIN, too late
    page.get_by_role("button", name="Aanmelden").click()
    expect(page.get_by_role("alert")).to_contain_text("Te veel foute pincodes vanaf dit toestel")
    screenshot(page, "pin-locked", full_page=False)
    assert "/locaties/" not in page.url


@pytest.fixture
def open_every_day(hub_dir: Path, demo: DemoData) -> DemoData:
    """The demo location open all day every day, so a scan now is never outside opening hours."""
    db = open_database(hub_dir / "hub.sqlite3")
    set_opening_hours(db, demo.location_id, weekdays("00:00", "23:59", range(1, 8)))
    db.execute("DELETE FROM location_closing_days")
    db.close()
    return demo


def test_a_scan_arriving_through_mqtt_turns_the_childs_cell_green(
    hub_dir: Path, open_every_day: DemoData, start_mosquitto, page: Page
) -> None:
    demo = open_every_day
    mosquitto = start_mosquitto(UnitAccount(demo.unit_id, demo.location_id, "unit-secret"))
    hub, url = start_hub(hub_dir, broker_url=mosquitto.hub_url)
    unit = RawUnit.of(mosquitto, demo.unit_id).start()
    try:
        page.goto(url + "/aanmelden/opvanglocatie")
        page.get_by_label("Vul je volledige dossiernummer in").fill(DEMO_DOSSIER)
        page.get_by_role("button", name="Zoeken").click()
        page.get_by_role("link", name="Verder").click()
        page.get_by_label("Pincode").fill(DEMO_PIN)
        page.get_by_role("button", name="Aanmelden").click()
        page.get_by_role("link", name="per week").click()
        jules = page.locator("#grid tbody tr", has_text="Jules Peeters")
        today_cell = jules.locator("td.cell").nth(today().weekday())
        expect(today_cell).to_have_class(re.compile(r"\babs\b"))

        now = datetime.now(UTC)
        midnight = datetime.combine(today(), time(0), BRUSSELS)  # both scans on today, even at 00:00:30
        for direction, moment in (
            (Direction.ARRIVAL, max(now - timedelta(seconds=50), midnight)),
            (Direction.DEPARTURE, now),
        ):
            event = checkin(
                unit=demo.unit_id,
                location=demo.location_id,
                code=demo.cards["Jules"],
                direction=direction,
                wall_time=moment.astimezone().isoformat(timespec="milliseconds"),
            )
            unit.publish(encode(event))
            acks = wait_for(lambda e=event: unit.acks_for(e.id), what="the hub's ack")
            assert acks[0].verdict is Verdict.STORED
            page.reload()
            if direction is Direction.ARRIVAL:
                expect(today_cell).to_have_class(re.compile(r"\bnow\b"))
                expect(today_cell).to_have_text("nu aanwezig")
        expect(today_cell).to_have_class(re.compile(r"\bok\b"))
        screenshot(page, "grid-week")
        page.get_by_role("link", name="per maand").click()
        expect(jules.locator("td.cell").nth(today().day - 1)).to_have_class(re.compile(r"\bok\b"))
        screenshot(page, "grid-month")
    finally:
        unit.stop()
        hub.stop()
    assert "Traceback" not in hub.log(), hub.log()[-3000:]


def test_fixing_a_red_cell_turns_it_green_and_keeps_who_changed_it(world: PortalWorld, page: Page) -> None:
    db = connect(world.database)
    day = today()
    red = [
        (row.child, cell.day)
        for year, month in ((day.year, day.month), shift_month(day.year, day.month, -1))
        for row in month_grid(db, "zonnebloem", year, month).rows
        for cell in row.cells
        if cell.state is CellState.ERROR
    ]
    db.close()
    assert len(red) == 1, "the demo history forgets one departure"
    child, red_day = red[0]

    login_organisator(page, world.url)
    page.goto(f"{world.url}/locaties/zonnebloem?maand={red_day:%Y-%m}")
    row = page.locator("#grid tbody tr", has_text=child.name)
    cell = row.locator("td.cell").nth(red_day.day - 1)
    expect(cell).to_have_class(re.compile(r"\berr\b"))
    cell.locator("a").click()

    expect(page.get_by_role("heading", name="Wat is er fout?")).to_be_visible()
    expect(page.locator(".findings")).to_contain_text("Vertrek ontbreekt na aankomst om")
    page.get_by_label("vertrek").first.fill("16:30")
    page.get_by_label("Reden van de wijziging").fill("vertrek vergeten te scannen")
    page.get_by_role("button", name="Registratie opslaan").click()

    expect(page.locator("#flash")).to_contain_text(f"Registratie opgeslagen voor {fmt_date(red_day)}.")
    cell = page.locator("#grid tbody tr", has_text=child.name).locator("td.cell").nth(red_day.day - 1)
    expect(cell).to_have_class(re.compile(r"\bok\b"))
    expect(cell.locator(".corrected")).to_be_visible()
    screenshot(page, "grid-corrected")

    cell.locator("a").click()
    expect(page.locator(".history")).to_contain_text("Kinderopvang De Zonnebloem vzw (organisator)")
    expect(page.locator(".history")).to_contain_text("vertrek vergeten te scannen")
    # the bin removes the stay: the child was not there after all
    page.get_by_role("button", name="Deze uren verwijderen").first.click()
    page.get_by_role("button", name="Registratie opslaan").click()
    cell = page.locator("#grid tbody tr", has_text=child.name).locator("td.cell").nth(red_day.day - 1)
    expect(cell).to_have_class(re.compile(r"\babs\b"))


@pytest.mark.parametrize("browser_locale", ["en-US"])
def test_times_show_as_24_hours_in_an_american_browser_and_a_correction_typed_as_17_30_is_saved(
    world: PortalWorld, page: Page
) -> None:
    db = connect(world.database)
    day = today()
    red = [
        (row.child, cell)
        for year, month in ((day.year, day.month), shift_month(day.year, day.month, -1))
        for row in month_grid(db, "zonnebloem", year, month).rows
        for cell in row.cells
        if cell.state is CellState.ERROR
    ]
    db.close()
    ((child, red_cell),) = red
    shown = fmt_time(red_cell.intervals[0].arrival)  # Brussels time, 24 hours

    login_organisator(page, world.url)
    page.goto(f"{world.url}/locaties/zonnebloem/cel/{child.id}/{red_cell.day.isoformat()}")
    assert page.evaluate("navigator.language") == "en-US"
    arrival_field, departure_field = page.get_by_label("aankomst").first, page.get_by_label("vertrek").first
    # a plain field shows its value as it is: no "08:05 AM" whatever the browser's language
    for field in (arrival_field, departure_field):
        assert field.evaluate("e => e.type") == "text"
        expect(field).to_have_attribute("inputmode", "numeric")
        expect(field).to_have_attribute("placeholder", "uu:mm")
        expect(field).to_have_attribute("pattern", "[0-2][0-9]:[0-5][0-9]")
    expect(arrival_field).to_have_value(shown)
    screenshot(page, "correction-en-US")

    departure_field.click()
    page.keyboard.type("17:30")  # as a person types it, key by key
    expect(departure_field).to_have_value("17:30")
    page.get_by_role("button", name="Registratie opslaan").click()
    expect(page.locator("#flash")).to_contain_text(f"Registratie opgeslagen voor {fmt_date(red_cell.day)}.")
    page.goto(f"{world.url}/locaties/zonnebloem/cel/{child.id}/{red_cell.day.isoformat()}")
    expect(page.get_by_label("vertrek").first).to_have_value("17:30")
    expect(page.get_by_label("aankomst").first).to_have_value(shown)
    expect(page.locator(".history")).to_contain_text(f"{shown}–17:30")

    # the pattern lets 25:00 through; the server refuses it in Dutch and saves nothing
    departure_field.fill("25:00")
    page.get_by_role("button", name="Registratie opslaan").click()
    expect(page.locator("#error")).to_contain_text("‘25:00’ is geen uur; schrijf het als UU:MM")
    with connect(world.database) as db:
        assert db.execute("SELECT count(*) FROM corrections").fetchone() == (1,)


def test_a_change_outside_the_locations_window_is_refused_with_the_reason(
    world: PortalWorld, page: Page
) -> None:
    page.goto(world.url + "/aanmelden/opvanglocatie/pincode?dossier=" + DEMO_DOSSIER)
    page.get_by_label("Pincode").fill(DEMO_PIN)
    page.get_by_role("button", name="Aanmelden").click()
    year, month = shift_month(today().year, today().month, -3)
    page.goto(f"{world.url}/locaties/zonnebloem?maand={year:04d}-{month:02d}")
    page.locator("#grid tbody tr", has_text="Jules Peeters").locator("td.cell.abs a").first.click()

    refusal = page.locator("#refusal")
    expect(refusal).to_contain_text("Een opvanglocatie kan aanwezigheden tot 2 maanden terug wijzigen")
    expect(refusal).to_contain_text("Vraag de organisator om deze wijziging.")
    expect(page.get_by_role("button", name="Registratie opslaan")).to_be_disabled()
    # the server refuses too, whatever the browser sends
    page.locator("fieldset").evaluate("f => f.disabled = false")
    page.get_by_label("aankomst").first.fill("08:00")
    page.get_by_label("vertrek").first.fill("16:00")
    page.get_by_role("button", name="Registratie opslaan").click()
    expect(page.locator("#error")).to_contain_text(
        "Een opvanglocatie kan aanwezigheden tot 2 maanden terug wijzigen"
    )
    screenshot(page, "correction-refused")
    with connect(world.database) as db:
        assert db.execute("SELECT count(*) FROM corrections").fetchone() == (0,)
