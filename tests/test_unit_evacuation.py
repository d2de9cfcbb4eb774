"""The evacuation list on the unit's staff menu (key 5): who is present, from the unit's roster and
the hub's last presence with the unit's own scans on top, also while the hub cannot be reached."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from argon2 import PasswordHasher

from device.checkin import CheckInDesk, Roster
from device.feedback.fake import RecordingFeedback
from device.keyentry import KeyEntry
from device.linking import LinkRequests
from device.outbox import Outbox
from tests.support.clock import FakeClock
from tests.support.roster import hub_config
from wire import Presence, Source, cardcode

BRUSSELS = ZoneInfo("Europe/Brussels")
PIN = "4826"
JULES, LOTTE, NOAH, STAFF = (cardcode.new_code() for _ in range(4))


def test_the_staff_menu_lists_who_is_present_from_the_roster_and_own_scans_without_the_hub(
    tmp_path: Path,
) -> None:
    outbox = Outbox(tmp_path / "outbox.sqlite3")
    roster = Roster(outbox)
    roster.update(
        hub_config({JULES: "Jules", LOTTE: "Lotte", NOAH: "Noah"}, pin_hash=PasswordHasher().hash(PIN))
    )
    feedback = RecordingFeedback()
    clock = FakeClock(datetime(2026, 11, 23, 9, 30, tzinfo=BRUSSELS))
    desk = CheckInDesk("u1", "l1", outbox, roster, feedback, clock, is_online=lambda: False)
    entry = KeyEntry(
        desk,
        feedback,
        present=desk.register,
        links=LinkRequests(),
        pin_hash=lambda: roster.pin_hash,
        backlog_and_connection=lambda: (len(outbox), False),
        state_store=outbox,
    )
    # the hub's last word before the connection went: Jules, Lotte and a staff member are in
    desk.presence.update(
        Presence(
            location="l1",
            day="2026-11-23",
            seq=4,
            present=sorted([JULES, LOTTE, STAFF]),
            issued_at="2026-11-23T08:00:00+00:00",
        )
    )
    desk.register(NOAH, Source.QR)  # offline: Noah arrives, Lotte leaves
    desk.register(LOTTE, Source.QR)
    for key in f"D{PIN}#5":
        entry.press(key)
    assert feedback.prompt_text == "Aanwezig 3: Jules, Noah, +1 kaart — *=terug"
    # after midnight nobody is present any more
    clock.advance(15 * 3600)
    for key in "*D" + PIN + "#5":
        entry.press(key)
    assert feedback.prompt_text == "Aanwezig 0: niemand — *=terug"
    outbox.close()
