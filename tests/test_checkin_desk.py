"""The check-in desk: what a parent sees at the door, with and without the network."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from device.checkin import CheckInDesk, Roster
from device.feedback import Signal
from device.feedback.fake import RecordingFeedback
from device.outbox import Outbox
from tests.support.clock import FakeClock
from tests.support.roster import hub_config
from wire import Direction, Source, cardcode

BRUSSELS = ZoneInfo("Europe/Brussels")


JULES = cardcode.new_code()


@pytest.fixture
def desk_parts(tmp_path: Path):
    outbox = Outbox(tmp_path / "outbox.sqlite3")
    roster = Roster(outbox)
    roster.update(hub_config({JULES: "Jules"}))
    feedback = RecordingFeedback()
    clock = FakeClock(datetime(2026, 11, 23, 8, 12, tzinfo=BRUSSELS))
    online = {"value": True}
    desk = CheckInDesk("u1", "l1", outbox, roster, feedback, clock, is_online=lambda: online["value"])
    return desk, outbox, feedback, clock, online


def test_parent_scans_card_and_sees_the_childs_name_and_time(desk_parts) -> None:
    desk, outbox, feedback, _clock, _online = desk_parts
    outcome = desk.register(JULES, Source.QR)
    assert feedback.signals == [(Signal.OK, "Welkom Jules — 08:12")]
    assert outcome.event.direction is Direction.ARRIVAL
    assert [p.id for p in outbox.pending()] == [outcome.event.id], "on disk before the green signal"


def test_name_comes_from_the_saved_roster_while_the_network_is_down(desk_parts, tmp_path: Path) -> None:
    desk, outbox, _feedback, clock, online = desk_parts
    online["value"] = False
    outbox.close()
    # the unit restarts without a network: the roster comes from disk
    outbox = Outbox(tmp_path / "outbox.sqlite3")
    feedback = RecordingFeedback()
    desk = CheckInDesk("u1", "l1", outbox, Roster(outbox), feedback, clock, is_online=lambda: False)
    desk.register(JULES, Source.QR)
    assert feedback.signals == [(Signal.SAVED_OFFLINE, "Welkom Jules — 08:12")]
    assert len(outbox) == 1


def test_the_same_card_again_within_the_window_is_answered_already_registered(desk_parts) -> None:
    desk, outbox, feedback, clock, _online = desk_parts
    desk.register(JULES, Source.QR)
    clock.advance(30)
    outcome = desk.register(JULES, Source.QR)
    assert outcome.event is None
    assert feedback.signals[-1] == (Signal.ALREADY, "Al geregistreerd om 08:12")
    assert len(outbox) == 1
    clock.advance(120)
    assert desk.register(JULES, Source.QR).event is not None


def test_afternoon_scans_are_departures_and_say_goodbye(desk_parts) -> None:
    desk, _outbox, feedback, clock, _online = desk_parts
    clock.at = datetime(2026, 11, 23, 17, 31, tzinfo=BRUSSELS)
    outcome = desk.register(JULES, Source.QR)
    assert outcome.event.direction is Direction.DEPARTURE
    assert feedback.signals[-1] == (Signal.OK, "Tot ziens Jules — 17:31")


def test_a_mistyped_code_is_refused_and_nothing_is_stored(desk_parts) -> None:
    desk, outbox, feedback, _clock, _online = desk_parts
    typo = JULES[:-1] + str((int(JULES[-1]) + 1) % 10)
    assert desk.register(typo, Source.KEYPAD).event is None
    assert feedback.signals[-1][0] is Signal.REFUSED
    assert len(outbox) == 0


def test_a_card_not_on_the_roster_is_stored_and_flagged_unknown(desk_parts) -> None:
    desk, outbox, feedback, _clock, _online = desk_parts
    outcome = desk.register(cardcode.new_code(), Source.QR)
    assert outcome.event is not None and len(outbox) == 1
    assert feedback.signals[-1][0] is Signal.UNKNOWN


def test_the_event_carries_wall_time_sync_state_boot_id_and_monotonic_reading(desk_parts) -> None:
    desk, _outbox, _feedback, clock, _online = desk_parts
    clock.is_synced = False
    event = desk.register(JULES, Source.QR).event
    assert event.wall_time == "2026-11-23T08:12:00.000+01:00"
    assert event.clock_synced is False
    assert event.boot_id == clock.boot_id
    assert event.monotonic == 100.0


def test_the_card_of_a_child_who_left_answers_niet_meer_ingeschreven_and_is_sent(tmp_path: Path) -> None:
    outbox = Outbox(tmp_path / "left.sqlite3")
    roster = Roster(outbox)
    roster.update(hub_config({}, departed={JULES: "Jules"}))
    feedback = RecordingFeedback()
    clock = FakeClock(datetime(2026, 11, 23, 8, 12, tzinfo=BRUSSELS))
    desk = CheckInDesk("u1", "l1", outbox, roster, feedback, clock, is_online=lambda: True)
    outcome = desk.register(JULES, Source.QR)
    assert feedback.signals == [(Signal.UNKNOWN, "Jules — niet meer ingeschreven, verwittig opvang")]
    assert outcome.event is not None and len(outbox) == 1, "the hub keeps it for the location"
    assert Roster(outbox).departed(JULES) == "Jules", "remembered across a restart"
