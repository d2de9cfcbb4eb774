"""The whole unit in one process with its broker unreachable: a bounded outbox warns staff long
before it is full, then refuses new scans with a clear message and never drops old ones."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from device import __version__
from device.config import from_dict
from device.feedback import Signal
from device.feedback.fake import RecordingFeedback
from device.frames.files import FolderFrames
from device.keypad import Absent
from device.service import UnitService
from tests.support.waiting import wait_for
from wire import Source, cardcode


@pytest.fixture
def offline_unit(tmp_path: Path):
    settings = from_dict(
        {
            "unit": "u1",
            "location": "l1",
            "broker": "mqtt://u1:secret@127.0.0.1:9",  # nothing listens there
            "data_dir": str(tmp_path / "unit"),
            "scan": {"repeat_window_s": 0},
            "delivery": {"outbox_capacity": 4, "outbox_warn_ratio": 0.5, "status_every_s": 0.2},
        }
    )
    feedback = RecordingFeedback()
    service = UnitService(
        settings, feedback=feedback, frames=FolderFrames(tmp_path / "camera", fps=50), keypad=Absent()
    )
    runner = threading.Thread(target=service.run)
    runner.start()
    yield service, feedback
    service.stop()
    runner.join(10)


def test_a_nearly_full_outbox_warns_and_a_full_one_refuses_without_dropping_old_events(offline_unit) -> None:
    service, feedback = offline_unit
    codes = [cardcode.new_code() for _ in range(5)]
    for code in codes[:2]:
        service.present(code, Source.KEYPAD)
    assert [kind for kind, _ in feedback.signals] == [Signal.SAVED_OFFLINE] * 2
    wait_for(
        lambda: (Signal.WARNING, "Opslag bijna vol — 2 wachten op de hub") in feedback.signals,
        what="the warning at half full",
    )
    kept = [p.id for p in service.outbox.pending()]

    service.present(codes[2], Source.KEYPAD)
    service.present(codes[3], Source.KEYPAD)
    service.present(codes[4], Source.KEYPAD)
    assert feedback.signals[-1] == (Signal.REFUSED, "NIET bewaard — opslag vol, verwittig de opvang")
    assert len(service.outbox) == 4
    assert [p.id for p in service.outbox.pending()][:2] == kept, "the oldest events are still there"


def test_the_mode_shows_from_the_start_and_status_says_offline(offline_unit) -> None:
    service, feedback = offline_unit
    wait_for(lambda: feedback.mode_text, what="the mode text")
    assert feedback.mode_text in ("Welkom in de opvang", "Tot de volgende keer")
    status = service._status(online=False)
    assert (status.backlog, status.last_scan, status.online) == (0, None, False)
    assert status.version == __version__
    service.present(cardcode.new_code(), Source.KEYPAD)
    assert service._status(online=True).last_scan is not None
