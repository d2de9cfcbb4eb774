"""Who may change attendance how far back, and by when red cells must be fixed. No I/O.

From the AARON guide: "alle rode velden moeten aangepast en verwerkt zijn voor de 7e van de
maand"; "als opvanglocatie kan je slechts tot 2 maanden terug wijzigingen aanbrengen; de
organisator kan tot 5 jaar wijzigingen doorgeven".

Both windows count calendar months: on any day of March a location may change January, February
and March; an organisator the sixty months before the current one as well. The 7th is a deadline,
not a lock: red cells of March must be fixed by 6 April (the month goes to Kind en Gezin on the
7th); after that they are overdue, and still correctable within the windows.
"""

from __future__ import annotations

from datetime import date

from hub.core.actors import Role  # a plain value: who acts (no database behind it)
from hub.core.localtime import fmt_date, fmt_month

MONTHS_BACK = {Role.LOCATION: 2, Role.STAFF: 2, Role.ORGANISATOR: 5 * 12}  # staff act for the location
FIX_BEFORE_DAY = 7  # of the next month


def shift_month(year: int, month: int, delta: int) -> tuple[int, int]:
    """(year, month) ``delta`` months later (earlier when negative)."""
    index = year * 12 + (month - 1) + delta
    return index // 12, index % 12 + 1


def earliest_correctable_day(role: Role, today: date) -> date:
    year, month = shift_month(today.year, today.month, -MONTHS_BACK[role])
    return date(year, month, 1)


def correction_refusal(role: Role, day: date, today: date, month_closed: bool = False) -> str | None:
    """Why ``role`` may not change the attendance of ``day`` now (Dutch, for the screen), or None."""
    if day > today:
        return "Een dag in de toekomst kan je nog niet wijzigen."
    earliest = earliest_correctable_day(role, today)
    if day < earliest:
        if role is not Role.ORGANISATOR:
            return (
                f"Een opvanglocatie kan aanwezigheden tot 2 maanden terug wijzigen, vanaf "
                f"{fmt_date(earliest)}. Vraag de organisator om deze wijziging."
            )
        return f"Aanwezigheden kunnen tot 5 jaar terug gewijzigd worden, vanaf {fmt_date(earliest)}."
    if month_closed:
        return (
            f"{fmt_month(day.year, day.month).capitalize()} is aangeduid als gesloten maand. "
            "Heropen de maand om aanwezigheden te registreren."
        )
    return None


def month_change_refusal(role: Role, year: int, month: int, today: date) -> str | None:
    """Why ``role`` may not mark this month closed or open again now (a future month may be marked)."""
    earliest = earliest_correctable_day(role, today)
    if date(year, month, 1) < earliest:
        who = "Een opvanglocatie" if role is not Role.ORGANISATOR else "Je"
        span = "2 maanden" if role is not Role.ORGANISATOR else "5 jaar"
        since = fmt_month(earliest.year, earliest.month)
        return f"{who} kan maanden tot {span} terug wijzigen, vanaf {since}."
    return None


def fix_deadline(year: int, month: int) -> date:
    """The day by which every red cell of the month must be fixed: the 7th of the next month (exclusive)."""
    next_year, next_month = shift_month(year, month, 1)
    return date(next_year, next_month, FIX_BEFORE_DAY)


def overdue(year: int, month: int, today: date) -> bool:
    """True once the fixing deadline of the month has come (red cells left then are late)."""
    return today >= fix_deadline(year, month)


def days_left_to_fix(year: int, month: int, today: date) -> int:
    """Whole days left, today included, to fix the month's red cells; 0 when overdue."""
    return max(0, (fix_deadline(year, month) - today).days)
