"""A parent hears of a check-in exactly once, also when the hub dies between storing the event and
sending its notifications (issue 18).

The hub runs as a real process behind a real Mosquitto, with real SMTP (aiosmtpd) and a push service
on loopback. It is killed twice with SIGKILL: first by the ingest's fault hook right after the
check-in's commit (stored, not acked, not yet looked at by the notifier), then by the notifier's hook
right after it queued the messages (queued, nothing sent). The unit sends the check-in again, as its
outbox does until the hub acks. In the end each parent has one push and one mail for it.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime
from pathlib import Path

import pytest

from hub.children.queries import add_contact
from hub.core.db import open_database, write_transaction
from hub.demo import DemoData
from hub.ingest.faults import FAULT_ENV as INGEST_FAULT
from hub.notify import store
from hub.notify.rules import Mode
from hub.notify.worker import FAULT_ENV as NOTIFY_FAULT
from hub.parents import accounts
from provisioning.mosquitto import UnitAccount
from tests.support.hub_sql import hub_sql
from tests.support.messages import checkin
from tests.support.processes import start_hub
from tests.support.push import PushService
from tests.support.raw_unit import RawUnit
from tests.support.smtp import SmtpServer
from tests.support.waiting import wait_for
from wire import Verdict, encode

PARENTS = ("mama.mila@gezin.example", "papa.mila@gezin.example")

pytestmark = pytest.mark.both_databases  # SQLite and PostgreSQL


def _parents_want_every_message(database: Path, child_first_name: str, push: PushService) -> dict:
    db = open_database(database)
    child = db.execute("SELECT id FROM children WHERE first_name = ?", (child_first_name,)).fetchone()[0]
    phones = {}
    with write_transaction(db):
        for n, email in enumerate(PARENTS):
            add_contact(db, child, f"Ouder {n + 1}", email, "ouder")
            account = accounts.make_account(db, email, None, datetime.now(UTC))
            store.set_pref(db, account.id, store.Pref(child, Mode.EVERY, 18, True, True))
            phone = push.subscription(f"telefoon-{n}")
            keys = phone.json()["keys"]
            store.add_subscription(
                db, account.id, phone.endpoint, keys["p256dh"], keys["auth"], datetime.now(UTC)
            )
            phones[email] = phone
    db.close()
    return phones


def _died(hub) -> bool:
    return hub.popen.poll() is not None


def test_the_hub_killed_between_storing_a_checkin_and_notifying_sends_each_parent_one_push_and_one_mail(
    hub_dir: Path, hub_target: Path | str, demo: DemoData, start_mosquitto, request: pytest.FixtureRequest
) -> None:
    push = PushService().start()
    smtp = SmtpServer().start()
    request.addfinalizer(push.stop)
    request.addfinalizer(smtp.stop)
    phones = _parents_want_every_message(hub_target, "Mila", push)
    mosquitto = start_mosquitto(UnitAccount(demo.unit_id, demo.location_id, "unit-secret"))
    settings = smtp.settings() + "mail_retry_seconds = 1\n"
    if isinstance(hub_target, str):  # the hub's database on PostgreSQL
        settings += f'database = "{hub_target}"\n'
    unit = RawUnit.of(mosquitto, demo.unit_id).start()
    event = checkin(unit=demo.unit_id, location=demo.location_id, code=demo.cards["Mila"])
    hub = None
    try:
        # 1. killed right after the commit that stored the check-in
        hub, _url = start_hub(
            hub_dir, mosquitto.hub_url, extra_settings=settings, env={INGEST_FAULT: "after_commit:1"}
        )
        unit.publish(encode(event))
        wait_for(lambda: _died(hub), timeout=30, what="the hub's SIGKILL after its commit")
        assert hub.popen.returncode == -9
        with hub_sql(hub_target) as db:
            assert db.execute("SELECT count(*) FROM events WHERE id = ?", (event.id,)).fetchone()[0] == 1
        assert unit.acks_for(event.id) == []
        # 2. killed right after the notifier queued the messages, before any went out
        hub, _url = start_hub(
            hub_dir,
            mosquitto.hub_url,
            extra_settings=settings,
            env={NOTIFY_FAULT: "after_scan:1"},
            wait=False,
        )
        wait_for(lambda: _died(hub), timeout=30, what="the hub's SIGKILL after queuing the messages")
        assert hub.popen.returncode == -9
        assert "fault injection: SIGKILL after_scan 1" in hub.log()
        with hub_sql(hub_target) as db:
            assert (
                db.execute("SELECT count(*) FROM notify_outbox WHERE key = ?", (event.id,)).fetchone()[0] == 4
            )
        # 3. a clean start; the unit sends the check-in again, as it does until acked.
        # Only this hub's part of the log must be clean: a child the killed hub was still spawning
        # (the presence worker) dies with its parent and may print an EOFError of its own.
        clean_from = len(hub.log())
        hub, _url = start_hub(hub_dir, mosquitto.hub_url, extra_settings=settings)
        unit.publish(encode(event))
        wait_for(lambda: unit.acks_for(event.id), timeout=30, what="the hub's ack")
        assert unit.acks_for(event.id)[-1].verdict is Verdict.DUPLICATE
        for email, phone in phones.items():
            push.wait_for(phone)
            smtp.inbox.wait_for(email)
        time.sleep(3)  # room for a second message, were there one
        for email, phone in phones.items():
            (received,) = push.to(phone)
            assert phone.decrypt(received)["title"] == "Mila is aangekomen"
            assert [m["Subject"] for m in smtp.inbox.to(email)] == ["Mila is aangekomen"]
    finally:
        if hub is not None:
            hub.stop()
        unit.stop()
    assert "Traceback" not in hub.log()[clean_from:], hub.log()[clean_from:][-3000:]
