"""Mails in Dutch (nl-BE) that belong to no feature's login: a contact's confirmation.

The account mails (invitation, password reset) are in :mod:`hub.accounts.mails`.
"""

from __future__ import annotations

from hub.mail import Mail

SIGNATURE = "\n\nMet vriendelijke groeten,\nAanwezig\n"


def contact_confirmation(
    to: str, contact: str, child: str, location: str, address: str, account_link: str = ""
) -> Mail:
    """The confirmation to a contact; with ``account_link``, "Maak je account aan" (the parents' side)."""
    account = (
        "\n\nMaak je account aan: volg elke dag de registraties van je kind en meld het als er iets "
        f"niet klopt.\n\n{account_link}\n\nDe link blijft 7 dagen geldig."
        if account_link
        else ""
    )
    where = f"{location} ({address})" if address else location
    return Mail(
        to,
        f"Bevestiging: {child} is geregistreerd in {location}",
        f"Beste {contact},\n\n"
        f"{child} is geregistreerd in de kinderopvang {where}. Jij staat op de lijst van de "
        "contactpersonen van het kind.\n\n"
        "Bij het brengen en het ophalen houd je de QR-kaart van het kind voor de scanner aan de "
        "deur, of typ je de cijfers onder de QR-code. Klopt er iets niet, laat het de opvang weten."
        + account
        + SIGNATURE,
    )
