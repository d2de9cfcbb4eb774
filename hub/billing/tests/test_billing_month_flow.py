"""The issue's one Chromium flow, on a day of last month: a location sets a care plan, a parent on a
phone reports an absence before 08:00 and one after, asks for an extra day, the location approves
them, and the month run previews and finalises an invoice whose PDF holds amounts worked out by hand.

The first half runs on a second hub process whose clock reads that day at 07:30 (libfaketime,
:func:`tests.support.billing.hub_at`), so "in time" and "late" do not depend on the hour the test
runs; the month run is done on the hub at the real time. Screenshots: test-artifacts/maandflow-*.png.
"""

from __future__ import annotations

import sqlite3
import subprocess
from datetime import datetime, time
from pathlib import Path

from playwright.sync_api import Page, expect

from hub.careplan.rules import PlanDay, Size
from hub.careplan.service import plan_of
from hub.core.db import open_database
from hub.core.localtime import BRUSSELS, fmt_date
from tests.support.billing import BillingHub, hub_at, stay
from tests.support.browser import ARTIFACTS, login_organisator, screenshot
from tests.support.parents import ANNE, PASSWORD

PHONE = {"width": 390, "height": 844}
PC = {"width": 1280, "height": 900}


def _login_parent(page: Page, url: str) -> None:
    page.goto(f"{url}/ouders/aanmelden")
    page.get_by_label("E-mailadres", exact=True).fill(ANNE)
    page.get_by_label("Wachtwoord").fill(PASSWORD)
    page.get_by_role("button", name="Inloggen").click()
    expect(page.locator("h1")).to_contain_text("Vandaag")


def _report_absence(page: Page, url: str, child: int, day, reason: str, note: bool = False) -> None:
    page.goto(f"{url}/ouders/kinderen/{child}/dag/{day.isoformat()}?locatie=zonnebloem")
    page.locator("#afwezig summary").click()
    page.get_by_label("Reden").select_option(reason)
    if note:
        page.get_by_label("Doktersattest").set_input_files(
            {"name": "attest.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4\n% attest\n"}
        )
    page.get_by_role("button", name="Afwezigheid melden").click()
    expect(page.locator("#flash")).to_contain_text("Je afwezigheidsmelding is verstuurd")


def test_a_month_from_care_plan_and_parent_requests_to_the_final_invoice_pdf(
    page: Page, billing_hub: BillingHub, tmp_path: Path
) -> None:
    hub, jules = billing_hub, billing_hub.families.jules
    o = hub.open_days  # last month's open days: plan o0-o3, Jules comes o0, o1 and the extra day o4
    morning = datetime.combine(o[3], time(7, 30), BRUSSELS)
    stay(hub.database, "Jules", o[0])  # 08:00-16:30, 510 minutes: 100 %
    stay(hub.database, "Jules", o[1], "08:00", "12:00")  # 240 minutes: 60 %
    stay(hub.database, "Jules", o[4])  # the extra day, 510 minutes: 100 %

    with hub_at(hub, morning, tmp_path) as then:  # o3, 07:30 Brussels
        login_organisator(page, then)
        page.goto(f"{then}/locaties/zonnebloem/opvangplannen")
        page.locator("#plans tr", has_text="Jules Peeters").get_by_role(
            "link", name="Opvangplan maken"
        ).click()
        page.get_by_label("Startdatum").fill(fmt_date(o[0]))
        page.get_by_label("Einddatum (niet verplicht)").fill(fmt_date(o[3]))
        for day in ("maandag", "dinsdag", "woensdag", "donderdag", "vrijdag"):
            page.get_by_label(f"{day} opvang").select_option("volledig")
            page.get_by_label(f"{day} van").fill("07:30")
            page.get_by_label(f"{day} tot").fill("17:30")
        page.get_by_role("button", name="Opvangplan bewaren").click()
        expect(page.locator("#flash")).to_have_text("Het opvangplan is bewaard.")
        page.goto(f"{then}/locaties/zonnebloem/facturatie/kind/{jules}")
        page.get_by_label("Dagprijs (euro)").fill("27,80")
        page.get_by_label("Geldig vanaf").fill(fmt_date(o[0]))
        page.get_by_role("button", name="Attest bewaren").click()
        expect(page.locator("#flash")).to_have_text("Het attest inkomenstarief is bewaard.")
        page.get_by_label("Naam debiteur").fill("Anne Peeters")
        page.get_by_label("E-mail").fill(ANNE)
        page.get_by_label("IBAN").fill("BE68 5390 0754 7034")
        page.get_by_label("Mandaatreferentie").fill("ZB-0002")
        page.get_by_label("Datum mandaat").fill(fmt_date(o[0]))
        page.get_by_role("button", name="Bewaren", exact=True).click()
        expect(page.locator("#flash")).to_have_text("De gegevens voor de facturatie zijn bewaard.")

        # the parent, on a phone at 07:30: o3 ill with a doctor's note (in time), o2 on holiday (late)
        page.set_viewport_size(PHONE)
        _login_parent(page, then)
        _report_absence(page, then, jules, o[3], "ziek_attest", note=True)
        expect(page.locator(".request")).to_contain_text("ziek met doktersattest — op tijd gemeld")
        screenshot(page, "maandflow-op-tijd")
        _report_absence(page, then, jules, o[2], "vakantie")
        expect(page.locator(".request")).to_contain_text("vakantie — te laat gemeld (na 08:00)")
        screenshot(page, "maandflow-te-laat")
        page.goto(f"{then}/ouders/kinderen/{jules}/dag/{o[4].isoformat()}?locatie=zonnebloem")
        page.locator("#extra-dag summary").click()
        page.get_by_label("Van (uu:mm)").fill("08:00")
        page.get_by_label("Tot (uu:mm)").fill("16:30")
        page.get_by_role("button", name="Dag aanvragen").click()
        expect(page.locator(".request")).to_contain_text("08:00–16:30")
        screenshot(page, "maandflow-extra-dag")

        # the location approves all three
        page.set_viewport_size(PC)
        login_organisator(page, then)
        page.goto(f"{then}/locaties/zonnebloem/ouderverzoeken")
        rows = page.locator("table.requests tbody tr")
        expect(rows).to_have_count(3)
        expect(page.locator("table.requests")).to_contain_text("te laat gemeld")
        expect(page.locator("table.requests")).to_contain_text("op tijd gemeld")
        screenshot(page, "maandflow-verzoeken")
        for _ in range(3):
            page.locator("table.requests tbody tr.status-ingediend").first.get_by_role(
                "button", name="Goedkeuren"
            ).click()
        expect(page.locator("table.requests tbody tr.status-ingediend")).to_have_count(0)

    with sqlite3.connect(hub.database) as db:
        asked = db.execute("SELECT day, kind, in_time, status FROM parent_requests ORDER BY day").fetchall()
    assert asked == [
        (o[2].isoformat(), "afwezigheid", 0, "goedgekeurd"),
        (o[3].isoformat(), "afwezigheid", 1, "goedgekeurd"),
        (o[4].isoformat(), "extra_dag", None, "goedgekeurd"),
    ]
    db = open_database(hub.database)
    plan = plan_of(db, jules, "zonnebloem").plan
    db.close()
    assert plan.planned(o[4]) == PlanDay(Size.FULL, time(8), time(16, 30))  # the extra day, planned

    # the month run, at the real time: 2 x 27,80 (o0, o4) + 60 % of 27,80 = 16,68 (o1)
    # + 3,50 administration = 75,78; o3 is free (doctor's note), o2 uses 1 of the 1,5 justified
    # absences (20 a year for 5 days a week, 1 month in care: 20/12 = 1,67, to the half day: 1,5)
    login_organisator(page, hub.url)
    page.goto(f"{hub.url}/locaties/zonnebloem/facturatie?maand={hub.key}")
    preview = page.locator(f"#child-{jules}")
    expect(preview.locator(".total")).to_have_text("EUR 75,78")
    expect(preview).to_contain_text("Gerechtvaardigde afwezigheden: nog 0,5 van 1,5")
    screenshot(page, "maandflow-voorbeeld")
    page.get_by_role("button", name="Facturen finaliseren").click()
    expect(page.locator("#flash")).to_have_text("1 facturen gefinaliseerd.")
    href = page.locator("#invoice-1 a").get_attribute("href")
    response = page.request.get(hub.url + href)
    assert response.ok and response.headers["content-type"] == "application/pdf"
    pdf = tmp_path / "maandflow-factuur.pdf"
    pdf.write_bytes(response.body())
    ARTIFACTS.mkdir(exist_ok=True)
    subprocess.run(
        ["pdftoppm", "-png", "-r", "80", "-singlefile", str(pdf), str(ARTIFACTS / "maandflow-factuur")],
        check=True,
    )
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], check=True, capture_output=True, text=True
    ).stdout
    for literal in (
        "Factuur 1",
        "EUR 55,60",  # the two full days
        "EUR 16,68",  # the half day at 60 %
        "EUR 3,50",
        "EUR 75,78",
        "Gerechtvaardigde afwezigheden: nog 0,5 van 1,5",
        "mandaat ZB-0002",
    ):
        assert literal in text, (literal, text)
