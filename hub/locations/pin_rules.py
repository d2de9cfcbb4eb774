"""What makes a location PIN acceptable. No I/O.

AARON's tips for the PIN ("tips voor je pincode") are shown next to the form; the hub refuses:
- anything but 4 to 6 digits;
- one digit repeated (0000, 111111);
- a straight run up or down (1234, 3456, 987654, 0123);
- a short block repeated (1212, 123123, 454545);
- a four-digit year from 1900 to 2099 (birth years are among the first codes people guess), and
  a six-digit date DDMMYY (a birthday);
- a part of the location's own dossier number (it is shown on the login screen), its digits
  compared however the number was typed ("912.345.678" refuses 2345);
- a line or column of a keypad (2580, 1470, 7410, 0852) or two of them (147258, 654321, 159357), on
  both layouts: a phone's with 1-2-3 on top and a calculator's with 7-8-9 on top;
- a handful of codes known to be guessed first.
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
    dossier_digits = "".join(ch for ch in dossier_number if ch.isascii() and ch.isdigit())
    if dossier_digits and pin in dossier_digits:
        return "Kies geen deel van het dossiernummer."
    if _keypad_strokes(pin):
        return "Kies geen rij, kolom of schuine lijn van het toetsenbord, zoals 2580 of 147258."
    if pin in COMMONLY_GUESSED:
        return "Deze code wordt vaak geraden; kies een andere."
    return None


# Key positions (row, column). The 0 sits under the middle column; on many keypads it is a wide key,
# so it also extends the outer columns (1-4-7-0 and 3-6-9-0 are typed as one stroke).
_WIDE_ZERO = {"0": {(3, 0), (3, 1), (3, 2)}}
_PHONE = {str(n): {((n - 1) // 3, (n - 1) % 3)} for n in range(1, 10)} | _WIDE_ZERO
_CALCULATOR = {str(n): {(2 - (n - 1) // 3, (n - 1) % 3)} for n in range(1, 10)} | _WIDE_ZERO
_DIRECTIONS = [(dr, dc) for dr in (-1, 0, 1) for dc in (-1, 0, 1) if (dr, dc) != (0, 0)]
_MIN_STROKE = 3


def _lines(layout: dict[str, set[tuple[int, int]]]) -> frozenset[str]:
    """Every straight run of at least three keys on a keypad, in any of the eight directions."""
    at = {pos: key for key, positions in layout.items() for pos in positions}
    found = set()
    for start in at:
        for dr, dc in _DIRECTIONS:
            keys, (r, c) = [at[start]], start
            while (r + dr, c + dc) in at:
                r, c = r + dr, c + dc
                if at[(r, c)] != keys[-1]:  # walking along the wide 0 stays on one key
                    keys.append(at[(r, c)])
                if len(keys) >= _MIN_STROKE:
                    found.add("".join(keys))
    return frozenset(found)


KEYPAD_LINES = _lines(_PHONE) | _lines(_CALCULATOR)


def _keypad_strokes(pin: str) -> bool:
    """Whether ``pin`` is typed as one or more straight keypad strokes of three keys or more."""
    can_end = [True] + [False] * len(pin)  # can_end[i]: pin[:i] splits into strokes
    for end in range(_MIN_STROKE, len(pin) + 1):
        can_end[end] = any(
            can_end[start] and pin[start:end] in KEYPAD_LINES for start in range(0, end - _MIN_STROKE + 1)
        )
    return can_end[-1]


def _is_date(digits: str) -> bool:
    """Whether six digits read as a date DDMMYY."""
    day, month, year = int(digits[:2]), int(digits[2:4]), int(digits[4:])
    try:
        date(2000 + year, month, day)
    except ValueError:
        return False
    return True
