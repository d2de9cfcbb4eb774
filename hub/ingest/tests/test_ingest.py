"""The hub's ingest on a real SQLite file and a real PostgreSQL: once per event id, commit, then an ack."""

from __future__ import annotations

import json
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from hub.core.db import connect
from hub.demo import DemoData
from hub.ingest import deadletters
from hub.ingest.link import Delivery
from hub.ingest.pipeline import Ingest, Outcome
from tests.support.messages import checkin, delivery
from tests.support.waiting import wait_for
from wire import CardRead, Source, Status, Topic, TopicKind, Verdict, decode, encode
from wire.ids import new_event_id

pytestmark = pytest.mark.both_databases


@pytest.fixture
def ingest(hub_target: Path | str, demo: DemoData):
    published: list[tuple[str, bytes]] = []
    settled: list[Delivery] = []
    ingest = Ingest(hub_target, publish=lambda t, p: published.append((t, p)) or True, settle=settled.append)
    db = connect(hub_target)
    yield ingest, db
    db.close()


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
    assert outcome.ack.verdict is Verdict.REFUSED and outcome.ack.reason == reason and outcome.ack.kept
    assert db.execute("SELECT count(*) FROM events").fetchone()[0] == 0
    assert kept_whole(db) == [(event.id, reason, encode(event))]
    assert deadletters.count(db) == 0, "a well-formed check-in is not junk"


def kept_whole(db) -> list[tuple]:
    return [
        (event_id, reason, bytes(payload))
        for event_id, reason, payload in db.execute("SELECT event_id, reason, payload FROM refused_events")
    ]


def test_a_checkin_naming_a_unit_that_is_not_a_predecessor_is_refused_and_kept(
    ingest, demo: DemoData
) -> None:
    ingest_, db = ingest
    event = checkin(unit="unit-other", location=demo.location_id)
    [outcome] = ingest_.handle_batch(db, [delivery(encode(event), demo.location_id, demo.unit_id)])
    assert (
        outcome.ack.verdict is Verdict.REFUSED and outcome.ack.reason == "unknown_unit" and outcome.ack.kept
    )
    assert kept_whole(db) == [(event.id, "unknown_unit", encode(event))]


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
    kept = db.execute("SELECT length(payload), size FROM dead_letters WHERE reason = 'too_large'").fetchone()
    assert kept == (deadletters.PREFIX_BYTES, 100_000), "a short prefix of the junk, and its size"


def test_an_event_from_a_revoked_unit_is_refused_from_the_next_batch_on(ingest, demo: DemoData) -> None:
    ingest_, db = ingest
    first = checkin(unit=demo.unit_id, location=demo.location_id, code=demo.cards["Jules"])
    [outcome] = ingest_.handle_batch(db, [delivery(encode(first), demo.location_id, demo.unit_id)])
    assert outcome.ack.verdict is Verdict.STORED
    with db.atomic():
        db.execute("UPDATE units SET state = 'revoked' WHERE id = ?", (demo.unit_id,))
    second = checkin(unit=demo.unit_id, location=demo.location_id, code=demo.cards["Jules"])
    [outcome] = ingest_.handle_batch(db, [delivery(encode(second), demo.location_id, demo.unit_id)])
    assert (
        outcome.ack.verdict is Verdict.REFUSED and outcome.ack.reason == "revoked_unit" and outcome.ack.kept
    )
    assert kept_whole(db) == [(second.id, "revoked_unit", encode(second))]


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
    hub_target: Path | str, demo: DemoData
) -> None:
    published: list[tuple[str, bytes]] = []
    settled: list[Delivery] = []
    ingest = Ingest(hub_target, publish=lambda t, p: published.append((t, p)) or True, settle=settled.append)

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
    db = connect(hub_target)
    assert deadletters.count(db, "internal_error") == 1, "a card read is not a check-in: junk, counted"
    assert db.execute("SELECT count(*) FROM events").fetchone()[0] == 2
    db.close()


def test_junk_repeats_roll_up_per_unit_and_reason_with_a_count_and_first_and_last_seen(
    ingest, demo: DemoData
) -> None:
    ingest_, db = ingest
    for n in range(50):
        ingest_.handle_batch(
            db, [delivery(b"{not json" + b"x" * 300_000, demo.location_id, demo.unit_id, mid=n)]
        )
    ingest_.handle_batch(db, [delivery(b"[1]", demo.location_id, demo.unit_id)])
    [not_object, too_large] = sorted(deadletters.roll_ups(db, demo.unit_id), key=lambda r: r.reason)
    assert (too_large.reason, too_large.count, len(too_large.payload)) == (
        "too_large",
        50,
        deadletters.PREFIX_BYTES,
    )
    assert too_large.first_seen <= too_large.last_seen and too_large.size == 300_009
    assert (not_object.reason, not_object.count) == ("not_an_object", 1)
    assert db.execute("SELECT count(*) FROM dead_letters").fetchone()[0] == 2


def test_dead_letters_not_seen_for_the_set_age_are_pruned_and_refused_checkins_are_not(
    hub_target: Path | str, demo: DemoData
) -> None:
    db = connect(hub_target)
    ingest = Ingest(hub_target, publish=lambda t, p: True, settle=lambda d: None, dead_letter_days=30)
    ingest.handle_batch(db, [delivery(b"{old junk", demo.location_id, demo.unit_id)])
    refused = checkin(unit="unit-stolen", location=demo.location_id)
    ingest.handle_batch(db, [delivery(encode(refused), demo.location_id, "unit-stolen")])
    with db.atomic():
        db.execute(
            "UPDATE dead_letters SET received_at = '2020-01-01T00:00:00.000+00:00', "
            "last_seen = '2020-01-01T00:00:00.000+00:00'"
        )
        db.execute("UPDATE refused_events SET received_at = '2020-01-01T00:00:00.000+00:00'")
    assert ingest.prune(db) == 1
    assert deadletters.count(db) == 0
    assert db.execute("SELECT count(*) FROM refused_events").fetchone()[0] == 1, "kept until a person decides"
    db.close()


def test_past_the_units_daily_quota_a_refused_checkin_gets_no_verdict_and_only_a_count(
    hub_target: Path | str, demo: DemoData
) -> None:
    db = connect(hub_target)
    ingest = Ingest(hub_target, publish=lambda t, p: True, settle=lambda d: None, refused_per_unit_day=3)
    events = [checkin(unit=demo.unit_id, location="elders") for _ in range(5)]
    outcomes = ingest.handle_batch(db, [delivery(encode(e), demo.location_id, demo.unit_id) for e in events])
    assert [bool(o.ack and o.ack.kept) for o in outcomes] == [True, True, True, False, False]
    assert all(o.ack is None for o in outcomes[3:]), "no verdict: the unit holds the event, offers it again"
    assert deadletters.count(db, "refused_over_quota") == 2
    again = ingest.handle_batch(db, [delivery(encode(events[0]), demo.location_id, demo.unit_id)])
    assert again[0].ack.kept, "a check-in kept before is answered kept again"
    db.close()


def _replace(db, old: str, new: str, location: str) -> None:
    """What `aanwezig-provision replace` does to the database: enrol the new, revoke the old, link them."""
    from hub.core.localtime import now_utc_iso
    from hub.units import registry

    with db.atomic():
        registry.enrol(db, new, location)
        registry.revoke(db, old)
        registry.record_succession(db, new, old, "replace", now_utc_iso())


def test_a_successor_delivers_checkins_its_predecessor_made_before_revocation_stored_once_as_made(
    ingest, demo: DemoData
) -> None:
    ingest_, db = ingest
    before = checkin(
        unit=demo.unit_id,
        location=demo.location_id,
        code=demo.cards["Lotte"],
        # an hour ago: before the revocations just below, and recent enough for the hub to take it
        wall_time=(datetime.now(UTC) - timedelta(hours=1)).isoformat(timespec="milliseconds"),
    )
    _replace(db, demo.unit_id, "unit-new", demo.location_id)
    _replace(db, "unit-new", "unit-newer", demo.location_id)  # down the line: still its outbox
    after = checkin(unit=demo.unit_id, location=demo.location_id, wall_time="2099-01-01T07:00:00+00:00")
    outcomes = ingest_.handle_batch(
        db,
        [
            delivery(encode(e), demo.location_id, "unit-newer", mid=n)
            for n, e in enumerate([before, before, after])
        ],
    )
    assert [o.ack.verdict for o in outcomes] == [Verdict.STORED, Verdict.DUPLICATE, Verdict.REFUSED]
    assert all(o.ack_topic == str(Topic(demo.location_id, "unit-newer", TopicKind.ACK)) for o in outcomes)
    assert outcomes[2].ack.reason == "made_after_revocation" and outcomes[2].ack.kept
    assert db.execute("SELECT id, unit_id FROM events").fetchall() == [(before.id, demo.unit_id)]


def test_a_successor_cannot_deliver_for_a_unit_of_another_location_or_another_location(
    ingest, demo: DemoData
) -> None:
    ingest_, db = ingest
    _replace(db, demo.unit_id, "unit-new", demo.location_id)
    elsewhere = checkin(unit=demo.unit_id, location="elders", wall_time="2026-11-23T07:00:00+00:00")
    stranger = checkin(unit="unit-zonnebloem-out", location=demo.location_id)
    outcomes = ingest_.handle_batch(
        db,
        [
            delivery(encode(e), demo.location_id, "unit-new", mid=n)
            for n, e in enumerate([elsewhere, stranger])
        ],
    )
    assert [(o.ack.verdict, o.ack.reason) for o in outcomes] == [
        (Verdict.REFUSED, "wrong_location"),
        (
            Verdict.REFUSED,
            "not_a_predecessor"
            if db.execute("SELECT 1 FROM units WHERE id = 'unit-zonnebloem-out'").fetchone()
            else "unknown_unit",
        ),
    ]
    assert db.execute("SELECT count(*) FROM events").fetchone()[0] == 0
    assert db.execute("SELECT count(*) FROM refused_events").fetchone()[0] == 2
