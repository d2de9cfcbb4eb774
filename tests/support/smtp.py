"""A real SMTP server on loopback (aiosmtpd) that keeps what it receives, for the mail tests.

It can refuse the first N mails with a 451 (an SMTP server having trouble), and speak TLS with a
certificate from a CA the test makes: STARTTLS (required before MAIL) or implicit TLS.
"""

from __future__ import annotations

import re
import ssl
import threading
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path

from aiosmtpd.controller import Controller

from hub.core.ports import free_port
from tests.support.waiting import wait_for

LINK = re.compile(r"https?://\S+")


class Inbox:
    """aiosmtpd handler: every mail the server accepts, parsed; ``refuse_first`` mails get a 451."""

    def __init__(self, refuse_first: int = 0) -> None:
        self.mails: list[EmailMessage] = []
        self.attempts = 0  # DATA commands seen, refused or not
        self.refused = 0
        self.over_tls: list[bool] = []  # per accepted mail: did it come over TLS
        self.refuse_first = refuse_first
        self._lock = threading.Lock()

    async def handle_DATA(self, server, _session, envelope) -> str:
        with self._lock:
            self.attempts += 1
            if self.refused < self.refuse_first:
                self.refused += 1
                return "451 4.3.0 Tijdelijk probleem, probeer later opnieuw"
            self.mails.append(message_from_bytes(envelope.original_content, policy=policy.default))
            # STARTTLS and implicit TLS both leave an SSL object on the connection
            self.over_tls.append(server.transport.get_extra_info("ssl_object") is not None)
        return "250 OK"

    def to(self, address: str) -> list[EmailMessage]:
        with self._lock:
            return [m for m in self.mails if address.lower() in str(m["To"]).lower()]

    def wait_for(self, address: str, count: int = 1, timeout: float = 30) -> list[EmailMessage]:
        return wait_for(
            lambda: len(self.to(address)) >= count and self.to(address), timeout, f"mail to {address}"
        )


def body(mail: EmailMessage) -> str:
    return mail.get_body(("plain",)).get_content()


def link_in(mail: EmailMessage) -> str:
    """The first link in a mail's text."""
    match = LINK.search(body(mail))
    assert match, f"no link in the mail {mail['Subject']!r}"
    return match[0]


def certificates_for_loopback(folder: Path) -> tuple[Path, ssl.SSLContext]:
    """A CA made now (with ``cryptography``) and a server TLS context for 127.0.0.1 signed by it.

    Returns the CA's PEM file, for the hub's ``smtp_ca_file``.
    """
    from provisioning.tls import make_broker_certificates

    files = make_broker_certificates(folder, ["127.0.0.1", "localhost"])
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(files.server_cert, files.server_key)
    return files.ca_cert, context


class SmtpServer:
    """aiosmtpd on loopback. ``tls``: "none", "starttls" (required) or "implicit", with ``context``."""

    def __init__(
        self,
        refuse_first: int = 0,
        port: int = 0,
        tls: str = "none",
        context: ssl.SSLContext | None = None,
    ) -> None:
        self.inbox = Inbox(refuse_first)
        self.port = port or free_port()
        self.tls = tls
        options: dict = {}
        if tls == "starttls":
            options = {"tls_context": context, "require_starttls": True}
        elif tls == "implicit":
            options = {"ssl_context": context, "server_hostname": "127.0.0.1"}
        self._controller = Controller(self.inbox, hostname="127.0.0.1", port=self.port, **options)

    def start(self) -> SmtpServer:
        self._controller.start()
        return self

    def stop(self) -> None:
        self._controller.stop()

    def settings(self, ca_file: Path | None = None) -> str:
        """hub.toml lines that send the hub's mail here."""
        lines = f'smtp_host = "127.0.0.1"\nsmtp_port = {self.port}\nsmtp_security = "{self.tls}"\n'
        return lines + (f'smtp_ca_file = "{ca_file}"\n' if ca_file else "")
