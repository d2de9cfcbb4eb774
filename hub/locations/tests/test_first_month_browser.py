"""A new organisation's first month in real Chromium, against a real hub process.

`add-location` with the dossier number typed with dots and no hours: the location opens Monday to
Friday 07:00-18:00. The organisator finds these hours on "Openingsuren", changes Wednesday, adds
the year's public holidays in one click, sets the PIN (part of the dossier number is refused
whatever the dots), adds a child with a card. The location logs in and corrects two past days:
08:00-17:00 turns green; 06:55-18:20, which the house rules foresee, is saved as it happened with
"buiten openingsuren" and "laat opgehaald". The month's "Opgeladen" page has no time error, and the
batch carries 06:55 and 18:20. Days are taken from one Brussels clock, two to four weeks back:
never today, never in the future, always within the location's two months.
Screenshots: test-artifacts/eerste-maand-*.png.
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

from playwright.sync_api import Page, expect

from hub.core.db import connect
from hub.core.localtime import fmt_date, today
from hub.locations.schedule import public_holidays
from hub.upload.month import prepare_month
from tests.support.browser import screenshot
from tests.support.processes import start_hub
from tests.support.smtp import SmtpServer, link_in
from tests.test_portal_browser import hub_command, smtp  # noqa: F401  (fixture)
from wire import cardcode

EMAIL, PASSWORD = "info@eerstemaand.example", "eerste-maand-2026"


def two_working_days(now: date) -> tuple[date, date]:
    """Two consecutive Mondays-Tuesdays or Thursdays-Fridays of one month, 14 to 40 days back,
    neither a public holiday."""
    for back in range(14, 41):
        first = now - timedelta(days=back)
        second = first + timedelta(days=1)
        holidays = {day for day, _ in public_holidays(first.year) + public_holidays(second.year)}
        if first.isoweekday() in (1, 4) and first.month == second.month and not {first, second} & holidays:
            return first, second
    raise AssertionError("no two working days found")  # cannot happen: 27 days hold such a pair


def test_a_new_organisation_sets_its_hours_and_keeps_real_times_in_its_first_month(
    hub_dir: Path,
    smtp: SmtpServer,  # noqa: F811
    page: Page,
) -> None:
    first, second = two_working_days(today())
    hub, url = start_hub(hub_dir, embedded_port=0, extra_settings=smtp.settings())
    try:
        config = hub_dir / "hub.toml"
        hub_command(config, "invite", EMAIL, "--name", "Vzw Eerste Maand")
        out = hub_command(
            config, "add-location", "eerstemaand", "--organisator", EMAIL,
            "--dossier", "912.345.678", "--name", "Kinderopvang Eerste Maand",
        )  # fmt: skip
        assert "Openingsuren: ma 07:00–18:00" in out
        (invitation,) = smtp.inbox.wait_for(EMAIL)
        page.goto(link_in(invitation))
        page.get_by_label("Nieuw wachtwoord").fill(PASSWORD)
        page.get_by_label("Nog eens hetzelfde wachtwoord").fill(PASSWORD)
        page.get_by_role("button", name="Instellen").click()
        page.get_by_label("Wachtwoord").fill(PASSWORD)
        page.get_by_role("button", name="Inloggen").click()
        expect(page.locator(".who .role")).to_have_text("Organisator")

        # Openingsuren: the defaults are shown; Wednesday opens at 07:30
        page.get_by_role("link", name="Openingsuren").click()
        expect(page.get_by_role("heading", name="Openingsuren en sluitingsdagen")).to_be_visible()
        expect(page.get_by_label("maandag blok 1 van")).to_have_value("07:00")
        expect(page.get_by_label("vrijdag blok 1 tot")).to_have_value("18:00")
        expect(page.get_by_label("zaterdag open")).not_to_be_checked()
        expect(page.get_by_label("maandag blok 1 van")).to_have_attribute("inputmode", "numeric")
        screenshot(page, "eerste-maand-openingsuren")
        page.get_by_label("woensdag blok 1 van").fill("07:30")
        page.get_by_role("button", name="Openingsuren bewaren").click()
        expect(page.locator("#flash")).to_contain_text("De openingsuren zijn bewaard.")
        expect(page.get_by_label("woensdag blok 1 van")).to_have_value("07:30")
        expect(page.locator("#changes")).to_contain_text("woensdag 07:30–18:00")

        # Feestdagen voorstellen: the year of the corrected days, in one click
        page.get_by_label("Jaar").fill(str(first.year))
        page.get_by_role("button", name="Feestdagen voorstellen").click()
        expect(page.locator("#holidays")).to_contain_text("Paasmaandag")
        screenshot(page, "eerste-maand-feestdagen")
        page.get_by_role("button", name="Feestdagen toevoegen").click()
        expect(page.locator("#flash")).to_contain_text("10 feestdagen toegevoegd als sluitingsdag.")
        expect(page.locator("#closing-days")).to_contain_text("Kerstmis")

        # the PIN: a part of the dossier number is refused, dots or not
        page.get_by_role("link", name="Pincode").click()
        page.get_by_label("Pincode", exact=True).fill("9123")
        page.get_by_label("Nog eens dezelfde pincode").fill("9123")
        page.get_by_role("button", name="Pincode instellen").click()
        expect(page.get_by_role("alert")).to_have_text("Kies geen deel van het dossiernummer.")
        page.get_by_label("Pincode", exact=True).fill("5937")
        page.get_by_label("Nog eens dezelfde pincode").fill("5937")
        page.get_by_role("button", name="Pincode instellen").click()
        expect(page.locator("#flash")).to_contain_text("De pincode is ingesteld.")

        # a child with a card
        page.get_by_role("link", name="Kind toevoegen").first.click()
        page.get_by_label("Voornaam").fill("Noor")
        page.get_by_label("Achternaam").fill("Wouters")
        page.get_by_role("button", name="Zoeken").click()
        page.get_by_role("link", name="Nieuw kind toevoegen").click()
        page.get_by_label("Geboortedatum").fill("12/05/2025")
        page.get_by_label("Meisje").check()
        page.locator("input[name=contact_0_name]").fill("Eva Wouters")
        page.get_by_role("button", name="Verder").click()
        expect(page.locator("#flash")).to_contain_text("Noor is geregistreerd")
        code = cardcode.new_code()
        page.get_by_label("Cijfers onder de QR-code").fill(cardcode.pretty(code))
        page.get_by_role("button", name="Kaart koppelen", exact=True).click()
        expect(page.locator(".card-line .code")).to_have_text(cardcode.pretty(code))
        child_url = page.url
        page.get_by_role("button", name="Afmelden").click()

        # the location logs in with the dossier number as printed, dots and all
        page.goto(url + "/aanmelden/opvanglocatie")
        page.get_by_label("Vul je volledige dossiernummer in").fill("912.345.678")
        page.get_by_role("button", name="Zoeken").click()
        expect(page.locator("#gevonden")).to_contain_text("Kinderopvang Eerste Maand")
        page.get_by_role("link", name="Verder").click()
        page.get_by_label("Pincode").fill("5937")
        page.get_by_role("button", name="Aanmelden").click()
        expect(page.locator(".who .role")).to_have_text("Opvanglocatie")
        child_id = child_url.rstrip("/").split("/")[-1]

        # 08:00-17:00 turns green
        page.goto(f"{url}/locaties/eerstemaand/cel/{child_id}/{first.isoformat()}")
        page.get_by_label("aankomst").first.fill("08:00")
        page.get_by_label("vertrek").first.fill("17:00")
        page.get_by_role("button", name="Registratie opslaan").click()
        expect(page.locator("#flash")).to_contain_text(f"Registratie opgeslagen voor {fmt_date(first)}.")
        expect(page.locator(f"td.cell.ok[title^='{fmt_date(first)} · in orde']")).to_have_count(1)

        # 06:55-18:20 is saved as it happened, green, with both marks
        page.goto(f"{url}/locaties/eerstemaand/cel/{child_id}/{second.isoformat()}")
        page.get_by_label("aankomst").first.fill("06:55")
        page.get_by_label("vertrek").first.fill("18:20")
        page.get_by_role("button", name="Registratie opslaan").click()
        expect(page.locator("#flash")).to_contain_text(f"Registratie opgeslagen voor {fmt_date(second)}.")
        green = page.locator(f"td.cell.ok[title^='{fmt_date(second)} · in orde']")
        expect(green).to_contain_text("11u25")
        expect(green.locator(".mark")).to_have_count(2)
        page.goto(f"{url}/locaties/eerstemaand/cel/{child_id}/{second.isoformat()}")
        expect(page.locator(".cell.badge")).to_have_text("in orde")
        marks = page.locator("section.marks")
        expect(marks).to_contain_text("buiten openingsuren (07:00–18:00): 06:55, 18:20")
        expect(marks).to_contain_text("laat opgehaald: 18:20")
        screenshot(page, "eerste-maand-buiten-openingsuren")

        # the month: green cells with their marks, the late pickup listed
        page.goto(f"{url}/locaties/eerstemaand?maand={second:%Y-%m}")
        expect(page.locator("#late-pickups")).to_contain_text(fmt_date(second))
        expect(page.locator("#late-pickups")).to_contain_text("18:20")
        expect(page.locator("td.cell.err")).to_have_count(0)
        screenshot(page, "eerste-maand-overzicht")

        # Opgeladen: no time error for these days
        page.goto(f"{url}/locaties/eerstemaand/opgeladen?maand={second:%Y-%m}")
        expect(page.locator("#tijdsfouten")).to_contain_text("Geen fouten in de tijdsregistratie.")
        screenshot(page, "eerste-maand-opgeladen")
    finally:
        hub.stop()
    assert "Traceback" not in hub.log(), hub.log()[-3000:]

    # the batch keeps the times as registered
    db = connect(hub_dir / "hub.sqlite3")
    try:
        prepared = prepare_month(db, "eerstemaand", second.year, second.month)
        [record] = prepared.sendable
        stays = {d.date: [(f"{s.arrival:%H:%M}", f"{s.departure:%H:%M}") for s in d.stays]
                 for d in record.days}  # fmt: skip
        assert stays == {first: [("08:00", "17:00")], second: [("06:55", "18:20")]}
        assert not [i for i in prepared.issues if i.marker.value == "clock"]
        assert db.execute("SELECT dossier_number FROM locations WHERE id = 'eerstemaand'").fetchone() == (
            "912345678",
        )
    finally:
        db.close()
