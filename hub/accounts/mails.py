"""The account mails, in Dutch (nl-BE): the invitations to set a password (organisator, staff), a
password reset, and the organisator's warning that a location was locked after many wrong PINs."""

from __future__ import annotations

from hub.accounts.tokens import VALID_FOR, Purpose
from hub.mail import Mail
from hub.mail.texts import SIGNATURE as _SIGNATURE


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


def location_locked(to: str, name: str, location: str, until: str, link: str) -> Mail:
    return Mail(
        to,
        f"{location} vergrendeld na te veel foute pincodes",
        f"Beste {name},\n\n"
        f"Op het portaal van Aanwezig werden voor {location} in het afgelopen uur minstens 50 foute "
        "pincodes getypt, vanaf minstens 5 verschillende netwerken. Daarom is het aanmelden met de "
        f"pincode vergrendeld tot {until}, voor alle toestellen waarmee nog niet werd aangemeld. "
        "Toestellen van de opvang waarmee al werd aangemeld, kunnen nog altijd aanmelden.\n\n"
        "Is alles in orde, dan kan je de opvanglocatie meteen ontgrendelen op deze pagina:\n\n"
        f"{link}\n\n"
        "Denk je dat iemand de pincode probeert te raden, kies dan ook een nieuwe pincode." + _SIGNATURE,
    )


def staff_invitation(to: str, name: str, organisation: str, role: str, link: str) -> Mail:
    return Mail(
        to,
        "Je account voor Aanwezig",
        f"Beste {name},\n\n"
        f"{organisation} heeft je als {role} toegevoegd in Aanwezig, het registratiesysteem voor de "
        "aanwezigheden in de kinderopvang.\n\n"
        "Klik op de link hieronder om je wachtwoord in te stellen (typ het twee keer):\n\n"
        f"{link}\n\n"
        f"De link werkt één keer en blijft {_valid_for(Purpose.INVITE)} geldig. Daarna meld je je aan "
        "met je e-mailadres en je wachtwoord." + _SIGNATURE,
    )
