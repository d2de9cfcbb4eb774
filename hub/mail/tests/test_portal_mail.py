"""Mail through a real SMTP server on loopback (aiosmtpd): the invitation, "wachtwoord vergeten",
and the confirmation a contact gets; the links in the mails are followed as a person would.
The portal only queues mail (hub/mail/outbox.py); a mail thread as the hub runs it sends it."""

from __future__ import annotations

import subprocess
import sys
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlparse

import pytest

from hub.accounts.service import RESET, invite, prepare_reset
from hub.core.db import open_database
from hub.core.settings import HubSettings
from hub.demo import DEMO_EMAIL
from hub.mail import Mail, MailError
from hub.mail.folder import FolderMailer
from hub.mail.outbox import MailWorker, Outbox
from hub.mail.smtp import SmtpMailer
from hub.web.app import create_app
from hub.web.channel import RecordingChannel
from tests.support.portal import PortalClient, serve
from tests.support.portal_world import build_world
from tests.support.processes import ROOT
from tests.support.smtp import SmtpServer, body, link_in


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    server = SmtpServer().start()
    yield server
    server.stop()


@pytest.fixture
def portal(hub_dir: Path, hub_target: Path | str, smtp: SmtpServer) -> Iterator[tuple[str, Path, Outbox]]:
    database, _child, _code = build_world(hub_dir, history_days=0, database=hub_target)
    smtp_mailer = SmtpMailer(
        "127.0.0.1", smtp.port, security="none", sender="Aanwezig <noreply@aanwezig.example>"
    )
    wake, stop = threading.Event(), threading.Event()
    outbox = Outbox(database, wake)
    settings = HubSettings(data_dir=hub_dir, database=hub_target if isinstance(hub_target, str) else "")
    prepare = {RESET: lambda db, to, now: prepare_reset(db, settings.portal_base_url, to, now)}
    worker = threading.Thread(
        target=MailWorker(database, smtp_mailer, wake, poll=0.2, prepare=prepare).run, args=(stop,)
    )
    worker.start()
    app = create_app(database, units=RecordingChannel(), mailer=outbox, settings=settings)
    try:
        with serve(app) as url:
            yield url, database, outbox
    finally:
        stop.set()
        wake.set()
        worker.join(timeout=10)


def path_of(link: str) -> str:
    return urlparse(link).path


@pytest.mark.both_databases  # SQLite and PostgreSQL
def test_an_invited_organisator_sets_a_password_from_the_mail_and_logs_in(portal, smtp: SmtpServer) -> None:
    url, database, mailer = portal
    db = open_database(database)
    invite(db, mailer, url, "nieuw@opvang.example", "Vzw De Kleine Wereld", datetime.now(UTC))
    db.close()
    (mail,) = smtp.inbox.wait_for("nieuw@opvang.example")
    assert mail["Subject"] == "Wachtwoord instellen voor Aanwezig"
    assert "Beste Vzw De Kleine Wereld" in body(mail)
    link = link_in(mail)
    assert link.startswith(url + "/wachtwoord-instellen/")

    client = PortalClient(url)
    form = client.get(path_of(link)).text
    assert "Geef nieuw wachtwoord" in form and "nieuw@opvang.example" in form
    mismatch = client.post(
        path_of(link), {"password": "kleine-wereld-1", "repeated": "kleine-wereld-2"}, path_of(link)
    )
    assert "De twee wachtwoorden zijn niet gelijk." in mismatch.text
    done = client.post(
        path_of(link), {"password": "kleine-wereld-1", "repeated": "kleine-wereld-1"}, path_of(link)
    )
    assert done.url.path == "/aanmelden/organisator"
    assert "Je wachtwoord is ingesteld." in done.text and 'value="nieuw@opvang.example"' in done.text
    assert client.login_organisator("nieuw@opvang.example", "kleine-wereld-1").url.path == "/locaties"
    # the link worked once
    assert "Deze link is niet meer geldig." in PortalClient(url).get(path_of(link)).text


@pytest.mark.both_databases  # SQLite and PostgreSQL
def test_a_forgotten_password_is_reset_through_a_mailed_link_and_the_old_one_stops_working(
    portal, smtp: SmtpServer
) -> None:
    url, _database, _mailer = portal
    client = PortalClient(url)
    unknown = client.post("/wachtwoord-vergeten", {"email": "niemand@example.org"}, "/wachtwoord-vergeten")
    known = client.post("/wachtwoord-vergeten", {"email": DEMO_EMAIL}, "/wachtwoord-vergeten")
    assert "bij ons gekend is, ontvang je" in unknown.text and "bij ons gekend is, ontvang je" in known.text
    client.post("/wachtwoord-vergeten", {"email": DEMO_EMAIL}, "/wachtwoord-vergeten")
    first, second = smtp.inbox.wait_for(DEMO_EMAIL, count=2)
    assert smtp.inbox.to("niemand@example.org") == []
    assert first["Subject"] == "Nieuw wachtwoord voor Aanwezig"
    assert "Deze link is niet meer geldig." in client.get(path_of(link_in(first))).text, (
        "a newer link voids it"
    )
    link = path_of(link_in(second))
    client.post(link, {"password": "nieuw-geheim-42", "repeated": "nieuw-geheim-42"}, link)
    assert (
        "Onbekend e-mailadres of fout wachtwoord."
        in client.login_organisator(DEMO_EMAIL, "zonnebloem-demo").text
    )
    assert client.login_organisator(DEMO_EMAIL, "nieuw-geheim-42").url.path == "/locaties/zonnebloem"


@pytest.mark.both_databases  # SQLite and PostgreSQL
def test_a_new_childs_contacts_with_an_email_get_a_confirmation(portal, smtp: SmtpServer) -> None:
    url, _database, _mailer = portal
    client = PortalClient(url)
    client.login_organisator(DEMO_EMAIL, "zonnebloem-demo")
    form = "/locaties/zonnebloem/kinderen/nieuw"
    saved = client.post(
        form,
        {
            "first_name": "Paulien",
            "last_name": "Claes",
            "birth_date": "02/02/2025",
            "sex": "v",
            "contact_0_name": "Sofie Claes",
            "contact_0_email": "sofie@claes.example",
            "contact_0_relation": "moeder",
            "contact_1_name": "Tom Claes",
        },
        form,
    )
    assert "Paulien is geregistreerd in Kinderdagverblijf De Zonnebloem" in saved.text
    assert "De contactpersoon krijgt een bevestiging per mail." in saved.text
    (mail,) = smtp.inbox.wait_for("sofie@claes.example")
    assert mail["Subject"] == "Bevestiging: Paulien Claes is geregistreerd in Kinderdagverblijf De Zonnebloem"
    assert "Beste Sofie Claes" in body(mail) and "Kerkstraat 12, 2000 Antwerpen" in body(mail)
    assert len(smtp.inbox.mails) == 1, "a contact without e-mail gets nothing"


def test_the_invite_command_mails_through_the_configured_smtp_server(
    tmp_path: Path, smtp: SmtpServer
) -> None:
    config = tmp_path / "hub.toml"
    config.write_text(
        f'data_dir = "{tmp_path}"\npublic_url = "https://aanwezig.example.org/"\n{smtp.settings()}'
    )
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "hub",
            "invite",
            "info@zonnetje.example",
            "--name",
            "Vzw Zonnetje",
            "--config",
            str(config),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert "Uitnodiging voor Vzw Zonnetje <info@zonnetje.example> verstuurd" in done.stdout
    (mail,) = smtp.inbox.wait_for("info@zonnetje.example")
    assert link_in(mail).startswith("https://aanwezig.example.org/wachtwoord-instellen/")


def test_an_unreachable_smtp_server_is_a_mail_error_not_a_crash() -> None:
    from hub.core.ports import free_port

    mailer = SmtpMailer("127.0.0.1", free_port(), security="none", timeout=5)
    with pytest.raises(MailError, match="SMTP 127"):
        mailer.send(Mail("a@example.org", "test", "test"))


def test_in_development_mails_are_eml_files_in_a_folder(tmp_path: Path) -> None:
    FolderMailer(tmp_path / "mail").send(Mail("ouder@example.org", "Bevestiging", "Dag en één ü"))
    (eml,) = (tmp_path / "mail").glob("*.eml")
    text = eml.read_text()
    assert "To: ouder@example.org" in text and "Subject: Bevestiging" in text
