"""The hub's ingest on a real SQLite file: once per event id, commit, then an ack with a verdict."""

from __future__ import annotations

from pathlib import Path

import pytest

from hub import deadletters
from hub.db import connect
from hub.demo import DemoData
from hub.ingest import Ingest
from hub.link import Delivery
from tests.test_wire_contract import checkin
from wire import Topic, TopicKind, Verdict, encode


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
