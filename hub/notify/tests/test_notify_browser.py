"""The parent's "Meldingen" page in real Chromium at a phone's viewport, and its service worker
handling a push the hub made: the hub encrypts for a subscription the test holds, the test's push
service on loopback decrypts it, and Chromium's DevTools protocol delivers that message to the
page's service worker (``ServiceWorker.deliverPushMessage``; Chromium's own push service is not
reachable here). Screenshots: test-artifacts/ouders-meldingen*.png.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from hub.core.db import connect
from hub.core.settings import HubSettings
from hub.mail.folder import FolderMailer
from hub.notify.settings import NotifySettings
from hub.notify.worker import Notifier
from hub.web.app import create_app
from hub.web.channel import RecordingChannel
from tests.support.browser import screenshot
from tests.support.parents import ANNE, PASSWORD, Families, add_families, scan_now
from tests.support.portal import serve
from tests.support.portal_world import build_world
from tests.support.push import PushService
from wire import Direction

PHONE = {"width": 390, "height": 844}


@dataclass
class Hub:
    url: str
    database: Path
    hub_dir: Path
    families: Families
    push: PushService


@pytest.fixture
def notify_hub(hub_dir: Path, tmp_path: Path) -> Iterator[Hub]:
    database, other_child, _code = build_world(hub_dir)
    families = add_families(database, other_child)
    settings = HubSettings(data_dir=hub_dir, sections={"notify": NotifySettings(loopback_push=True)})
    app = create_app(
        database, units=RecordingChannel(), mailer=FolderMailer(tmp_path / "mail"), settings=settings
    )
    push = PushService().start()
    try:
        with serve(app) as url:
            yield Hub(url, database, hub_dir, families, push)
    finally:
        push.stop()


@pytest.fixture
def phone(browser: BrowserContext) -> Page:
    page = browser.pages[0] if browser.pages else browser.new_page()
    page.set_viewport_size(PHONE)
    return page


def _login(phone: Page, url: str) -> None:
    phone.goto(url + "/ouders/aanmelden")
    phone.get_by_label("E-mailadres", exact=True).fill(ANNE)
    phone.get_by_label("Wachtwoord").fill(PASSWORD)
    phone.get_by_role("button", name="Inloggen").click()
    expect(phone).to_have_url(url + "/ouders")


def test_a_parent_chooses_messages_and_the_pages_service_worker_shows_a_push_from_the_hub(
    notify_hub: Hub, phone: Page, browser: BrowserContext
) -> None:
    hub = notify_hub
    browser.grant_permissions(["notifications"], origin=hub.url)
    _login(phone, hub.url)
    phone.get_by_role("link", name="Meldingen").click()
    jules = phone.locator(f"#kind-{hub.families.jules}")
    jules.get_by_label("Bij elke aankomst en elk vertrek").check()
    screenshot(phone, "ouders-meldingen")
    phone.get_by_role("button", name="Bewaren").click()
    expect(phone.locator("#flash")).to_have_text("Je meldingen zijn bewaard.")
    expect(jules.get_by_label("Bij elke aankomst en elk vertrek")).to_be_checked()
    # the page's service worker is registered for /ouders/
    phone.evaluate("() => window.aanwezigWorker.then(() => navigator.serviceWorker.ready)")

    # this browser's subscription, as pushManager.subscribe would hand it to the page's script
    # (made by the test: Chromium's own push service is out of reach), sent the way the script does
    subscription = hub.push.subscription("anne-telefoon")
    status = phone.evaluate(
        """(sub) => fetch('/ouders/meldingen/browser', {method: 'POST', credentials: 'same-origin',
             headers: {'Content-Type': 'application/json',
                       'X-CSRF-Token': document.querySelector('meta[name="csrf-token"]').content},
             body: JSON.stringify(sub)}).then(r => r.status)""",
        subscription.json(),
    )
    assert status == 200

    # a scan; the hub's notifier encrypts the message for that subscription
    scan_now(hub.database, "Jules", Direction.ARRIVAL)
    db = connect(hub.database)
    Notifier(hub.database, hub.hub_dir, hub.url).round(db)
    db.close()
    (received,) = hub.push.wait_for(subscription)
    message = subscription.decrypt(received)
    assert message["title"] == "Jules is aangekomen"

    # Chromium delivers that message to the page's service worker through the DevTools protocol
    cdp = browser.new_cdp_session(phone)
    registrations: list[dict] = []

    def registered(event: dict) -> None:
        registrations.extend(event["registrations"])

    cdp.on("ServiceWorker.workerRegistrationUpdated", registered)
    cdp.send("ServiceWorker.enable")
    registration = None
    for _ in range(300):  # Playwright hands CDP events over while it runs: wait through it, bounded
        registration = next(
            (r for r in registrations if r["scopeURL"] == hub.url + "/ouders/" and not r["isDeleted"]), None
        )
        if registration:
            break
        phone.wait_for_timeout(50)
    assert registration, registrations
    cdp.send(
        "ServiceWorker.deliverPushMessage",
        {"origin": hub.url, "registrationId": registration["registrationId"], "data": json.dumps(message)},
    )
    last = phone.locator("#laatste-melding")
    expect(last).to_be_visible()
    expect(last).to_contain_text("Jules is aangekomen: Jules is om")
    shown = phone.evaluate(
        "() => navigator.serviceWorker.ready.then(r => r.getNotifications()).then(ns => ns.map(n => n.title))"
    )
    assert shown == ["Jules is aangekomen"]
    screenshot(phone, "ouders-meldingen-push")
