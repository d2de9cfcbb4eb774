"""A real SMTP server on loopback (aiosmtpd) that keeps what it receives, for the mail tests."""

from __future__ import annotations

import re
import threading
from email import message_from_bytes, policy
from email.message import EmailMessage

from aiosmtpd.controller import Controller

from hub.core.ports import free_port
from tests.support.waiting import wait_for

LINK = re.compile(r"https?://\S+")


class Inbox:
    """aiosmtpd handler: every mail the server accepts, parsed."""

    def __init__(self) -> None:
        self.mails: list[EmailMessage] = []
        self._lock = threading.Lock()

    async def handle_DATA(self, _server, _session, envelope) -> str:
        with self._lock:
            self.mails.append(message_from_bytes(envelope.original_content, policy=policy.default))
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


class SmtpServer:
    def __init__(self) -> None:
        self.inbox = Inbox()
        self.port = free_port()
        self._controller = Controller(self.inbox, hostname="127.0.0.1", port=self.port)

    def start(self) -> SmtpServer:
        self._controller.start()
        return self

    def stop(self) -> None:
        self._controller.stop()

    def settings(self) -> str:
        """hub.toml lines that send the hub's mail here."""
        return f'smtp_host = "127.0.0.1"\nsmtp_port = {self.port}\nsmtp_security = "none"\n'
