"""Mail through the durable outbox, against a hub process and a real SMTP server (aiosmtpd):

- a server that answers 451 to the first tries: every mail arrives, each exactly once;
- a server that is down when "wachtwoord vergeten" is asked: the mail waits and goes out when it
  is back;
- a server that accepts the connection and then hangs: "wachtwoord vergeten" answers at once for
  a known and an unknown address alike: the request only queues the address (known or not) and
  never talks to SMTP; the mail thread prepares the mail or drops the request.
"""

from __future__ import annotations

import re
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from hub.core.db import connect, write_transaction
from hub.core.ports import free_port
from hub.demo import DEMO_EMAIL, DemoData
from hub.mail import Mail
from hub.mail.outbox import enqueue, pending
from hub.mail.smtp import SmtpMailer
from tests.support.hub_sql import hub_sql
from tests.support.portal import PortalClient
from tests.support.processes import ROOT, start_hub
from tests.support.smtp import SmtpServer
from tests.support.waiting import wait_for

FAST_RETRIES = "mail_retry_seconds = 0.2\nmail_retry_max_seconds = 1\n"
UNKNOWN = "niemand@example.org"


def outbox(where: Path | str) -> list[tuple]:
    """The outbox's rows in a hub folder's SQLite file, or in the database ``where`` names."""
    database = where / "hub.sqlite3" if isinstance(where, Path) and where.suffix != ".sqlite3" else where
    with hub_sql(database) as db:
        return db.execute(
            "SELECT to_address, subject, attempts, sent_at IS NOT NULL, failed_at IS NOT NULL, body, "
            "last_error FROM mail_outbox ORDER BY id"
        ).fetchall()


def forgot(url: str, email: str, timeout: float = 5) -> httpx.Response:
    client = PortalClient(url)
    client.http.timeout = httpx.Timeout(timeout)
    try:
        return client.post("/wachtwoord-vergeten", {"email": email}, "/wachtwoord-vergeten")
    finally:
        client.close()


@pytest.fixture
def hub_with(hub_dir: Path, demo: DemoData) -> Iterator:
    started = []

    def start(extra: str):
        hub, url = start_hub(hub_dir, extra_settings=extra)
        started.append(hub)
        return hub, url

    yield start
    for hub in started:
        hub.stop()
        assert "Traceback" not in hub.log(), hub.log()[-3000:]


def test_mails_refused_with_451_at_first_all_arrive_and_each_only_once(hub_dir: Path, hub_with) -> None:
    smtp = SmtpServer(refuse_first=3).start()
    try:
        _hub, url = hub_with(smtp.settings() + FAST_RETRIES)
        db = connect(hub_dir / "hub.sqlite3")
        with write_transaction(db):
            for n in range(8):
                enqueue(db, Mail(f"ouder{n}@example.org", f"Melding {n}", f"Bericht {n}"))
        db.close()
        assert "bij ons gekend is" in forgot(url, DEMO_EMAIL).text

        addresses = [f"ouder{n}@example.org" for n in range(8)] + [DEMO_EMAIL]
        wait_for(lambda: len(smtp.inbox.mails) >= len(addresses), timeout=60, what="all nine mails")
        wait_for(lambda: all(row[3] for row in outbox(hub_dir)), timeout=10, what="all marked sent")
        received = sorted(str(mail["To"]) for mail in smtp.inbox.mails)
        assert received == sorted(addresses), "each mail exactly once"
        assert smtp.inbox.refused == 3 and smtp.inbox.attempts == len(addresses) + 3
        rows = outbox(hub_dir)
        assert sum(row[2] for row in rows) == len(addresses) + 3, "every 451 counted as an attempt"
        assert all(row[5] == "" for row in rows), "a sent mail's text (a password link) is not kept"
    finally:
        smtp.stop()


def test_a_reset_asked_while_the_smtp_server_is_down_is_mailed_when_it_is_back(
    hub_dir: Path, hub_with
) -> None:
    port = free_port()
    down = SmtpServer(port=port)  # not started yet: nothing listens on the port
    _hub, url = hub_with(down.settings() + FAST_RETRIES)
    assert "bij ons gekend is" in forgot(url, DEMO_EMAIL).text
    wait_for(lambda: outbox(hub_dir)[0][2] >= 2, timeout=30, what="two failed tries")
    ((to, subject, _attempts, sent, failed, _body, error),) = outbox(hub_dir)
    assert (to, subject, sent, failed) == (DEMO_EMAIL, "Nieuw wachtwoord voor Aanwezig", False, False)
    assert "Connection refused" in error
    down.start()
    try:
        (mail,) = down.inbox.wait_for(DEMO_EMAIL, timeout=30)
        assert "/wachtwoord-instellen/" in mail.get_body(("plain",)).get_content()
        wait_for(lambda: outbox(hub_dir)[0][3], timeout=10, what="the mail marked sent")
    finally:
        down.stop()


def same_page(html: str, email: str) -> str:
    """The page without what differs by nature: the address typed and the browser's CSRF token."""
    return re.sub(r'(name="csrf" value|content)="[0-9a-f]{32,}"', "", html.replace(email, "@"))


class Hanging:
    """An SMTP server that takes the connection and never says a word (overloaded, or a tarpit)."""

    def __init__(self) -> None:
        self.socket = socket.create_server(("127.0.0.1", 0), backlog=16)
        self.port = self.socket.getsockname()[1]

    def settings(self) -> str:
        return f'smtp_host = "127.0.0.1"\nsmtp_port = {self.port}\nsmtp_security = "none"\n'


def test_a_reset_answers_at_once_for_a_known_and_an_unknown_address_while_smtp_hangs(
    hub_dir: Path, hub_with
) -> None:
    hanging = Hanging()
    try:
        _hub, url = hub_with(hanging.settings())
        # the hub's SMTP timeout is 20 s: a request that talked to SMTP would not answer within 5 s
        known, unknown = forgot(url, DEMO_EMAIL), forgot(url, UNKNOWN)
        assert known.status_code == unknown.status_code == 200
        assert same_page(known.text, DEMO_EMAIL) == same_page(unknown.text, UNKNOWN)
        # the same work for both: each request queued; the mail thread decides, away from the request
        queued = [row[0] for row in outbox(hub_dir)]
        assert DEMO_EMAIL in queued
        wait_for(
            lambda: UNKNOWN not in [row[0] for row in outbox(hub_dir)],
            30,
            "the unknown one dropped",
        )
        assert [row[0] for row in outbox(hub_dir)] == [DEMO_EMAIL], "no trace of the unknown address"
    finally:
        hanging.socket.close()


@pytest.mark.both_databases  # SQLite and PostgreSQL
def test_a_permanent_refusal_is_kept_as_failed_with_the_reason(
    tmp_path: Path, hub_target: Path | str, demo
) -> None:
    from hub.mail.outbox import MailWorker

    smtp = SmtpServer().start()

    async def refuse(_server, _session, _envelope, address, _options) -> str:
        return "550 5.1.1 Onbekende bestemming"

    smtp.inbox.handle_RCPT = refuse  # aiosmtpd asks the handler about each recipient
    try:
        database = hub_target
        db = connect(database)
        with write_transaction(db):
            enqueue(db, Mail("weg@example.org", "Melding", "Bericht"))
        worker = MailWorker(database, SmtpMailer("127.0.0.1", smtp.port, security="none"))
        assert worker.deliver_due(db) == 0
        db.close()
        ((_to, _subject, attempts, sent, failed, body, error),) = outbox(hub_target)
        assert (attempts, sent, failed, body) == (1, False, True, "Bericht") and "550" in error
    finally:
        smtp.stop()


def test_an_invitation_made_while_smtp_is_down_waits_and_the_hub_sends_it_once(
    tmp_path: Path, hub_dir: Path, hub_with
) -> None:
    smtp = SmtpServer()  # not started: the command finds no server
    config = tmp_path / "invite.toml"
    config.write_text(f'data_dir = "{hub_dir}"\n{smtp.settings()}{FAST_RETRIES}')
    command = [sys.executable, "-m", "hub", "invite", "info@zonnetje.example", "--name", "Vzw Zonnetje"]
    done = subprocess.run(
        [*command, "--config", str(config)], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert "staat klaar, maar kon nog niet verstuurd worden" in done.stdout
    assert [row[0] for row in outbox(hub_dir) if not row[3]] == ["info@zonnetje.example"]
    smtp.start()
    try:
        hub_with(smtp.settings() + FAST_RETRIES)
        (mail,) = smtp.inbox.wait_for("info@zonnetje.example", timeout=30)
        assert mail["Subject"] == "Wachtwoord instellen voor Aanwezig"
        wait_for(lambda: all(row[3] for row in outbox(hub_dir)), timeout=10, what="marked sent")
        assert len(smtp.inbox.to("info@zonnetje.example")) == 1
    finally:
        smtp.stop()


@pytest.mark.both_databases  # SQLite and PostgreSQL
def test_retries_back_off_exponentially_up_to_the_cap_and_an_old_mail_is_given_up(
    hub_target: Path | str, demo: DemoData
) -> None:
    from datetime import UTC, datetime, timedelta

    from hub.core.localtime import parse_utc
    from hub.mail.outbox import MailWorker

    moment = [datetime(2026, 3, 10, 8, 0, tzinfo=UTC)]
    database = hub_target
    db = connect(database)
    with write_transaction(db):
        enqueue(db, Mail("ouder@example.org", "Melding", "Bericht"), now=moment[0])
    nobody = SmtpMailer("127.0.0.1", free_port(), security="none", timeout=5)  # nothing listens there
    worker = MailWorker(
        database,
        nobody,
        first_retry=timedelta(seconds=30),
        max_retry=timedelta(minutes=4),
        give_up_after=timedelta(hours=1),
        clock=lambda: moment[0],
    )
    delays = []
    for _ in range(6):
        assert worker.deliver_due(db) == 0
        (due,) = db.execute("SELECT next_attempt_at FROM mail_outbox").fetchone()
        delays.append((parse_utc(due) - moment[0]).total_seconds())
        moment[0] = parse_utc(due)
    assert delays == [30, 60, 120, 240, 240, 240]
    assert (pending(db, "Ouder@Example.org"), pending(db, "ander@example.org"), pending(db)) == (1, 0, 1)
    moment[0] += timedelta(hours=1)
    worker.deliver_due(db)
    ((_to, _subject, attempts, sent, failed, body, _error),) = outbox(hub_target)
    assert (attempts, sent, failed, body) == (7, False, True, "Bericht"), "given up, kept for a person"
    db.close()


@pytest.mark.both_databases  # SQLite and PostgreSQL
def test_a_sender_that_cannot_prepare_a_request_leaves_it_for_the_hub(
    hub_target: Path | str, demo: DemoData
) -> None:
    from hub.mail.outbox import MailWorker, Outbox

    Outbox(hub_target).defer("password_reset", DEMO_EMAIL)
    db = connect(hub_target)
    smtp = SmtpServer().start()
    try:
        # the invite command's sender: it prepares nothing, so it must not take (or drop) the request
        plain = SmtpMailer("127.0.0.1", smtp.port, security="none")
        MailWorker(hub_target, plain).deliver_due(db)
        assert [(row[0], row[3]) for row in outbox(hub_target)] == [(DEMO_EMAIL, False)]
        assert smtp.inbox.mails == []
    finally:
        smtp.stop()
        db.close()


@pytest.mark.both_databases  # SQLite and PostgreSQL
def test_a_queued_mail_carries_its_attachment_to_the_server_and_keeps_no_copy_once_sent(
    hub_target: Path | str, demo
) -> None:
    from hub.mail import MAX_ATTACHMENT_BYTES, Attachment, MailTooLarge
    from hub.mail.outbox import MailWorker, Outbox

    smtp = SmtpServer().start()
    pdf = b"%PDF-1.4\n" + bytes(range(256)) * 40 + b"\n%%EOF\n"
    database = hub_target
    try:
        Outbox(database).send(
            Mail(
                "ouder@example.org",
                "Factuur 7",
                "In bijlage.",
                (Attachment("factuur-7.pdf", "application/pdf", pdf),),
            )
        )
        too_large = Attachment("groot.pdf", "application/pdf", b"0" * (MAX_ATTACHMENT_BYTES + 1))
        with pytest.raises(MailTooLarge, match=r"groot\.pdf.*at most 7340032 bytes"):
            Outbox(database).send(Mail("ouder@example.org", "Te groot", "x", (too_large,)))
        db = connect(database)
        with pytest.raises(MailTooLarge), write_transaction(db):
            enqueue(db, Mail("ouder@example.org", "Te groot", "x", (too_large,)))
        assert db.execute("SELECT count(*) FROM mail_outbox WHERE subject = 'Te groot'").fetchone() == (0,)
        assert db.execute("SELECT count(*) FROM mail_attachments").fetchone() == (1,)
        assert MailWorker(database, SmtpMailer("127.0.0.1", smtp.port, security="none")).deliver_due(db) == 1
        assert db.execute("SELECT count(*) FROM mail_attachments").fetchone() == (0,)
        db.close()
        (mail,) = smtp.inbox.wait_for("ouder@example.org")
        (part,) = list(mail.iter_attachments())
        assert part.get_filename() == "factuur-7.pdf" and part.get_content_type() == "application/pdf"
        assert part.get_content() == pdf
        assert mail.get_body(("plain",)).get_content().strip() == "In bijlage."
    finally:
        smtp.stop()


@pytest.mark.both_databases  # SQLite and PostgreSQL
def test_two_senders_at_once_send_each_queued_mail_once(hub_target: Path | str, demo: DemoData) -> None:
    """Two hub processes' mail threads (or a thread and the invite command) on one outbox."""
    import threading

    from hub.mail.outbox import MailWorker

    smtp = SmtpServer().start()
    addresses = [f"ouder{n}@example.org" for n in range(12)]
    db = connect(hub_target)
    with write_transaction(db):
        for address in addresses:
            enqueue(db, Mail(address, "Melding", "Bericht"))
    db.close()
    sent: list[int] = []

    def sender() -> None:
        own = connect(hub_target)  # each sender its own connection, as each process has
        try:
            sent.append(
                MailWorker(hub_target, SmtpMailer("127.0.0.1", smtp.port, security="none")).deliver_due(own)
            )
        finally:
            own.close()

    try:
        threads = [threading.Thread(target=sender) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        assert sum(sent) == len(addresses)
        assert sorted(str(mail["To"]) for mail in smtp.inbox.mails) == sorted(addresses), "each exactly once"
        assert all(row[3] for row in outbox(hub_target)), "each marked sent"
    finally:
        smtp.stop()
