"""What makes a location PIN acceptable. No I/O.

AARON's tips for the PIN ("tips voor je pincode") are shown next to the form; the hub refuses:
- anything but 4 to 6 digits;
- one digit repeated (0000, 111111);
- a straight run up or down (1234, 3456, 987654, 0123);
- a short block repeated (1212, 123123, 454545);
- a four-digit year from 1900 to 2099 (birth years are among the first codes people guess), and
  a six-digit date DDMMYY (a birthday);
- a part of the location's own dossier number (it is shown on the login screen);
- a handful of codes known to be guessed first (2580 is the middle column of a keypad).
"""

from __future__ import annotations

from datetime import date
from itertools import pairwise

PIN_LENGTH = (4, 6)  # the same bounds as the unit's keypad (device/keyentry.py)

TIPS = (
    "een pincode kan minimum 4 cijfers bevatten en maximum 6",
    "kies geen eenvoudige code zoals ‘0000’ of ‘1234’",
    "bewaar de pincode niet op een zichtbare plaats",
    "als een verantwoordelijke of medewerker die de pincode kent, de opvanglocatie verlaat, "
    "wijzig de pincode onmiddellijk",
)

COMMONLY_GUESSED = frozenset({"2580", "0852", "1122", "112233", "6969", "1004", "147258", "159753", "1313"})


def pin_problem(pin: str, dossier_number: str = "") -> str | None:
    """Why ``pin`` may not be a location's PIN (Dutch, for the screen), or None when it may."""
    low, high = PIN_LENGTH
    if not (pin.isascii() and pin.isdigit() and low <= len(pin) <= high):
        return f"Een pincode bestaat uit {low} tot {high} cijfers."
    if len(set(pin)) == 1:
        return "Kies geen code met één cijfer herhaald, zoals 0000."
    steps = {int(b) - int(a) for a, b in pairwise(pin)}
    if steps in ({1}, {-1}):
        return "Kies geen reeks opeenvolgende cijfers, zoals 1234 of 4321."
    if any(len(pin) % size == 0 and pin == pin[:size] * (len(pin) // size) for size in (2, 3)):
        return "Kies geen herhaald patroon, zoals 1212 of 123123."
    if len(pin) == 4 and 1900 <= int(pin) <= 2099:
        return "Kies geen jaartal, zoals een geboortejaar."
    if len(pin) == 6 and _is_date(pin):
        return "Kies geen datum, zoals een verjaardag."
    if dossier_number and pin in dossier_number:
        return "Kies geen deel van het dossiernummer."
    if pin in COMMONLY_GUESSED:
        return "Deze code wordt vaak geraden; kies een andere."
    return None


def _is_date(digits: str) -> bool:
    """Whether six digits read as a date DDMMYY."""
    day, month, year = int(digits[:2]), int(digits[2:4]), int(digits[4:])
    try:
        date(2000 + year, month, day)
    except ValueError:
        return False
    return True
