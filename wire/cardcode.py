"""Card codes: random digits with a Damm check digit.

A card carries its code twice: as a QR and printed in digits for the keypad. The Damm check
digit catches every single wrong digit and every swap of two neighbouring digits, so a
mistyped code is refused at the keypad before it reaches the hub.
"""

from __future__ import annotations

import secrets

CODE_LENGTH = 10  # nine random digits and one check digit

# Damm's totally anti-symmetric quasigroup of order 10.
_DAMM = (
    (0, 3, 1, 7, 5, 9, 8, 6, 4, 2),
    (7, 0, 9, 2, 1, 5, 4, 8, 6, 3),
    (4, 2, 0, 6, 8, 7, 1, 3, 5, 9),
    (1, 7, 5, 0, 9, 8, 3, 4, 2, 6),
    (6, 1, 2, 3, 0, 4, 5, 9, 7, 8),
    (3, 6, 7, 4, 2, 0, 9, 5, 8, 1),
    (5, 8, 6, 9, 7, 2, 0, 1, 3, 4),
    (8, 9, 4, 5, 3, 6, 2, 0, 1, 7),
    (9, 4, 3, 8, 6, 1, 7, 2, 0, 5),
    (2, 5, 8, 1, 4, 3, 6, 7, 9, 0),
)


def check_digit(digits: str) -> str:
    """The Damm check digit for a string of digits."""
    interim = 0
    for ch in digits:
        interim = _DAMM[interim][int(ch)]
    return str(interim)


def is_valid(code: str) -> bool:
    """True for a complete card code: the right length, digits only, check digit correct."""
    return (
        len(code) == CODE_LENGTH
        and code.isascii()
        and code.isdigit()
        and check_digit(code) == "0"  # Damm: a valid number checks to zero
    )


def new_code() -> str:
    """A fresh random card code; not sequential, not derivable from any other card."""
    body = "".join(str(secrets.randbelow(10)) for _ in range(CODE_LENGTH - 1))
    return body + check_digit(body)


def normalise(typed: str) -> str:
    """Drop the spaces and dashes people type or that are printed for readability."""
    return "".join(ch for ch in typed if ch not in " -.")


def pretty(code: str) -> str:
    """The code as printed under the QR: ``123 456 7890``."""
    return f"{code[:3]} {code[3:6]} {code[6:]}"
