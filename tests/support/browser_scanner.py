"""A browser scanner for the tests: enrolled through the portal, a check-in as the page makes it,
a fake camera (a Y4M file of real card images) and Chromium launched with it on a kept profile."""

from __future__ import annotations

import contextlib
import os
import re
import secrets
import signal
import sqlite3
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pytest
from playwright.sync_api import BrowserContext, Page, Playwright, sync_playwright

from hub.browserscan.settings import BrowserScanSettings
from hub.core.settings import HubSettings
from hub.demo import DEMO_PIN
from hub.mail.folder import FolderMailer
from hub.web.app import create_app
from hub.web.channel import RecordingChannel
from tests.support.browser import ARGS, chromium_path, login_organisator, without_fake_time
from tests.support.faketime import real_time_env
from tests.support.portal import PortalClient, serve
from tests.support.portal_world import build_world
from tests.support.waiting import wait_for
from wire import cardcode

_CREDENTIAL = re.compile(r'data-credential="([^"]+)"')
_UNIT = re.compile(r'data-unit="([^"]+)"')
TABLET = {"width": 1024, "height": 768}
PHONE = {"width": 390, "height": 844}
_CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


@dataclass
class ScannerHub:
    url: str
    database: Path

    def card(self, first_name: str) -> str:
        with sqlite3.connect(self.database) as db:
            (code,) = db.execute(
                "SELECT c.code FROM cards c JOIN children ch ON ch.id = c.child_id WHERE ch.first_name = ?",
                (first_name,),
            ).fetchone()
        return code

    def events(self, unit_prefix: str = "browser-") -> list[tuple]:
        with sqlite3.connect(self.database) as db:
            return db.execute(
                "SELECT id, code, direction FROM events WHERE unit_id LIKE ? ORDER BY seq",
                (unit_prefix + "%",),
            ).fetchall()


@pytest.fixture
def scanner_hub(hub_dir: Path, tmp_path: Path) -> Iterator[ScannerHub]:
    """The demo organisation's portal on loopback; a card counts again after 3 s (for both modes)."""
    database, _child, _code = build_world(hub_dir)
    settings = HubSettings(data_dir=hub_dir, sections={"browser_scanner": BrowserScanSettings(3.0)})
    app = create_app(
        database, units=RecordingChannel(), mailer=FolderMailer(tmp_path / "mail"), settings=settings
    )
    with serve(app) as url:
        yield ScannerHub(url, database)


def enrol_over_http(client: PortalClient, location: str, name: str = "Tablet inkom", pin: str = DEMO_PIN):
    """Enrol a browser scanner with a logged-in portal client; returns (unit id, credential)."""
    page = f"/locaties/{location}/scanner-toestel"
    answer = client.post(page, {"name": name, "pin": pin}, form_page=page)
    credential, unit = _CREDENTIAL.search(answer.text), _UNIT.search(answer.text)
    assert credential and unit, answer.text[-2000:]
    return unit[1], credential[1]


def ulid() -> str:
    number = (int(time.time() * 1000) << 80) | secrets.randbits(80)
    return "".join(_CROCKFORD[(number >> (5 * i)) & 31] for i in reversed(range(26)))


def checkin(unit: str, location: str, code: str, seq: int = 1, **fields) -> dict:
    """A check-in as the page posts it (its clock synced, the offset it measured)."""
    return {
        "v": 1, "type": "checkin", "id": ulid(), "unit": unit, "location": location, "seq": seq,
        "direction": "arrival", "code": code, "source": "qr",
        "wall_time": datetime.now(UTC).isoformat(timespec="milliseconds"), "clock_synced": True,
        "boot_id": str(uuid.uuid4()), "monotonic": 12.5, "direction_by": "presence", "clock_offset_ms": 3,
        **fields,
    }  # fmt: skip


# ---------------------------------------------------------------------------------------------
# The fake camera


def card_image(code: str, px_per_mm: float = 6.0) -> np.ndarray:
    """The card's face as printed, rendered from the card sheet PDF (gray, 0-255)."""
    import pypdfium2 as pdfium

    from provisioning.cardsheet import card_sheet_pdf

    pdf = pdfium.PdfDocument(card_sheet_pdf([code], "Testorganisator", layout="card"))
    image = np.array(pdf[0].render(scale=px_per_mm * 25.4 / 72).to_pil().convert("L"), dtype=np.uint8)
    pdf.close()
    return image


def camera_frame(card: np.ndarray | None, width: int = 640, height: int = 480) -> np.ndarray:
    """A gray frame: a hallway-grey background with the card in the middle (or nothing)."""
    frame = np.full((height, width), 95, dtype=np.uint8)
    if card is not None:
        scale = min((width * 0.8) / card.shape[1], (height * 0.85) / card.shape[0], 1.0)
        from PIL import Image

        shown = np.array(
            Image.fromarray(card).resize((int(card.shape[1] * scale), int(card.shape[0] * scale)))
        )
        top, left = (height - shown.shape[0]) // 2, (width - shown.shape[1]) // 2
        frame[top : top + shown.shape[0], left : left + shown.shape[1]] = shown
    return frame


def write_y4m(path: Path, frames: list[np.ndarray], fps: int = 10) -> Path:
    """A Y4M (YUV 4:2:0) video of gray frames, which Chromium's fake camera plays in a loop."""
    height, width = frames[0].shape
    with path.open("wb") as out:
        out.write(f"YUV4MPEG2 W{width} H{height} F{fps}:1 Ip A1:1 C420jpeg\n".encode())
        chroma = np.full((height // 2, width // 2), 128, dtype=np.uint8).tobytes()
        for frame in frames:
            out.write(b"FRAME\n")
            out.write(np.ascontiguousarray(frame, dtype=np.uint8).tobytes())
            out.write(chroma)
            out.write(chroma)
    return path


def cards_video(path: Path, codes: list[str], frames_per_card: int = 8, gap: int = 4) -> Path:
    """Each card in turn before the camera, with empty frames between (a loop of the whole)."""
    empty = camera_frame(None)
    frames: list[np.ndarray] = []
    for code in codes:
        frames += [camera_frame(card_image(code))] * frames_per_card + [empty] * gap
    return write_y4m(path, frames)


def empty_video(path: Path) -> Path:
    return write_y4m(path, [camera_frame(None)] * 2)


# ---------------------------------------------------------------------------------------------
# Chromium with the fake camera, on a profile that outlives the process


@contextlib.contextmanager
def playwright_driver() -> Iterator[Playwright]:
    with without_fake_time():
        driver = sync_playwright().start()
    try:
        yield driver
    finally:
        driver.stop()


def launch(driver: Playwright, profile: Path, video: Path, viewport: dict | None = None) -> BrowserContext:
    """Chromium on ``profile`` whose camera plays ``video``; the camera is allowed without asking."""
    context = driver.chromium.launch_persistent_context(
        str(profile),
        env=real_time_env(),
        executable_path=chromium_path(),
        args=[
            *ARGS,
            "--use-fake-device-for-media-stream",
            "--use-fake-ui-for-media-stream",
            f"--use-file-for-fake-video-capture={video}",
            "--autoplay-policy=no-user-gesture-required",
        ],
        headless=True,
        locale="nl-BE",
        timezone_id="Europe/Brussels",
        viewport=viewport or TABLET,
        permissions=["camera"],
    )
    context.set_default_timeout(15_000)
    return context


def kill_chromium(profile: Path) -> int:
    """SIGKILL the browser process that runs on ``profile`` (ours alone: found by its profile path)."""
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            argv = (entry / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if f"--user-data-dir={profile}".encode() in argv and not any(a.startswith(b"--type=") for a in argv):
            os.kill(int(entry.name), signal.SIGKILL)
            return int(entry.name)
    raise AssertionError(f"no Chromium runs on {profile}")


def valid_code() -> str:
    return cardcode.new_code()


def enrol_in_browser(page: Page, url: str, location: str = "zonnebloem", name: str = "Tablet inkom") -> None:
    """Log in as the demo organisator, use this browser as the location's scanner, open the screen."""
    login_organisator(page, url)
    page.goto(f"{url}/locaties/{location}/scanner-toestel")
    page.get_by_label("Naam van dit toestel").fill(name)
    page.get_by_label("Pincode van de opvanglocatie").fill(DEMO_PIN)
    page.get_by_role("button", name="Dit toestel als scanner gebruiken").click()
    page.wait_for_url("**/scanner/")
    wait_until(page, "window.scanner.ready && window.scanner.offlineReady", what="the screen and its cache")


def wait_until(page: Page, condition: str, timeout: float = 15, what: str = "the screen") -> None:
    """Poll a JavaScript condition from outside (the screen's CSP forbids evaluating strings in it,
    which Playwright's wait_for_function does)."""
    wait_for(lambda: page.evaluate(f"() => Boolean(window.scanner && ({condition}))"), timeout, what)


def clear_of_midnight(margin_s: float = 90.0) -> None:
    """Wait out the last ``margin_s`` seconds of a Brussels day: a test whose scans must fall on one
    day (an arrival then a departure, a "nu aanwezig" cell) starts after midnight instead."""
    from hub.core.localtime import BRUSSELS

    moment = datetime.now(BRUSSELS)
    left = 86400 - (moment.hour * 3600 + moment.minute * 60 + moment.second + moment.microsecond / 1e6)
    if left < margin_s:
        time.sleep(left + 2)
