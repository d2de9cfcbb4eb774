"""The overview of a location: registrations per month or per week, the units, unknown cards,
and the closed-month mark.

Cells as AARON's guide shows them: green is complete, red an error, grey with a + a day without
the child, green with "nu aanwezig" a child in the building now; a pencil marks a corrected cell.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import sqlite_utils
from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import Response
from markupsafe import Markup

from hub.accounts.actors import Refused
from hub.attendance.after_closing import still_here_after_closing
from hub.attendance.cells import Cell, CellState, Mark
from hub.attendance.closed_months import close_month, reopen_month
from hub.attendance.collector_attempts import open_attempts
from hub.attendance.grid import Grid, GridRow, period_grid
from hub.attendance.kept import kept_month_grid
from hub.attendance.uncertain import count_waiting
from hub.attendance.windows import shift_month
from hub.attendance.wording import MARK_NL, MARK_SYMBOL, cell_texts
from hub.core import bounds
from hub.core.localtime import BRUSSELS, fmt_date, fmt_duration, fmt_month, local, today
from hub.locations.schedule import WEEKDAYS_NL
from hub.units.registry import fleet
from hub.web.web import TEMPLATES, AtLocation, at_location, now, portal, render, see_other

router = APIRouter()

STATE_CSS = {
    CellState.COMPLETE: "ok",
    CellState.PRESENT: "now",
    CellState.ERROR: "err",
    CellState.ABSENT: "abs",
    CellState.MISSED: "missed",
    CellState.CLOSED: "closed",
    CellState.FUTURE: "future",
}
STATE_NL = {
    CellState.COMPLETE: "in orde",
    CellState.PRESENT: "nu aanwezig",
    CellState.ERROR: "fout",
    CellState.ABSENT: "niet aanwezig",
    CellState.MISSED: "afwezig",
    CellState.CLOSED: "gesloten",
    CellState.FUTURE: "",
}


@dataclass(slots=True)
class CellView:
    css: str
    text: str
    title: str  # the tooltip: date, state, times, what is wrong
    href: str | None
    corrected: bool
    marks: tuple[tuple[str, str], ...] = ()  # (symbol, Dutch words) of each mark, shown in the cell


def _hm(moment: datetime | None) -> str:
    """HH:MM in Brussels time; the grid formats thousands of these, so no strftime."""
    if moment is None:
        return "…"
    here = moment.astimezone(BRUSSELS)
    return f"{here.hour:02d}:{here.minute:02d}"


def spans(cell: Cell) -> str:
    """'07:45–16:30, 17:00–…' for a cell's stays."""
    return ", ".join(f"{_hm(i.arrival)}–{_hm(i.departure)}" for i in cell.intervals)


def cell_view(base: str, day_text: str, cell: Cell, wide: bool) -> CellView:
    """One cell as the grid shows it; ``base`` is the cell URL without the day."""
    state = cell.state
    times = spans(cell) if cell.intervals else ""
    if state is CellState.COMPLETE:
        text = times if wide else fmt_duration(cell.minutes)
    elif state is CellState.PRESENT:
        text = "nu aanwezig"
    elif state is CellState.ERROR:
        text = times if wide else "!"
    elif state is CellState.ABSENT:
        text = "+"
    elif state is CellState.MISSED:
        text = "afwezig"
    else:
        text = ""
    title = f"{day_text} · {STATE_NL[state]}" if STATE_NL[state] else day_text
    if times:
        title += " · " + times
    for said in cell_texts(cell):
        title += " · " + said
    if state is CellState.CLOSED and cell.closed:
        title += " · " + cell.closed
    if cell.corrected:
        title += " · gecorrigeerd"
    clickable = state is not CellState.CLOSED and state is not CellState.FUTURE
    return CellView(
        STATE_CSS[state],
        text,
        title,
        f"{base}{cell.day.isoformat()}" if clickable else None,
        cell.corrected,
        tuple((MARK_SYMBOL[m.mark], MARK_NL[m.mark]) for m in cell.marks),
    )


@dataclass(frozen=True)
class RowView:
    row: GridRow
    cells: list[CellView]
    hours: str


def rows_view(
    grid: Grid, search: str, wide: bool, notes: dict[tuple[int, date], tuple[str, str]] | None = None
) -> list[RowView]:
    """The rows shown; ``notes`` are other features' marks on cells (see ``Portal.cell_notes``)."""
    needle = search.strip().lower()
    day_texts = [fmt_date(d.day) for d in grid.days]
    notes = notes or {}
    rows = []
    for row in grid.rows:
        if needle and needle not in row.child.name.lower():
            continue
        base = f"/locaties/{grid.location_id}/cel/{row.child.id}/"
        cells = []
        for text, cell in zip(day_texts, row.cells, strict=True):
            view = cell_view(base, text, cell, wide)
            note = notes.get((row.child.id, cell.day))
            if note:
                view.marks += (note,)
                view.title += " · " + note[1]
            cells.append(view)
        rows.append(RowView(row, cells, fmt_duration(row.minutes)))
    return rows


def rows_html(location_id: str, rows: list[RowView]) -> Markup:
    """The grid's rows as HTML (grid/_rows.html): the bulk of the page, rendered apart to be kept."""
    template = TEMPLATES.env.get_template("grid/_rows.html")
    return Markup(template.render(rows=rows, location={"id": location_id}))


def cell_notes(request: Request, conn: sqlite_utils.Database, grid: Grid) -> dict:
    """Every feature's marks on this grid's cells."""
    first, last = grid.days[0].day, grid.days[-1].day
    found: dict = {}
    for notes_of in portal(request).cell_notes:
        found |= notes_of(conn, grid.location_id, first, last)
    return found


def day_heads(grid: Grid) -> list[dict]:
    return [
        {
            "day": d.day,
            "weekday": WEEKDAYS_NL[d.day.weekday()][:2],
            "closed": not d.is_open,
            "today": d.day == local(grid.now).date(),
        }
        for d in grid.days
    ]


def parse_month(text: str | None) -> tuple[int, int]:
    if not text:
        day = today()
        return day.year, day.month
    match = re.fullmatch(r"(\d{4})-(\d{2})", text)
    if not match or not 1 <= int(match[2]) <= 12 or not 2000 <= int(match[1]) <= 2100:
        raise HTTPException(404)
    return int(match[1]), int(match[2])


def _units(conn: sqlite_utils.Database, location_id: str) -> list:
    return [u for u in fleet(conn, location_id).get(location_id, []) if u.state == "active"]


@router.get("/locaties/{location_id}")
def month_page(
    request: Request,
    maand: str | None = None,
    zoek: str = "",
    here: AtLocation = Depends(at_location),
) -> Response:
    _actor, conn, location = here
    zoek, search_error = bounded_search(zoek)
    year, month = parse_month(maand)
    kept = kept_month_grid(conn, location.id, year, month, now())
    grid = kept.grid
    notes = cell_notes(request, conn, grid)
    rendered = kept.rendered(
        (zoek.strip().lower(), tuple(sorted(notes.items()))),
        lambda: rows_html(location.id, rows_view(grid, zoek, wide=False, notes=notes)),
    )
    context = {
        "active": "registraties",
        "view": "maand",
        "grid": grid,
        "title": fmt_month(year, month).capitalize(),
        "heads": day_heads(grid),
        "rows_html": Markup(rendered),
        "search": zoek,
        "search_error": search_error,
        "prev": "{:04d}-{:02d}".format(*shift_month(year, month, -1)),
        "next": "{:04d}-{:02d}".format(*shift_month(year, month, 1)),
        "month_key": f"{year:04d}-{month:02d}",
        "week_start": _monday(
            date(year, month, 1) if (year, month) != (today().year, today().month) else today()
        ),
        "units": _units(conn, location.id),
        "deadline": grid.fix_deadline,
        "late_pickups": [
            (child, cell, next(m for m in cell.marks if m.mark is Mark.LATE_PICKUP).times[-1])
            for child, cell in grid.late_pickups
        ],
        "uncertain": count_waiting(conn, location.id),  # "tijd onzeker", waiting for a person
        "after_closing": still_here_after_closing(conn, location.id, now()),  # late-pickup procedure
        "collector_attempts": open_attempts(conn, location.id),  # "niet toegestaan" at the door
    }
    return render(request, "grid/overview.html", context, location=location)


def bounded_search(term: str) -> tuple[str, str | None]:
    """The search term, or nothing and the Dutch reason when it is too long to be a name."""
    problem = bounds.too_long(term, bounds.SEARCH, "Een zoekterm")
    return ("", problem) if problem else (term, None)


def _monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


@router.get("/locaties/{location_id}/week")
def week_page(
    request: Request,
    van: str | None = None,
    zoek: str = "",
    here: AtLocation = Depends(at_location),
) -> Response:
    _actor, conn, location = here
    zoek, search_error = bounded_search(zoek)
    try:
        first = _monday(date.fromisoformat(van) if van else today())
    except ValueError:
        raise HTTPException(404) from None
    grid = period_grid(conn, location.id, first, first + timedelta(days=6), now())
    context = {
        "active": "registraties",
        "view": "week",
        "grid": grid,
        "title": f"Week van {fmt_date(first)} tot {fmt_date(first + timedelta(days=6))}",
        "heads": day_heads(grid),
        "rows_html": rows_html(
            location.id, rows_view(grid, zoek, wide=True, notes=cell_notes(request, conn, grid))
        ),
        "search": zoek,
        "search_error": search_error,
        "prev": (first - timedelta(days=7)).isoformat(),
        "next": (first + timedelta(days=7)).isoformat(),
        # "per maand" from the current week opens today's month, also when the week began in the last one
        "month_key": f"{today() if first <= today() <= first + timedelta(days=6) else first:%Y-%m}",
        "week_start": first,
        "units": _units(conn, location.id),
        "deadline": None,
    }
    return render(request, "grid/overview.html", context, location=location)


@router.post("/locaties/{location_id}/gesloten-maand")
def closed_month(
    request: Request,
    maand: str = Form(...),
    actie: str = Form(...),
    here: AtLocation = Depends(at_location),
) -> Response:
    actor, conn, location = here
    year, month = parse_month(maand)
    back = f"/locaties/{location.id}?maand={year:04d}-{month:02d}"
    try:
        if actie == "sluiten":
            close_month(conn, actor, location.id, year, month)
            message = f"{fmt_month(year, month).capitalize()} is aangeduid als gesloten maand."
        else:
            reopen_month(conn, actor, location.id, year, month)
            message = f"{fmt_month(year, month).capitalize()} is niet langer een gesloten maand."
    except Refused as refused:
        return see_other(back, request, refused.reason, error=True)
    return see_other(back, request, message)
