"""Berichten in real Chromium: a parent on a phone (390x844), the location on a tablet (1024x768).

Screenshots for people: test-artifacts/berichten-*.png.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect

from tests.support.browser import screenshot
from tests.support.files import TINY_PDF, png
from tests.support.parents import ANNE
from tests.support.smtp import body, link_in
from tests.support.talk import TalkHub, chromium, parent_on_phone, staff_on_tablet, talk_hub


@pytest.fixture
def hub(hub_dir: Path) -> Iterator[TalkHub]:
    with talk_hub(hub_dir) as running:
        yield running


@pytest.fixture
def chrome() -> Iterator[Browser]:
    with chromium() as browser:
        yield browser


def test_a_thread_goes_both_ways_with_attachments_and_a_mail_to_the_parent(
    hub: TalkHub, chrome: Browser, tmp_path: Path
) -> None:
    attest = tmp_path / "attest-dokter.pdf"
    attest.write_bytes(TINY_PDF)
    drawing = tmp_path / "tekening.png"
    drawing.write_bytes(png(300, 200))

    phone = parent_on_phone(chrome, hub.url, ANNE)
    phone.get_by_role("link", name="Berichten").click()
    phone.get_by_role("link", name="Nieuw bericht aan de opvang").click()
    phone.get_by_label("Over").select_option(f"{hub.families.jules}:zonnebloem")
    phone.get_by_label("Onderwerp").fill("Attest na ziekte")
    phone.get_by_label("Bericht").fill("Jules is weer beter; het attest zit erbij.")
    phone.get_by_label("Bestanden").set_input_files(str(attest))
    screenshot(phone, "berichten-ouder-nieuw")
    phone.get_by_role("button", name="Versturen").click()
    expect(phone.locator("#flash")).to_contain_text("Je bericht is verstuurd.")
    expect(phone.locator(".message.mine")).to_contain_text("het attest zit erbij")

    tablet = staff_on_tablet(chrome, hub.url)
    tablet.goto(hub.url + "/locaties/zonnebloem")
    tab = tablet.locator("nav.tabs a", has_text="Berichten")
    expect(tab.locator(".nav-count")).to_have_text("1")  # one unread message from a parent
    tab.click()
    row = tablet.locator("tr", has_text="Attest na ziekte")
    expect(row.locator(".status")).to_have_text("Wacht op antwoord")
    screenshot(tablet, "berichten-locatie-inbox")
    row.get_by_role("link", name="Attest na ziekte").click()
    link = tablet.get_by_role("link", name="attest-dokter.pdf")
    download = tablet.request.get(hub.url + link.get_attribute("href"))
    assert download.ok and download.body() == TINY_PDF
    tablet.get_by_label("Antwoord").fill("Dank je, we hebben het attest. Hier zijn tekening van vandaag.")
    tablet.get_by_label("Bestanden").set_input_files(str(drawing))
    tablet.get_by_role("button", name="Versturen").click()
    expect(tablet.locator("#flash")).to_contain_text(
        "Het antwoord is verstuurd. De ouders zijn verwittigd (1)."
    )
    expect(tablet.locator("nav.tabs a", has_text="Berichten").locator(".nav-count")).to_have_count(0)
    screenshot(tablet, "berichten-locatie-gesprek")

    (mail,) = hub.smtp.inbox.wait_for(ANNE)
    assert "Nieuw bericht van Kinderdagverblijf De Zonnebloem" in str(mail["Subject"])
    assert "Attest na ziekte" in body(mail) and "tekening" not in body(mail)
    phone.goto(hub.url + "/ouders")
    expect(phone.locator('.ouders-nav [data-count="berichten"]')).to_have_text("1")
    phone.goto(link_in(mail))
    reply = phone.locator(".message:not(.mine)")
    expect(reply).to_contain_text("we hebben het attest")
    image = reply.locator("img.attached-image")
    expect(image).to_be_visible()
    assert image.evaluate("img => img.complete && img.naturalWidth") == 300
    expect(phone.locator('.ouders-nav [data-count="berichten"]')).to_have_count(0)  # read now
    screenshot(phone, "berichten-ouder-gesprek")
