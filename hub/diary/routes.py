"""The diary screens: the group's tablet (/locaties/{id}/dagboek) and the parent's /ouders/dagboek.

The tablet lists the children present now ("Nu aanwezig": today's registrations) with one small
form per kind of entry; each tap is saved at once (a POST with the CSRF token) and the page comes
back at the same child. Every id in a URL is looked up within the location (staff) or the
parent's own children (parents) first: another's id is 404.
"""

from __future__ import annotations

from datetime import date

import sqlite_utils
from fastapi import APIRouter, Depends, FastAPI, Form, Request
from fastapi.responses import Response

from hub.core.actors import NoAccess, Refused
from hub.core.db import write_transaction
from hub.core.localtime import fmt_date, local
from hub.diary import entries, summary
from hub.diary.rules import CHOICES, KIND_NL, TEXT, check_entry
from hub.evacuation.queries import present_now
from hub.parents import queries as parent_queries
from hub.parents.accounts import Account
from hub.parents.routes import MenuEntry, add_menu_entry, add_my_data, parent_page, require_parent
from hub.web.nav import NavEntry
from hub.web.web import AtLocation, at_location, db, now, render, see_other

router = APIRouter()


def install(app: FastAPI) -> None:
    """Mount the routes, the location's "Dagboek" tab and the parents' "Dagboek" menu entry."""
    app.state.portal.nav.append(NavEntry("dagboek", "Dagboek", "/locaties/{location}/dagboek"))
    add_menu_entry(MenuEntry("dagboek", "Dagboek", "/ouders/dagboek"))
    add_my_data("dagboek", "Dagboek", _my_diary)
    summary.register()  # the day's entries in the parents' daily summary (hub.notify)
    app.include_router(router)


def _my_diary(conn: sqlite_utils.Database, account: Account) -> list[dict]:
    """Every diary entry of the parent's children, for "Mijn gegevens"."""
    return [
        {"kind": child.name, "dag": fmt_date(day), "uur": line.at, "soort": line.label, "inhoud": line.line}
        for child, places in (
            (c, [p.id for p in c.places]) for c in parent_queries.children_of(conn, account)
        )
        for day in entries.days_with_entries(conn, child.id, places, limit=10_000)
        for line in entries.day_of(conn, child.id, places, day)
    ]


def _now_hhmm() -> str:
    return f"{local(now()):%H:%M}"


# --- the tablet ---------------------------------------------------------------------------------


@router.get("/locaties/{location_id}/dagboek")
def tablet(request: Request, here: AtLocation = Depends(at_location)) -> Response:
    moment = now()
    day = local(moment).date()
    present = present_now(here.conn, here.location.id, moment)
    lines = {p.child.id: entries.day_of(here.conn, p.child.id, [here.location.id], day) for p in present}
    return render(
        request,
        "diary/tablet.html",
        {
            "active": "dagboek",
            "present": present,
            "lines": lines,
            "day": fmt_date(day),
            "now": _now_hhmm(),
            "CHOICES": CHOICES,
            "KIND_NL": KIND_NL,
            "TEXT": TEXT,
        },
        location=here.location,
    )


def _back(here: AtLocation, child_id: int) -> str:
    return f"/locaties/{here.location.id}/dagboek#kind-{child_id}"


@router.post("/locaties/{location_id}/dagboek/kinderen/{child_id}")
def add_entry(
    request: Request,
    child_id: int,
    soort: str = Form(""),
    uur: str = Form(""),
    tot: str = Form(""),
    keuze: str = Form(""),
    tekst: str = Form(""),
    here: AtLocation = Depends(at_location),
) -> Response:
    if not entries.is_child_of(here.conn, here.location.id, child_id):
        raise NoAccess(child_id)
    moment = now()
    try:
        entry = check_entry(soort[:20], uur[:10] or _now_hhmm(), tot[:10], keuze[:20], tekst[: TEXT * 2])
    except Refused as refused:
        return see_other(_back(here, child_id), request, refused.reason, True)
    with write_transaction(here.conn):
        entries.add(
            here.conn, here.location.id, child_id, local(moment).date(), entry, here.actor.name, moment
        )
    return see_other(_back(here, child_id), request, f"{KIND_NL[entry.kind]} bewaard.")


@router.post("/locaties/{location_id}/dagboek/regels/{entry_id}/wakker")
def wake(
    request: Request, entry_id: int, tot: str = Form(""), here: AtLocation = Depends(at_location)
) -> Response:
    line = entries.line_at(here.conn, here.location.id, entry_id)
    try:
        with write_transaction(here.conn):
            entries.wake(here.conn, line, tot[:10] or _now_hhmm())
    except Refused as refused:
        return see_other(_back(here, line.child_id), request, refused.reason, True)
    return see_other(_back(here, line.child_id), request, "Wakker: einduur bewaard.")


@router.post("/locaties/{location_id}/dagboek/regels/{entry_id}/verwijderen")
def remove(request: Request, entry_id: int, here: AtLocation = Depends(at_location)) -> Response:
    line = entries.line_at(here.conn, here.location.id, entry_id)
    with write_transaction(here.conn):
        entries.remove(here.conn, line)
    return see_other(_back(here, line.child_id), request, f"{line.label} verwijderd.")


# --- the parent ---------------------------------------------------------------------------------


@router.get("/ouders/dagboek")
def parent_today(
    request: Request, account: Account = Depends(require_parent), conn: sqlite_utils.Database = Depends(db)
) -> Response:
    day = local(now()).date()
    children = parent_queries.children_of(conn, account)
    days = [(c, entries.day_of(conn, c.id, [p.id for p in c.places], day)) for c in children]
    return parent_page(request, "diary/parent_today.html", {"days": days, "day": fmt_date(day)})


@router.get("/ouders/dagboek/{child_id}")
def parent_day(
    request: Request,
    child_id: int,
    dag: str = "",
    account: Account = Depends(require_parent),
    conn: sqlite_utils.Database = Depends(db),
) -> Response:
    child = parent_queries.child_of(conn, account, child_id)
    places = [p.id for p in child.places]
    try:
        day = date.fromisoformat(dag) if dag else local(now()).date()
    except ValueError:
        raise NoAccess(dag) from None
    return parent_page(
        request,
        "diary/parent_day.html",
        {
            "child": child,
            "day": fmt_date(day),
            "lines": entries.day_of(conn, child.id, places, day),
            "days": entries.days_with_entries(conn, child.id, places),
            "fmt_date": fmt_date,
        },
    )
