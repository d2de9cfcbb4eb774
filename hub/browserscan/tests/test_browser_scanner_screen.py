"""The browser scanner in real Chromium with a fake camera that plays real card images (rendered
from the card sheet PDF into a Y4M file): a card shown becomes a stored arrival and a green cell,
a mistyped code is refused on the spot, the screen in both modes at a tablet and a phone size.

Screenshots: test-artifacts/browser-scanner-{tablet,phone}-{arrival,departure}.png.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from playwright.sync_api import BrowserContext, expect

from tests.support.browser import screenshot
from tests.support.browser_scanner import (
    PHONE,
    TABLET,
    ScannerHub,
    cards_video,
    clear_of_midnight,
    empty_video,
    enrol_in_browser,
    launch,
    playwright_driver,
    wait_until,
)
from tests.support.waiting import wait_for


@pytest.fixture
def camera_browser(tmp_path: Path, scanner_hub: ScannerHub) -> Iterator[BrowserContext]:
    """Chromium whose camera shows Mila's card for 1 s, then 2.5 s nothing: a new presentation
    after the repeat window (3 s), so arrival, departure, arrival..."""
    video = cards_video(tmp_path / "mila.y4m", [scanner_hub.card("Mila")], frames_per_card=10, gap=25)
    with playwright_driver() as driver:
        context = launch(driver, tmp_path / "profile", video)
        try:
            yield context
        finally:
            context.close()


def test_a_card_shown_to_the_camera_becomes_a_stored_arrival_and_a_green_cell_in_the_portal(
    scanner_hub: ScannerHub, camera_browser: BrowserContext
) -> None:
    clear_of_midnight()  # the arrival and the portal's "nu aanwezig" on one day
    page = camera_browser.pages[0] if camera_browser.pages else camera_browser.new_page()
    enrol_in_browser(page, scanner_hub.url)
    expect(page.locator("#mode")).to_have_text("Welkom in de opvang", timeout=20_000)
    expect(page.locator("#child")).to_contain_text("Mila")
    assert page.evaluate("document.body.dataset.state") == "ok"
    wait_for(lambda: page.evaluate("window.scanner.acks.length") >= 1, 10, "the hub's verdict")
    first = page.evaluate("window.scanner.acks[0]")
    assert first["verdict"] == "stored"
    assert scanner_hub.events()[0][1:] == (scanner_hub.card("Mila"), "arrival")

    portal = camera_browser.new_page()
    portal.goto(scanner_hub.url + "/locaties/zonnebloem")
    row = portal.locator("tr", has=portal.get_by_text("Mila", exact=False)).first
    expect(row.locator("td.cell.now")).to_have_count(1)
    expect(portal.locator("table.units")).to_contain_text("online")


@pytest.fixture
def quiet_browser(tmp_path: Path) -> Iterator[BrowserContext]:
    """Chromium whose camera sees an empty hallway: only the keypad registers."""
    with playwright_driver() as driver:
        context = launch(driver, tmp_path / "profile", empty_video(tmp_path / "empty.y4m"))
        try:
            yield context
        finally:
            context.close()


def test_typed_digits_with_a_wrong_check_digit_are_refused_on_the_spot(
    scanner_hub: ScannerHub, quiet_browser: BrowserContext
) -> None:
    page = quiet_browser.pages[0] if quiet_browser.pages else quiet_browser.new_page()
    enrol_in_browser(page, scanner_hub.url)
    code = scanner_hub.card("Louis")
    wrong = code[:-1] + str((int(code[-1]) + 1) % 10)
    for digit in wrong:
        page.locator(f'#keypad [data-key="{digit}"]').click()
    page.locator('#keypad [data-key="ok"]').click()
    expect(page.locator("#mode")).to_have_text("Foute code")
    assert page.evaluate("document.body.dataset.state") == "refused"
    for digit in code:
        page.locator(f'#keypad [data-key="{digit}"]').click()
    page.locator('#keypad [data-key="ok"]').click()
    expect(page.locator("#child")).to_contain_text("Louis")
    wait_for(lambda: any(e[1] == code for e in scanner_hub.events()), 10, "Louis's arrival at the hub")
    assert all(e[1] != wrong for e in scanner_hub.events()), "the wrong code never left the screen"


@pytest.mark.parametrize("size", ["tablet", "phone"])
def test_the_screen_in_both_modes_at_a_tablet_and_a_phone_size(
    scanner_hub: ScannerHub, camera_browser: BrowserContext, size: str
) -> None:
    clear_of_midnight()  # arrival and departure on one day
    page = camera_browser.pages[0] if camera_browser.pages else camera_browser.new_page()
    page.set_viewport_size(TABLET if size == "tablet" else PHONE)
    enrol_in_browser(page, scanner_hub.url)
    expect(page.locator("#mode")).to_have_text("Welkom in de opvang", timeout=20_000)
    screenshot(page, f"browser-scanner-{size}-arrival", full_page=False)
    expect(page.locator("#mode")).to_have_text("Tot de volgende keer", timeout=20_000)
    expect(page.locator("#child")).to_contain_text("Mila")
    screenshot(page, f"browser-scanner-{size}-departure", full_page=False)
    wait_for(lambda: len(scanner_hub.events()) >= 2, 10, "both at the hub")
    assert [e[2] for e in scanner_hub.events()][:2] == ["arrival", "departure"]


def test_a_device_clock_ten_minutes_off_makes_its_checkins_unsynced_and_the_hub_keeps_them_aside(
    scanner_hub: ScannerHub, quiet_browser: BrowserContext
) -> None:
    page = quiet_browser.pages[0] if quiet_browser.pages else quiet_browser.new_page()
    page.clock.set_system_time(datetime.now(UTC) - timedelta(minutes=10))  # Date only; timers run
    enrol_in_browser(page, scanner_hub.url)
    wait_until(page, "document.getElementById('connection').dataset.online === 'true'", 15, "an exchange")
    code = scanner_hub.card("Noah")
    for digit in code:
        page.locator(f'#keypad [data-key="{digit}"]').click()
    page.locator('#keypad [data-key="ok"]').click()
    expect(page.locator("#child")).to_contain_text("Noah")
    wait_until(page, "window.scanner.acks.length >= 1", 15, "the hub's verdict")
    with sqlite3.connect(scanner_hub.database) as db:
        waiting = db.execute(
            "SELECT code, state FROM uncertain_checkins WHERE unit_id LIKE 'browser-%'"
        ).fetchall()
    assert waiting == [(code, "waiting")], "more than 2 s off: not synced, 'tijd onzeker' until placed"
    assert scanner_hub.events() == []
