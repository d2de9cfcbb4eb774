"""A parent is told of the location's decision by Web Push as well as by mail (issue 20), through the
notifier's outbox: once per decision, and only when the parent chose push for that child."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from hub.core.db import connect, open_database, write_transaction
from hub.core.localtime import fmt_date, today
from hub.demo import DEMO_DOSSIER, DEMO_PIN
from hub.notify import store
from hub.notify.rules import Mode
from hub.notify.worker import Notifier
from hub.parents import accounts
from tests.support.hub_sql import hub_sql
from tests.support.parents import ANNE, add_families, csrf_of, login_parent
from tests.support.portal_world import PortalWorld
from tests.support.push import PushService

REQUESTS = "/locaties/zonnebloem/ouderverzoeken"

pytestmark = pytest.mark.both_databases  # SQLite and PostgreSQL


def _round(world: PortalWorld) -> int:
    notifier = Notifier(world.database, world.data_dir, "https://hub.example")
    db = connect(world.database)
    try:
        return notifier.round(db)
    finally:
        db.close()


def _report_absence(world: PortalWorld, anne, child: int, day) -> int:
    anne.http.post(
        f"/ouders/kinderen/{child}/dag/{day.isoformat()}/afwezig",
        data={"csrf": csrf_of(anne, "/ouders"), "locatie": "zonnebloem", "reden": "vakantie"},
    )
    with hub_sql(world.database) as db:
        (request_id,) = db.execute("SELECT max(id) FROM parent_requests").fetchone()
    return request_id


def _prefer(world: PortalWorld, child: int, mode: Mode, by_push: bool) -> int:
    db = open_database(world.database)
    anne = accounts.account_by_email(db, ANNE).id
    with write_transaction(db):
        store.set_pref(db, anne, store.Pref(child, mode, 18, True, by_push))
    db.close()
    return anne


def test_a_decision_reaches_the_parent_by_push_once_and_by_mail(world: PortalWorld) -> None:
    families = add_families(world.database, world.other_child)
    account = _prefer(world, families.jules, Mode.SUMMARY, True)
    push = PushService().start()
    try:
        phone = push.subscription("anne-telefoon")
        db = open_database(world.database)
        with write_transaction(db):
            store.add_subscription(
                db, account, phone.endpoint, phone.p256dh, phone.json()["keys"]["auth"], datetime.now(UTC)
            )
        db.close()
        anne = login_parent(world.url, ANNE)
        tomorrow = today() + timedelta(days=1)
        request_id = _report_absence(world, anne, families.jules, tomorrow)
        staff = world.client()
        staff.login_location(DEMO_DOSSIER, DEMO_PIN)
        staff.post(f"{REQUESTS}/{request_id}/goedkeuren", {}, REQUESTS)
        again = staff.post(f"{REQUESTS}/{request_id}/goedkeuren", {}, REQUESTS)
        assert "al behandeld" in again.text

        assert _round(world) == 1
        (received,) = push.wait_for(phone)
        message = phone.decrypt(received)
        assert message["title"] == f"Afwezigheid goedgekeurd: Jules Peeters, {fmt_date(tomorrow)}"
        assert "heeft je melding van afwezigheid van Jules Peeters" in message["body"]
        assert message["tag"] == f"besluit:{request_id}"
        [mail] = [m.read_text() for m in world.mail_dir.glob("*.eml")]  # and the mail, as before
        assert "Afwezigheid goedgekeurd" in mail
        assert _round(world) == 0 and len(push.to(phone)) == 1  # once per decision

        # with push off, or "geen meldingen", the next decision is told by mail only
        for mode, by_push in ((Mode.EVERY, False), (Mode.NONE, True)):
            _prefer(world, families.jules, mode, by_push)
            refused_id = _report_absence(world, anne, families.jules, tomorrow + timedelta(days=1))
            staff.post(f"{REQUESTS}/{refused_id}/afwijzen", {"reden": "geen plaats"}, REQUESTS)
            assert _round(world) == 0 and len(push.to(phone)) == 1
        assert len(list(world.mail_dir.glob("*.eml"))) == 3
        with hub_sql(world.database) as db:
            keys = [k for (k,) in db.execute("SELECT key FROM notify_outbox WHERE key LIKE 'besluit:%'")]
        assert keys == [f"besluit:{request_id}"]
    finally:
        push.stop()
