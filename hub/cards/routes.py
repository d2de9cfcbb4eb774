"""Linking a QR card to a child: typing its digits, or "scan aan de deur"; reporting a card lost;
a contact's collector card ("ophaalkaart", hub/cards/collectors.py).

"Scan aan de deur": the page asks the hub to send link_card to the chosen unit and then polls
the request's state (plain JS, once a second) until the unit's card_read has linked the card,
the hub refused it (the reason is shown), or the minute is over.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import Response

from hub.accounts.actors import Refused
from hub.cards import collectors
from hub.cards import links as card_links
from hub.children.routes import render_child
from hub.children.service import child_at
from hub.web.web import AtLocation, at_location, now, portal, render, see_other
from wire import cardcode

router = APIRouter()


@router.post("/locaties/{location_id}/kinderen/{child_id}/kaart")
def link_typed(
    request: Request,
    child_id: int,
    code: str = Form(""),
    here: AtLocation = Depends(at_location),
) -> Response:
    actor, conn, location = here
    child = child_at(conn, actor, location.id, child_id)
    try:
        linked = card_links.link_typed(conn, actor, location.id, child.id, code, now())
    except Refused as refused:
        return render_child(request, conn, location, child, card_error=refused.reason)
    portal(request).units.configs_changed(location.id)
    return see_other(
        f"/locaties/{location.id}/kinderen/{child.id}",
        request,
        f"{child.first_name} geregistreerd in de opvang: kaart {cardcode.pretty(linked)} is gekoppeld. "
        "Schrijf de naam van het kind op de achterzijde van de kaart.",
    )


@router.post("/locaties/{location_id}/kinderen/{child_id}/kaart/{code}/verloren")
def card_lost(
    request: Request,
    child_id: int,
    code: str,
    here: AtLocation = Depends(at_location),
) -> Response:
    actor, conn, location = here
    child = child_at(conn, actor, location.id, child_id)
    back = f"/locaties/{location.id}/kinderen/{child.id}"
    try:
        card_links.mark_lost(conn, actor, location.id, child.id, code, now())
    except Refused as refused:
        return see_other(back, request, refused.reason, error=True)
    portal(request).units.configs_changed(location.id)
    return see_other(
        back,
        request,
        f"Kaart {cardcode.pretty(code)} is als verloren gemeld. "
        f"Koppel een nieuwe kaart aan {child.first_name}.",
    )


@router.post("/locaties/{location_id}/kinderen/{child_id}/kaart/scan")
def scan_at_door(
    request: Request,
    child_id: int,
    unit: str = Form(""),
    here: AtLocation = Depends(at_location),
) -> Response:
    actor, conn, location = here
    child = child_at(conn, actor, location.id, child_id)
    try:
        link_request, payload = card_links.open_request(conn, actor, location.id, child.id, unit, now())
    except Refused as refused:
        return render_child(request, conn, location, child, card_error=refused.reason)
    if not portal(request).units.send_command(location.id, unit, payload):
        return render_child(
            request,
            conn,
            location,
            child,
            card_error="De hub kan de scanners nu niet bereiken. Probeer straks opnieuw.",
        )
    return see_other(f"/locaties/{location.id}/kinderen/{child.id}/kaart/scan/{link_request.id}")


def _status(link_request: card_links.LinkRequest) -> dict:
    moment = now()
    if link_request.expired(moment):
        state, text = "expired", "Er werd geen kaart gescand binnen de minuut. Probeer opnieuw."
    elif link_request.state == "linked":
        state, text = "linked", f"Kaart {cardcode.pretty(link_request.code)} is gekoppeld."
    elif link_request.state == "refused":
        state, text = "refused", link_request.reason or "De kaart kon niet gekoppeld worden."
    else:
        left = max(0, int((link_request.expires_at - moment).total_seconds()) - 10)
        state, text = "open", f"Houd nu de kaart voor de scanner {link_request.unit_id} (nog {left} s)."
    return {"state": state, "text": text, "code": link_request.code}


@router.get("/locaties/{location_id}/kinderen/{child_id}/kaart/scan/{request_id}")
def scan_page(
    request: Request,
    child_id: int,
    request_id: str,
    here: AtLocation = Depends(at_location),
) -> Response:
    actor, conn, location = here
    child = child_at(conn, actor, location.id, child_id)
    link_request = card_links.get_request(conn, actor, location.id, request_id)
    if link_request.child_id != child.id:
        raise HTTPException(404)
    context = {"active": "kinderen", "child": child, "link": link_request, "status": _status(link_request)}
    return render(request, "cards/scan.html", context, location=location)


@router.get("/locaties/{location_id}/kaart-aanvragen/{request_id}")
def scan_status(
    request_id: str,
    here: AtLocation = Depends(at_location),
) -> dict:
    actor, conn, location = here
    return _status(card_links.get_request(conn, actor, location.id, request_id))


@router.post("/locaties/{location_id}/kinderen/{child_id}/contacten/{contact_id}/ophaalkaart")
def link_collector_card(
    request: Request,
    child_id: int,
    contact_id: int,
    code: str = Form(""),
    here: AtLocation = Depends(at_location),
) -> Response:
    """Give a contact an "ophaalkaart" (typed code from the card stock): it lets them collect."""
    actor, conn, location = here
    back = f"/locaties/{location.id}/kinderen/{child_id}#contact-{contact_id}"
    try:
        linked = collectors.link_collector_card(
            conn, actor, location.id, child_id, contact_id, code[:40], now()
        )
    except Refused as refused:
        return see_other(back, request, refused.reason, error=True)
    portal(request).units.configs_changed(location.id)
    return see_other(
        back,
        request,
        f"Ophaalkaart {cardcode.pretty(linked)} is gekoppeld. "
        "Aan de deur: eerst de ophaalkaart, dan de kaart van het kind.",
    )


@router.post("/locaties/{location_id}/kinderen/{child_id}/contacten/{contact_id}/ophaalkaart/{code}/verloren")
def collector_card_lost(
    request: Request,
    child_id: int,
    contact_id: int,
    code: str,
    here: AtLocation = Depends(at_location),
) -> Response:
    actor, conn, location = here
    back = f"/locaties/{location.id}/kinderen/{child_id}#contact-{contact_id}"
    try:
        collectors.mark_lost(conn, actor, location.id, child_id, contact_id, code[:40], now())
    except Refused as refused:
        return see_other(back, request, refused.reason, error=True)
    portal(request).units.configs_changed(location.id)
    return see_other(back, request, f"Ophaalkaart {cardcode.pretty(code)} is als verloren gemeld.")
