"""The publisher, the delivery guarantee's second half: oldest first, again until the hub's ack,
never again before the ack time-out, everything again after a lost connection, and an event
leaves the outbox only on the hub's ack.

The outbox is the real SQLite file; the link is a stand-in recording what would go to the
broker (the publisher with a real Mosquitto is in test_unit_link.py and test_end_to_end.py)."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from device.outbox import Outbox, OutboxFull
from device.publisher import Publisher
from tests.support.messages import checkin
from tests.support.waiting import wait_for
from wire import Ack, Verdict, decode


class Link:
    """What the publisher needs of the MQTT link: whether it is up, and publishing one event."""

    def __init__(self) -> None:
        self.connected = True
        self.sent: list[str] = []  # event ids, in publishing order
        self.refuse_after: int | None = None  # the connection drops after this many publishes

    def publish_event(self, payload: bytes) -> bool:
        if not self.connected:
            return False
        if self.refuse_after is not None and len(self.sent) >= self.refuse_after:
            self.connected = False
            return False
        self.sent.append(decode(payload).id)
        return True


class Clock:
    def __init__(self) -> None:
        self.t = 1000.0

    def __call__(self) -> float:
        return self.t


@pytest.fixture
def outbox(tmp_path: Path):
    box = Outbox(tmp_path / "outbox.sqlite3")
    yield box
    box.close()


def events(outbox: Outbox, n: int) -> list[str]:
    return [outbox.append(lambda seq: checkin(seq=seq)).id for _ in range(n)]


def ack(event_id: str) -> Ack:
    return Ack(id=event_id, verdict=Verdict.STORED)


def test_events_go_oldest_first_and_at_most_a_window_at_a_time(outbox: Outbox) -> None:
    ids = events(outbox, 5)
    link, clock = Link(), Clock()
    publisher = Publisher(outbox, link, window=3, ack_timeout_s=5, monotonic=clock)
    assert publisher.pump() == 3
    assert link.sent == ids[:3]
    publisher.acknowledged(ack(ids[0]))
    assert publisher.pump() == 1, "one ack frees one place in the window"
    assert link.sent == ids[:4]


def test_an_event_is_not_published_again_before_the_ack_time_out(outbox: Outbox) -> None:
    [event] = events(outbox, 1)
    link, clock = Link(), Clock()
    publisher = Publisher(outbox, link, ack_timeout_s=5, monotonic=clock)
    publisher.pump()
    clock.t += 4.9
    assert publisher.pump() == 0
    assert link.sent == [event]


def test_an_event_without_ack_goes_again_after_the_time_out_until_the_hub_acks(outbox: Outbox) -> None:
    [event] = events(outbox, 1)
    link, clock = Link(), Clock()
    publisher = Publisher(outbox, link, ack_timeout_s=5, monotonic=clock)
    publisher.pump()
    for _ in range(3):
        clock.t += 5
        assert publisher.pump() == 1
    assert link.sent == [event] * 4
    publisher.acknowledged(ack(event))
    clock.t += 60
    assert publisher.pump() == 0, "after the hub's ack it never goes again"
    assert len(outbox) == 0


def test_the_brokers_puback_alone_removes_nothing(outbox: Outbox) -> None:
    events(outbox, 2)
    publisher = Publisher(outbox, Link(), monotonic=Clock())
    publisher.pump()  # published (the broker took them), no ack from the hub
    assert len(outbox) == 2


def test_a_lost_connection_stops_the_round_and_everything_goes_again_on_reconnect(outbox: Outbox) -> None:
    ids = events(outbox, 4)
    link, clock = Link(), Clock()
    link.refuse_after = 2
    publisher = Publisher(outbox, link, ack_timeout_s=5, monotonic=clock)
    assert publisher.pump() == 2, "the round stops at the first publish that fails"
    assert not link.connected
    link.connected, link.refuse_after = True, None
    publisher.connection_restored()
    assert publisher.pump() == 4, "what was in flight on the old connection goes again at once"
    assert link.sent == ids[:2] + ids


def test_while_disconnected_the_run_loop_publishes_nothing_and_resumes_on_reconnect(outbox: Outbox) -> None:
    ids = events(outbox, 2)
    link = Link()
    link.connected = False
    publisher = Publisher(outbox, link, ack_timeout_s=0.2)
    stop = threading.Event()
    runner = threading.Thread(target=publisher.run, args=(stop,), daemon=True)
    runner.start()
    try:
        publisher.wake()
        stop.wait(0.3)
        assert link.sent == []
        link.connected = True
        publisher.connection_restored()
        wait_for(lambda: link.sent[:2] == ids, timeout=10, what="the backlog to go after reconnect")
    finally:
        stop.set()
        runner.join(timeout=5)
    assert not runner.is_alive()


def test_an_ack_for_an_unknown_event_changes_nothing_and_calls_no_one(outbox: Outbox) -> None:
    [event] = events(outbox, 1)
    seen: list[Ack] = []
    publisher = Publisher(outbox, Link(), on_ack=seen.append, monotonic=Clock())
    publisher.acknowledged(ack(checkin().id))
    assert len(outbox) == 1 and seen == []
    publisher.acknowledged(ack(event))
    publisher.acknowledged(ack(event))  # the hub acks a duplicate again
    assert len(outbox) == 0 and [a.id for a in seen] == [event]


def test_an_ack_that_cannot_be_written_keeps_the_event_which_goes_again(outbox: Outbox, monkeypatch) -> None:
    [event] = events(outbox, 1)
    link, clock = Link(), Clock()
    publisher = Publisher(outbox, link, ack_timeout_s=5, monotonic=clock)
    publisher.pump()

    def disk_full(_event_id: str) -> bool:
        raise OutboxFull("disk full")

    monkeypatch.setattr(outbox, "remove", disk_full)
    publisher.acknowledged(ack(event))
    monkeypatch.undo()
    assert len(outbox) == 1
    clock.t += 5
    assert publisher.pump() == 1 and link.sent == [event, event]


def test_an_event_leaves_the_outbox_on_refused_only_when_the_hub_says_it_kept_it(outbox: Outbox) -> None:
    kept, junk = events(outbox, 2)
    publisher = Publisher(outbox, Link(), monotonic=Clock())
    publisher.pump()
    publisher.acknowledged(Ack(id=kept, verdict=Verdict.REFUSED, reason="revoked_unit", kept=True))
    publisher.acknowledged(Ack(id=junk, verdict=Verdict.REFUSED, reason="bad_field"))
    assert [p.id for p in outbox.pending()] == [junk], "refused without kept: the unit holds the event"


def test_an_event_refused_without_keeping_is_held_back_then_offered_again_and_blocks_nothing(
    outbox: Outbox,
) -> None:
    clock, link = Clock(), Link()
    held, *others = events(outbox, 3)
    publisher = Publisher(outbox, link, window=2, ack_timeout_s=5, monotonic=clock, hold_s=600)
    publisher.pump()
    publisher.acknowledged(Ack(id=held, verdict=Verdict.REFUSED, reason="bad_field"))
    link.sent.clear()
    clock.t += 6
    publisher.pump()
    assert link.sent == others, "not offered again at once; the window goes to the events behind it"
    for other in others:
        publisher.acknowledged(ack(other))
    clock.t += 600
    link.sent.clear()
    publisher.pump()
    assert link.sent == [held], "after the hold it is offered again: never lost"
