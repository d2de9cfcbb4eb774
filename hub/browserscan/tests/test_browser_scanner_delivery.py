"""Nothing lost, nothing doubled, for the browser scanner as for a unit: scans made offline survive
a SIGKILLed browser in IndexedDB and reach the hub once each; an answer lost at the hub (its fault
hook kills it after the commit) makes the device send again and the hub answer "duplicate"; a
revoked scanner is refused and says so."""

from __future__ import annotations

import contextlib
import sqlite3
from pathlib import Path

from playwright.sync_api import Page, expect

from hub.core.ports import free_port
from hub.demo import DEMO_SCANNER_CODE
from hub.ingest.faults import FAULT_ENV
from tests.support.browser_scanner import (
    ScannerHub,
    cards_video,
    empty_video,
    enrol_in_browser,
    kill_chromium,
    launch,
    playwright_driver,
    wait_until,
)
from tests.support.portal_world import build_world
from tests.support.processes import start_hub
from tests.support.waiting import wait_for


def type_code(page: Page, code: str) -> None:
    for digit in code:
        page.locator(f'#keypad [data-key="{digit}"]').click()
    page.locator('#keypad [data-key="ok"]').click()


def outbox_count(page: Page) -> int:
    return page.evaluate(
        """() => new Promise((resolve) => {
            const open = indexedDB.open("aanwezig-scanner");
            open.onsuccess = () => {
                const n = open.result.transaction("outbox").objectStore("outbox").count();
                n.onsuccess = () => resolve(n.result);
            };
        })"""
    )


def stored(database: Path, ids: list[str]) -> list[str]:
    with sqlite3.connect(database) as db:
        marks = ",".join("?" * len(ids))
        return [row[0] for row in db.execute(f"SELECT id FROM events WHERE id IN ({marks})", ids)]


def test_three_scans_made_offline_survive_a_killed_browser_and_reach_the_hub_once_each(
    scanner_hub: ScannerHub, tmp_path: Path
) -> None:
    codes = [scanner_hub.card(name) for name in ("Jules", "Lotte", "Noah")]
    cards = cards_video(tmp_path / "three.y4m", codes, frames_per_card=6, gap=4)
    profile = tmp_path / "profile"
    with playwright_driver() as driver:
        context = launch(driver, profile, cards)
        page = context.pages[0] if context.pages else context.new_page()
        enrol_in_browser(page, scanner_hub.url)
        context.set_offline(True)
        before = page.evaluate("window.scanner.greens.length")
        wait_until(page, f"window.scanner.greens.length >= {before + 3}", 30, "three scans offline")
        greens = page.evaluate("window.scanner.greens.map((g) => g.id)")
        kill_chromium(profile)  # right after the third green
        with contextlib.suppress(Exception):
            context.close()
    made_offline = greens[before:]
    assert len(made_offline) >= 3 and stored(scanner_hub.database, made_offline) == []
    outbox = _outbox_after_relaunch(scanner_hub, tmp_path, profile)
    assert set(made_offline) <= set(outbox), "every scan shown green offline was still in the outbox"
    with sqlite3.connect(scanner_hub.database) as db:
        rows = db.execute("SELECT id FROM events WHERE unit_id LIKE 'browser-%'").fetchall()
    assert sorted(r[0] for r in rows) == sorted(greens), "each green stored once, nothing more"


def _outbox_after_relaunch(scanner_hub: ScannerHub, tmp_path: Path, profile: Path) -> list[str]:
    with playwright_driver() as driver:
        context = launch(driver, profile, empty_video(tmp_path / "empty.y4m"))
        try:
            context.set_offline(True)
            page = context.pages[0] if context.pages else context.new_page()
            page.goto(scanner_hub.url + "/scanner/")  # from the service worker's cache
            wait_until(page, "window.scanner.ready", 15, "the screen, offline")
            expect(page.locator("#connection")).to_have_text("offline")
            page.get_by_role("button", name="Personeel").click()
            type_code(page, DEMO_SCANNER_CODE)
            expect(page.locator("#menu")).to_be_visible()
            expect(page.locator("#menu-name")).to_have_text("Tablet inkom")
            waiting = int(page.locator("#menu-outbox").inner_text())
            assert waiting >= 3, "the outbox survived the kill in IndexedDB"
            ids = page.evaluate(
                """() => new Promise((resolve) => {
                    const open = indexedDB.open("aanwezig-scanner");
                    open.onsuccess = () => {
                        const all = open.result.transaction("outbox").objectStore("outbox").getAll();
                        all.onsuccess = () => resolve(all.result.map((e) => e.id));
                    };
                })"""
            )
            assert len(ids) == waiting and stored(scanner_hub.database, ids) == []
            page.locator("#menu-close").click()
            context.set_offline(False)
            wait_for(lambda: len(stored(scanner_hub.database, ids)) == len(ids), 30, "the outbox at the hub")
            wait_until(page, f"window.scanner.acks.length >= {len(ids)}", 15, "the verdicts")
            assert sorted(a["verdict"] for a in page.evaluate("window.scanner.acks")) == ["stored"] * len(ids)
        finally:
            context.close()
    return ids


def test_an_answer_lost_at_the_hub_makes_the_device_send_again_and_the_hub_answers_duplicate(
    hub_dir: Path, tmp_path: Path
) -> None:
    build_world(hub_dir)
    port = free_port()
    hub, url = start_hub(hub_dir, http_port=port, env={FAULT_ENV: "after_commit:1"})
    try:
        with sqlite3.connect(hub_dir / "hub.sqlite3") as db:
            (code,) = db.execute(
                "SELECT c.code FROM cards c JOIN children ch ON ch.id = c.child_id "
                "WHERE ch.first_name = 'Mila'"
            ).fetchone()
        with playwright_driver() as driver:
            context = launch(driver, tmp_path / "profile", empty_video(tmp_path / "empty.y4m"))
            try:
                page = context.pages[0] if context.pages else context.new_page()
                enrol_in_browser(page, url)
                type_code(page, code)
                expect(page.locator("#child")).to_contain_text("Mila")  # green: in IndexedDB
                (event_id,) = page.evaluate("window.scanner.greens.map((g) => g.id)")
                hub.popen.wait(timeout=15)  # the fault hook: committed, then killed before answering
                assert "fault injection: SIGKILL after_commit" in hub.log()
                assert stored(hub_dir / "hub.sqlite3", [event_id]) == [event_id]
                assert page.evaluate("window.scanner.acks") == [], "no answer reached the device"
                hub, url = start_hub(hub_dir, http_port=port)  # the same hub again, no fault
                wait_until(page, "window.scanner.acks.length >= 1", 45, "the device's resend")
                assert page.evaluate("window.scanner.acks") == [
                    {"id": event_id, "verdict": "duplicate", "kept": False}
                ]
                wait_until(page, "true", 1)
                wait_for(lambda: outbox_count(page) == 0, 5, "removed from the outbox on the verdict")
            finally:
                context.close()
        with sqlite3.connect(hub_dir / "hub.sqlite3") as db:
            browser_events = db.execute("SELECT id FROM events WHERE unit_id LIKE 'browser-%'").fetchall()
        assert browser_events == [(event_id,)], "stored once, nothing doubled"
    finally:
        hub.stop()


def test_a_revoked_browser_scanner_is_refused_and_the_screen_says_so(
    scanner_hub: ScannerHub, tmp_path: Path
) -> None:
    with playwright_driver() as driver:
        context = launch(driver, tmp_path / "profile", empty_video(tmp_path / "empty.y4m"))
        try:
            page = context.pages[0] if context.pages else context.new_page()
            enrol_in_browser(page, scanner_hub.url)
            portal = context.new_page()
            portal.goto(scanner_hub.url + "/locaties/zonnebloem/scanner-toestel")
            portal.get_by_role("button", name="Intrekken").click()
            expect(portal.locator("#scannertoestellen")).to_contain_text("ingetrokken")
            page.reload()
            expect(page.locator("#mode")).to_have_text("Deze scanner is ingetrokken")
            type_code(page, scanner_hub.card("Mila"))
            expect(page.locator("#mode")).to_have_text("Deze scanner is ingetrokken")
            assert page.evaluate("window.scanner.greens") == [], "nothing registered"
            assert scanner_hub.events() == []
        finally:
            context.close()
