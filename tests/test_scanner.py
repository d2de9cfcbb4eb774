"""From a card image to an event: real pixels through the real decoder, presence tracking, the desk."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import cv2

from device.checkin import CheckInDesk, Roster
from device.decoder import open_decoder
from device.feedback import Signal
from device.feedback.fake import RecordingFeedback
from device.frames.files import FolderFrames
from device.frames.synthetic import qr_modules
from device.outbox import Outbox
from device.scanner import Scanner
from tests.support.clock import FakeClock
from tests.support.fixtures import write_card_image
from wire import Direction, Source, cardcode, decode

BRUSSELS = ZoneInfo("Europe/Brussels")


def test_a_card_image_goes_through_the_real_decoder_to_one_event_in_the_outbox(tmp_path: Path) -> None:
    code = cardcode.new_code()
    outbox = Outbox(tmp_path / "outbox.sqlite3")
    feedback = RecordingFeedback()
    clock = FakeClock(datetime(2026, 11, 23, 8, 12, tzinfo=BRUSSELS))
    desk = CheckInDesk("u1", "l1", outbox, Roster(outbox), feedback, clock, is_online=lambda: True)
    frames = FolderFrames(tmp_path / "camera", fps=1000, hold_s=0.05)
    scanner = Scanner(frames, open_decoder(), lambda c, _arrived: desk.register(c, Source.QR))

    write_card_image(tmp_path / "camera", code, module_px=5)
    presentations = sum(scanner.step() for _ in range(20))  # the card is in view for several frames

    assert presentations == 1
    (pending,) = outbox.pending()
    event = decode(pending.payload)
    assert (event.code, event.source, event.direction) == (code, Source.QR, Direction.ARRIVAL)
    assert feedback.signals == [(Signal.OK, "Welkom — 08:12")], "no roster from the hub yet: no name"


def test_a_qr_code_that_is_not_a_card_is_ignored(tmp_path: Path) -> None:
    seen: list[str] = []
    folder = tmp_path / "camera"
    folder.mkdir()
    poster = (1 - qr_modules("https://example.org/menu")) * 255
    cv2.imwrite(
        str(folder / "poster.png"),
        cv2.resize(poster.astype("uint8"), None, fx=6, fy=6, interpolation=cv2.INTER_NEAREST),
    )
    scanner = Scanner(
        FolderFrames(folder, fps=1000, hold_s=0.05), open_decoder(), lambda c, _a: seen.append(c)
    )
    for _ in range(5):
        scanner.step()
    assert seen == []
