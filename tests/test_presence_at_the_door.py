"""Arrival or departure from the child's presence at the unit: the hub's presence, the unit's own
scans while offline, stale updates ignored, and mode keys and fixed units still deciding."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from device.checkin import CheckInDesk, Roster
from device.feedback.fake import RecordingFeedback
from device.outbox import Outbox
from device.presence import PresenceBook
from tests.support.clock import FakeClock
from tests.support.messages import checkin
from tests.support.roster import hub_config
from wire import Direction, DirectionBy, Presence, Source, cardcode, decode, encode

BRUSSELS = ZoneInfo("Europe/Brussels")
NOOR, JULES = cardcode.new_code(), cardcode.new_code()


def presence(seq: int, *codes: str, day: str = "2026-11-23") -> Presence:
    issued = "2026-11-23T11:00:00+00:00"
    return Presence(location="l1", day=day, seq=seq, present=list(codes), issued_at=issued)


@pytest.fixture
def door(tmp_path: Path):
    outbox = Outbox(tmp_path / "outbox.sqlite3")
    roster = Roster(outbox)
    roster.update(hub_config({NOOR: "Noor", JULES: "Jules"}))
    feedback = RecordingFeedback()
    clock = FakeClock(datetime(2026, 11, 23, 12, 30, tzinfo=BRUSSELS))
    desk = CheckInDesk("u1", "l1", outbox, roster, feedback, clock, is_online=lambda: True)
    desk.presence.update(presence(1))
    yield desk, feedback, clock, outbox
    outbox.close()


def test_an_afternoon_only_child_is_welcomed_at_1230_and_said_goodbye_at_1730(door) -> None:
    desk, feedback, clock, _outbox = door
    first = desk.register(NOOR, Source.QR).event
    assert (first.direction, first.direction_by) == (Direction.ARRIVAL, DirectionBy.PRESENCE)
    clock.advance(5 * 3600)
    second = desk.register(NOOR, Source.QR).event
    assert (second.direction, second.direction_by) == (Direction.DEPARTURE, DirectionBy.PRESENCE)
    assert [text for _signal, text in feedback.signals] == ["Welkom Noor — 12:30", "Tot ziens Noor — 17:30"]


def test_the_hubs_presence_decides_and_an_older_one_is_ignored(door) -> None:
    desk, _feedback, _clock, _outbox = door
    assert desk.presence.update(presence(5, JULES))  # Jules came in at the other door
    assert not desk.presence.update(presence(4)), "an older presence is ignored"
    assert desk.direction_for(JULES) == (Direction.DEPARTURE, DirectionBy.PRESENCE)
    assert desk.direction_for(NOOR) == (Direction.ARRIVAL, DirectionBy.PRESENCE)


def test_offline_the_units_own_scans_count_until_the_hub_caught_up(door) -> None:
    desk, _feedback, _clock, _outbox = door
    arrival = desk.register(NOOR, Source.QR).event
    desk.presence.update(presence(2))  # a presence made before the hub stored Noor's arrival
    assert desk.direction_for(NOOR)[0] is Direction.DEPARTURE, "our own scan still counts"
    desk.presence.acknowledged(arrival.id)
    desk.presence.update(presence(3, NOOR))
    assert desk.direction_for(NOOR)[0] is Direction.DEPARTURE
    desk.presence.update(presence(4))  # staff corrected: Noor was never here
    assert desk.direction_for(NOOR)[0] is Direction.ARRIVAL


def test_a_scan_again_within_the_repeat_window_is_already_registered_not_a_departure(door) -> None:
    desk, feedback, clock, _outbox = door
    desk.register(NOOR, Source.QR)
    clock.advance(20)
    outcome = desk.register(NOOR, Source.QR)
    assert outcome.event is None and feedback.signals[-1][1] == "Al geregistreerd om 12:30"


def test_at_midnight_nobody_is_present_any_more(door) -> None:
    desk, _feedback, clock, _outbox = door
    desk.presence.update(presence(2, JULES))
    desk.register(NOOR, Source.QR)
    clock.at = datetime(2026, 11, 24, 7, 30, tzinfo=BRUSSELS)
    assert desk.direction_for(JULES)[0] is Direction.ARRIVAL
    assert desk.direction_for(NOOR)[0] is Direction.ARRIVAL


def test_a_mode_key_and_a_fixed_exit_still_decide(door, tmp_path: Path) -> None:
    desk, _feedback, _clock, outbox = door
    desk.hold_mode(Direction.DEPARTURE, 30)
    event = desk.register(NOOR, Source.QR).event
    assert (event.direction, event.direction_by) == (Direction.DEPARTURE, DirectionBy.KEY)
    exit_desk = CheckInDesk(
        "u2", "l1", outbox, desk.roster, RecordingFeedback(), desk.clock, lambda: True,
        fixed_mode=Direction.DEPARTURE,
    )  # fmt: skip
    assert exit_desk.direction_for(JULES) == (Direction.DEPARTURE, DirectionBy.FIXED)


def test_before_any_presence_from_the_hub_the_clock_decides_as_before(tmp_path: Path) -> None:
    outbox = Outbox(tmp_path / "old-hub.sqlite3")
    clock = FakeClock(datetime(2026, 11, 23, 12, 30, tzinfo=BRUSSELS))
    desk = CheckInDesk("u1", "l1", outbox, Roster(outbox), RecordingFeedback(), clock, lambda: True)
    assert desk.direction_for(NOOR) == (Direction.DEPARTURE, DirectionBy.CLOCK)
    outbox.close()


def test_the_presence_survives_a_restart_of_the_unit(door, tmp_path: Path) -> None:
    desk, _feedback, _clock, outbox = door
    desk.presence.update(presence(7, JULES))
    desk.register(NOOR, Source.QR)
    again = PresenceBook(outbox)
    assert again.seq == 7 and again.is_present(JULES, datetime(2026, 11, 23).date())
    assert again.is_present(NOOR, datetime(2026, 11, 23).date())


def test_the_presence_message_round_trips_and_an_old_units_checkin_has_no_direction_by() -> None:
    message = presence(3, NOOR, JULES)
    assert decode(encode(message)) == message
    body = checkin().to_dict()
    body.pop("direction_by")
    assert decode(json.dumps(body)).direction_by is None
