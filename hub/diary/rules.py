"""What a diary entry may be: its kinds, the choices staff tap, and the Dutch words; the day as
the parents' daily summary tells it. No I/O."""

from __future__ import annotations

import re
from dataclasses import dataclass

from hub.core.actors import Refused

TEXT = 500  # characters of what was eaten or a note

KIND_NL = {"meal": "Maaltijd", "sleep": "Slaapje", "nappy": "Luier", "mood": "Stemming", "note": "Notitie"}
CHOICES: dict[str, dict[str, str]] = {
    "meal": {
        "alles": "alles op",
        "veel": "goed gegeten",
        "weinig": "weinig gegeten",
        "niets": "niets gegeten",
    },
    "nappy": {"nat": "nat", "vuil": "vuil", "droog": "droog"},
    "mood": {"blij": "blij", "rustig": "rustig", "moe": "moe", "huilerig": "huilerig", "ziek": "niet lekker"},
}
_TIME = re.compile(r"([01]?\d|2[0-3]):([0-5]\d)")


@dataclass(frozen=True)
class Entry:
    """A checked entry: kind, times as HH:MM, a choice of the kind's list (or ""), a text."""

    kind: str
    at: str
    until: str | None
    choice: str
    text: str


def _time(value: str, what: str) -> str:
    found = _TIME.fullmatch(value.strip())
    if not found:
        raise Refused(f"{what}: geef een uur als 12:30.")
    return f"{int(found[1]):02d}:{found[2]}"


def check_entry(kind: str, at: str, until: str, choice: str, text: str) -> Entry:
    """The entry as it is kept; raises :class:`Refused` with the Dutch reason."""
    if kind not in KIND_NL:
        raise Refused("Onbekend soort dagboekregel.")
    text = text.strip()
    if len(text) > TEXT:
        raise Refused(f"Hoogstens {TEXT} tekens per regel.")
    start = _time(at, "Uur")
    end = None
    if kind == "sleep":
        end = _time(until, "Wakker om") if until.strip() else None
        if end is not None and end <= start:
            raise Refused("Een slaapje eindigt na het begin: kijk de uren na.")
    if kind in CHOICES:
        if choice not in CHOICES[kind]:
            raise Refused(f"Kies wat past bij {KIND_NL[kind].lower()}.")
    else:
        choice = ""
    if kind == "note" and not text:
        raise Refused("Een notitie zonder tekst bewaren we niet.")
    return Entry(kind, start, end, choice, text)


def describe(kind: str, at: str, until: str | None, choice: str, text: str) -> str:
    """One line in Dutch, as a parent reads it ("Slaapje 12:30–14:05")."""
    if kind == "sleep":
        line = f"{at}–{until}" if until else f"vanaf {at} (slaapt nog)"
    else:
        line = CHOICES.get(kind, {}).get(choice, "")
    if text:
        line = f"{line}: {text}" if line else text
    return line


def summary_texts(lines: list[tuple[str, str, str | None, str, str]]) -> tuple[str, str] | None:
    """A child's day of entries (kind, at, until, choice, text) in the daily summary: the mail's
    block (one line per entry) and the push's short line; None for a day without entries."""
    if not lines:
        return None
    said = [(kind, at, describe(kind, at, until, choice, text)) for kind, at, until, choice, text in lines]
    block = "Dagboek:\n" + "\n".join(
        f"- {at} {KIND_NL[kind]}: {line}" if line else f"- {at} {KIND_NL[kind]}" for kind, at, line in said
    )
    kinds = [KIND_NL[k].lower() for k in KIND_NL if any(line[0] == k for line in lines)]
    named = kinds[0] if len(kinds) == 1 else ", ".join(kinds[:-1]) + " en " + kinds[-1]
    return block, f"Dagboek: {named}."
