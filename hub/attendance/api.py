"""JSON for scripts: today's check-ins and a month's cells of the actor's own locations."""

from __future__ import annotations

import sqlite_utils
from fastapi import APIRouter, Depends

from hub.accounts.actors import Actor
from hub.attendance.events import checkins_on
from hub.attendance.grid import month_grid
from hub.attendance.grid_routes import parse_month
from hub.core.localtime import fmt_time, today
from hub.locations.access import locations_of
from hub.web.web import AtLocation, at_location, db, now, require_actor
from wire import cardcode

router = APIRouter(prefix="/api")
DIRECTION_NL = {"arrival": "aankomst", "departure": "vertrek"}


@router.get("/today")
def today_api(actor: Actor = Depends(require_actor), conn: sqlite_utils.Database = Depends(db)) -> dict:
    """Today's check-ins at the locations the logged-in actor may see."""
    day = today()
    return {
        "date": day.isoformat(),
        "locations": [
            {
                "id": location.id,
                "name": location.name,
                "checkins": [
                    {
                        "time": fmt_time(row.occurred_at),
                        "child": row.child_name or f"Onbekende kaart {cardcode.pretty(row.code)}",
                        "known": row.child_id is not None,
                        "direction": DIRECTION_NL[row.direction],
                        "source": row.source,
                    }
                    for row in checkins_on(conn, location.id, day)
                ],
            }
            for location in locations_of(conn, actor)
        ],
    }


@router.get("/locaties/{location_id}/maand/{month}")
def month_api(month: str, here: AtLocation = Depends(at_location)) -> dict:
    """The month grid as data: per child, per day, the cell state and minutes."""
    _actor, conn, location = here
    year, number = parse_month(month)
    grid = month_grid(conn, location.id, year, number, now())
    return {
        "location": location.id,
        "month": f"{year:04d}-{number:02d}",
        "closed": grid.closed,
        "errors": grid.errors,
        "children": [
            {
                "id": row.child.id,
                "name": row.child.name,
                "minutes": row.minutes,
                "cells": {
                    cell.day.isoformat(): {
                        "state": cell.state.value,
                        "minutes": cell.minutes,
                        "corrected": cell.corrected,
                    }
                    for cell in row.cells
                },
            }
            for row in grid.rows
        ],
    }
