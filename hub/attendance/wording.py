"""The Dutch words the screens use for a cell's problems and marks (the rules in cells.py carry none)."""

from __future__ import annotations

from datetime import datetime

from hub.attendance.cells import Cell, Finding, Mark, Marking, Problem
from hub.core.localtime import fmt_time

MARK_NL = {
    Mark.OUTSIDE_OPENING_HOURS: "buiten openingsuren",
    Mark.LATE_PICKUP: "laat opgehaald",
    Mark.ON_CLOSED_DAY: "op een sluitingsdag",
}
MARK_SYMBOL = {Mark.OUTSIDE_OPENING_HOURS: "◷", Mark.LATE_PICKUP: "⏰", Mark.ON_CLOSED_DAY: "⚠"}


def _t(moment: datetime | None) -> str:
    return fmt_time(moment) if moment is not None else "…"


def finding_text(finding: Finding) -> str:
    """One red cell's problem as the screens say it."""
    times = finding.times
    if finding.problem is Problem.DEPARTURE_WITHOUT_ARRIVAL:
        return f"Vertrek om {_t(times[0])} zonder aankomst"
    if finding.problem is Problem.DEPARTURE_MISSING:
        return f"Vertrek ontbreekt na aankomst om {_t(times[0])}"
    if finding.problem is Problem.ARRIVAL_AFTER_DEPARTURE:
        arrival, departure = times
        if finding.swapped:
            return (
                f"Aankomst om {_t(arrival)} na vertrek om {_t(departure)}: "
                "zijn aankomst en vertrek omgewisseld?"
            )
        return f"Vertrek om {_t(departure)} ligt voor aankomst om {_t(arrival)}"
    a1, d1, a2, d2 = times
    if finding.place:
        return f"{_t(a1)}–{_t(d1)} overlapt met {_t(a2)}–{_t(d2)} in {finding.place}"
    return f"{_t(a1)}–{_t(d1)} en {_t(a2)}–{_t(d2)} overlappen"


def mark_text(marking: Marking, cell: Cell) -> str:
    """One mark of a cell as the screens say it: "buiten openingsuren (07:00–18:00): 06:55, 18:20"."""
    times = ", ".join(fmt_time(moment) for moment in marking.times)
    if marking.mark is Mark.ON_CLOSED_DAY:
        if not cell.closed:
            return MARK_NL[marking.mark]
        return f"aanwezig terwijl de opvang dicht is ({cell.closed})"
    if marking.mark is Mark.OUTSIDE_OPENING_HOURS:
        return f"buiten openingsuren ({cell.hours}): {times}"
    return f"laat opgehaald: {times}"


def cell_texts(cell: Cell) -> list[str]:
    """Everything said about a cell: its problems, then its marks."""
    return [finding_text(f) for f in cell.findings] + [mark_text(m, cell) for m in cell.marks]
