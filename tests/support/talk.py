"""A third family and staff helpers for the talk features (issue 21): messages, diary, photos, news.

Carla's child is Noah at De Zonnebloem; with the two families of tests/support/parents.py she is
the "third parent" who must see nothing of Jules's or Lotte's.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from playwright.sync_api import Browser, Page, expect, sync_playwright

from hub.children.queries import add_contact
from hub.core.db import open_database, write_transaction
from hub.core.settings import HubSettings
from hub.demo import DEMO_DOSSIER, DEMO_PIN
from hub.mail.outbox import MailWorker, Outbox
from hub.mail.smtp import SmtpMailer
from hub.parents import accounts
from hub.web.app import create_app
from hub.web.channel import RecordingChannel
from tests.support.browser import ARGS, chromium_path, without_fake_time
from tests.support.faketime import real_time_env
from tests.support.parents import PASSWORD, Families, add_families
from tests.support.portal import PortalClient, serve
from tests.support.portal_world import build_world
from tests.support.smtp import SmtpServer

CARLA = "carla.claes@gezin-c.example"


def add_third_family(database: Path, families: Families) -> None:
    """Carla, Noah's mother, with an account."""
    db = open_database(database)
    add_contact(db, families.noah, "Carla Claes", CARLA, "moeder")
    with write_transaction(db):
        accounts.make_account(db, CARLA, PASSWORD, datetime.now(UTC))
    db.close()


def staff_client(url: str, dossier: str = DEMO_DOSSIER, pin: str = DEMO_PIN) -> PortalClient:
    """A location logged in with its PIN (the group's tablet)."""
    staff = PortalClient(url)
    staff.login_location(dossier, pin)
    return staff


PHONE = {"width": 390, "height": 844}
TABLET = {"width": 1024, "height": 768}


@dataclass
class TalkHub:
    """The portal with three families, mail through the real outbox and its mail thread to aiosmtpd."""

    url: str
    database: Path
    smtp: SmtpServer
    families: Families


@contextlib.contextmanager
def talk_hub(hub_dir: Path) -> Iterator[TalkHub]:
    database, other_child, _code = build_world(hub_dir)
    families = add_families(database, other_child)
    add_third_family(database, families)
    smtp = SmtpServer().start()
    wake, stop = threading.Event(), threading.Event()
    smtp_mailer = SmtpMailer("127.0.0.1", smtp.port, "none", "", "", "Aanwezig <hub@aanwezig.example>")
    worker = threading.Thread(target=MailWorker(database, smtp_mailer, wake, poll=0.2).run, args=(stop,))
    worker.start()
    app = create_app(
        database,
        units=RecordingChannel(),
        mailer=Outbox(database, wake),
        settings=HubSettings(data_dir=hub_dir),
    )
    try:
        with serve(app) as url:
            app.state.portal.base_url = url  # links in mails point at this test's portal
            yield TalkHub(url, database, smtp, families)
    finally:
        stop.set()
        wake.set()
        worker.join(timeout=10)
        smtp.stop()


@contextlib.contextmanager
def chromium() -> Iterator[Browser]:
    """One real Chromium for several people at once: each gets their own context (cookies)."""
    with contextlib.ExitStack() as stack:
        with without_fake_time():
            playwright = stack.enter_context(sync_playwright())
        browser = playwright.chromium.launch(
            executable_path=chromium_path(), args=ARGS, headless=True, env=real_time_env()
        )
        try:
            yield browser
        finally:
            browser.close()


def person(browser: Browser, viewport: dict) -> Page:
    """A new browser context (its own cookies) at ``viewport``, in Dutch, on Brussels time."""
    context = browser.new_context(locale="nl-BE", timezone_id="Europe/Brussels", viewport=viewport)
    context.set_default_timeout(15_000)
    return context.new_page()


def parent_on_phone(browser: Browser, url: str, email: str) -> Page:
    phone = person(browser, PHONE)
    phone.goto(url + "/ouders/aanmelden")
    phone.get_by_label("E-mailadres", exact=True).fill(email)
    phone.get_by_label("Wachtwoord").fill(PASSWORD)
    phone.get_by_role("button", name="Inloggen").click()
    expect(phone.locator("h1")).to_contain_text("Vandaag")
    return phone


def staff_on_tablet(browser: Browser, url: str, dossier: str = DEMO_DOSSIER, pin: str = DEMO_PIN) -> Page:
    tablet = person(browser, TABLET)
    tablet.goto(f"{url}/aanmelden/opvanglocatie/pincode?dossier={dossier}")
    tablet.get_by_label("Pincode").fill(pin)
    tablet.get_by_role("button", name="Aanmelden").click()
    expect(tablet.locator(".who .role")).to_have_text("Opvanglocatie")
    return tablet
