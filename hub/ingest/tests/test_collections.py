"""Collections at the ingest: a collector's card scanned just after the child's card names the
child's check-in. Allowed: a departure "opgehaald door" that person, also when presence had made the
scan an arrival; resent, once. Not allowed: refused, kept, on the location's overview with when the
child was scanned. Accepted on "Geweigerd": "opgehaald door" after all."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from hub.attendance.collector_attempts import open_attempts
from hub.attendance.presence import present_children
from hub.core.localtime import fmt_time
from hub.demo import DemoData
from hub.ingest import refused
from tests.support.attendance import organisator_actor
from tests.support.messages import checkin, delivery
from wire import COLLECTOR_NOT_ALLOWED, Collection, Direction, DirectionBy, Verdict, encode
from wire.ids import new_event_id

pytestmark = pytest.mark.both_databases  # SQLite and PostgreSQL


def _ago(seconds: float) -> str:
    return (datetime.now(UTC) - timedelta(seconds=seconds)).isoformat(timespec="milliseconds")


def _checkin(demo: DemoData, seq: int, seconds_ago: float, direction: Direction):
    return checkin(
        unit=demo.unit_id,
        location=demo.location_id,
        code=demo.cards["Jules"],
        seq=seq,
        wall_time=_ago(seconds_ago),
        direction=direction,
        direction_by=DirectionBy.PRESENCE,
    )


def _collection(demo: DemoData, seq: int, event_id: str, collector: str) -> Collection:
    return Collection(
        id=new_event_id(),
        unit=demo.unit_id,
        location=demo.location_id,
        seq=seq,
        event=event_id,
        code=demo.cards["Jules"],
        collector=collector,
        wall_time=_ago(1),
    )


def _send(ingest, db, demo: DemoData, *messages) -> list:
    deliveries = [
        delivery(encode(m), demo.location_id, demo.unit_id, mid=n) for n, m in enumerate(messages, 1)
    ]
    return [outcome.ack for outcome in ingest.handle_batch(db, deliveries)]


def test_child_card_then_collector_card_turns_the_arrival_into_a_departure_opgehaald_door(
    rita_world, demo
) -> None:
    ingest, db, jules, rita, card = rita_world
    scan = _checkin(demo, 1, 10, Direction.ARRIVAL)  # Jules was out: by presence an arrival
    [ack] = _send(ingest, db, demo, scan)
    assert ack.verdict is Verdict.STORED and jules in present_children(db, demo.location_id)
    collection = _collection(demo, 2, scan.id, card)
    [ack] = _send(ingest, db, demo, collection)
    assert (ack.id, ack.verdict, ack.child) == (collection.id, Verdict.STORED, "Jules")
    assert jules not in present_children(db, demo.location_id), "the collector's word: Jules has left"
    assert db.execute("SELECT direction FROM events WHERE id = ?", (scan.id,)).fetchone() == ("arrival",), (
        "the event log is kept as sent"
    )
    assert db.execute("SELECT name, contact_id FROM pickups WHERE child_id = ?", (jules,)).fetchall() == [
        ("Oma Rita", rita)
    ]
    [again] = _send(ingest, db, demo, collection)
    assert again.verdict is Verdict.DUPLICATE
    assert db.execute("SELECT count(*) FROM collector_departures").fetchone() == (1,)


def test_a_collection_delivered_with_its_checkin_in_one_batch_finds_it(rita_world, demo) -> None:
    ingest, db, jules, _rita, card = rita_world
    scan = _checkin(demo, 1, 5, Direction.ARRIVAL)
    acks = _send(ingest, db, demo, scan, _collection(demo, 2, scan.id, card))
    assert [a.verdict for a in acks] == [Verdict.STORED, Verdict.STORED]
    assert jules not in present_children(db, demo.location_id)


def test_a_contact_who_may_not_collect_after_the_childs_departure_is_refused_and_on_the_overview(
    rita_world, demo
) -> None:
    ingest, db, jules, rita, card = rita_world
    db.execute("UPDATE contacts SET may_collect = 0, collect_note = 'bel de moeder' WHERE id = ?", (rita,))
    arrival, departure = _checkin(demo, 1, 60, Direction.ARRIVAL), _checkin(demo, 2, 8, Direction.DEPARTURE)
    _send(ingest, db, demo, arrival, departure)
    [ack] = _send(ingest, db, demo, _collection(demo, 3, departure.id, card))
    assert (ack.verdict, ack.reason, ack.kept) == (Verdict.REFUSED, COLLECTOR_NOT_ALLOWED, True)
    assert db.execute("SELECT count(*) FROM collector_departures").fetchone() == (0,)
    assert db.execute("SELECT count(*) FROM pickups WHERE child_id = ?", (jules,)).fetchone() == (0,)
    [attempt] = open_attempts(db, demo.location_id)
    at = fmt_time(datetime.fromisoformat(departure.wall_time))
    assert attempt.detail == (
        "Oma Rita mag dit kind niet ophalen: bel de moeder (kind: Jules); "
        f"het kind was al uitgescand om {at}; nagaan wie het kind meenam"
    )


def test_accepting_a_refused_collection_records_opgehaald_door(rita_world, demo) -> None:
    ingest, db, jules, rita, card = rita_world
    db.execute("UPDATE contacts SET may_collect = 0 WHERE id = ?", (rita,))
    scan = _checkin(demo, 1, 10, Direction.ARRIVAL)
    _send(ingest, db, demo, scan, _collection(demo, 2, scan.id, card))
    [item] = refused.listed(db, demo.location_id)
    assert isinstance(item.event, Collection), "shown on Geweigerd"
    assert refused.accept(db, organisator_actor(db), item.id, demo.location_id)
    assert db.execute("SELECT name, contact_id FROM pickups WHERE child_id = ?", (jules,)).fetchall() == [
        ("Oma Rita", rita)
    ]
    assert jules not in present_children(db, demo.location_id)
    assert open_attempts(db, demo.location_id) == []


def test_accepting_a_refused_collector_departure_records_opgehaald_door(rita_world, demo) -> None:
    ingest, db, jules, rita, card = rita_world
    db.execute("UPDATE contacts SET may_collect = 0 WHERE id = ?", (rita,))
    scan = checkin(
        unit=demo.unit_id,
        location=demo.location_id,
        code=demo.cards["Jules"],
        wall_time=_ago(5),
        direction=Direction.DEPARTURE,
        direction_by=DirectionBy.COLLECTOR,
        collector=card,
    )
    [ack] = _send(ingest, db, demo, scan)
    assert ack.verdict is Verdict.REFUSED
    [item] = refused.listed(db, demo.location_id)
    assert refused.accept(db, organisator_actor(db), item.id, demo.location_id)
    assert db.execute("SELECT name, contact_id FROM pickups WHERE child_id = ?", (jules,)).fetchall() == [
        ("Oma Rita", rita)
    ]
    assert db.execute("SELECT name FROM collector_departures WHERE event_id = ?", (scan.id,)).fetchone() == (
        "Oma Rita",
    )
