"""Collector cards ("ophaalkaart") at the door: the pairing rule on its own, and what the desk does.

The rule: a collector card opens a short window; a child's card within it is a departure
"opgehaald door" that person, whatever the child's presence says; a child the config does not list
for that person is answered red at once and its attempt still goes to the hub.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from device.checkin import NOT_ALLOWED, CheckInDesk, Roster
from device.collecting import CollectorWindow, children_of
from device.feedback import Signal
from device.feedback.fake import RecordingFeedback
from device.outbox import Outbox
from tests.support.clock import FakeClock
from tests.support.roster import hub_config
from wire import (
    COLLECTOR_NOT_ALLOWED,
    Ack,
    Collection,
    Direction,
    DirectionBy,
    Source,
    Verdict,
    cardcode,
    decode,
)

BRUSSELS = ZoneInfo("Europe/Brussels")
JULES, MILA, RITA = cardcode.new_code(), cardcode.new_code(), cardcode.new_code()
LOUIS, MARC = cardcode.new_code(), cardcode.new_code()


def test_a_child_card_within_the_window_pairs_with_the_collector() -> None:
    window = CollectorWindow(20)
    window.collector_scanned(RITA, "Oma Rita", frozenset({JULES}), now=100.0)
    pairing = window.child_scanned(JULES, now=119.0)
    assert pairing is not None and pairing.allowed and pairing.collector.name == "Oma Rita"
    assert window.child_scanned(MILA, now=119.5) is None, "after it, only the person's listed children pair"


def test_a_child_card_after_the_window_is_an_ordinary_scan() -> None:
    window = CollectorWindow(20)
    window.collector_scanned(RITA, "Oma Rita", frozenset({JULES}), now=100.0)
    assert window.pending(now=121.0) is None
    assert window.child_scanned(JULES, now=121.0) is None


def test_a_child_the_collector_may_not_collect_pairs_but_is_not_allowed() -> None:
    window = CollectorWindow(20)
    window.collector_scanned(RITA, "Oma Rita", frozenset({JULES}), now=0.0)
    pairing = window.child_scanned(MILA, now=5.0)
    assert pairing is not None and not pairing.allowed


def test_a_second_collector_card_replaces_the_first() -> None:
    window = CollectorWindow(20)
    window.collector_scanned(RITA, "Oma Rita", frozenset({JULES}), now=0.0)
    window.collector_scanned("99", "Opa Jan", frozenset({MILA}), now=1.0)
    assert window.child_scanned(MILA, now=2.0).collector.name == "Opa Jan"


def test_the_children_field_is_a_space_separated_list() -> None:
    assert children_of(f"{JULES} {MILA}") == {JULES, MILA}
    assert children_of(None) == frozenset()


@pytest.fixture
def desk(tmp_path: Path):
    outbox = Outbox(tmp_path / "outbox.sqlite3")
    roster = Roster(outbox)
    roster.update(
        hub_config(
            {JULES: "Jules", MILA: "Mila", LOUIS: "Louis"},
            collectors={RITA: "Oma Rita", MARC: "Nonkel Marc"},
            collector_children={RITA: f"{JULES} {LOUIS}", MARC: ""},
            collector_refused={MARC: JULES},
        )
    )
    feedback = RecordingFeedback()
    clock = FakeClock(datetime(2026, 11, 23, 17, 5, tzinfo=BRUSSELS))
    desk = CheckInDesk("u1", "l1", outbox, roster, feedback, clock, is_online=lambda: True)
    return desk, outbox, feedback, clock


def test_collector_card_then_child_card_is_a_departure_even_for_a_child_not_present(desk) -> None:
    desk, outbox, feedback, clock = desk
    first = desk.register(RITA, Source.QR)
    assert first.event is None and len(outbox) == 0, "the collector card alone sends nothing"
    clock.advance(8)
    outcome = desk.register(JULES, Source.QR)
    assert feedback.signals == [
        (Signal.OK, "Ophaalkaart van Oma Rita — toon de kaart van het kind"),
        (Signal.OK, "Tot ziens Jules — 17:05 — opgehaald door Oma Rita"),
    ]
    event = outcome.event
    assert (event.direction, event.direction_by, event.collector) == (
        Direction.DEPARTURE,
        DirectionBy.COLLECTOR,
        RITA,
    )
    assert [p.id for p in outbox.pending()] == [event.id]


def test_a_child_the_config_does_not_allow_is_red_at_once_and_still_sent(desk) -> None:
    desk, outbox, feedback, _clock = desk
    desk.register(RITA, Source.QR)
    outcome = desk.register(MILA, Source.QR)
    assert feedback.signals[-1] == (Signal.REFUSED, NOT_ALLOWED)
    assert outcome.event.collector == RITA and len(outbox) == 1, "the hub keeps the attempt"
    assert MILA not in desk.presence.own, "Mila's presence is left as it was"
    desk.acknowledged(
        Ack(id=outcome.event.id, verdict=Verdict.REFUSED, reason=COLLECTOR_NOT_ALLOWED, kept=True)
    )
    assert feedback.signals.count((Signal.REFUSED, NOT_ALLOWED)) == 1, "one red, not two"


def test_the_hubs_refusal_of_a_collector_departure_is_red_and_a_long_beep(desk) -> None:
    desk, _outbox, feedback, _clock = desk
    desk.register(RITA, Source.QR)
    outcome = desk.register(JULES, Source.QR)  # the config allowed it; the hub knows better
    desk.acknowledged(
        Ack(id=outcome.event.id, verdict=Verdict.REFUSED, reason=COLLECTOR_NOT_ALLOWED, kept=True)
    )
    assert feedback.signals[-1] == (Signal.REFUSED, NOT_ALLOWED)


def test_a_child_card_after_the_window_is_by_presence(desk) -> None:
    desk, _outbox, _feedback, clock = desk
    desk.register(RITA, Source.QR)
    clock.advance(21)
    outcome = desk.register(JULES, Source.QR)
    assert outcome.event.direction_by is not DirectionBy.COLLECTOR
    assert outcome.event.collector is None


def test_siblings_one_collector_card_then_both_childrens_cards(desk) -> None:
    desk, _outbox, feedback, clock = desk
    desk.register(RITA, Source.QR)
    clock.advance(3)
    jules = desk.register(JULES, Source.QR).event
    clock.advance(3)
    louis = desk.register(LOUIS, Source.QR).event
    assert [(e.code, e.direction, e.collector) for e in (jules, louis)] == [
        (JULES, Direction.DEPARTURE, RITA),
        (LOUIS, Direction.DEPARTURE, RITA),
    ]
    assert feedback.signals[-1] == (Signal.OK, "Tot ziens Louis — 17:05 — opgehaald door Oma Rita")


def test_child_card_then_collector_card_names_the_childs_event(desk) -> None:
    desk, outbox, feedback, clock = desk
    arrival = desk.register(JULES, Source.QR).event  # an ordinary scan, sent at once
    assert arrival.direction_by is not DirectionBy.COLLECTOR and arrival.collector is None
    clock.advance(6)
    outcome = desk.register(RITA, Source.QR)
    assert feedback.signals[-1] == (Signal.OK, "Tot ziens Jules — opgehaald door Oma Rita")
    [_, sent] = outbox.pending()
    collection = decode(sent.payload)
    assert isinstance(collection, Collection) and outcome.event is None
    assert (collection.event, collection.code, collection.collector) == (arrival.id, JULES, RITA)
    today = clock.now().date()
    assert not desk.presence.is_present(JULES, today), "the unit counts Jules as collected"


def test_child_card_then_a_contact_who_may_not_collect_is_red(desk) -> None:
    desk, outbox, feedback, clock = desk
    desk.register(JULES, Source.QR)
    clock.advance(4)
    desk.register(MARC, Source.QR)
    assert feedback.signals[-1] == (Signal.REFUSED, NOT_ALLOWED)
    [_, sent] = outbox.pending()
    collection = decode(sent.payload)
    assert collection.collector == MARC, "the attempt goes to the hub, which keeps it"
    desk.acknowledged(Ack(id=collection.id, verdict=Verdict.REFUSED, reason=COLLECTOR_NOT_ALLOWED, kept=True))
    assert feedback.signals.count((Signal.REFUSED, NOT_ALLOWED)) == 1, "one red, not two"


def test_another_familys_child_just_before_a_collector_card_is_left_alone(desk) -> None:
    desk, outbox, feedback, clock = desk
    desk.register(MILA, Source.QR)
    clock.advance(4)
    desk.register(RITA, Source.QR)
    assert feedback.signals[-1] == (Signal.OK, "Ophaalkaart van Oma Rita — toon de kaart van het kind")
    assert len(outbox) == 1, "only Mila's own scan"
