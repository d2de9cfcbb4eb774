"""``/locaties/{location}/nu-aanwezig``: the printable evacuation list of one location."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from hub.core.localtime import fmt_date, local
from hub.evacuation.queries import present_now
from hub.staff.presence import staff_present
from hub.web.web import AtLocation, at_location, now, render

router = APIRouter()


@router.get("/locaties/{location_id}/nu-aanwezig")
def evacuation_list(request: Request, here: AtLocation = Depends(at_location)) -> Response:
    _actor, conn, location = here
    moment = now()
    children = present_now(conn, location.id, moment)
    context = {
        "active": "nu-aanwezig",
        "children": children,
        "staff": staff_present(conn, location.id),  # scanned in with a staff card
        "as_of": f"{fmt_date(local(moment).date())} om {local(moment):%H:%M}",
    }
    response = render(request, "evacuation/list.html", context, location=location)
    response.headers["Cache-Control"] = "no-store"  # a list from an hour ago is a dangerous list
    return response
