"""The screen "Tijd onzeker": check-ins without a trustworthy time, to place at a time or discard."""

from __future__ import annotations

import re
from datetime import date, time

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import Response

from hub.accounts.actors import Refused
from hub.attendance.uncertain import discard_checkin, place_checkin, waiting
from hub.core.localtime import fmt_date, local
from hub.web.web import AtLocation, at_location, now, render, see_other

router = APIRouter()
DIRECTION_NL = {"arrival": "aankomst", "departure": "vertrek"}


def parse_day(text: str) -> date:
    """DD/MM/YYYY, as every date on the screens."""
    match = re.fullmatch(r"(\d{1,2})/(\d{1,2})/(\d{4})", text.strip())
    try:
        if match:
            return date(int(match[3]), int(match[2]), int(match[1]))
    except ValueError:
        pass
    raise Refused(f"‘{text}’ is geen datum; schrijf ze als DD/MM/JJJJ, bijvoorbeeld 23/11/2026.")


def parse_time(text: str) -> time:
    """uu:mm, 24 hours."""
    match = re.fullmatch(r"(\d{1,2})[:.u](\d{2})", text.strip())
    if not match or int(match[1]) > 23 or int(match[2]) > 59:
        raise Refused(f"‘{text}’ is geen uur; schrijf het als UU:MM, bijvoorbeeld 07:45.")
    return time(int(match[1]), int(match[2]))


def _page(
    request: Request, here: AtLocation, error: str | None = None, values: dict | None = None
) -> Response:
    _actor, conn, location = here
    context = {
        "active": "registraties",
        "items": waiting(conn, location.id),
        "directions": DIRECTION_NL,
        "error": error,
        "values": values or {},
        "today": fmt_date(local(now()).date()),
    }
    return render(request, "grid/uncertain.html", context, location=location)


@router.get("/locaties/{location_id}/tijd-onzeker")
def uncertain_page(request: Request, here: AtLocation = Depends(at_location)) -> Response:
    return _page(request, here)


@router.post("/locaties/{location_id}/tijd-onzeker/{event_id}")
def uncertain_settle(
    request: Request,
    event_id: str,
    actie: str = Form(...),
    datum: str = Form(""),
    uur: str = Form(""),
    here: AtLocation = Depends(at_location),
) -> Response:
    actor, conn, location = here
    back = f"/locaties/{location.id}/tijd-onzeker"
    try:
        if actie == "verwijderen":
            discard_checkin(conn, actor, location.id, event_id, now())
            return see_other(back, request, "Registratie verwijderd; ze telt niet mee.")
        day, at = parse_day(datum), parse_time(uur)
        place_checkin(conn, actor, location.id, event_id, day, at, now())
    except Refused as refused:
        return _page(request, here, refused.reason, {event_id: (datum, uur)})
    return see_other(back, request, f"Registratie geplaatst op {fmt_date(day)} om {at:%H:%M}.")
