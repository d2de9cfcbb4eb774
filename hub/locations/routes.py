"""The location PIN page and the scanner code (the staff code on the location's units). (The
organisator's list of locations, with its red markers, is the attendance's:
hub/attendance/overview_routes.py.)"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import Response

from hub.accounts import throttle
from hub.core.actors import NoAccess, Refused, Role
from hub.core.db import write_transaction
from hub.locations.access import has_pin, has_scanner_code, set_pin, set_scanner_code
from hub.locations.pin_rules import PIN_LENGTH, TIPS
from hub.units import staff
from hub.web.web import AtLocation, at_location, now, portal, render, see_other

router = APIRouter()


@router.get("/locaties/{location_id}/pincode")
def pin_page(
    request: Request,
    here: AtLocation = Depends(at_location),
) -> Response:
    actor, conn, location = here
    return _pin_page(request, conn, actor, location)


def _pin_page(
    request, conn, actor, location, error: str | None = None, scanner_error: str | None = None
) -> Response:
    context = {
        "tips": TIPS,
        "pin_length": PIN_LENGTH,
        "has_pin": has_pin(conn, location.id),
        "has_scanner_code": has_scanner_code(conn, location.id),
        "locked_until": throttle.location_locked_until(conn, location.id, now()),
        "error": error,
        "scanner_error": scanner_error,
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
    # the units never get the PIN's hash; republishing takes any stale copy off the broker at once
    portal(request).units.configs_changed(location.id)
    return see_other(
        f"/locaties/{location.id}/pincode",
        request,
        "De pincode is ingesteld. Geef ze door aan de verantwoordelijke van de opvanglocatie.",
    )


@router.post("/locaties/{location_id}/scannercode")
def scanner_code_save(
    request: Request,
    code: str = Form(""),
    repeated: str = Form(""),
    here: AtLocation = Depends(at_location),
) -> Response:
    actor, conn, location = here
    try:
        set_scanner_code(conn, actor, location.id, code, repeated)
    except Refused as refused:
        return _pin_page(request, conn, actor, location, scanner_error=refused.reason)
    staff.refresh(conn, location.id)  # a hash keyed to each unit
    portal(request).units.configs_changed(location.id)
    return see_other(
        f"/locaties/{location.id}/pincode",
        request,
        "De scannercode is ingesteld. De scanners van deze opvang gebruiken ze binnen enkele seconden.",
    )


@router.post("/locaties/{location_id}/ontgrendelen")
def unlock(request: Request, here: AtLocation = Depends(at_location)) -> Response:
    """The organisator lifts the location-wide PIN lock (after a mail told them it happened)."""
    actor, conn, location = here
    if actor.role is not Role.ORGANISATOR:
        raise NoAccess(location.id)
    with write_transaction(conn):
        throttle.lift_location_lock(conn, location.id)
    return see_other(
        f"/locaties/{location.id}/pincode",
        request,
        "De opvanglocatie is ontgrendeld: aanmelden met de pincode kan weer.",
    )
