"""The organisator's list of locations, each with its red marker: the cells still to fix this month
and the last (the one due on the 7th), and who is present now: children, staff and the ratio
against the location's norm, with a warning when it is exceeded. Its template is
``locations/list.html``. A location's own "Bezetting" page shows the same for one location, with
the staff present by name and (for the organisator) the norm to set.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlite_utils
from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import Response

from hub.accounts import throttle
from hub.alerts.store import open_for
from hub.attendance.kept import red_cells
from hub.attendance.presence import present_children
from hub.attendance.windows import shift_month
from hub.core.actors import Actor, Refused, Role
from hub.core.localtime import today
from hub.locations.access import has_pin, locations_of
from hub.locations.queries import Location
from hub.staff.presence import norm_of, set_norm, staff_present
from hub.staff.ratio import Ratio, ratio_of
from hub.web.web import AtLocation, at_location, db, now, render, require_actor, see_other

router = APIRouter()


@dataclass(frozen=True)
class LocationLine:
    location: Location
    red_cells: int  # this month and the last, still to fix
    has_pin: bool
    locked: bool = False  # the location-wide PIN lock (hub/accounts/throttle.py)
    ratio: Ratio | None = None  # children and staff present now, against the norm


def ratio_now(conn: sqlite_utils.Database, location_id: str) -> Ratio:
    """Children and staff present now at the location, against its norm."""
    children = len(present_children(conn, location_id))
    return ratio_of(children, len(staff_present(conn, location_id)), norm_of(conn, location_id))


def open_errors(conn: sqlite_utils.Database, location_id: str) -> int:
    """Red cells of this month and the previous one (the one due on the 7th)."""
    day = today()
    months = [(day.year, day.month), shift_month(day.year, day.month, -1)]
    return sum(red_cells(conn, location_id, year, month) for year, month in months)


@router.get("/locaties")
def location_list(
    request: Request, actor: Actor = Depends(require_actor), conn: sqlite_utils.Database = Depends(db)
) -> Response:
    found = locations_of(conn, actor)
    if actor.role is Role.LOCATION or len(found) == 1:
        return see_other(f"/locaties/{found[0].id}" if found else "/aanmelden")
    lines = [
        LocationLine(
            loc,
            open_errors(conn, loc.id),
            has_pin(conn, loc.id),
            throttle.location_locked_until(conn, loc.id, now()) is not None,
            ratio_now(conn, loc.id),
        )
        for loc in found
    ]
    alerts = open_for(conn, [loc.id for loc in found])
    return render(request, "locations/list.html", {"lines": lines, "alerts": alerts})


@router.get("/locaties/{location_id}/bezetting")
def staffing(request: Request, here: AtLocation = Depends(at_location)) -> Response:
    actor, conn, location = here
    return _staffing_page(request, conn, actor, location)


def _staffing_page(request, conn, actor, location, error: str | None = None) -> Response:
    context = {
        "active": "bezetting",
        "ratio": ratio_now(conn, location.id),
        "staff": staff_present(conn, location.id),
        "may_set_norm": actor.role is Role.ORGANISATOR,
        "norm_set": norm_of(conn, location.id),
        "alerts": open_for(conn, [location.id]),
        "error": error,
    }
    response = render(request, "staffing/location.html", context, location=location)
    response.headers["Cache-Control"] = "no-store"
    return response


@router.post("/locaties/{location_id}/bezetting")
def staffing_norm(
    request: Request, norm: str = Form(""), here: AtLocation = Depends(at_location)
) -> Response:
    actor, conn, location = here
    try:
        set_norm(conn, actor, location.id, norm)
    except Refused as refused:
        return _staffing_page(request, conn, actor, location, refused.reason)
    return see_other(f"/locaties/{location.id}/bezetting", request, "De norm is bewaard.")
