"""Collector cards at the browser scanner, in real Chromium with its keypad: the child's card then
Oma Rita's "ophaalkaart" is a departure "opgehaald door" Oma Rita at the hub; Rita's card then a
child she may not collect is red ("Niet toegestaan") and the attempt is kept for the opvang."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from hub.cards.codes import register_unassigned
from hub.children.queries import add_contact
from hub.core.db import connect
from tests.support.browser_scanner import (
    ScannerHub,
    clear_of_midnight,
    empty_video,
    enrol_in_browser,
    launch,
    playwright_driver,
    wait_until,
)
from tests.support.waiting import wait_for


@pytest.fixture
def keypad_browser(tmp_path: Path) -> Iterator[BrowserContext]:
    """Chromium whose camera sees an empty hallway: the cards are typed on the keypad."""
    with playwright_driver() as driver:
        context = launch(driver, tmp_path / "profile", empty_video(tmp_path / "empty.y4m"))
        try:
            yield context
        finally:
            context.close()


def _rita_with_a_card(database: Path) -> tuple[int, int, str]:
    """Oma Rita, a contact of Louis who may collect him, with a collector card of the stock."""
    db = connect(database)
    try:
        louis = db.execute("SELECT id FROM children WHERE first_name = 'Louis'").fetchone()[0]
        (org,) = db.execute("SELECT organisator_id FROM locations WHERE id = 'zonnebloem'").fetchone()
        rita = add_contact(db, louis, "Oma Rita", None, "grootmoeder")
        [card] = register_unassigned(db, org, 1)
        db.execute("UPDATE cards SET contact_id = ?, state = 'active' WHERE code = ?", (rita, card))
        db.conn.commit()
    finally:
        db.close()
    return louis, rita, card


def _type(page: Page, code: str) -> None:
    for digit in code:
        page.locator(f'#keypad [data-key="{digit}"]').click()
    page.locator('#keypad [data-key="ok"]').click()


def test_child_card_then_collector_card_at_the_browser_scanner_records_opgehaald_door(
    scanner_hub: ScannerHub, keypad_browser: BrowserContext
) -> None:
    clear_of_midnight()
    louis, rita, rita_card = _rita_with_a_card(scanner_hub.database)
    page = keypad_browser.pages[0] if keypad_browser.pages else keypad_browser.new_page()
    enrol_in_browser(page, scanner_hub.url)
    _type(page, scanner_hub.card("Louis"))
    expect(page.locator("#child")).to_contain_text("Louis")
    _type(page, rita_card)
    expect(page.locator("#message")).to_have_text("Opgehaald door Oma Rita")
    assert page.evaluate("document.body.dataset.state") == "ok"
    wait_until(page, "window.scanner.acks.length >= 2", what="the hub's verdicts")
    assert [a["verdict"] for a in page.evaluate("window.scanner.acks")] == ["stored", "stored"]
    with sqlite3.connect(scanner_hub.database) as db:
        [(event_id,)] = db.execute(
            "SELECT id FROM events WHERE code = ? AND unit_id LIKE 'browser-%'", (scanner_hub.card("Louis"),)
        )
        assert db.execute(
            "SELECT name, contact_id, collection_id IS NOT NULL FROM collector_departures WHERE event_id = ?",
            (event_id,),
        ).fetchall() == [("Oma Rita", rita, 1)]
        assert ("Oma Rita", rita) in db.execute(
            "SELECT name, contact_id FROM pickups WHERE child_id = ?", (louis,)
        ).fetchall()


def test_collector_card_then_a_child_the_person_may_not_collect_is_red_at_the_browser_scanner(
    scanner_hub: ScannerHub, keypad_browser: BrowserContext
) -> None:
    clear_of_midnight()
    _louis, _rita, rita_card = _rita_with_a_card(scanner_hub.database)
    page = keypad_browser.pages[0] if keypad_browser.pages else keypad_browser.new_page()
    enrol_in_browser(page, scanner_hub.url)
    _type(page, rita_card)
    expect(page.locator("#message")).to_have_text("Toon nu de kaart van het kind")
    _type(page, scanner_hub.card("Mila"))
    expect(page.locator("#message")).to_have_text("Niet toegestaan — verwittig de opvang")
    assert page.evaluate("document.body.dataset.state") == "refused"
    wait_until(page, "window.scanner.acks.length >= 1", what="the hub's verdict")
    assert page.evaluate("window.scanner.acks[0]")["kept"] is True
    with sqlite3.connect(scanner_hub.database) as db:
        wait_for(
            lambda: (
                db.execute(
                    "SELECT count(*) FROM refused_events WHERE reason = 'collector_not_allowed'"
                ).fetchone()
                == (1,)
            ),
            5,
            "the attempt kept",
        )
        assert db.execute("SELECT count(*) FROM collector_departures").fetchone() == (0,), (
            "no departure recorded"
        )
