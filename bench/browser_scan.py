"""The browser scanner: from a camera frame that shows a card to green on the screen, in Chromium.

Chromium (Debian's, through Playwright) runs the scanning screen with a fake camera that plays a
Y4M of the six demo children's cards, rendered from the card sheet PDF, each shown for 0.6 s with
0.4 s of empty hallway between (640x480, 10 fps). The hub's portal serves it on loopback (in this
process); the repeat window is 1 s so that every presentation is a check-in. The page measures,
per check-in, from grabbing the frame (``performance.now()`` before drawing it) to green: QR
decoding with the vendored zxing-wasm (Chromium on Linux has no BarcodeDetector), the event made
and written to IndexedDB (strict durability) and the screen updated; sending to the hub is after
green and not in the figure. Also the decode alone (grab, draw, zxing-wasm) of those frames.

``make bench-browser-scan`` (or ``python -m bench.browser_scan``); bench/results/browser_scan.json.
"""

from __future__ import annotations

import shutil
import sqlite3
import time
from pathlib import Path

from bench.common import percentile, print_table, write_results
from hub.browserscan.settings import BrowserScanSettings
from hub.core.settings import HubSettings
from hub.mail.folder import FolderMailer
from hub.web.app import create_app
from hub.web.channel import RecordingChannel
from tests.support.browser_scanner import cards_video, enrol_in_browser, launch, playwright_driver, wait_until
from tests.support.portal import serve
from tests.support.portal_world import build_world

ROOT = Path(__file__).resolve().parents[1]
WORKDIR = ROOT / "var" / "bench-browser-scan"
SAMPLES = 40
WARMUP = 3  # the first check-ins include compiling the decoder and warming the caches


def main() -> None:
    shutil.rmtree(WORKDIR, ignore_errors=True)
    hub_dir = WORKDIR / "hub"
    database, _child, _code = build_world(hub_dir, history_days=0)
    with sqlite3.connect(database) as db:
        codes = [
            row[0] for row in db.execute("SELECT code FROM cards WHERE child_id IS NOT NULL ORDER BY code")
        ]
    codes = codes[:6]
    video = cards_video(WORKDIR / "cards.y4m", codes, frames_per_card=6, gap=4)
    settings = HubSettings(data_dir=hub_dir, sections={"browser_scanner": BrowserScanSettings(1.0)})
    app = create_app(
        database, units=RecordingChannel(), mailer=FolderMailer(WORKDIR / "mail"), settings=settings
    )
    started = time.monotonic()
    with serve(app) as url, playwright_driver() as driver:
        context = launch(driver, WORKDIR / "profile", video)
        try:
            page = context.pages[0] if context.pages else context.new_page()
            enrol_in_browser(page, url)
            wait_until(page, f"window.scanner.timings.length >= {SAMPLES + WARMUP}", 180, "the check-ins")
            timings = page.evaluate("window.scanner.timings")[WARMUP:]
            decodes = page.evaluate("window.scanner.decodes")[WARMUP:]
            acks = page.evaluate("window.scanner.acks.length")
        finally:
            context.close()
    figures = {
        "frame_to_green_ms_p50": round(percentile(timings, 50), 1),
        "frame_to_green_ms_p95": round(percentile(timings, 95), 1),
        "frame_to_green_ms_max": round(max(timings), 1),
        "decode_ms_p50": round(percentile(decodes, 50), 1),
        "decode_ms_p95": round(percentile(decodes, 95), 1),
        "checkins_measured": len(timings),
        "verdicts_received": acks,
        "frame_width": 640,
        "frame_height": 480,
        "scan_interval_ms": 250,
        "seconds": round(time.monotonic() - started, 1),
    }
    path = write_results("browser_scan", figures)
    print_table(
        "Browser scanner: camera frame to green (Chromium, zxing-wasm, IndexedDB)", list(figures.items())
    )
    print(f"written to {path.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
