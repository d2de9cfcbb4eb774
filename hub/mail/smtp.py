"""Sending through an SMTP server: plain, STARTTLS (port 587) or implicit TLS (port 465)."""

from __future__ import annotations

import smtplib
import ssl

from hub.mail import Mail, MailError, message

SECURITY = ("starttls", "ssl", "none")


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
    ) -> None:
        if security not in SECURITY:
            raise ValueError(f"smtp_security must be one of {', '.join(SECURITY)}, not {security!r}")
        self.host, self.port, self.security = host, port, security
        self.username, self.password = username, password
        self.sender = sender
        self.timeout = timeout

    def send(self, mail: Mail) -> None:
        context = ssl.create_default_context()
        try:
            if self.security == "ssl":
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
            raise MailError(f"SMTP {self.host}:{self.port}: {exc}") from exc
