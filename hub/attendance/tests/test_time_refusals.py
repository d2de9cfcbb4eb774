"""Times the hub refuses, through the real ingest: refused with a reason code and kept whole (on the
organisator's "Geweigerd" list), never stored silently; a stored event sent again stays a duplicate."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from hub.accounts.actors import Actor
from hub.attendance.closed_months import close_month
from hub.core.db import connect
from hub.demo import DemoData
from hub.ingest.pipeline import Ingest
from hub.ingest.refused import accept
from tests.support.attendance import organisator_actor
from tests.support.messages import checkin, delivery
from wire import Verdict, encode

pytestmark = pytest.mark.both_databases  # SQLite and PostgreSQL

HUB_NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)  # the hub's clock for these scans


@pytest.fixture
def door(hub_target: Path | str, demo: DemoData):
    db = connect(hub_target)
    ingest = Ingest(":unused:", publish=lambda t, p: True, settle=lambda d: None)
    ingest.clock.hub_now = lambda: HUB_NOW

    def scan(moment: datetime, **changes):
        event = checkin(
            unit=demo.unit_id, location=demo.location_id, code=demo.cards["Jules"],
            wall_time=moment.isoformat(timespec="milliseconds"), **changes,
        )  # fmt: skip
        [outcome] = ingest.handle_batch(db, [delivery(encode(event), demo.location_id, demo.unit_id)])
        return event, outcome

    yield scan, db
    db.close()


def kept_refusals(db) -> list[tuple[str, str]]:
    return [tuple(row) for row in db.execute("SELECT reason, detail FROM refused_events ORDER BY id")]


def test_a_synced_time_a_year_after_the_hubs_clock_is_refused_with_a_reason_and_kept(door) -> None:
    scan, db = door
    event, outcome = scan(HUB_NOW + timedelta(days=365))
    assert outcome.ack.verdict is Verdict.REFUSED and outcome.ack.reason == "clock_ahead" and outcome.ack.kept
    [(reason, detail)] = kept_refusals(db)
    assert reason == "clock_ahead" and "voor op de hub" in detail
    assert db.execute("SELECT count(*) FROM events WHERE id = ?", (event.id,)).fetchone()[0] == 0
    _event, fine = scan(HUB_NOW + timedelta(minutes=4))
    assert fine.ack.verdict is Verdict.STORED, "two NTP clocks a few minutes apart are fine"


def test_a_time_older_than_a_location_may_correct_or_in_a_closed_month_is_refused(door, demo) -> None:
    scan, db = door
    _event, old = scan(datetime(2026, 8, 31, 15, 0, tzinfo=UTC))
    assert old.ack.reason == "too_old"
    location = Actor.location(demo.location_id, "De Zonnebloem")
    close_month(db, location, demo.location_id, 2026, 10, now=HUB_NOW)
    _event, closed = scan(datetime(2026, 10, 14, 7, 0, tzinfo=UTC))
    assert closed.ack.reason == "month_closed"
    _event, fine = scan(datetime(2026, 9, 1, 7, 0, tzinfo=UTC))
    assert fine.ack.verdict is Verdict.STORED
    assert [reason for reason, _ in kept_refusals(db)] == ["too_old", "month_closed"]


def test_an_event_stored_before_and_sent_again_later_is_a_duplicate_not_a_refusal(door, hub_target) -> None:
    scan, db = door
    event, first = scan(HUB_NOW - timedelta(hours=1))
    assert first.ack.verdict is Verdict.STORED
    ingest = Ingest(":unused:", publish=lambda t, p: True, settle=lambda d: None)
    ingest.clock.hub_now = lambda: HUB_NOW + timedelta(days=120)  # the unit resends months later
    [again] = ingest.handle_batch(db, [delivery(encode(event), event.location, event.unit)])
    assert again.ack.verdict is Verdict.DUPLICATE


def test_an_accepted_check_in_from_a_clock_that_ran_ahead_waits_in_tijd_onzeker(door, demo) -> None:
    """Accepting it says "this scan happened", not "at the time the wrong clock gave": a person places it."""
    scan, db = door
    event, outcome = scan(HUB_NOW + timedelta(days=365))
    assert outcome.ack.reason == "clock_ahead"
    (refused_id,) = db.execute("SELECT id FROM refused_events WHERE event_id = ?", (event.id,)).fetchone()
    assert accept(db, organisator_actor(db), refused_id, demo.location_id)
    assert db.execute("SELECT count(*) FROM events WHERE id = ?", (event.id,)).fetchone()[0] == 0
    waiting = db.execute("SELECT state FROM uncertain_checkins WHERE id = ?", (event.id,)).fetchone()
    assert waiting == ("waiting",)
