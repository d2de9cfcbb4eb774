"""Mail from the hub: one small interface, a real SMTP sender and a folder for development.

    Mailer.send(Mail)   SmtpMailer (smtp.py): the configured server, STARTTLS or implicit TLS, login
                        FolderMailer (folder.py): writes each mail as an .eml file (demo, development)
                        Outbox (outbox.py): only enqueues; the hub's mail thread (MailWorker)
                        delivers through one of the two above, with retries and back-off
    texts.py            the Dutch mails of no login: a contact's confirmation (account mails:
                        hub/accounts/mails.py)

:func:`mailer_for` picks the delivering mailer from the hub settings: with ``smtp_host`` set, SMTP;
else the folder. The portal and the commands never call it in a request: they enqueue.
"""

from __future__ import annotations

from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from typing import TYPE_CHECKING, Protocol, runtime_checkable

if TYPE_CHECKING:
    from hub.core.settings import HubSettings


@dataclass(frozen=True)
class Mail:
    to: str
    subject: str
    text: str


class MailError(Exception):
    """A mail could not be handed over; ``str()`` says why, for the log.

    ``permanent``: the server refused this mail for good (SMTP 5xx to the sender, a recipient or
    the data); retrying cannot help. Otherwise (no connection, 4xx, TLS trouble) try again later.
    """

    def __init__(self, message: str, permanent: bool = False) -> None:
        super().__init__(message)
        self.permanent = permanent


class Mailer(Protocol):
    def send(self, mail: Mail) -> None:
        """Hand one mail over, or raise :class:`MailError`."""


@runtime_checkable
class Deferring(Protocol):
    """A mailer that can also queue a request for a mail the mail thread prepares later."""

    def defer(self, kind: str, to: str) -> None:
        """Queue a request of ``kind`` for the address ``to``."""


def message(mail: Mail, sender: str) -> EmailMessage:
    """The mail as an RFC 5322 message, plain text in UTF-8."""
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = mail.to
    msg["Subject"] = mail.subject
    msg["Date"] = formatdate(localtime=True)
    msg["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2].strip(">") or None)
    msg.set_content(mail.text)
    return msg


def mailer_for(settings: HubSettings) -> Mailer:
    from hub.mail.folder import FolderMailer
    from hub.mail.smtp import SmtpMailer

    if settings.smtp_host:
        return SmtpMailer(
            settings.smtp_host,
            settings.smtp_port,
            settings.smtp_security,
            settings.smtp_username,
            settings.smtp_password,
            settings.mail_from,
            ca_file=settings.smtp_ca_file,
        )
    return FolderMailer(settings.mail_folder, settings.mail_from)
