"""Pure rules of the parents' side: reading a typed time, checking a proposed day, the request
statuses and the sentence for a child's state today. No I/O."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import time
from enum import StrEnum


class Status(StrEnum):
    SUBMITTED = "ingediend"
    ACCEPTED = "goedgekeurd"
    REFUSED = "afgewezen"
    EXPIRED = "vervallen"
    CANCELLED = "geannuleerd"


STATUS_NL = {
    Status.SUBMITTED: "Ingediend: de opvang bekijkt je verzoek",
    Status.ACCEPTED: "Goedgekeurd",
    Status.REFUSED: "Afgewezen",
    Status.EXPIRED: "Vervallen",
    Status.CANCELLED: "Geannuleerd",
}

MAX_COMMENT = 1000
_HHMM = re.compile(r"^([01]?\d|2[0-3])[:.u]([0-5]\d)$")


def parse_hhmm(text: str) -> time | None:
    """A 24-hour time as people type it ("8:05", "08:05", "8.05", "8u05"); None if it is not one."""
    match = _HHMM.match(text.strip())
    return time(int(match[1]), int(match[2])) if match else None


@dataclass(frozen=True)
class Proposal:
    arrival: time | None
    departure: time | None
    comment: str


def proposal_problem(arrival: str, departure: str, comment: str) -> tuple[Proposal | None, str | None]:
    """The proposal in a "klopt er iets niet?" form, or why it cannot be sent (Dutch)."""
    comment = comment.strip()
    if len(comment) > MAX_COMMENT:
        return None, f"Je opmerking is te lang: hoogstens {MAX_COMMENT} tekens."
    parsed = {}
    for label, text in (("aankomst", arrival), ("vertrek", departure)):
        if text.strip() and parse_hhmm(text) is None:
            return None, f"Typ het uur van {label} als uu:mm, bijvoorbeeld 08:15."
        parsed[label] = parse_hhmm(text) if text.strip() else None
    start, end = parsed["aankomst"], parsed["vertrek"]
    if start is None or end is None:
        return None, "Vul het uur van aankomst en het uur van vertrek in, zoals ze volgens jou waren."
    if end <= start:
        return None, "Het uur van vertrek moet na het uur van aankomst liggen."
    return Proposal(start, end, comment), None


@dataclass(frozen=True)
class TodayState:
    """What a parent reads about a child right now."""

    key: str  # "not_arrived", "present", "left"
    text: str  # Dutch


def today_state(arrival: str | None, departure: str | None, place: str, collector: str = "") -> TodayState:
    """The state from today's last stay: its arrival and departure as HH:MM (None: none yet), and
    who collected the child when staff filled it in."""
    if arrival is None and departure is None:
        return TodayState("not_arrived", "Nog niet aangekomen")
    if departure is None:
        return TodayState("present", f"Aangekomen om {arrival} in {place}")
    left = f"Opgehaald om {departure} door {collector}" if collector else f"Vertrokken om {departure}"
    if arrival is None:
        return TodayState("left", f"{left} uit {place}")
    return TodayState("left", f"{left} (aangekomen om {arrival} in {place})")
