"""Departures made with a collector card ("ophaalkaart") at the ingest: allowed, stored as sent and
"opgehaald door"; not allowed, refused and kept, nothing recorded; the presence re-derivation
leaves a collector's departure as it is."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from hub.attendance.presence import present_children
from hub.demo import DemoData
from tests.support.messages import checkin, delivery
from wire import COLLECTOR_NOT_ALLOWED, Direction, DirectionBy, Verdict, encode

pytestmark = pytest.mark.both_databases  # SQLite and PostgreSQL


def _scan(ingest, db, demo: DemoData, seq: int, seconds_ago: float, **changes):
    event = checkin(
        unit=demo.unit_id,
        location=demo.location_id,
        code=demo.cards["Jules"],
        seq=seq,
        wall_time=(datetime.now(UTC) - timedelta(seconds=seconds_ago)).isoformat(timespec="milliseconds"),
        **changes,
    )
    [outcome] = ingest.handle_batch(db, [delivery(encode(event), demo.location_id, demo.unit_id, mid=seq)])
    return event, outcome.ack


def test_a_collector_departure_stands_whatever_the_presence_and_the_next_scan_is_an_arrival(
    rita_world, demo
) -> None:
    ingest, db, jules, rita, card = rita_world
    # Jules was not registered in: by presence this scan would be an arrival, by a collector it leaves
    event, ack = _scan(
        ingest,
        db,
        demo,
        2,
        4,
        direction=Direction.DEPARTURE,
        direction_by=DirectionBy.COLLECTOR,
        collector=card,
    )
    assert ack.verdict is Verdict.STORED and ack.child == "Jules"
    assert jules not in present_children(db, demo.location_id)
    assert db.execute(
        "SELECT name, contact_id FROM collector_departures WHERE event_id = ?", (event.id,)
    ).fetchone() == (
        "Oma Rita",
        rita,
    )
    # a unit that did not hear of it says "departure" by presence: the hub re-derives an arrival
    _scan(ingest, db, demo, 3, 2, direction=Direction.DEPARTURE, direction_by=DirectionBy.PRESENCE)
    assert jules in present_children(db, demo.location_id)


def test_a_collector_departure_sent_again_after_the_contact_was_barred_is_a_duplicate(
    rita_world, demo
) -> None:
    ingest, db, _jules, rita, card = rita_world
    event, _ack = _scan(
        ingest,
        db,
        demo,
        1,
        3,
        direction=Direction.DEPARTURE,
        direction_by=DirectionBy.COLLECTOR,
        collector=card,
    )
    db.execute("UPDATE contacts SET may_collect = 0, collect_note = 'x' WHERE id = ?", (rita,))
    [outcome] = ingest.handle_batch(db, [delivery(encode(event), demo.location_id, demo.unit_id, mid=9)])
    assert outcome.ack.verdict is Verdict.DUPLICATE


def test_a_contact_who_may_not_collect_is_refused_kept_and_nothing_is_recorded(rita_world, demo) -> None:
    ingest, db, jules, rita, card = rita_world
    db.execute("UPDATE contacts SET may_collect = 0, collect_note = 'bel de moeder' WHERE id = ?", (rita,))
    event, ack = _scan(
        ingest,
        db,
        demo,
        1,
        3,
        direction=Direction.DEPARTURE,
        direction_by=DirectionBy.COLLECTOR,
        collector=card,
    )
    assert (ack.verdict, ack.reason, ack.kept) == (Verdict.REFUSED, COLLECTOR_NOT_ALLOWED, True)
    assert db.execute("SELECT count(*) FROM events").fetchone() == (0,)
    assert db.execute("SELECT count(*) FROM pickups WHERE child_id = ?", (jules,)).fetchone() == (0,)
    assert db.execute("SELECT detail FROM refused_events WHERE event_id = ?", (event.id,)).fetchone() == (
        "Oma Rita mag dit kind niet ophalen: bel de moeder (kind: Jules)",
    )


def test_the_collector_departures_are_never_changed_nor_deleted(rita_world, demo) -> None:
    ingest, db, _jules, _rita, card = rita_world
    event, _ack = _scan(
        ingest,
        db,
        demo,
        1,
        3,
        direction=Direction.DEPARTURE,
        direction_by=DirectionBy.COLLECTOR,
        collector=card,
    )
    with pytest.raises(Exception, match="kept as registered"):
        db.execute("UPDATE collector_departures SET name = 'Iemand' WHERE event_id = ?", (event.id,))
    with pytest.raises(Exception, match="never deleted"):
        db.execute("DELETE FROM collector_departures WHERE event_id = ?", (event.id,))
