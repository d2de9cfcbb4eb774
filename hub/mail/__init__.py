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


# The most a mail may carry in attachments, together: base64 makes it a third larger, and many
# servers refuse a mail over 10 MB.
MAX_ATTACHMENT_BYTES = 7 * 1024 * 1024


@dataclass(frozen=True)
class Attachment:
    """A file a mail carries: its name as the reader sees it, its media type, its bytes."""

    file_name: str
    media_type: str
    data: bytes


@dataclass(frozen=True)
class Mail:
    to: str
    subject: str
    text: str
    attachments: tuple[Attachment, ...] = ()


class MailError(Exception):
    """A mail could not be handed over; ``str()`` says why, for the log.

    ``permanent``: the server refused this mail for good (SMTP 5xx to the sender, a recipient or
    the data); retrying cannot help. Otherwise (no connection, 4xx, TLS trouble) try again later.
    """

    def __init__(self, message: str, permanent: bool = False) -> None:
        super().__init__(message)
        self.permanent = permanent


class MailTooLarge(MailError):
    """A mail whose attachments together exceed :data:`MAX_ATTACHMENT_BYTES`: never queued."""

    def __init__(self, mail: Mail, size: int) -> None:
        names = ", ".join(a.file_name for a in mail.attachments)
        super().__init__(
            f"mail to {mail.to} ({mail.subject!r}) not queued: its attachments ({names}) are {size} bytes, "
            f"at most {MAX_ATTACHMENT_BYTES} bytes together",
            permanent=True,
        )


def check_size(mail: Mail) -> None:
    """Raise :class:`MailTooLarge` when the mail's attachments are too large to send."""
    size = sum(len(a.data) for a in mail.attachments)
    if size > MAX_ATTACHMENT_BYTES:
        raise MailTooLarge(mail, size)


class Mailer(Protocol):
    def send(self, mail: Mail) -> None:
        """Hand one mail over, or raise :class:`MailError`."""


@runtime_checkable
class Deferring(Protocol):
    """A mailer that can also queue a request for a mail the mail thread prepares later."""

    def defer(self, kind: str, to: str) -> None:
        """Queue a request of ``kind`` for the address ``to``."""


def message(mail: Mail, sender: str) -> EmailMessage:
    """The mail as an RFC 5322 message, plain text in UTF-8, with its attachments (if any)."""
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = mail.to
    msg["Subject"] = mail.subject
    msg["Date"] = formatdate(localtime=True)
    msg["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2].strip(">") or None)
    msg.set_content(mail.text)
    for attachment in mail.attachments:
        maintype, _, subtype = attachment.media_type.partition("/")
        msg.add_attachment(
            attachment.data,
            maintype=maintype,
            subtype=subtype or "octet-stream",
            filename=attachment.file_name,
        )
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
