"""``/medewerkers``: an organisator (or a location's responsible) invites staff, sets their role and
locations, and deactivates them. Anyone else, and any person not theirs, gets 404."""

from __future__ import annotations

import sqlite_utils
from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import Response

from hub.core.actors import Actor, NoAccess, Refused
from hub.staff import presence, service
from hub.staff.rules import ROLE_NL, grantable_roles, manages_staff
from hub.web.web import db, now, portal, render, require_actor, see_other

router = APIRouter()


def _manager(actor: Actor = Depends(require_actor)) -> Actor:
    if not manages_staff(actor):
        raise NoAccess("medewerkers")
    return actor


def _configs_changed(request: Request, conn: sqlite_utils.Database, actor: Actor) -> None:
    """The units' rosters carry staff cards by name: republish the organisation's units' configs."""
    for location_id, _name in service.organisation_locations(conn, actor):
        portal(request).units.configs_changed(location_id)


def _list_page(
    request: Request, conn: sqlite_utils.Database, actor: Actor, error: str | None = None, form=None
) -> Response:
    locations = service.organisation_locations(conn, actor)
    context = {
        "members": service.list_staff(conn, actor),
        "locations": locations,
        "location_names": dict(locations) | _all_names(conn, actor),
        "roles": [(role.value, ROLE_NL[role]) for role in grantable_roles(actor)],
        "error": error,
        "form": form or {"name": "", "email": "", "role": "medewerker", "locations": []},
    }
    return render(request, "staff/list.html", context, status_code=200)


def _all_names(conn: sqlite_utils.Database, actor: Actor) -> dict[str, str]:
    organisator = service.organisation_of(conn, actor)
    return dict(
        conn.execute("SELECT id, name FROM locations WHERE organisator_id = ?", (organisator,)).fetchall()
    )


@router.get("/medewerkers")
def staff_list(
    request: Request, actor: Actor = Depends(_manager), conn: sqlite_utils.Database = Depends(db)
) -> Response:
    return _list_page(request, conn, actor)


@router.post("/medewerkers")
def staff_invite(
    request: Request,
    name: str = Form(""),
    email: str = Form(""),
    role: str = Form(""),
    locations: list[str] = Form([]),
    actor: Actor = Depends(_manager),
    conn: sqlite_utils.Database = Depends(db),
) -> Response:
    state = portal(request)
    try:
        member = service.invite_staff(
            conn, state.mailer, state.base_url, actor, name, email, role, locations, now()
        )
    except Refused as refused:
        form = {"name": name, "email": email, "role": role, "locations": locations}
        return _list_page(request, conn, actor, refused.reason, form)
    return see_other("/medewerkers", request, f"Uitnodiging verstuurd naar {member.name} <{member.email}>.")


@router.get("/medewerkers/{staff_id}")
def staff_person(
    request: Request,
    staff_id: int,
    actor: Actor = Depends(_manager),
    conn: sqlite_utils.Database = Depends(db),
) -> Response:
    return _person_page(request, conn, actor, service.get_member(conn, actor, staff_id))


def _person_page(request, conn, actor, member, error: str | None = None) -> Response:
    context = {
        "member": member,
        "locations": service.organisation_locations(conn, actor),
        "location_names": _all_names(conn, actor),
        "roles": [(role.value, ROLE_NL[role]) for role in grantable_roles(actor)],
        "is_self": member.id == actor.person_id,
        "cards": presence.cards_of(conn, member.id),
        "error": error,
    }
    return render(request, "staff/person.html", context)


@router.post("/medewerkers/{staff_id}")
def staff_update(
    request: Request,
    staff_id: int,
    role: str = Form(""),
    locations: list[str] = Form([]),
    actor: Actor = Depends(_manager),
    conn: sqlite_utils.Database = Depends(db),
) -> Response:
    try:
        member = service.update_staff(conn, actor, staff_id, role, locations)
    except Refused as refused:
        return _person_page(request, conn, actor, service.get_member(conn, actor, staff_id), refused.reason)
    _configs_changed(request, conn, actor)
    return see_other("/medewerkers", request, f"De rol en opvanglocaties van {member.name} zijn bewaard.")


@router.post("/medewerkers/{staff_id}/deactiveren")
def staff_deactivate(
    request: Request,
    staff_id: int,
    actor: Actor = Depends(_manager),
    conn: sqlite_utils.Database = Depends(db),
) -> Response:
    try:
        member = service.deactivate(conn, actor, staff_id, now())
    except Refused as refused:
        return _person_page(request, conn, actor, service.get_member(conn, actor, staff_id), refused.reason)
    _configs_changed(request, conn, actor)
    return see_other("/medewerkers", request, f"Het account van {member.name} is gedeactiveerd.")


@router.post("/medewerkers/{staff_id}/uitnodigen")
def staff_reinvite(
    request: Request,
    staff_id: int,
    actor: Actor = Depends(_manager),
    conn: sqlite_utils.Database = Depends(db),
) -> Response:
    state = portal(request)
    try:
        member = service.reinvite(conn, state.mailer, state.base_url, actor, staff_id, now())
    except Refused as refused:
        return _person_page(request, conn, actor, service.get_member(conn, actor, staff_id), refused.reason)
    return see_other(
        "/medewerkers", request, f"Nieuwe uitnodiging verstuurd naar {member.name} <{member.email}>."
    )


@router.post("/medewerkers/{staff_id}/kaart")
def staff_card(
    request: Request,
    staff_id: int,
    code: str = Form(""),
    actor: Actor = Depends(_manager),
    conn: sqlite_utils.Database = Depends(db),
) -> Response:
    """Give the person a staff card: its scans are their in and out, never a child's check-in."""
    member = service.get_member(conn, actor, staff_id)
    try:
        presence.link_card(conn, actor, member.id, code[:40], now())
    except Refused as refused:
        return _person_page(request, conn, actor, member, refused.reason)
    _configs_changed(request, conn, actor)
    return see_other(
        f"/medewerkers/{member.id}", request, f"De personeelskaart van {member.name} is gekoppeld."
    )
