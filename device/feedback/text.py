"""Fitting a message on a small character display: its character set and its 16x2 grid."""

from __future__ import annotations

import textwrap
import unicodedata

# What an HD44780 (ROM A00) lacks, and what to show instead. Accents are dropped after this
# table (é -> e); anything else outside printable ASCII becomes "?".
_REPLACEMENTS = {
    "—": "-",
    "–": "-",
    "‘": "'",
    "’": "'",
    "“": '"',
    "”": '"',
    "…": "...",
    "€": "EUR",
    "·": "-",
    "\\": "/",  # 0x5C is a yen sign in ROM A00
    "~": "-",  # 0x7E is an arrow
}
LINE_BREAK = " — "  # messages put their second line after an em dash: "Welkom Jules — 08:12"


def transliterate(text: str) -> str:
    """``text`` in the characters an HD44780 character LCD can show."""
    text = "".join(_REPLACEMENTS.get(ch, ch) for ch in text)
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return "".join(ch if " " <= ch <= "}" else "?" for ch in text)


def layout(text: str, columns: int = 16, rows: int = 2) -> list[str]:
    """``text`` as ``rows`` lines of exactly ``columns`` characters.

    An em dash between spaces (or a newline) starts a new line, long parts wrap at spaces; what
    does not fit is cut, so the first line (the name, the verdict) always shows.
    """
    lines: list[str] = []
    for part in text.replace(LINE_BREAK, "\n").split("\n"):
        lines.extend(textwrap.wrap(part, columns, break_long_words=True) or [""])
    lines = [line[:columns].ljust(columns) for line in lines[:rows]]
    return lines + [" " * columns] * (rows - len(lines))


def fit(text: str, columns: int = 16, rows: int = 2) -> list[str]:
    """:func:`layout` of the :func:`transliterate`-d text, line breaks kept."""
    return layout("\n".join(transliterate(part) for part in text.split(LINE_BREAK)), columns, rows)
