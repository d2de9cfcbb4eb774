"""One cell of the grid: its scans, what is wrong, and changing the times ("Registratie opslaan").

The windows (a location 2 months back, an organisator 5 years) and the checks on the new times
are the hub's (hub/attendance/corrections.py); this screen shows their Dutch reasons.
"""

from __future__ import annotations

import re
from datetime import date, time

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import Response

from hub.accounts.actors import Refused
from hub.attendance.corrections import apply_correction, cell_detail
from hub.attendance.grid_routes import STATE_CSS, STATE_NL, spans
from hub.attendance.pairing import Interval
from hub.attendance.pickups import pickup_of, set_pickup
from hub.attendance.wording import finding_text, mark_text
from hub.children.queries import contacts_of
from hub.core import bounds
from hub.core.localtime import fmt_date, fmt_time
from hub.locations.schedule import WEEKDAYS_NL
from hub.web.web import AtLocation, at_location, now, render, see_other

router = APIRouter()
DIRECTION_NL = {"arrival": "aankomst", "departure": "vertrek"}


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise HTTPException(404) from None


def _rows_of(intervals: tuple[Interval, ...]) -> list[tuple[str, str]]:
    return [
        (fmt_time(i.arrival) if i.arrival else "", fmt_time(i.departure) if i.departure else "")
        for i in intervals
    ]


def parse_times(arrivals: list[str], departures: list[str]) -> list[tuple[time, time | None]]:
    """The form's rows as (arrival, departure); a row with both fields empty is a deleted row."""
    times = []
    for arrival_text, departure_text in zip(arrivals, departures, strict=False):
        arrival_text, departure_text = arrival_text.strip(), departure_text.strip()
        if not arrival_text and not departure_text:
            continue
        if not arrival_text:
            raise Refused(f"Geef ook het aankomstuur bij het vertrek om {departure_text}.")
        times.append((_time(arrival_text), _time(departure_text) if departure_text else None))
    return times


def _time(text: str) -> time:
    match = re.fullmatch(r"(\d{1,2})[:.u](\d{2})", text)
    if not match or int(match[1]) > 23 or int(match[2]) > 59:
        shown = text if len(text) <= 8 else text[:8] + "…"  # never echo a long input back whole
        raise Refused(f"‘{shown}’ is geen uur; schrijf het als UU:MM, bijvoorbeeld 07:45.")
    return time(int(match[1]), int(match[2]))


def _page(
    request, conn, actor, location, child_id: int, day: date, rows=None, error=None, note=""
) -> Response:
    try:
        detail = cell_detail(conn, actor, location.id, child_id, day, now())
    except Refused:
        raise HTTPException(404) from None
    context = {
        "active": "registraties",
        "detail": detail,
        "day_title": f"{WEEKDAYS_NL[day.weekday()]} {fmt_date(day)}",
        "state_css": STATE_CSS[detail.cell.state],
        "state_nl": STATE_NL[detail.cell.state],
        "spans": spans,
        "finding_text": finding_text,
        "mark_text": mark_text,
        "rows": rows if rows is not None else (_rows_of(detail.cell.intervals) or [("", "")]),
        "directions": DIRECTION_NL,
        "error": error,
        "note": note,
        "back": f"/locaties/{location.id}?maand={day:%Y-%m}",
        "day_iso": day.isoformat(),
        "pickup": pickup_of(conn, location.id, child_id, day),
        "contacts": contacts_of(conn, child_id, location.organisator_id),
    }
    return render(request, "grid/cell.html", context, location=location)


@router.post("/locaties/{location_id}/cel/{child_id}/{day}/opgehaald")
def cell_pickup(
    request: Request,
    child_id: int,
    day: str,
    contact: str = Form(""),
    naam: str = Form(""),
    here: AtLocation = Depends(at_location),
) -> Response:
    """Who collected the child that day, filled in by staff (no collector card was used)."""
    actor, conn, location = here
    the_day = _day(day)
    try:
        cell_detail(conn, actor, location.id, child_id, the_day, now())  # this actor's child, or 404
    except Refused:
        raise HTTPException(404) from None
    back = f"/locaties/{location.id}/cel/{child_id}/{the_day.isoformat()}"
    try:
        contact_id = int(contact) if contact.strip() else None
    except ValueError:
        raise HTTPException(404) from None
    try:
        found = set_pickup(
            conn,
            actor,
            location.id,
            location.organisator_id,
            child_id,
            the_day,
            contact_id,
            naam[:200],
            now(),
        )
    except Refused as refused:
        return see_other(back, request, refused.reason, error=True)
    return see_other(back, request, f"Opgehaald door {found.name}." if found else "Niet meer ingevuld.")


@router.get("/locaties/{location_id}/cel/{child_id}/{day}")
def cell_page(
    request: Request,
    child_id: int,
    day: str,
    here: AtLocation = Depends(at_location),
) -> Response:
    actor, conn, location = here
    return _page(request, conn, actor, location, child_id, _day(day))


@router.post("/locaties/{location_id}/cel/{child_id}/{day}")
def cell_save(
    request: Request,
    child_id: int,
    day: str,
    arrival: list[str] = Form(default_factory=list),
    departure: list[str] = Form(default_factory=list),
    fingerprint: str = Form(""),
    note: str = Form(""),
    here: AtLocation = Depends(at_location),
) -> Response:
    actor, conn, location = here
    the_day = _day(day)
    rows = list(zip(arrival, departure, strict=False))
    try:
        problem = bounds.too_long(note, bounds.REASON, "De reden van de wijziging")
        if problem or len(rows) > bounds.STAYS_PER_DAY:
            raise Refused(problem or f"Hoogstens {bounds.STAYS_PER_DAY} keer aankomst en vertrek per dag.")
        times = parse_times(arrival, departure)
        apply_correction(
            conn,
            actor,
            location.id,
            child_id,
            the_day,
            times,
            note=note,
            expected=fingerprint or None,
            now=now(),
        )
    except Refused as refused:
        return _page(
            request,
            conn,
            actor,
            location,
            child_id,
            the_day,
            [(a[:8], d[:8]) for a, d in rows[: bounds.STAYS_PER_DAY]] or [("", "")],  # echo little
            refused.reason,
            note[: bounds.REASON],
        )
    return see_other(
        f"/locaties/{location.id}?maand={the_day:%Y-%m}",
        request,
        f"Registratie opgeslagen voor {fmt_date(the_day)}.",
    )
