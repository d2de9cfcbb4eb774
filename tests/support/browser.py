"""Real Chromium (Debian's package) driven by Playwright's Python API; never `playwright install`.

Each test gets a fresh profile folder, so no cookie or cache crosses from one test to another.
Screenshots for people to look at go to test-artifacts/ (gitignored).
"""

from __future__ import annotations

import contextlib
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import BrowserContext, Page, expect, sync_playwright

from hub.demo import DEMO_EMAIL, DEMO_PASSWORD
from tests.support.faketime import real_time_env

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


def chromium_path() -> str:
    if not Path(CHROMIUM).exists():
        raise RuntimeError(f"{CHROMIUM} is missing: run scripts/install-test-deps (make test does)")
    return CHROMIUM


@contextlib.contextmanager
def without_fake_time() -> Iterator[None]:
    """Start Playwright's driver without libfaketime (the clock-proof check fakes only Python)."""
    saved = dict(os.environ)
    os.environ.clear()
    os.environ.update(real_time_env(saved))
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved)


@pytest.fixture
def browser_locale() -> str:
    """The browser's language and region; a test parametrizes it to try another (``en-US``)."""
    return "nl-BE"


@pytest.fixture
def browser(tmp_path: Path, browser_locale: str) -> Iterator[BrowserContext]:
    """A Chromium with a fresh profile; pages default to a phone-and-PC friendly 1280x900 window."""
    profile = tmp_path / "chromium-profile"
    with contextlib.ExitStack() as stack:
        with without_fake_time():  # only while the driver starts: the hub processes keep the fake clock
            playwright = stack.enter_context(sync_playwright())
        context = playwright.chromium.launch_persistent_context(
            str(profile),
            env=real_time_env(),  # Chromium keeps the real clock under the clock-proof check
            executable_path=chromium_path(),
            args=ARGS,
            headless=True,
            locale=browser_locale,
            timezone_id="Europe/Brussels",
            viewport={"width": 1280, "height": 900},
        )
        context.set_default_timeout(15_000)
        try:
            yield context
        finally:
            context.close()
    shutil.rmtree(profile, ignore_errors=True)


@pytest.fixture
def page(browser: BrowserContext) -> Page:
    return browser.pages[0] if browser.pages else browser.new_page()


def screenshot(page: Page, name: str, full_page: bool = True) -> Path:
    """Save a screenshot as test-artifacts/NAME.png for a person to look at."""
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=full_page)
    return path


def login_organisator(page: Page, url: str) -> None:
    """Log in as the demo organisator and wait for the portal to say so."""
    page.goto(url + "/aanmelden/organisator")
    page.get_by_label("E-mailadres").fill(DEMO_EMAIL)
    page.get_by_label("Wachtwoord").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Inloggen").click()
    expect(page.locator(".who .role")).to_have_text("Organisator")
