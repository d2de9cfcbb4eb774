"""The alert mails, in Dutch (nl-BE)."""

from __future__ import annotations

from hub.core.localtime import local
from hub.mail import Mail
from hub.mail.texts import SIGNATURE


def _when(moment: str) -> str:
    return f"{local(moment):%d/%m/%Y} om {local(moment):%H:%M}"


def opened(to: str, alert, portal: str) -> Mail:
    return Mail(
        to,
        f"Melding Aanwezig: {alert.text}"[:150],
        f"Beste,\n\n{alert.text}\n\nDeze melding staat sinds {_when(alert.opened_at)} ook bovenaan het "
        f"overzicht in het portaal:\n\n{portal}/locaties\n\n"
        "Je krijgt nog een mail wanneer het opgelost is; tot dan krijg je hierover geen nieuwe mails."
        + SIGNATURE,
    )


def resolved(to: str, alert, portal: str) -> Mail:
    return Mail(
        to,
        f"Opgelost: {alert.text}"[:150],
        f"Beste,\n\nDe melding van {_when(alert.opened_at)} is opgelost sinds {_when(alert.resolved_at)}:\n\n"
        f"{alert.text}" + SIGNATURE,
    )
