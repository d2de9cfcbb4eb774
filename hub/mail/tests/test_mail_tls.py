"""The hub's mail over TLS to a real SMTP server (aiosmtpd) with a certificate from a CA the test
makes: STARTTLS (the server requires it before accepting mail) and implicit TLS (port 465 style).
The hub trusts that CA through ``smtp_ca_file``; without it the certificate is refused and the
mail waits in the outbox instead of going out in the clear or being lost."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from hub.demo import DEMO_EMAIL, DemoData
from tests.support.portal import PortalClient
from tests.support.processes import start_hub
from tests.support.smtp import SmtpServer, certificates_for_loopback
from tests.support.waiting import wait_for

FAST_RETRIES = "mail_retry_seconds = 0.2\nmail_retry_max_seconds = 1\n"


@pytest.fixture
def ca(tmp_path: Path):
    return certificates_for_loopback(tmp_path / "ca")


@pytest.fixture
def tls_server(request, ca) -> Iterator[SmtpServer]:
    _ca_file, context = ca
    server = SmtpServer(tls=request.param, context=context).start()
    yield server
    server.stop()


def ask_reset(url: str) -> None:
    client = PortalClient(url)
    assert (
        "bij ons gekend is"
        in client.post("/wachtwoord-vergeten", {"email": DEMO_EMAIL}, "/wachtwoord-vergeten").text
    )
    client.close()


@pytest.mark.parametrize("tls_server", ["starttls", "implicit"], indirect=True)
def test_the_hub_mails_over_tls_to_a_server_with_a_certificate_from_its_configured_ca(
    hub_dir: Path, demo: DemoData, ca, tls_server: SmtpServer
) -> None:
    ca_file, _context = ca
    hub, url = start_hub(hub_dir, extra_settings=tls_server.settings(ca_file) + FAST_RETRIES)
    try:
        ask_reset(url)
        (mail,) = tls_server.inbox.wait_for(DEMO_EMAIL, timeout=30)
        assert mail["Subject"] == "Nieuw wachtwoord voor Aanwezig"
        assert tls_server.inbox.over_tls == [True]
    finally:
        hub.stop()
    assert "Traceback" not in hub.log(), hub.log()[-3000:]


@pytest.mark.parametrize("tls_server", ["starttls", "implicit"], indirect=True)
def test_a_server_certificate_the_hub_does_not_trust_keeps_the_mail_waiting(
    hub_dir: Path, demo: DemoData, tls_server: SmtpServer
) -> None:
    hub, url = start_hub(hub_dir, extra_settings=tls_server.settings() + FAST_RETRIES)  # no CA file
    try:
        ask_reset(url)

        def last_error() -> str:
            with sqlite3.connect(hub_dir / "hub.sqlite3") as db:
                row = db.execute("SELECT last_error, sent_at, failed_at FROM mail_outbox").fetchone()
            return row and not row[1] and not row[2] and row[0]

        assert "CERTIFICATE_VERIFY_FAILED" in wait_for(last_error, timeout=30, what="a refused certificate")
        assert tls_server.inbox.mails == [], "nothing went out without a trusted TLS"
    finally:
        hub.stop()
