"""The organisator's list of locations, each with its red marker: the cells still to fix this month
and the last (the one due on the 7th). Its template is ``locations/list.html``.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlite_utils
from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from hub.accounts import throttle
from hub.attendance.grid import month_grid
from hub.attendance.windows import shift_month
from hub.core.actors import Actor, Role
from hub.core.localtime import today
from hub.locations.access import has_pin, locations_of
from hub.locations.queries import Location
from hub.web.web import db, now, render, require_actor, see_other

router = APIRouter()


@dataclass(frozen=True)
class LocationLine:
    location: Location
    red_cells: int  # this month and the last, still to fix
    has_pin: bool
    locked: bool = False  # the location-wide PIN lock (hub/accounts/throttle.py)


def open_errors(conn: sqlite_utils.Database, location_id: str) -> int:
    """Red cells of this month and the previous one (the one due on the 7th)."""
    day = today()
    months = [(day.year, day.month), shift_month(day.year, day.month, -1)]
    return sum(month_grid(conn, location_id, year, month).errors for year, month in months)


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
        )
        for loc in found
    ]
    return render(request, "locations/list.html", {"lines": lines})
