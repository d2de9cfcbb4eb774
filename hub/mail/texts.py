"""The mails the hub sends, in Dutch (nl-BE)."""

from __future__ import annotations

from hub.accounts.tokens import VALID_FOR, Purpose
from hub.mail import Mail

_SIGNATURE = "\n\nMet vriendelijke groeten,\nAanwezig\n"


def _valid_for(purpose: Purpose) -> str:
    hours = int(VALID_FOR[purpose].total_seconds() // 3600)
    return f"{hours // 24} dagen" if hours >= 24 else f"{hours} uur" if hours > 1 else "1 uur"


def invitation(to: str, name: str, link: str) -> Mail:
    return Mail(
        to,
        "Wachtwoord instellen voor Aanwezig",
        f"Beste {name},\n\n"
        "Je bent als organisator geregistreerd in Aanwezig, het registratiesysteem voor de "
        "aanwezigheden in je kinderopvang.\n\n"
        "Klik op de link hieronder om je wachtwoord in te stellen (typ het twee keer):\n\n"
        f"{link}\n\n"
        f"De link werkt één keer en blijft {_valid_for(Purpose.INVITE)} geldig. Daarna meld je je aan "
        "met je e-mailadres en je wachtwoord." + _SIGNATURE,
    )


def password_reset(to: str, name: str, link: str) -> Mail:
    return Mail(
        to,
        "Nieuw wachtwoord voor Aanwezig",
        f"Beste {name},\n\n"
        "Iemand heeft gevraagd om een nieuw wachtwoord voor dit e-mailadres. Was jij dat, klik dan "
        "op de link hieronder en typ twee keer je nieuwe wachtwoord:\n\n"
        f"{link}\n\n"
        f"De link werkt één keer en blijft {_valid_for(Purpose.RESET)} geldig. Heb je niets gevraagd, "
        "dan mag je deze mail negeren: je wachtwoord blijft wat het was." + _SIGNATURE,
    )


def contact_confirmation(to: str, contact: str, child: str, location: str, address: str) -> Mail:
    where = f"{location} ({address})" if address else location
    return Mail(
        to,
        f"Bevestiging: {child} is geregistreerd in {location}",
        f"Beste {contact},\n\n"
        f"{child} is geregistreerd in de kinderopvang {where}. Jij staat op de lijst van de "
        "contactpersonen van het kind.\n\n"
        "Bij het brengen en het ophalen houd je de QR-kaart van het kind voor de scanner aan de "
        "deur, of typ je de cijfers onder de QR-code. Klopt er iets niet, laat het de opvang weten."
        + _SIGNATURE,
    )
