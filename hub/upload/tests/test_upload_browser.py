"""The "Opgeladen" screens in real Chromium, against a real hub process that sends to a receiver on loopback.

The organisator follows AARON's steps: "Opgeladen" shows a red clock and a red cloud by the
location's name; the location's month lists the errors; each link leads to where it is fixed (the
red cell, the child's data); a warning is confirmed; "Nu versturen" hands the month to the hub's
upload thread, the receiver fails once and then accepts, and the page, which looks again by
itself, shows "aanvaard". Screenshots: test-artifacts/opgeladen-overview.png,
opgeladen-detail.png (and -telefoon.png, on a phone) and opgeladen-aanvaard.png.
"""

from __future__ import annotations

import re
from pathlib import Path

from playwright.sync_api import Page, expect

from hub.core.db import open_database
from hub.core.localtime import fmt_date
from hub.demo import seed
from tests.support.browser import login_organisator, screenshot
from tests.support.kg_receiver import Receiver
from tests.support.processes import start_hub
from tests.support.upload_month import month_with_both_markers, months_back


def test_an_organisator_finds_both_markers_fixes_the_errors_and_sees_the_month_accepted(
    hub_dir: Path, page: Page
) -> None:
    db = open_database(hub_dir / "hub.sqlite3")
    # five months back: never among the months the hub sends by itself, so it goes when asked
    marked = month_with_both_markers(db, seed(db), *months_back(5), elsewhere=True)
    db.close()
    receiver = Receiver(fail_next=1).start()
    hub, url = start_hub(
        hub_dir,
        extra_settings=(
            f'\n[upload]\nendpoint = "{receiver.url}"\ncheck_every_s = 3600\nfirst_pause_s = 0.05\n'
        ),
    )
    try:
        login_organisator(page, url)
        expect(page.get_by_role("heading", name="Je opvanglocaties")).to_be_visible()
        page.get_by_role("link", name="Opgeladen gegevens").click()
        expect(page.get_by_role("heading", name=re.compile("^Opgeladen gegevens"))).to_be_visible()
        page.goto(f"{url}/opgeladen?maand={marked.key}")

        # Stap 1: a red marking by the location's name
        zonnebloem = page.locator(".upload-line", has_text="Kinderdagverblijf De Zonnebloem")
        regenboog = page.locator(".upload-line", has_text="De Regenboog")
        expect(zonnebloem.get_by_role("img", name="rode klok: fout in de tijdsregistratie")).to_be_visible()
        expect(
            zonnebloem.get_by_role("img", name="rode wolk: fout in de doorgestuurde gegevens")
        ).to_be_visible()
        expect(zonnebloem.locator(".status")).to_have_text("fouten")
        expect(zonnebloem).to_contain_text("Volgende verzending: nadat de fouten aangepast zijn")
        expect(regenboog.get_by_role("img")).to_have_count(0)
        expect(regenboog.locator(".status")).to_have_text("wachtend")
        expect(regenboog).to_contain_text("Volgende verzending: enkel op vraag, met ‘Nu versturen’")
        screenshot(page, "opgeladen-overview")

        # Stap 2: the location's month: what is wrong, and when it goes
        zonnebloem.get_by_role("link").click()
        expect(page.locator("#status-text")).to_have_text("fouten")
        clock_errors, cloud_errors = page.locator("#tijdsfouten"), page.locator("#gegevensfouten")
        expect(clock_errors).to_contain_text(
            f"Jules Peeters, {fmt_date(marked.days[0])}: Vertrek ontbreekt na aankomst om 08:05"
        )
        expect(cloud_errors).to_contain_text("Noah Maes: De geboortedatum ontbreekt.")
        expect(cloud_errors).to_contain_text("Mila Jacobs: Mila is 2,5 jaar sinds")
        expect(page.locator("#voorbeeld")).to_contain_text("Lotte Janssens")
        screenshot(page, "opgeladen-detail")
        page.set_viewport_size({"width": 390, "height": 844})  # a phone
        screenshot(page, "opgeladen-detail-telefoon")
        page.set_viewport_size({"width": 1280, "height": 900})
        detail = page.url

        # Stap 3: each link leads to where the error is fixed; the red cell first
        clock_errors.get_by_role("link", name="Aanpassen").click()
        expect(page.locator(".findings")).to_contain_text("Vertrek ontbreekt na aankomst om 08:05")
        page.get_by_label("vertrek").first.fill("16:20")
        page.get_by_role("button", name="Registratie opslaan").click()
        expect(page.locator("#flash")).to_contain_text(
            f"Registratie opgeslagen voor {fmt_date(marked.days[0])}."
        )

        page.goto(detail)
        expect(page.locator("#tijdsfouten")).to_contain_text("Geen fouten in de tijdsregistratie.")
        expect(page.locator("#status").get_by_role("img", name=re.compile("rode klok"))).to_have_count(0)
        cloud_errors.get_by_role("link", name="Gegevens aanpassen").click()
        expect(page.get_by_role("heading", name="Gegevens van Noah Maes")).to_be_visible()
        page.get_by_label("Geboortedatum").fill(
            fmt_date(marked.days[0].replace(year=marked.days[0].year - 1))
        )
        page.get_by_role("button", name="Bewaren").click()
        expect(page.locator("#flash")).to_contain_text("De gegevens zijn bewaard.")

        page.goto(detail)
        warning = page.locator("#gegevensfouten li", has_text="Mila Jacobs")
        warning.get_by_label("Opmerking").fill("gaat pas in september naar school")
        warning.get_by_role("button", name="Bevestigen").click()
        expect(page.locator("#flash")).to_contain_text("De waarschuwing over Mila Jacobs is bevestigd.")
        expect(page.locator("#status").get_by_role("img")).to_have_count(0)
        expect(page.locator("#status-text")).to_have_text("wachtend")
        expect(page.locator("#next-sending")).to_have_text("enkel op vraag, met ‘Nu versturen’")

        # "Nu versturen": the hub's upload thread sends; the receiver fails once, then accepts
        page.get_by_role("button", name="Nu versturen").click()
        expect(page.locator("#flash")).to_contain_text("wordt verstuurd naar Kind en Gezin")
        expect(page.locator("#status-text")).to_have_text("aanvaard", timeout=60_000)
        expect(page.locator("#status")).to_contain_text("versie 1")
        history = page.locator("#verzendingen")
        expect(history).to_contain_text("mislukt (HTTP 503")
        expect(history).to_contain_text("antwoord ontvangen")
        expect(history).to_contain_text("4 aanvaard")
        screenshot(page, "opgeladen-aanvaard")

        page.goto(f"{url}/opgeladen?maand={marked.key}")
        expect(zonnebloem.locator(".status")).to_have_text("aanvaard")
        expect(zonnebloem.get_by_role("img")).to_have_count(0)
    finally:
        code = hub.stop()
        receiver.stop()
    assert code == 0, hub.log()[-3000:]
    assert receiver.requests == [503, 200]
    [batch] = receiver.submissions.values()
    assert batch["month"] == marked.key and batch["location"]["dossier_number"] == "903123456"
    assert sorted(r["child"]["first_name"] for r in batch["records"]) == ["Jules", "Lotte", "Mila", "Noah"]
    assert "Traceback" not in hub.log(), hub.log()[-3000:]
