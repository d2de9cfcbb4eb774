"""Mijn locatie in real Chromium: the location publishes a newsletter on the tablet (1024x768); it
is mailed through the outbox to a real SMTP server and read on a parent's phone (390x844).
Screenshots: test-artifacts/mijn-locatie-*.png.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect

from tests.support.browser import screenshot
from tests.support.parents import ANNE, BERT
from tests.support.smtp import body
from tests.support.talk import CARLA, TalkHub, chromium, parent_on_phone, staff_on_tablet, talk_hub


@pytest.fixture
def hub(hub_dir: Path) -> Iterator[TalkHub]:
    with talk_hub(hub_dir) as running:
        yield running


@pytest.fixture
def chrome() -> Iterator[Browser]:
    with chromium() as browser:
        yield browser


def test_news_is_published_mailed_to_every_parent_and_read_on_a_phone(hub: TalkHub, chrome: Browser) -> None:
    tablet = staff_on_tablet(chrome, hub.url)
    tablet.goto(hub.url + "/locaties/zonnebloem")
    tablet.locator("nav.tabs a", has_text="Mijn locatie").click()
    tablet.get_by_label("Titel").fill("Zomerfeest op zaterdag")
    tablet.locator("#tekst").fill("Iedereen welkom om **14:00**.\n\n- springkasteel\n- pannenkoeken")
    tablet.get_by_label("Als nieuwsbrief ook mailen naar alle ouders").check()
    tablet.get_by_role("button", name="Publiceren").click()
    expect(tablet.locator("#flash")).to_contain_text("gaat per mail naar 3 ouders")
    tablet.get_by_role("link", name="Nieuwe pagina").click()
    tablet.get_by_label("Titel").fill("Huisregels")
    tablet.locator("#tekst").fill(
        "# Breng mee\n\n- reservekleren\n- *knuffel*\n\n<script>alert('x')</script>"
    )
    tablet.get_by_role("button", name="Bewaren").first.click()
    expect(tablet.locator("#voorbeeld li")).to_have_count(2)
    screenshot(tablet, "mijn-locatie-pagina")
    tablet.goto(hub.url + "/locaties/zonnebloem/mijn-locatie")
    screenshot(tablet, "mijn-locatie-locatie")

    for email in (ANNE, BERT, CARLA):
        (mail,) = hub.smtp.inbox.wait_for(email)
        assert str(mail["Subject"]) == "Nieuwsbrief Kinderdagverblijf De Zonnebloem: Zomerfeest op zaterdag"
        assert "springkasteel" in body(mail)
    phone = parent_on_phone(chrome, hub.url, CARLA)
    phone.get_by_role("link", name="Mijn locatie").click()
    news = phone.locator(".news", has_text="Zomerfeest op zaterdag")
    expect(news.locator("strong")).to_have_text("14:00")
    expect(news.locator("li")).to_have_count(2)
    phone.get_by_role("link", name="Huisregels").click()
    expect(phone.locator("#pagina h2")).to_have_text("Breng mee")
    expect(phone.locator("#pagina em")).to_have_text("knuffel")
    expect(phone.locator("#pagina script")).to_have_count(0)
    screenshot(phone, "mijn-locatie-ouder")
