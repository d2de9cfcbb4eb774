"""Dagboek in real Chromium: staff enter a day on the group's tablet (1024x768), the parent reads it
on a phone (390x844). Screenshots: test-artifacts/dagboek-*.png.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect

from tests.support.browser import screenshot
from tests.support.parents import ANNE, scan_now
from tests.support.talk import CARLA, TalkHub, chromium, parent_on_phone, staff_on_tablet, talk_hub
from wire import Direction


@pytest.fixture
def hub(hub_dir: Path) -> Iterator[TalkHub]:
    with talk_hub(hub_dir) as running:
        yield running


@pytest.fixture
def chrome() -> Iterator[Browser]:
    with chromium() as browser:
        yield browser


def test_a_day_entered_on_the_tablet_is_read_by_the_parent(hub: TalkHub, chrome: Browser) -> None:
    scan_now(hub.database, "Jules", Direction.ARRIVAL)
    scan_now(hub.database, "Noah", Direction.ARRIVAL)
    tablet = staff_on_tablet(chrome, hub.url)
    tablet.goto(hub.url + "/locaties/zonnebloem")
    tablet.locator("nav.tabs a", has_text="Dagboek").click()
    jules = tablet.locator(f'section[data-child="{hub.families.jules}"]')
    expect(jules.locator("h2")).to_contain_text("Jules")
    expect(tablet.locator(f'section[data-child="{hub.families.noah}"]')).to_be_visible()
    expect(tablet.locator(f'section[data-child="{hub.families.lotte}"]')).to_have_count(0)  # not here now

    tablet.evaluate("window.sentinel = 'dezelfde pagina'")  # each tap saves without a reload
    # a Locator finds the card anew each time: the saved card replaces the old one
    jules = tablet.locator(f'section[data-child="{hub.families.jules}"]')
    lines = jules.locator(".diary-lines li")
    jules.get_by_label("Wat at Jules").fill("pasta met groenten")
    jules.locator('form[data-kind="meal"]').get_by_role("button", name="alles op").click()
    expect(tablet.locator("#flash")).to_have_text("Maaltijd bewaard.")
    expect(lines).to_have_count(1)
    jules.locator('form[data-kind="nappy"]').get_by_role("button", name="nat").click()
    expect(lines).to_have_count(2)
    jules.locator('form[data-kind="mood"]').get_by_role("button", name="blij").click()
    expect(lines).to_have_count(3)
    sleep = jules.locator('form[data-kind="sleep"]')
    sleep.get_by_label("van").fill("12:30")  # fixed hours: the tablet takes any from-to of today
    sleep.get_by_label("tot").fill("14:05")
    sleep.get_by_role("button", name="Slaapje bewaren").click()
    expect(lines).to_have_count(4)
    expect(jules.locator(".diary-lines")).to_contain_text("12:30–14:05")
    jules.get_by_label("Notitie").fill("Speelde de hele voormiddag in de zandbak.")
    jules.get_by_role("button", name="Notitie bewaren").click()
    expect(lines).to_have_count(5)
    expect(tablet.locator("#flash")).to_have_text("Notitie bewaard.")
    assert tablet.evaluate("window.sentinel") == "dezelfde pagina"
    screenshot(tablet, "dagboek-tablet")

    phone = parent_on_phone(chrome, hub.url, ANNE)
    phone.get_by_role("link", name="Dagboek").click()
    day = phone.locator(f'.diary-day[data-child="{hub.families.jules}"]')
    for text in ("alles op: pasta met groenten", "nat", "blij", "12:30–14:05", "zandbak"):
        expect(day).to_contain_text(text)
    screenshot(phone, "dagboek-ouder")
    other = parent_on_phone(chrome, hub.url, CARLA)
    other.get_by_role("link", name="Dagboek").click()
    expect(other.locator(".diary-day")).not_to_contain_text("pasta")
