"""The "Geweigerde registraties" screen: refused check-ins kept for the organisator to decide.

Per unit, with the reason; "Aanvaarden" stores the check-in once (who did it is recorded),
"Negeren" sets it aside (recorded too). Only an organisator of the location sees the screen.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.responses import Response

from hub.accounts.actors import NoAccess, Refused, Role
from hub.cards import codes as cards
from hub.ingest import refused
from hub.web.nav import NavEntry
from hub.web.web import AtLocation, at_location, render, see_other
from wire import COLLECTOR_NOT_ALLOWED

router = APIRouter()
ORGANISATOR_ONLY = frozenset({Role.ORGANISATOR})

# Why the hub did not take a check-in on its own, as the organisator reads it.
REASONS_NL = {
    "unknown_unit": "onbekende scanner",
    "revoked_unit": "scanner was ingetrokken",
    "wrong_location": "registratie voor een andere locatie",
    "not_a_predecessor": "scanner is geen voorganger van de scanner die ze doorgaf",
    "made_after_revocation": "gemaakt nadat de scanner was ingetrokken",
    "internal_error": "fout in de hub bij het verwerken",
    "clock_ahead": "tijd ligt na de klok van de hub (de klok van de scanner loopt voor)",
    "too_old": "tijd ligt verder terug dan nog aangepast mag worden",
    "month_closed": "maand is aangeduid als gesloten maand",
    "month_uploaded": "maand werd al naar Kind en Gezin verstuurd",
    "collector_not_allowed": "ophaalkaart van iemand die dit kind niet mag ophalen",
}


def install(app: FastAPI) -> None:
    """Mount the screen and its tab (for organisators)."""
    app.state.portal.nav.append(
        NavEntry("geweigerd", "Geweigerd", "/locaties/{location}/geweigerd", ORGANISATOR_ONLY)
    )
    app.include_router(router)


@dataclass(frozen=True)
class Line:
    item: refused.RefusedCheckIn
    child: str | None  # the card's child, when the card is known
    reason: str  # Dutch


def _organisator(here: AtLocation) -> AtLocation:
    if here.actor.role is not Role.ORGANISATOR:
        raise NoAccess(here.location.id)
    return here


@router.get("/locaties/{location_id}/geweigerd")
def refused_page(request: Request, here: AtLocation = Depends(at_location)) -> Response:
    _actor, conn, location = _organisator(here)
    items = refused.listed(conn, location.id)
    owners = cards.card_owners(conn, {i.event.code for i in items})
    by_unit: dict[str, list[Line]] = defaultdict(list)
    for item in items:
        owner = owners.get(item.event.code)
        reason = REASONS_NL.get(item.reason, item.reason)
        if item.reason == COLLECTOR_NOT_ALLOWED:  # the detail says who, and the note, in Dutch
            reason = f"{reason}: {item.detail}"
        by_unit[item.via_unit].append(Line(item, owner[1] if owner else None, reason))
    context = {"by_unit": dict(by_unit), "active": "geweigerd"}
    return render(request, "ingest/refused.html", context, location=location)


@router.post("/locaties/{location_id}/geweigerd/{refused_id}/aanvaarden")
def accept(request: Request, refused_id: int, here: AtLocation = Depends(at_location)) -> Response:
    actor, conn, location = _organisator(here)
    back = f"/locaties/{location.id}/geweigerd"
    try:
        new = refused.accept(conn, actor, refused_id, location.id)
    except Refused as no:
        return see_other(back, request, no.reason, error=True)
    message = (
        "De registratie is aanvaard en staat in het overzicht."
        if new
        else ("De registratie stond al in het overzicht; ze is niet dubbel opgeslagen.")
    )
    return see_other(back, request, message)


@router.post("/locaties/{location_id}/geweigerd/{refused_id}/negeren")
def dismiss(request: Request, refused_id: int, here: AtLocation = Depends(at_location)) -> Response:
    actor, conn, location = _organisator(here)
    back = f"/locaties/{location.id}/geweigerd"
    try:
        refused.dismiss(conn, actor, refused_id, location.id)
    except Refused as no:
        return see_other(back, request, no.reason, error=True)
    return see_other(back, request, "De registratie is genegeerd.")
