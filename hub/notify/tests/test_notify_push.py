"""Notifications through the notifier on a real database: Web Push to a push service on loopback
(decrypted and its VAPID signature checked), mail into the mail outbox, each once per event."""

from __future__ import annotations

import os
import stat
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from hub.attendance.events import record_checkin
from hub.cards import codes as cards
from hub.cards import collectors
from hub.core.db import connect, open_database, write_transaction
from hub.core.localtime import utc_iso
from hub.mail.folder import FolderMailer
from hub.mail.outbox import MailWorker
from hub.notify import store, vapid
from hub.notify.rules import Mode
from hub.notify.worker import Notifier
from hub.parents import accounts
from tests.support.clock import clear_of_midnight
from tests.support.parents import ANNE, BERT, add_families, scan_now
from tests.support.portal_world import build_world
from tests.support.push import PushService, Subscription, vapid_claims
from wire import CheckIn, Direction, DirectionBy, Source
from wire.ids import new_event_id

pytestmark = pytest.mark.both_databases  # SQLite and PostgreSQL


@dataclass
class Setup:
    database: Path
    hub_dir: Path
    jules: int
    anne: int
    push: PushService
    phone: Subscription


@pytest.fixture
def setup(hub_dir: Path, hub_target: Path | str) -> Iterator[Setup]:
    database, other_child, _code = build_world(hub_dir, database=hub_target)
    families = add_families(database, other_child)
    push = PushService().start()
    phone = push.subscription("anne-telefoon")
    db = open_database(database)
    anne = accounts.account_by_email(db, ANNE).id
    with write_transaction(db):
        store.set_pref(db, anne, store.Pref(families.jules, Mode.EVERY, 18, True, True))
        store.add_subscription(
            db, anne, phone.endpoint, phone.p256dh, phone.json()["keys"]["auth"], datetime.now(UTC)
        )
    db.close()
    yield Setup(database, hub_dir, families.jules, anne, push, phone)
    push.stop()


def _scan(
    database: Path, first_name: str, direction: Direction, ago: timedelta, by_presence: bool = False
) -> str:
    """A registration of the child ``ago`` ago, stored now; its event id."""
    db = open_database(database)
    code = db.execute(
        "SELECT c.code FROM cards c JOIN children ch ON ch.id = c.child_id WHERE ch.first_name = ?",
        [first_name],
    ).fetchone()[0]
    moment = datetime.now(UTC) - ago
    event = CheckIn(
        id=new_event_id(now_ms=int(moment.timestamp() * 1000)),
        unit="unit-zonnebloem-in",
        location="zonnebloem",
        seq=1,
        direction=direction,
        code=code,
        source=Source.QR,
        wall_time=moment.isoformat(timespec="milliseconds"),
        clock_synced=True,
        boot_id="00000000-0000-4000-8000-00000000d3e0",
        monotonic=0.0,
        direction_by=DirectionBy.PRESENCE if by_presence else None,
    )
    with db.atomic():
        record_checkin(db, event, cards.card_owner(db, code)[0], utc_iso(datetime.now(UTC)))
    db.close()
    return event.id


def _round(s: Setup, clock=None) -> int:
    notifier = Notifier(
        s.database, s.hub_dir, "https://hub.example", clock=clock or (lambda: datetime.now(UTC))
    )
    db = connect(s.database)
    try:
        return notifier.round(db)
    finally:
        db.close()


def _mails_to(database: Path, address: str) -> list[tuple[str, str]]:
    db = connect(database)
    try:
        return db.execute(
            "SELECT subject, body FROM mail_outbox WHERE to_address = ? ORDER BY id", (address,)
        ).fetchall()
    finally:
        db.close()


def test_an_arrival_reaches_the_parent_by_push_and_by_mail_once(setup: Setup) -> None:
    event_id = _scan(setup.database, "Jules", Direction.ARRIVAL, timedelta(seconds=3))
    assert _round(setup) == 1
    (received,) = setup.push.to(setup.phone)
    message = setup.phone.decrypt(received)
    assert message["title"] == "Jules is aangekomen"
    assert "aangekomen in Kinderdagverblijf De Zonnebloem" in message["body"]
    assert message["tag"] == event_id
    claims, k = vapid_claims(received)  # the signature holds for the key it names
    assert k == vapid.public_key(setup.hub_dir)  # ... which is the hub's
    assert claims["aud"] == setup.push.origin
    assert claims["exp"] > time.time()
    assert int(received.headers["ttl"]) == 900
    mails = _mails_to(setup.database, ANNE)
    assert [subject for subject, _ in mails] == ["Jules is aangekomen"]
    assert "https://hub.example/ouders/meldingen" in mails[0][1]
    # again: nothing new (the event was looked at; the outbox has its row)
    assert _round(setup) == 0
    assert len(setup.push.to(setup.phone)) == 1 and len(_mails_to(setup.database, ANNE)) == 1


def test_the_hubs_vapid_key_is_a_file_only_the_hub_may_read(setup: Setup) -> None:
    key = vapid.public_key(setup.hub_dir)
    path = vapid.key_path(setup.hub_dir)
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert vapid.public_key(setup.hub_dir) == key  # kept, not made anew


def test_no_message_for_a_registration_older_than_fifteen_minutes(setup: Setup) -> None:
    _scan(setup.database, "Jules", Direction.ARRIVAL, timedelta(minutes=16))
    _round(setup)
    assert setup.push.to(setup.phone) == [] and _mails_to(setup.database, ANNE) == []


def test_a_direction_the_hub_re_derives_later_gives_no_second_message(setup: Setup) -> None:
    first = _scan(setup.database, "Jules", Direction.ARRIVAL, timedelta(seconds=30), by_presence=True)
    _round(setup)
    # a scan from before it arrives late (an offline door): the first one now reads as a departure
    _scan(setup.database, "Jules", Direction.ARRIVAL, timedelta(seconds=60), by_presence=True)
    _round(setup)
    tags = [setup.phone.decrypt(r)["tag"] for r in setup.push.to(setup.phone)]
    assert tags.count(first) == 1 and len(tags) == 2
    db = connect(setup.database)
    assert db.execute("SELECT count(*) FROM notify_outbox WHERE key = ?", (first,)).fetchone()[0] == 2
    db.close()


def test_a_message_that_could_not_go_out_within_fifteen_minutes_is_dropped(setup: Setup) -> None:
    setup.push.status["/push/anne-telefoon"] = 503  # the push service is in trouble
    _scan(setup.database, "Jules", Direction.ARRIVAL, timedelta(seconds=3))
    _round(setup)
    assert len(setup.push.to(setup.phone)) == 1  # tried, refused
    later = datetime.now(UTC) + timedelta(minutes=16)
    setup.push.status.clear()
    _round(setup, clock=lambda: later)
    assert len(setup.push.to(setup.phone)) == 1  # not sent late
    db = connect(setup.database)
    assert (
        db.execute("SELECT last_error FROM notify_outbox WHERE channel = 'push'").fetchone()[0] == "verlopen"
    )
    db.close()
    # the mail thread, too late as well, drops the mail and keeps why
    folder = setup.hub_dir / "mail"
    MailWorker(setup.database, FolderMailer(folder), clock=lambda: later).deliver_due(connect(setup.database))
    assert not list(folder.glob("*.eml")) if folder.exists() else True
    db = connect(setup.database)
    assert (
        db.execute("SELECT last_error FROM mail_outbox WHERE to_address = ?", (ANNE,)).fetchone()[0]
        == "verlopen"
    )
    db.close()


def test_a_browser_the_push_service_forgot_is_removed(setup: Setup) -> None:
    setup.push.status["/push/anne-telefoon"] = 410
    _scan(setup.database, "Jules", Direction.ARRIVAL, timedelta(seconds=3))
    _round(setup)
    db = connect(setup.database)
    assert store.subscriptions_of(db, setup.anne) == []
    db.close()


def test_a_removed_contact_gets_no_message(setup: Setup) -> None:
    db = open_database(setup.database)
    with write_transaction(db):
        db.execute("DELETE FROM contacts WHERE email = ? AND child_id = ?", (ANNE, setup.jules))
    db.close()
    _scan(setup.database, "Jules", Direction.ARRIVAL, timedelta(seconds=3))
    _round(setup)
    assert setup.push.to(setup.phone) == []


def test_the_daily_summary_comes_once_at_its_hour_and_is_not_dropped_for_being_late(setup: Setup) -> None:
    db = open_database(setup.database)
    with write_transaction(db):
        store.set_pref(db, setup.anne, store.Pref(setup.jules, Mode.SUMMARY, 0, True, True))
    db.close()
    scan_now(setup.database, "Jules", Direction.ARRIVAL)  # today's, even just after midnight
    _round(setup)
    _round(setup)
    (received,) = setup.push.to(setup.phone)
    message = setup.phone.decrypt(received)
    assert message["title"].startswith("Jules op ")
    assert "aangekomen om" in message["body"]
    assert [s for s, _ in _mails_to(setup.database, ANNE)] == [message["title"]]
    assert BERT not in {a for (a,) in connect(setup.database).execute("SELECT to_address FROM mail_outbox")}


def test_no_daily_summary_on_a_day_without_registrations(setup: Setup) -> None:
    db = open_database(setup.database)
    with write_transaction(db):
        store.set_pref(db, setup.anne, store.Pref(setup.jules, Mode.SUMMARY, 0, True, True))
    db.close()
    _round(setup)
    assert setup.push.to(setup.phone) == [] and _mails_to(setup.database, ANNE) == []


def test_a_collector_card_after_the_childs_card_makes_the_message_opgehaald_door_the_collector(
    setup: Setup,
) -> None:
    # Jules's card (by presence an arrival: he was out), then Oma Rita's card: the collection is
    # stored before the notifier looks, so the one message says who collected
    clear_of_midnight(30)
    while datetime.now(UTC) - timedelta(seconds=8) < _brussels_midnight():
        time.sleep(1)  # the scan lies 8 s back: on today, not on yesterday
    event_id = _scan(setup.database, "Jules", Direction.ARRIVAL, timedelta(seconds=8), by_presence=True)
    db = open_database(setup.database)
    with write_transaction(db):
        collectors.record_departure(
            db, event_id, "zonnebloem", setup.jules, "1234567894", collectors.Judgement(True, "Oma Rita"),
            utc_iso(datetime.now(UTC)), collection_id=new_event_id(),
        )  # fmt: skip
    db.close()
    assert _round(setup) == 1
    (received,) = setup.push.to(setup.phone)
    message = setup.phone.decrypt(received)
    assert message["title"] == "Jules is opgehaald"
    assert "opgehaald door Oma Rita in Kinderdagverblijf De Zonnebloem" in message["body"]
    assert [subject for subject, _ in _mails_to(setup.database, ANNE)] == ["Jules is opgehaald"]


def _brussels_midnight() -> datetime:
    """The last midnight in Brussels, as an aware datetime (right on summer-time nights too)."""
    from zoneinfo import ZoneInfo

    local_now = datetime.now(UTC).astimezone(ZoneInfo("Europe/Brussels"))
    return local_now.replace(hour=0, minute=0, second=0, microsecond=0)
