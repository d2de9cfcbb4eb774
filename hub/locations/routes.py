"""The location PIN page. (The organisator's list of locations, with its red markers, is the
attendance's: hub/attendance/overview_routes.py.)"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import Response

from hub.core.actors import Refused, Role
from hub.locations.access import has_pin, set_pin
from hub.locations.pin_rules import PIN_LENGTH, TIPS
from hub.web.web import AtLocation, at_location, portal, render, see_other

router = APIRouter()


@router.get("/locaties/{location_id}/pincode")
def pin_page(
    request: Request,
    here: AtLocation = Depends(at_location),
) -> Response:
    actor, conn, location = here
    return _pin_page(request, conn, actor, location)


def _pin_page(request, conn, actor, location, error: str | None = None) -> Response:
    context = {
        "tips": TIPS,
        "pin_length": PIN_LENGTH,
        "has_pin": has_pin(conn, location.id),
        "error": error,
        "may_set": actor.role is Role.ORGANISATOR,
        "active": "pincode",
    }
    return render(request, "locations/pin.html", context, location=location)


@router.post("/locaties/{location_id}/pincode")
def pin_save(
    request: Request,
    pin: str = Form(""),
    repeated: str = Form(""),
    here: AtLocation = Depends(at_location),
) -> Response:
    actor, conn, location = here
    try:
        set_pin(conn, actor, location.id, pin, repeated)
    except Refused as refused:
        return _pin_page(request, conn, actor, location, refused.reason)
    portal(request).units.configs_changed(location.id)  # the units check the staff PIN themselves
    return see_other(
        f"/locaties/{location.id}/pincode",
        request,
        "De pincode is ingesteld. Geef ze door aan de verantwoordelijke van de opvanglocatie.",
    )
