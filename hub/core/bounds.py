"""How long what people type may be, and the Dutch sentence when it is longer. Pure: no I/O.

Every text a form or the JSON API takes is bounded, so no input can grow a page, a mail, the
database or a unit's config without limit. The worst case of the unit config follows from these:
:data:`MAX_CHILDREN_PER_LOCATION` roster entries of a card code and a display name of at most
:data:`NAME` characters (at most 4 bytes each in UTF-8 JSON, as control characters are refused)
stays far under the wire's 512 KiB (hub/children/tests/test_input_bounds.py proves it).
"""

from __future__ import annotations

import unicodedata

NAME = 100  # a child's first or last name, a contact's name, a location's or organisator's name
EMAIL = 254  # RFC 5321: the longest address a mail server takes
PHONE = 30  # a phone number, when a form asks for one
RELATION = 50  # "moeder", "grootvader", ...
ADDRESS = 200
REASON = 200  # a correction's note, a closing day's reason, a confirmed warning's note
SEARCH = 100  # a search term
CODE = 32  # a typed card code, a PIN, a dossier number (with the spaces people type)
STAYS_PER_DAY = 20  # arrival/departure pairs in one correction
MAX_CHILDREN_PER_LOCATION = 300  # a large crèche has about 150; the unit's roster must fit its config
MAX_BODY_BYTES = 256 * 1024  # one request to the portal; a form of a child is a few KiB


def too_long(value: str, limit: int, what: str) -> str | None:
    """``"<what> mag hoogstens <limit> tekens lang zijn."`` when ``value`` is longer, else None."""
    return f"{what} mag hoogstens {limit} tekens lang zijn." if len(value) > limit else None


def name_problem(value: str, what: str, limit: int = NAME) -> str | None:
    """A name too long, or with control characters (a line break, a NUL) that belong in no name."""
    problem = too_long(value, limit, what)
    if problem:
        return problem
    if any(unicodedata.category(ch) == "Cc" for ch in value):
        return f"{what} bevat tekens die niet in een naam horen (zoals een regeleinde)."
    return None


def too_many_children(count: int) -> str | None:
    """The refusal when a location already has the most children it may have, else None."""
    if count >= MAX_CHILDREN_PER_LOCATION:
        return (
            f"Deze opvanglocatie heeft al {MAX_CHILDREN_PER_LOCATION} kinderen: meer kinderen per "
            "opvanglocatie kan Aanwezig niet aan (de scanners tonen ze allemaal)."
        )
    return None
