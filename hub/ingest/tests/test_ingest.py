"""The hub's ingest on a real SQLite file: once per event id, commit, then an ack with a verdict."""

from __future__ import annotations

import json
import threading
from pathlib import Path

import pytest

from hub.core.db import connect
from hub.demo import DemoData
from hub.ingest import deadletters
from hub.ingest.link import Delivery
from hub.ingest.pipeline import Ingest, Outcome
from tests.support.waiting import wait_for
from tests.test_wire_contract import checkin
from wire import CardRead, Source, Status, Topic, TopicKind, Verdict, decode, encode
from wire.ids import new_event_id


@pytest.fixture
def ingest(hub_dir: Path, demo: DemoData):
    published: list[tuple[str, bytes]] = []
    settled: list[Delivery] = []
    ingest = Ingest(
        hub_dir / "hub.sqlite3", publish=lambda t, p: published.append((t, p)) or True, settle=settled.append
    )
    db = connect(hub_dir / "hub.sqlite3")
    yield ingest, db
    db.close()


def delivery(
    payload: bytes, location: str, unit: str, kind: TopicKind = TopicKind.EVENT, mid: int = 1
) -> Delivery:
    return Delivery(str(Topic(location, unit, kind)), payload, mid, 1, 0.0)


def test_the_same_event_three_times_is_stored_once_and_acked_each_time(ingest, demo: DemoData) -> None:
    ingest_, db = ingest
    event = checkin(unit=demo.unit_id, location=demo.location_id, code=demo.cards["Jules"])
    batch = [delivery(encode(event), demo.location_id, demo.unit_id, mid=i) for i in range(3)]
    outcomes = ingest_.handle_batch(db, batch[:1]) + ingest_.handle_batch(db, batch[1:])
    assert [o.ack.verdict for o in outcomes] == [Verdict.STORED, Verdict.DUPLICATE, Verdict.DUPLICATE]
    assert all(o.ack.child == "Jules" for o in outcomes)
    assert db.execute("SELECT count(*) FROM events").fetchone()[0] == 1


def test_an_unknown_card_is_stored_and_answered_unknown(ingest, demo: DemoData) -> None:
    ingest_, db = ingest
    event = checkin(unit=demo.unit_id, location=demo.location_id)
    [outcome] = ingest_.handle_batch(db, [delivery(encode(event), demo.location_id, demo.unit_id)])
    assert outcome.ack.verdict is Verdict.UNKNOWN_CARD
    assert db.execute("SELECT child_id FROM events").fetchall() == [(None,)]


@pytest.mark.parametrize(
    ("unit", "location", "reason"),
    [("unit-stolen", "zonnebloem", "unknown_unit"), ("unit-zonnebloem-in", "elders", "wrong_location")],
)
def test_an_event_from_a_unit_that_may_not_send_it_is_refused_and_kept(
    ingest, demo: DemoData, unit: str, location: str, reason: str
) -> None:
    ingest_, db = ingest
    event = checkin(unit=unit, location=location, code=demo.cards["Jules"])
    [outcome] = ingest_.handle_batch(db, [delivery(encode(event), location, unit)])
    assert outcome.ack.verdict is Verdict.REFUSED and outcome.ack.reason == reason
    assert db.execute("SELECT count(*) FROM events").fetchone()[0] == 0
    assert deadletters.count(db, reason) == 1


def test_an_event_published_on_another_units_topic_is_refused(ingest, demo: DemoData) -> None:
    ingest_, db = ingest
    event = checkin(unit="unit-other", location=demo.location_id)
    [outcome] = ingest_.handle_batch(db, [delivery(encode(event), demo.location_id, demo.unit_id)])
    assert outcome.ack.verdict is Verdict.REFUSED and outcome.ack.reason == "topic_mismatch"


def test_malformed_messages_become_dead_letters_and_the_ingest_carries_on(ingest, demo: DemoData) -> None:
    ingest_, db = ingest
    good = checkin(unit=demo.unit_id, location=demo.location_id, code=demo.cards["Mila"])
    batch = [
        delivery(b"{not json", demo.location_id, demo.unit_id),
        delivery(b"x" * 100_000, demo.location_id, demo.unit_id),
        Delivery("aanwezig/v1/elsewhere", b"{}", 9, 1, 0.0),
        delivery(encode(good), demo.location_id, demo.unit_id),
    ]
    outcomes = ingest_.handle_batch(db, batch)
    assert [o.dead for o in outcomes] == [True, True, True, False]
    assert outcomes[-1].ack.verdict is Verdict.STORED
    assert {r[0] for r in db.execute("SELECT reason FROM dead_letters")} == {
        "bad_json",
        "too_large",
        "wrong_topic",
    }
    kept = db.execute(
        "SELECT length(payload), detail FROM dead_letters WHERE reason = 'too_large'"
    ).fetchone()
    assert kept[0] == 64 * 1024 and "100000 bytes" in kept[1]


def test_an_event_from_a_revoked_unit_is_refused_from_the_next_batch_on(ingest, demo: DemoData) -> None:
    ingest_, db = ingest
    first = checkin(unit=demo.unit_id, location=demo.location_id, code=demo.cards["Jules"])
    [outcome] = ingest_.handle_batch(db, [delivery(encode(first), demo.location_id, demo.unit_id)])
    assert outcome.ack.verdict is Verdict.STORED
    with db.atomic():
        db.execute("UPDATE units SET state = 'revoked' WHERE id = ?", (demo.unit_id,))
    second = checkin(unit=demo.unit_id, location=demo.location_id, code=demo.cards["Jules"])
    [outcome] = ingest_.handle_batch(db, [delivery(encode(second), demo.location_id, demo.unit_id)])
    assert outcome.ack.verdict is Verdict.REFUSED and outcome.ack.reason == "revoked_unit"
    assert deadletters.count(db, "revoked_unit") == 1


def test_a_status_is_recorded_and_a_status_of_a_stranger_is_kept_aside(ingest, demo: DemoData) -> None:
    ingest_, db = ingest
    status = Status(
        unit=demo.unit_id,
        location=demo.location_id,
        online=True,
        version="0.2.0",
        backlog=3,
        sent_at="2026-03-10T08:00:00+01:00",
    )
    stranger = Status(**{**status.__dict__, "unit": "unit-stolen"})
    outcomes = ingest_.handle_batch(
        db,
        [
            delivery(encode(status), demo.location_id, demo.unit_id, TopicKind.STATUS),
            delivery(encode(stranger), demo.location_id, "unit-stolen", TopicKind.STATUS),
        ],
    )
    assert [o.dead for o in outcomes] == [False, True] and all(o.ack is None for o in outcomes)
    row = db.execute("SELECT online, backlog, version FROM units WHERE id = ?", (demo.unit_id,)).fetchone()
    assert row == (1, 3, "0.2.0")
    assert deadletters.count(db, "unknown_unit") == 1


def card_read(demo: DemoData) -> CardRead:
    """A unit's answer to "link a card": a message type the ingest has no handler for by itself."""
    return CardRead(
        request=new_event_id(),
        unit=demo.unit_id,
        location=demo.location_id,
        code="1234567894",  # a valid check digit: the hub refuses a wrong one
        source=Source.QR,
        wall_time="2026-03-10T08:00:00+01:00",
    )


def test_messages_on_the_event_topic_go_to_one_handler_per_type(ingest, demo: DemoData) -> None:
    ingest_, db = ingest
    read = card_read(demo)
    [unhandled] = ingest_.handle_batch(db, [delivery(encode(read), demo.location_id, demo.unit_id)])
    assert unhandled.dead and deadletters.count(db, "unexpected_type") == 1

    seen: list[CardRead] = []
    ingest_.on_event(CardRead, lambda batch, message, ack_topic: seen.append(message) or Outcome())
    [handled] = ingest_.handle_batch(db, [delivery(encode(read), demo.location_id, demo.unit_id)])
    assert not handled.dead and seen == [read]
    stolen = CardRead(**{**read.__dict__, "unit": "unit-stolen"})
    [refused] = ingest_.handle_batch(db, [delivery(encode(stolen), demo.location_id, "unit-stolen")])
    assert refused.dead and seen == [read], "a handler sees only messages of an active unit of the location"


def test_wrong_version_and_wrong_kind_of_topic_are_dead_letters(ingest, demo: DemoData) -> None:
    ingest_, db = ingest
    old = json.dumps(checkin(unit=demo.unit_id, location=demo.location_id).to_dict() | {"v": 0}).encode()
    outcomes = ingest_.handle_batch(
        db,
        [
            delivery(old, demo.location_id, demo.unit_id),
            delivery(b"{}", demo.location_id, demo.unit_id, TopicKind.CONFIG),
        ],
    )
    assert all(o.dead for o in outcomes)
    assert outcomes[0].ack.verdict is Verdict.REFUSED and outcomes[0].ack.reason == "unsupported_version"
    assert {r[0] for r in db.execute("SELECT reason FROM dead_letters")} == {
        "unsupported_version",
        "wrong_topic",
    }


def test_a_message_that_trips_a_bug_is_kept_aside_and_the_rest_of_its_batch_is_stored(
    hub_dir: Path, demo: DemoData
) -> None:
    published: list[tuple[str, bytes]] = []
    settled: list[Delivery] = []
    ingest = Ingest(
        hub_dir / "hub.sqlite3", publish=lambda t, p: published.append((t, p)) or True, settle=settled.append
    )

    def broken_handler(batch, message, ack_topic):
        raise RuntimeError("a bug in a handler")

    ingest.on_event(CardRead, broken_handler)
    read = card_read(demo)
    events = [
        checkin(unit=demo.unit_id, location=demo.location_id, code=demo.cards["Noah"]) for _ in range(2)
    ]
    batch = [
        delivery(encode(events[0]), demo.location_id, demo.unit_id, mid=1),
        delivery(encode(read), demo.location_id, demo.unit_id, mid=2),
        delivery(encode(events[1]), demo.location_id, demo.unit_id, mid=3),
    ]
    for d in batch:
        ingest.submit(d)
    stop = threading.Event()
    worker = threading.Thread(target=ingest.run, args=(stop,), daemon=True)
    worker.start()
    wait_for(lambda: len(settled) == 3, timeout=10, what="all three messages settled")
    stop.set()
    worker.join(timeout=5)

    acks = [decode(payload) for _topic, payload in published]
    assert [a.verdict for a in acks] == [Verdict.STORED, Verdict.STORED]
    db = connect(hub_dir / "hub.sqlite3")
    assert deadletters.count(db, "internal_error") == 1
    assert db.execute("SELECT count(*) FROM events").fetchone()[0] == 2
    db.close()
