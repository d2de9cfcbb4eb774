"""In real Chromium: a location sets a care plan, bills last month (preview, finalise), the invoice
PDF is rendered and read, and a correction gives a credit note leaving the final PDF as it was.

Screenshots: test-artifacts/facturatie-*.png (the PDF's first page as rendered by pdftoppm).
"""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path

from playwright.sync_api import Page, expect

from hub.billing.service import finalise_month
from hub.core.actors import Actor
from hub.core.db import connect
from hub.core.localtime import fmt_date, local, today
from hub.demo import DEMO_DOSSIER, DEMO_PIN
from hub.prices.amounts import parse_amounts
from tests.support.billing import AMOUNTS, BillingHub, stay
from tests.support.browser import ARTIFACTS, login_organisator, screenshot
from tests.support.parents import ANNE, BERT, PASSWORD, last_open_day, login_parent
from tests.support.portal import PortalClient
from tests.support.portal_world import OTHER_DOSSIER, OTHER_PIN


def _pdf_text(pdf: bytes, folder: Path, name: str) -> str:
    path = folder / f"{name}.pdf"
    path.write_bytes(pdf)
    ARTIFACTS.mkdir(exist_ok=True)
    subprocess.run(
        ["pdftoppm", "-png", "-r", "80", "-singlefile", str(path), str(ARTIFACTS / name)], check=True
    )
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True, text=True
    ).stdout


def _pdf(page: Page, href: str) -> bytes:
    """The PDF behind a link of the page, fetched with the browser's own cookies."""
    response = page.request.get(page.url.split("/locaties/")[0] + href)
    assert response.ok and response.headers["content-type"] == "application/pdf"
    return response.body()


def test_a_location_plans_bills_last_month_and_corrects_with_a_credit_note(
    page: Page, billing_hub: BillingHub, tmp_path: Path
) -> None:
    assert shutil.which("pdftoppm") and shutil.which("pdftotext"), (
        "scripts/install-test-deps installs poppler-utils"
    )
    hub, jules = billing_hub, billing_hub.families.jules
    d1, d2, d3, d4 = hub.open_days[:4]
    stay(hub.database, "Jules", d1)  # 08:00-16:30: 100 %
    stay(hub.database, "Jules", d2)
    stay(hub.database, "Jules", d3, "08:00", "12:00")  # 4 h: 60 %; d4 planned, nobody came
    login_organisator(page, hub.url)

    # the care plan: every weekday a full day, from the first to the fourth open day of last month
    page.goto(f"{hub.url}/locaties/zonnebloem/opvangplannen")
    page.locator("#plans tr", has_text="Jules Peeters").get_by_role("link", name="Opvangplan maken").click()
    page.get_by_label("Startdatum").fill(fmt_date(d1))
    page.get_by_label("Einddatum (niet verplicht)").fill(fmt_date(d4))
    for day in ("maandag", "dinsdag", "woensdag", "donderdag", "vrijdag"):
        page.get_by_label(f"{day} opvang").select_option("volledig")
        page.get_by_label(f"{day} van").fill("07:30")
        page.get_by_label(f"{day} tot").fill("17:30")
    page.get_by_role("button", name="Opvangplan bewaren").click()
    expect(page.locator("#flash")).to_have_text("Het opvangplan is bewaard.")

    page.goto(f"{hub.url}/locaties/zonnebloem?maand={hub.key}")
    expect(page.locator("#grid tbody tr", has_text="Jules Peeters").locator("td.cell.missed")).to_have_count(
        1
    )

    # the attest inkomenstarief and the debtor
    page.goto(f"{hub.url}/locaties/zonnebloem/facturatie/kind/{jules}")
    page.get_by_label("Dagprijs (euro)").fill("25,34")
    page.get_by_label("Geldig vanaf").fill(fmt_date(d1))
    page.get_by_role("button", name="Attest bewaren").click()
    expect(page.locator("#flash")).to_have_text("Het attest inkomenstarief is bewaard.")
    page.get_by_label("Naam debiteur").fill("Anne Peeters")
    page.get_by_label("E-mail").fill(ANNE)
    page.get_by_label("IBAN").fill("BE68 5390 0754 7034")
    page.get_by_label("Mandaatreferentie").fill("ZB-0001")
    page.get_by_label("Datum mandaat").fill(fmt_date(d1))
    page.get_by_role("button", name="Bewaren", exact=True).click()
    expect(page.locator("#flash")).to_have_text("De gegevens voor de facturatie zijn bewaard.")

    # preview: 2 x 25,34 + 15,20 (60 % of 25,34 = 15,204) + 3,50 administration = 69,38
    page.goto(f"{hub.url}/locaties/zonnebloem/facturatie?maand={hub.key}")
    preview = page.locator(f"#child-{jules}")
    expect(preview.locator(".total")).to_have_text("EUR 69,38")
    expect(preview).to_contain_text(
        "Gerechtvaardigde afwezigheden: nog 0,5 van 1,5"
    )  # 20 x 1/12 -> 1,5; d4 used 1
    screenshot(page, "facturatie-voorbeeld")
    page.get_by_role("button", name="Facturen finaliseren").click()
    expect(page.locator("#flash")).to_have_text("1 facturen gefinaliseerd.")
    first = page.locator("#invoice-1 a").get_attribute("href")
    [mailed] = [m.read_text() for m in (tmp_path / "mail").glob("*.eml")]  # the debtor is told
    assert (
        f"To: {ANNE}" in mailed
        and "Factuur 1" in mailed
        and "69,38 euro" in mailed
        and "/ouders/facturen" in mailed
    )
    original = _pdf(page, first)
    text = _pdf_text(original, tmp_path, "facturatie-factuur-1")
    for literal in (
        "Factuur 1",
        "EUR 50,68",
        "EUR 15,20",
        "EUR 3,50",
        "EUR 69,38",
        "Anne Peeters",
        "Gerechtvaardigde afwezigheden: nog 0,5 van 1,5",
        "mandaat ZB-0001",
    ):
        assert literal in text, (literal, text)

    # a forgotten day comes to light after finalising: d4 was a day present after all
    stay(hub.database, "Jules", d4)
    page.locator("#invoice-1").get_by_role("button", name="Corrigeren").click()
    expect(page.locator("#flash")).to_have_text("Creditnota en nieuwe factuur gemaakt.")
    expect(page.locator("#invoice-2")).to_contain_text("creditnota")
    expect(page.locator("#invoice-2")).to_contain_text("-EUR 69,38")
    expect(page.locator("#invoice-3")).to_contain_text("EUR 94,72")  # 3 x 25,34 + 15,20 + 3,50
    screenshot(page, "facturatie-gecorrigeerd")
    credit = _pdf_text(
        _pdf(page, page.locator("#invoice-2 a").get_attribute("href")), tmp_path, "facturatie-credit"
    )
    assert "Creditnota 2" in credit and "Crediteert factuur 1" in credit and "-EUR 69,38" in credit
    new = _pdf_text(
        _pdf(page, page.locator("#invoice-3 a").get_attribute("href")), tmp_path, "facturatie-factuur-3"
    )
    assert "Vervangt factuur 1" in new and "EUR 94,72" in new and "nog 1,5 van 1,5" in new
    assert _pdf(page, first) == original  # the final PDF, byte for byte as it was

    # the accountant's CSV, and the parents' account: Anne sees Jules's invoices, Bert gets 404
    csv = page.request.get(f"{hub.url}/locaties/zonnebloem/facturatie/boekhouding/{hub.key}.csv").text()
    assert csv.splitlines()[1:] == [
        f"1;factuur;{fmt_date(_issued(hub.database, 1))};Jules Peeters;Anne Peeters;69,38;69,38;",
        f"2;creditnota;{fmt_date(_issued(hub.database, 2))};Jules Peeters;Anne Peeters;-69,38;-69,38;1",
        f"3;factuur;{fmt_date(_issued(hub.database, 3))};Jules Peeters;Anne Peeters;94,72;94,72;",
    ]
    anne = login_parent(hub.url, ANNE)
    listing = anne.get("/ouders/facturen").text
    assert "Factuur 1" in listing and "Creditnota 2" in listing and "€ 94,72" in listing
    expected = "nog 1,5 van 1,5" if hub.year == today().year else "nog 0 van 0"  # the counter is this year's
    assert f"Jules, Kinderdagverblijf De Zonnebloem: Gerechtvaardigde afwezigheden: {expected}" in listing
    first_id = first.rsplit("/", 1)[1].removesuffix(".pdf")
    assert anne.get(f"/ouders/facturen/{first_id}.pdf").content == original
    bert = login_parent(hub.url, BERT)
    assert "Factuur 1" not in bert.get("/ouders/facturen").text
    assert bert.get(f"/ouders/facturen/{first_id}.pdf").status_code == 404

    # the fiscal attest of the year the month is paid in: 69,38 - 69,38 + 94,72 for 4 days
    paid_in = hub.year if hub.month <= 11 else hub.year + 1
    fiscal = anne.get(f"/ouders/fiscaal/{jules}.pdf?jaar={paid_in}&locatie=zonnebloem")
    assert fiscal.headers["content-type"] == "application/pdf"
    attest = _pdf_text(fiscal.content, tmp_path, "facturatie-fiscaal-attest")
    assert "Betaald bedrag: EUR 94,72" in attest and "Aantal opvangdagen: 4" in attest, attest
    assert bert.get(f"/ouders/fiscaal/{jules}.pdf?jaar={paid_in}&locatie=zonnebloem").status_code == 404


def _issued(database: Path, number: int):
    with sqlite3.connect(database) as db:
        (stamp,) = db.execute("SELECT issued_at FROM invoices WHERE number = ?", (number,)).fetchone()
    return local(datetime.fromisoformat(stamp)).date()


def test_another_organisators_location_gets_404_for_an_invoice_and_its_month(billing_hub: BillingHub) -> None:
    hub = billing_hub
    stay(hub.database, "Jules", hub.open_days[0])
    db = connect(hub.database)
    jules = hub.families.jules
    db.execute(
        "INSERT INTO income_attests (child_id, day_price, valid_from, entered_at) VALUES (?, '20.00', ?, '')",
        (jules, hub.open_days[0].isoformat()),
    )
    db.execute("INSERT INTO child_debtors (child_id, name) VALUES (?, 'Anne Peeters')", (jules,))
    db.conn.commit()
    table = parse_amounts(AMOUNTS)
    [invoice] = finalise_month(
        db,
        Actor.location("zonnebloem", "De Zonnebloem"),
        "zonnebloem",
        hub.year,
        hub.month,
        table,
        datetime.now(UTC),
    )
    db.close()
    other = PortalClient(hub.url)
    other.login_location(OTHER_DOSSIER, OTHER_PIN)
    assert other.get("/locaties/klavertje/facturatie").status_code == 200
    assert other.get(f"/locaties/zonnebloem/facturatie/{invoice}.pdf").status_code == 404
    assert other.get(f"/locaties/klavertje/facturatie/{invoice}.pdf").status_code == 404
    assert other.get(f"/locaties/zonnebloem/facturatie?maand={hub.key}").status_code == 404
    assert other.get(f"/locaties/klavertje/facturatie/kind/{jules}").status_code == 404


def test_a_parent_reports_absences_on_a_phone_and_the_location_approves_the_one_with_a_note(
    page: Page, billing_hub: BillingHub
) -> None:
    hub, jules = billing_hub, billing_hub.families.jules
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{hub.url}/ouders/aanmelden")
    page.get_by_label("E-mailadres", exact=True).fill(ANNE)
    page.get_by_label("Wachtwoord").fill(PASSWORD)
    page.get_by_role("button", name="Inloggen").click()
    expect(page.locator("h1")).to_contain_text("Vandaag")

    tomorrow = today() + timedelta(days=1)
    page.goto(f"{hub.url}/ouders/kinderen/{jules}/dag/{tomorrow.isoformat()}?locatie=zonnebloem")
    page.locator("#afwezig summary").click()
    expect(page.locator("#afwezig")).to_contain_text("Meld een afwezigheid vóór 08:00")
    page.get_by_label("Reden").select_option("ziek_attest")
    page.get_by_label("Doktersattest").set_input_files(
        {"name": "attest.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4\n% attest\n"}
    )
    page.get_by_role("button", name="Afwezigheid melden").click()
    expect(page.locator("#flash")).to_contain_text("Je afwezigheidsmelding is verstuurd")
    expect(page.locator(".request")).to_contain_text("ziek met doktersattest — op tijd gemeld")
    screenshot(page, "ouders-afwezig-gemeld")

    gone = last_open_day(hub.database)
    page.goto(f"{hub.url}/ouders/kinderen/{jules}/dag/{gone.isoformat()}?locatie=zonnebloem")
    page.locator("#afwezig summary").click()
    page.get_by_label("Reden").select_option("vakantie")
    page.get_by_role("button", name="Afwezigheid melden").click()
    expect(page.locator(".request")).to_contain_text("te laat gemeld (na 08:00)")

    staff = PortalClient(hub.url)
    staff.login_location(DEMO_DOSSIER, DEMO_PIN)
    listing = staff.get("/locaties/zonnebloem/ouderverzoeken").text
    assert "op tijd gemeld" in listing and "te laat gemeld" in listing and "doktersattest</a>" in listing
    with sqlite3.connect(hub.database) as db:
        (noted,) = db.execute("SELECT request_id FROM parent_request_notes").fetchone()
    staff.post(
        f"/locaties/zonnebloem/ouderverzoeken/{noted}/goedkeuren", {}, "/locaties/zonnebloem/ouderverzoeken"
    )
    page.goto(f"{hub.url}/ouders/verzoeken")
    expect(page.locator(f'[data-request="{noted}"] .status')).to_contain_text("Goedgekeurd")
    screenshot(page, "ouders-afwezig-goedgekeurd")
