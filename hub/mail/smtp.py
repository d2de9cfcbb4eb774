"""Sending through an SMTP server: STARTTLS (port 587), implicit TLS (port 465) or plain (tests only).

The server's certificate is checked against the system's CAs, or against ``ca_file`` (a private
CA, or a test's). A 5xx refusal of the sender, the recipient or the data is permanent
(:class:`~hub.mail.MailError` with ``permanent``); anything else is worth another try.
"""

from __future__ import annotations

import smtplib
import ssl

from hub.mail import Mail, MailError, message

SECURITY = ("starttls", "implicit", "ssl", "none")  # "ssl": the older name of "implicit"


def _permanent(exc: Exception) -> bool:
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return all(code >= 500 for code, _ in exc.recipients.values())
    if isinstance(exc, (smtplib.SMTPSenderRefused, smtplib.SMTPDataError)):
        return exc.smtp_code >= 500
    return False


class SmtpMailer:
    def __init__(
        self,
        host: str,
        port: int,
        security: str = "starttls",
        username: str = "",
        password: str = "",
        sender: str = "Aanwezig <noreply@aanwezig.example>",
        timeout: float = 20.0,
        ca_file: str = "",
    ) -> None:
        if security not in SECURITY:
            raise ValueError(f"smtp_security must be one of {', '.join(SECURITY)}, not {security!r}")
        self.host, self.port = host, port
        self.security = "implicit" if security == "ssl" else security
        self.username, self.password = username, password
        self.sender = sender
        self.timeout = timeout
        self.ca_file = ca_file

    def send(self, mail: Mail) -> None:
        try:
            context = ssl.create_default_context(cafile=self.ca_file or None)
            if self.security == "implicit":
                client: smtplib.SMTP = smtplib.SMTP_SSL(
                    self.host, self.port, timeout=self.timeout, context=context
                )
            else:
                client = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
            with client:
                if self.security == "starttls":
                    client.starttls(context=context)
                if self.username:
                    client.login(self.username, self.password)
                client.send_message(message(mail, self.sender))
        except (OSError, smtplib.SMTPException) as exc:
            raise MailError(f"SMTP {self.host}:{self.port}: {exc}", permanent=_permanent(exc)) from exc
