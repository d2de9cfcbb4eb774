"""The diary's day in the parents' daily summary: the notifier queues it, the mail thread sends it
to a real SMTP server (aiosmtpd), the push carries a short line."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest

from hub.core.db import connect, open_database, write_transaction
from hub.core.localtime import local
from hub.diary import entries, summary
from hub.diary.rules import check_entry
from hub.mail.outbox import MailWorker
from hub.mail.smtp import SmtpMailer
from hub.notify import store
from hub.notify.rules import Mode
from hub.notify.worker import Notifier
from hub.parents import accounts
from tests.support.parents import ANNE, add_families, scan_now
from tests.support.portal_world import build_world
from tests.support.smtp import SmtpServer, body
from wire import Direction

pytestmark = pytest.mark.both_databases  # SQLite and PostgreSQL


@dataclass
class Summary:
    database: Path
    hub_dir: Path
    jules: int
    smtp: SmtpServer


@pytest.fixture
def anne_asked_for_a_summary(hub_dir: Path, hub_target: Path | str) -> Iterator[Summary]:
    """Anne wants Jules's day in one mail (and a push), from midnight on; Jules arrived today."""
    database, other_child, _code = build_world(hub_dir, database=hub_target)
    families = add_families(database, other_child)
    db = open_database(database)
    anne = accounts.account_by_email(db, ANNE).id
    with write_transaction(db):
        store.set_pref(db, anne, store.Pref(families.jules, Mode.SUMMARY, 0, True, True))
    db.close()
    scan_now(database, "Jules", Direction.ARRIVAL)
    smtp = SmtpServer().start()
    summary.register()  # as the hub does before its notifier starts
    try:
        yield Summary(database, hub_dir, families.jules, smtp)
    finally:
        smtp.stop()


def _notifier_and_mail_thread_run(s: Summary) -> None:
    db = connect(s.database)
    try:
        Notifier(s.database, s.hub_dir, "https://hub.example").round(db)
        worker = MailWorker(s.database, SmtpMailer("127.0.0.1", s.smtp.port, "none"), threading.Event())
        worker.deliver_due(db)
    finally:
        db.close()


def _push_body(database: Path) -> str:
    db = connect(database)
    try:
        (text,) = db.execute("SELECT body FROM notify_outbox WHERE channel = 'push'").fetchone()
    finally:
        db.close()
    return text


def test_a_diary_entry_saved_on_the_day_is_in_the_parents_daily_summary(anne_asked_for_a_summary) -> None:
    s = anne_asked_for_a_summary
    day = local(datetime.now(UTC)).date()
    db = open_database(s.database)
    with write_transaction(db):
        for kind, at, until, choice, text in (
            ("meal", "11:30", "", "alles", "pasta"),
            ("sleep", "12:30", "14:05", "", ""),
            ("note", "15:00", "", "", "Vandaag voor het eerst zelf gestapt!"),
        ):
            entry = check_entry(kind, at, until, choice, text)
            entries.add(db, "zonnebloem", s.jules, day, entry, "Leen", datetime.now(UTC))
    db.close()
    _notifier_and_mail_thread_run(s)
    (mail,) = s.smtp.inbox.wait_for(ANNE)
    text = body(mail).replace("\r\n", "\n")
    assert mail["Subject"].startswith("Jules op ")
    assert "aangekomen om" in text
    assert "Dagboek:\n- 11:30 Maaltijd: alles op: pasta\n- 12:30 Slaapje: 12:30–14:05\n" in text
    assert "- 15:00 Notitie: Vandaag voor het eerst zelf gestapt!" in text
    push = _push_body(s.database)
    assert push.endswith(" Dagboek: maaltijd, slaapje en notitie.") and "pasta" not in push


def test_without_a_diary_entry_the_summary_says_nothing_about_the_diary(anne_asked_for_a_summary) -> None:
    s = anne_asked_for_a_summary
    _notifier_and_mail_thread_run(s)
    (mail,) = s.smtp.inbox.wait_for(ANNE)
    assert "aangekomen om" in body(mail)
    assert "Dagboek" not in body(mail) and "Dagboek" not in _push_body(s.database)
