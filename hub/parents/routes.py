"""The parents' pages at /ouders (mobile first), and the location's list of parent requests.

Parents log in with their own account (:mod:`hub.parents.accounts`); a parent session lives in
its own table, so it never opens a staff page and a staff session never opens a parent page.
CSRF is the app's, as for every POST. Another family's child, location or request is 404.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from urllib.parse import urlsplit

import sqlite_utils
from fastapi import APIRouter, Depends, FastAPI, File, Form, Request, UploadFile
from fastapi.responses import FileResponse, JSONResponse, RedirectResponse, Response, StreamingResponse

from hub.accounts.passwords import password_problem
from hub.accounts.sessions import new_token
from hub.attendance.windows import shift_month
from hub.billing.absences import reported_in_time
from hub.billing.policy import REASON_NL
from hub.billing.service import counter_of, fiscal_attest, invoices_of_children, pdf_for_children
from hub.careplan.service import capacity as careplan_capacity
from hub.careplan.service import plan_of
from hub.core.actors import NoAccess, Refused
from hub.core.db import connect, write_transaction
from hub.core.localtime import fmt_date, fmt_month, local
from hub.locations.queries import location_settings
from hub.locations.schedule import parse_day
from hub.mail import Mail, MailError
from hub.mail.texts import SIGNATURE
from hub.parents import accounts, queries, service
from hub.parents.accounts import Account
from hub.parents.queries import ParentChild
from hub.parents.rules import STATUS_NL, Status
from hub.web.nav import NavEntry
from hub.web.web import (
    AtLocation,
    at_location,
    client_address,
    db,
    now,
    portal,
    render,
    see_other,
    start_new_cookie,
)

log = logging.getLogger(__name__)
router = APIRouter()
STATIC = Path(__file__).resolve().parent / "static"
STREAM_POLL_SECONDS = 1.0  # how often the live stream looks at the database
STREAM_LIFETIME_SECONDS = 300  # then the stream ends; the browser's EventSource reconnects
INVALID_LINK = "Deze link werkt niet (meer). Vraag hieronder een nieuwe aanmeldlink."


class ParentLoginRequired(Exception):
    """No live parent session: the page redirects to the parents' login."""


@dataclass(frozen=True)
class MenuEntry:
    """A tab of the parents' menu that another feature adds (Berichten, Dagboek, ...).

    ``count``, when given, is the number beside the tab for this parent (unread messages).
    """

    key: str
    label: str
    href: str
    count: Callable[[sqlite_utils.Database, Account], int] | None = None


MENU: list[MenuEntry] = []  # filled by the features' install(); parents imports none of them


# What other features hold about a parent and their children, for "Mijn gegevens" (the right of
# access): key -> (Dutch heading, function of (conn, account) giving a list of plain dicts).
MY_DATA: dict[str, tuple[str, Callable[[sqlite_utils.Database, Account], list[dict]]]] = {}


def add_my_data(
    key: str, heading: str, gather: Callable[[sqlite_utils.Database, Account], list[dict]]
) -> None:
    """Let a feature add its part to the parent's "Mijn gegevens" page and download."""
    MY_DATA[key] = (heading, gather)


def add_menu_entry(entry: MenuEntry) -> None:
    """Add a tab to the parents' menu once (an app built twice in one process adds it once)."""
    if all(existing.key != entry.key for existing in MENU):
        MENU.append(entry)


def install(app: FastAPI) -> None:
    """Mount the parents' pages, their login redirect, and the location's "Ouders" tab with a count."""
    state = app.state.portal
    state.nav.append(NavEntry("ouderverzoeken", "Verzoeken ouders", "/locaties/{location}/ouderverzoeken"))
    state.nav_counts["ouderverzoeken"] = service.open_count
    state.cell_notes.append(service.open_request_notes)  # a mark on the grid's cell of an open request
    app.include_router(router)

    @app.exception_handler(ParentLoginRequired)
    async def parent_login(request: Request, _exc: ParentLoginRequired) -> Response:
        return RedirectResponse("/ouders/aanmelden", status_code=303)


def require_parent(request: Request, conn: sqlite_utils.Database = Depends(db)) -> Account:
    """Dependency: the parent of this request's session, who must still be someone's contact."""
    state = portal(request)
    account = accounts.session_account(conn, request.state.cookie_token, now(), state.session_idle)
    if account is None or not accounts.is_contact(conn, account.email):
        raise ParentLoginRequired()
    request.state.parent = account
    return account


def _page(request: Request, template: str, context: dict | None = None, status_code: int = 200) -> Response:
    return parent_page(request, f"parents/{template}", context, status_code)


def parent_page(
    request: Request, template: str, context: dict | None = None, status_code: int = 200
) -> Response:
    """A page in the parents' layout, with the menu (and its counts) for the logged-in parent."""
    parent = getattr(request.state, "parent", None)
    menu, counts = [], {}
    if parent is not None:
        menu = MENU
        if any(entry.count for entry in MENU):
            conn = connect(portal(request).database)
            try:
                counts = {entry.key: entry.count(conn, parent) for entry in MENU if entry.count}
            finally:
                conn.close()
    return render(
        request,
        template,
        {"parent": parent, "menu": menu, "menu_counts": counts, **(context or {})},
        status_code,
    )


def _send(request: Request, mail: Mail) -> bool:
    try:
        portal(request).mailer.send(mail)
        return True
    except MailError as error:
        log.warning("mail to a parent not sent: %s", error)
        return False


@router.get("/ouders/static/{name}")
def static(name: str) -> Response:
    if name not in ("ouders.css", "ouders.js"):
        raise NoAccess(name)
    return FileResponse(STATIC / name, headers={"Cache-Control": "no-cache"})


# --- account and login ---------------------------------------------------------------------------


@router.get("/ouders/aanmelden")
def login_form(request: Request, email: str = "") -> Response:
    return _page(request, "login.html", {"email": email})


@router.post("/ouders/aanmelden")
def login(
    request: Request,
    email: str = Form(""),
    password: str = Form(""),
    conn: sqlite_utils.Database = Depends(db),
) -> Response:
    account, problem = accounts.check_password(
        conn, email[:320], password[:200], client_address(request), now()
    )
    if account is None:
        return _page(request, "login.html", {"email": email, "error": problem})
    return _logged_in(request, conn, account)


@router.post("/ouders/aanmeldlink")
def login_link(
    request: Request, email: str = Form(""), conn: sqlite_utils.Database = Depends(db)
) -> Response:
    """Mail a login link to a known parent; the answer is the same for any address."""
    email = email.strip()[:320]
    if "@" not in email:
        return _page(request, "login.html", {"email": email, "error": "Geef je e-mailadres."})
    account = accounts.account_by_email(conn, email)
    if (
        accounts.is_contact(conn, email)
        and accounts.links_in_last_hour(conn, email, now()) < accounts.LINKS_PER_HOUR
    ):
        # a contact without an account yet (a lost confirmation mail, a new address) gets the
        # account link instead: following it proves the address, as the confirmation mail does
        purpose = "login" if account is not None else "account"
        with write_transaction(conn):
            token = accounts.issue_token(conn, email, purpose, now())
        base = portal(request).base_url.rstrip("/")
        _send(
            request,
            _login_mail(email, f"{base}/ouders/link/{token}")
            if account
            else _account_mail(email, f"{base}/ouders/account/{token}"),
        )
    return _page(request, "login.html", {"email": email, "sent": True})


def _login_mail(to: str, link: str) -> Mail:
    return Mail(
        to,
        "Aanmelden bij Aanwezig",
        "Beste ouder,\n\nKlik op de link hieronder om je aan te melden bij Aanwezig:\n\n"
        f"{link}\n\nDe link werkt één keer en blijft 30 minuten geldig. "
        "Heb je niets gevraagd, dan mag je deze mail negeren." + SIGNATURE,
    )


def _account_mail(to: str, link: str) -> Mail:
    return Mail(
        to,
        "Maak je account aan bij Aanwezig",
        "Beste ouder,\n\nJe staat als contactpersoon bij een kind in de opvang, maar je hebt nog geen "
        "account. Maak je account aan met de link hieronder:\n\n"
        f"{link}\n\nDe link blijft 7 dagen geldig. Heb je niets gevraagd, dan mag je deze mail negeren."
        + SIGNATURE,
    )


@router.get("/ouders/link/{token}")
def link_form(request: Request, token: str, conn: sqlite_utils.Database = Depends(db)) -> Response:
    # a button, not a login on GET: mail scanners open links too
    usable = accounts.token_email(conn, token, "login", now()) is not None
    return _page(
        request, "link.html", {"token": token, "usable": usable, "error": None if usable else INVALID_LINK}
    )


@router.post("/ouders/link/{token}")
def link_login(request: Request, token: str, conn: sqlite_utils.Database = Depends(db)) -> Response:
    email = accounts.token_email(conn, token, "login", now())
    account = accounts.account_by_email(conn, email) if email else None
    with write_transaction(conn):
        spent = account is not None and accounts.use_token(conn, token, now())
    if not spent or not accounts.is_contact(conn, account.email):
        return _page(request, "link.html", {"token": token, "usable": False, "error": INVALID_LINK})
    return _logged_in(request, conn, account)


@router.get("/ouders/account/{token}")
def account_form(request: Request, token: str, conn: sqlite_utils.Database = Depends(db)) -> Response:
    email = accounts.token_email(conn, token, "account", now())
    return _page(
        request, "account.html", {"token": token, "email": email, "error": None if email else INVALID_LINK}
    )


@router.post("/ouders/account/{token}")
def make_account(
    request: Request,
    token: str,
    mode: str = Form("password"),
    password: str = Form(""),
    repeated: str = Form(""),
    conn: sqlite_utils.Database = Depends(db),
) -> Response:
    email = accounts.token_email(conn, token, "account", now())
    if email is None or not accounts.is_contact(conn, email):
        return _page(request, "account.html", {"token": token, "email": None, "error": INVALID_LINK})
    if mode == "password":
        problem = password_problem(password, repeated)
        if problem:
            return _page(request, "account.html", {"token": token, "email": email, "error": problem})
    with write_transaction(conn):
        if not accounts.use_token(conn, token, now()):
            return _page(request, "account.html", {"token": token, "email": None, "error": INVALID_LINK})
        account = accounts.make_account(conn, email, password if mode == "password" else None, now())
    return _logged_in(request, conn, account)


def _logged_in(request: Request, conn: sqlite_utils.Database, account: Account) -> Response:
    state = portal(request)
    with write_transaction(conn):
        accounts.end_session(conn, request.state.cookie_token)
        token = new_token()  # a new cookie token at login: no session fixation
        accounts.start_session(
            conn, account.id, token, client_address(request), now(), state.session_lifetime
        )
    start_new_cookie(request, token)
    return see_other("/ouders")


@router.post("/ouders/afmelden")
def logout(request: Request, conn: sqlite_utils.Database = Depends(db)) -> Response:
    with write_transaction(conn):
        accounts.end_session(conn, request.state.cookie_token)
    start_new_cookie(request, new_token())
    return see_other("/ouders/aanmelden", request, "Je bent afgemeld.")


# --- what a parent sees ----------------------------------------------------------------------------


def _today_json(conn: sqlite_utils.Database, children: list[ParentChild], moment: datetime) -> list[dict]:
    return [
        {"child": t.child.id, "state": t.state.key, "text": t.state.text, "unit": t.unit}
        for t in queries.today_of(conn, children, moment)
    ]


@router.get("/ouders/facturen")
def invoices_page(
    request: Request, account: Account = Depends(require_parent), conn: sqlite_utils.Database = Depends(db)
) -> Response:
    """The invoices and credit notes of the parent's children (issue 20)."""
    children = [child.id for child in queries.children_of(conn, account)]
    rows = invoices_of_children(conn, children)
    for row in rows:
        row["period"] = fmt_month(row["year"], row["month"])
        row["amount"] = "€ " + row["total"].replace(".", ",")
    last_year = local(now()).year - 1
    attests = [
        {"child": child, "place": place, "year": last_year}
        for child in queries.children_of(conn, account)
        for place in child.places
        if any(r["child_id"] == child.id and r["year"] in (last_year, last_year - 1) for r in rows)
    ]
    counters = [
        {"child": child, "place": place, "counter": found}
        for child in queries.children_of(conn, account)
        for place in child.places
        if (found := counter_of(conn, place.id, child.id, now())) is not None
    ]
    context = {"active": "facturen", "invoices": rows, "attests": attests, "counters": counters}
    return _page(request, "invoices.html", context)


@router.get("/ouders/fiscaal/{child_id}.pdf")
def fiscal_pdf(
    child_id: int,
    jaar: int = 0,
    locatie: str = "",
    account: Account = Depends(require_parent),
    conn: sqlite_utils.Database = Depends(db),
) -> Response:
    """The fiscal attest of the parent's child at one of its locations (another family's: 404)."""
    child = queries.child_of(conn, account, child_id)
    place = queries.place_of(child, locatie)
    if not 2000 <= jaar <= 2100:
        raise NoAccess(jaar)
    _figures, pdf = fiscal_attest(conn, place.id, child.id, jaar, now())
    return Response(
        pdf,
        media_type="application/pdf",
        headers={"Content-Disposition": f'inline; filename="fiscaal-attest-{jaar}.pdf"'},
    )


@router.get("/ouders/facturen/{invoice_id}.pdf")
def invoice_pdf(
    invoice_id: int, account: Account = Depends(require_parent), conn: sqlite_utils.Database = Depends(db)
) -> Response:
    children = [child.id for child in queries.children_of(conn, account)]
    number, kind, pdf = pdf_for_children(conn, children, invoice_id)  # another family's: 404
    return Response(
        pdf,
        media_type="application/pdf",
        headers={"Content-Disposition": f'inline; filename="{kind}-{number}.pdf"'},
    )


@router.get("/ouders")
def today_page(
    request: Request, account: Account = Depends(require_parent), conn: sqlite_utils.Database = Depends(db)
) -> Response:
    moment = now()
    children = queries.children_of(conn, account)
    return _page(
        request,
        "today.html",
        {
            "today": queries.today_of(conn, children, moment),
            "day": local(moment).date(),
            "fmt_date": fmt_date,
        },
    )


@router.get("/ouders/vandaag/stroom")
async def today_stream(request: Request, account: Account = Depends(require_parent)) -> Response:
    """Server-Sent Events: today's states, sent again whenever a registration of the children changes.

    The stream reads a cheap change marker about once a second, re-reads the parent's access each
    time (a removed contact's stream ends) and ends after a bounded lifetime; EventSource reconnects.
    """
    state = portal(request)
    cookie_token = request.state.cookie_token

    async def events():
        conn = connect(state.database)
        try:
            yield "retry: 1000\n\n"
            last = None
            polls = int(STREAM_LIFETIME_SECONDS / STREAM_POLL_SECONDS)
            for n in range(polls):
                moment = now()
                current = accounts.session_account(
                    conn, cookie_token, moment, state.session_idle, touch=False
                )
                if (
                    current is None
                    or current.id != account.id
                    or not accounts.is_contact(conn, current.email)
                ):
                    yield "event: einde\ndata: {}\n\n"
                    return
                children = queries.children_of(conn, current)
                marker = queries.change_marker(conn, children, moment)
                if marker != last:
                    last = marker
                    yield f"event: vandaag\ndata: {json.dumps(_today_json(conn, children, moment))}\n\n"
                elif n % 15 == 0:
                    yield ": wacht\n\n"  # keeps proxies from closing an idle stream
                if await request.is_disconnected():
                    return
                await asyncio.sleep(STREAM_POLL_SECONDS)
        finally:
            conn.close()

    return StreamingResponse(
        events(),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"},
    )


def _month_param(text: str, moment: datetime) -> tuple[int, int]:
    try:
        year, month = (int(part) for part in text.split("-"))
        if 2000 <= year <= 2100 and 1 <= month <= 12:
            return year, month
    except ValueError:
        pass
    today = local(moment).date()
    return today.year, today.month


@router.get("/ouders/kinderen/{child_id}")
def month_page(
    request: Request,
    child_id: int,
    locatie: str = "",
    maand: str = "",
    account: Account = Depends(require_parent),
    conn: sqlite_utils.Database = Depends(db),
) -> Response:
    child = queries.child_of(conn, account, child_id)
    if not child.places:
        raise NoAccess(child_id)
    place = queries.place_of(child, locatie) if locatie else child.places[0]
    moment = now()
    year, month = _month_param(maand, moment)
    cells = queries.month_cells(conn, child, place, year, month, moment)
    lead = [None] * date(year, month, 1).weekday()  # Monday first
    previous, following = shift_month(year, month, -1), shift_month(year, month, 1)
    stored = plan_of(conn, child.id, place.id)
    planned = {}  # the care plan's days of the month (approved extra and swap days included)
    if stored is not None:
        for cell in cells:
            if (day_plan := stored.plan.planned(cell.day)) is not None:
                planned[cell.day] = f"{day_plan.start:%H:%M}–{day_plan.end:%H:%M}"
    return _page(
        request,
        "month.html",
        {
            "child": child,
            "place": place,
            "planned": planned,
            "cells": lead + cells,
            "title": fmt_month(year, month),
            "previous": f"{previous[0]}-{previous[1]:02d}",
            "following": f"{following[0]}-{following[1]:02d}",
            "open_days": {
                r.day
                for r in service.requests_of_children(conn, [child])
                if r.status is Status.SUBMITTED and r.location_id == place.id
            },
        },
    )


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise NoAccess(text) from None


@router.get("/ouders/kinderen/{child_id}/dag/{day}")
def day_page(
    request: Request,
    child_id: int,
    day: str,
    locatie: str = "",
    account: Account = Depends(require_parent),
    conn: sqlite_utils.Database = Depends(db),
) -> Response:
    return _day_view(request, account, conn, child_id, day, locatie)


def _day_view(
    request: Request,
    account: Account,
    conn: sqlite_utils.Database,
    child_id: int,
    day: str,
    locatie: str,
    values: dict | None = None,
    error: str | None = None,
) -> Response:
    child = queries.child_of(conn, account, child_id)
    if not child.places:
        raise NoAccess(child_id)
    place = queries.place_of(child, locatie) if locatie else child.places[0]
    the_day = _day(day)
    moment = now()
    cell = queries.day_cell(conn, child, place, the_day, moment)
    requests = [
        r
        for r in service.requests_of_children(conn, [child])
        if r.day == the_day and r.location_id == place.id
    ]
    return _page(
        request,
        "day.html",
        {
            "child": child,
            "place": place,
            "day": the_day,
            "cell": cell,
            "registrations": queries.registrations_on(conn, child, place, the_day),
            "requests": requests,
            "values": values or {},
            "error": error,
            "can_ask": the_day <= local(moment).date(),
            "absence_reasons": [(r.value, REASON_NL[r]) for r in service.PARENT_REASONS],
            "future": the_day > local(moment).date(),
            "planned": planned_on(conn, child.id, place.id, the_day),
            "in_time": reported_in_time(moment, the_day),
        },
    )


@router.post("/ouders/kinderen/{child_id}/dag/{day}/verzoek")
def ask(
    request: Request,
    child_id: int,
    day: str,
    locatie: str = Form(""),
    aankomst: str = Form(""),
    vertrek: str = Form(""),
    opmerking: str = Form(""),
    account: Account = Depends(require_parent),
    conn: sqlite_utils.Database = Depends(db),
) -> Response:
    child = queries.child_of(conn, account, child_id)
    place = queries.place_of(child, locatie)
    the_day = _day(day)
    try:
        service.submit(
            conn, account, child, place, the_day, aankomst[:20], vertrek[:20], opmerking[:2000], now()
        )
    except Refused as refused:
        values = {"aankomst": aankomst[:20], "vertrek": vertrek[:20], "opmerking": opmerking[:2000]}
        return _day_view(request, account, conn, child_id, day, place.id, values, refused.reason)
    return see_other(
        f"/ouders/kinderen/{child.id}/dag/{the_day.isoformat()}?locatie={place.id}",
        request,
        f"Je verzoek is verstuurd naar {place.name}. Je krijgt een mail als het behandeld is.",
    )


@router.post("/ouders/kinderen/{child_id}/dag/{day}/afwezig")
async def report_absence(
    request: Request,
    child_id: int,
    day: str,
    locatie: str = Form(""),
    reden: str = Form(""),
    opmerking: str = Form(""),
    attest: UploadFile | None = File(None),
    account: Account = Depends(require_parent),
    conn: sqlite_utils.Database = Depends(db),
) -> Response:
    """A parent reports an absence (issue 20): reason, comment, and a doctor's note when ill."""
    child = queries.child_of(conn, account, child_id)
    place = queries.place_of(child, locatie)
    the_day = _day(day)
    note = None
    if attest is not None and attest.filename:
        note = await attest.read(service.MAX_NOTE_BYTES + 1)
    try:
        service.submit_absence(
            conn, account, child, place, the_day, reden[:40], opmerking[:2000], note, now()
        )
    except Refused as refused:
        return _day_view(
            request, account, conn, child_id, day, place.id, {"opmerking": opmerking[:2000]}, refused.reason
        )
    return see_other(
        f"/ouders/kinderen/{child.id}/dag/{the_day.isoformat()}?locatie={place.id}",
        request,
        f"Je afwezigheidsmelding is verstuurd naar {place.name}.",
    )


def planned_on(conn: sqlite_utils.Database, child_id: int, location_id: str, day: date):
    """The care planned for the child that day, or None (no plan, or not planned)."""
    stored = plan_of(conn, child_id, location_id)
    return stored.plan.planned(day) if stored else None


def _parse_day(text: str) -> date | None:
    try:
        return parse_day(text) if text.strip() else None
    except ValueError:
        raise Refused(f"‘{text[:20]}’ is geen datum; schrijf ze als DD/MM/JJJJ.") from None


@router.post("/ouders/kinderen/{child_id}/dag/{day}/extra")
def ask_extra_day(
    request: Request,
    child_id: int,
    day: str,
    locatie: str = Form(""),
    van: str = Form(""),
    tot: str = Form(""),
    vervalt: str = Form(""),
    meer: str = Form(""),
    geheel: str = Form(""),
    opmerking: str = Form(""),
    account: Account = Depends(require_parent),
    conn: sqlite_utils.Database = Depends(db),
) -> Response:
    """ "Dag aanvragen": an extra day of care, or several with the same hours ("meer": more days,
    DD/MM/JJJJ separated by commas or spaces), judged one by one or as a whole (issue 20)."""
    child = queries.child_of(conn, account, child_id)
    place = queries.place_of(child, locatie)
    the_day = _day(day)
    try:
        expires = _parse_day(vervalt[:20])
        more = [_parse_day(text) for text in meer[:400].replace(",", " ").split()]
        days = [the_day, *(d for d in more if d is not None)]
        service.submit_extra_days(
            conn,
            account,
            child,
            place,
            days,
            van[:20],
            tot[:20],
            opmerking[:2000],
            expires,
            geheel == "ja",
            now(),
        )
    except Refused as refused:
        return _day_view(
            request,
            account,
            conn,
            child_id,
            day,
            place.id,
            {"van": van[:20], "tot": tot[:20], "meer": meer[:400]},
            refused.reason,
        )
    return see_other(
        f"/ouders/kinderen/{child.id}/dag/{the_day.isoformat()}?locatie={place.id}",
        request,
        f"Je aanvraag is verstuurd naar {place.name}.",
    )


@router.post("/ouders/kinderen/{child_id}/dag/{day}/ruil")
def ask_swap(
    request: Request,
    child_id: int,
    day: str,
    locatie: str = Form(""),
    naar: str = Form(""),
    opmerking: str = Form(""),
    account: Account = Depends(require_parent),
    conn: sqlite_utils.Database = Depends(db),
) -> Response:
    """ "Ruildag": this planned day for another (issue 20)."""
    child = queries.child_of(conn, account, child_id)
    place = queries.place_of(child, locatie)
    the_day = _day(day)
    try:
        new_day = _parse_day(naar[:20])
        if new_day is None:
            raise Refused("Kies de dag waarvoor je ruilt.")
        service.submit_swap(conn, account, child, place, the_day, new_day, opmerking[:2000], now())
    except Refused as refused:
        return _day_view(request, account, conn, child_id, day, place.id, {"naar": naar[:20]}, refused.reason)
    return see_other(
        f"/ouders/kinderen/{child.id}/dag/{the_day.isoformat()}?locatie={place.id}",
        request,
        f"Je ruildag is verstuurd naar {place.name}.",
    )


@router.post("/ouders/verzoeken/{request_id}/annuleren")
def cancel(
    request: Request,
    request_id: int,
    account: Account = Depends(require_parent),
    conn: sqlite_utils.Database = Depends(db),
) -> Response:
    children = queries.children_of(conn, account)
    try:
        service.cancel(conn, children, request_id, now())
    except Refused as refused:
        return see_other("/ouders/verzoeken", request, refused.reason, True)
    return see_other("/ouders/verzoeken", request, "Je verzoek is geannuleerd.")


@router.get("/ouders/verzoeken")
def requests_page(
    request: Request, account: Account = Depends(require_parent), conn: sqlite_utils.Database = Depends(db)
) -> Response:
    children = queries.children_of(conn, account)
    return _page(request, "requests.html", {"requests": service.requests_of_children(conn, children)})


def my_data(conn: sqlite_utils.Database, account: Account) -> dict:
    """Everything the hub holds about the parent and their children (the right of access)."""
    children = queries.children_of(conn, account)
    row = conn.execute(
        "SELECT created_at, password_hash IS NOT NULL FROM parent_accounts WHERE id = ?", (account.id,)
    ).fetchone()
    contacts = [
        {"kind": f"{first} {last}", "naam": name, "relatie": relation, "e-mail": email, "telefoon": phone}
        for first, last, name, relation, email, phone in conn.execute(
            """
            SELECT c.first_name, c.last_name, ct.name, ct.relation, ct.email, ct.phone
            FROM contacts ct JOIN children c ON c.id = ct.child_id WHERE ct.email = ? ORDER BY c.first_name
            """,
            (account.email,),
        )
    ]
    kids = []
    for child in children:
        born, sex = conn.execute("SELECT birth_date, sex FROM children WHERE id = ?", (child.id,)).fetchone()
        kids.append(
            {
                "voornaam": child.first_name,
                "achternaam": child.last_name,
                "geboortedatum": fmt_date(date.fromisoformat(born)) if born else "",
                "geslacht": sex or "",
                "opvanglocaties": [place.name for place in child.places],
                "aantal_registraties": conn.execute(
                    "SELECT count(*) FROM events WHERE child_id = ?", (child.id,)
                ).fetchone()[0],
            }
        )
    requests = [
        {
            "kind": r.child_name,
            "opvang": r.location_name,
            "dag": fmt_date(r.day),
            "aankomst": r.arrival,
            "vertrek": r.departure,
            "opmerking": r.comment,
            "status": r.status.value,
            "reden": r.reason,
        }
        for r in service.requests_of_children(conn, children)
        if r.email.lower() == account.email.lower()
    ]
    # the notification settings and the browsers allowed (tables of hub/notify, read here as data)
    names = {child.id: child.first_name for child in children}
    notifications = [
        {
            "kind": names[child_id],
            "meldingen": mode,
            "samenvatting_om": f"{hour:02d}:00",
            "e-mail": bool(m),
            "push": bool(p),
        }
        for child_id, mode, hour, m, p in conn.execute(
            "SELECT child_id, mode, summary_hour, by_mail, by_push FROM notify_prefs WHERE account_id = ?",
            (account.id,),
        )
        if child_id in names
    ]
    browsers = [
        {"sinds": local(created).strftime("%d/%m/%Y %H:%M"), "pushdienst": urlsplit(endpoint).hostname or ""}
        for endpoint, created in conn.execute(
            "SELECT endpoint, created_at FROM push_subscriptions WHERE account_id = ? ORDER BY id",
            (account.id,),
        )
    ]
    return {
        "meldingen": notifications,
        "toestellen_met_meldingen": browsers,
        "account": {
            "e-mailadres": account.email,
            "aangemaakt": local(row[0]).strftime("%d/%m/%Y %H:%M") if row else "",
            "aanmelden": "met wachtwoord" if row and row[1] else "met een link per mail",
        },
        "contactgegevens": contacts,
        "kinderen": kids,
        "verzoeken": requests,
        **{key: gather(conn, account) for key, (_heading, gather) in MY_DATA.items()},
    }


@router.get("/ouders/gegevens")
def my_data_page(
    request: Request, account: Account = Depends(require_parent), conn: sqlite_utils.Database = Depends(db)
) -> Response:
    data = my_data(conn, account)
    more = [(heading, data[key]) for key, (heading, _gather) in MY_DATA.items()]
    return _page(request, "my_data.html", {"data": data, "more": more})


@router.get("/ouders/gegevens.json")
def my_data_json(
    account: Account = Depends(require_parent), conn: sqlite_utils.Database = Depends(db)
) -> Response:
    return JSONResponse(
        my_data(conn, account),
        headers={"Content-Disposition": 'attachment; filename="mijn-gegevens-aanwezig.json"'},
    )


# --- the location's side ---------------------------------------------------------------------------


@router.get("/locaties/{location_id}/ouderverzoeken")
def location_requests(request: Request, here: AtLocation = Depends(at_location)) -> Response:
    found = service.requests_at(here.conn, here.actor, here.location.id)
    places = location_settings(here.conn, here.location.id).places
    capacity = {}  # the day's planned children against the places, beside each open extra or swap day
    for r in found:
        if r.status is Status.SUBMITTED and r.kind in (service.EXTRA_DAY, service.SWAP_DAY):
            [(_day, planned, _places)] = careplan_capacity(here.conn, here.location.id, r.day, 1, places)
            capacity[r.id] = f"{planned}/{places}" if places is not None else str(planned)
    return render(
        request,
        "parents/location_requests.html",
        {"requests": found, "active": "ouderverzoeken", "STATUS_NL": STATUS_NL, "capacity": capacity},
        location=here.location,
    )


@router.get("/locaties/{location_id}/ouderverzoeken/{request_id}/attest")
def location_note(request_id: int, here: AtLocation = Depends(at_location)) -> Response:
    """The doctor's note a parent uploaded with an absence."""
    content_type, data = service.note_of(here.conn, here.actor, here.location.id, request_id)
    return Response(data, media_type=content_type, headers={"Content-Disposition": "inline"})


@router.post("/locaties/{location_id}/ouderverzoeken/{request_id}/goedkeuren")
def location_accept(request: Request, request_id: int, here: AtLocation = Depends(at_location)) -> Response:
    back = f"/locaties/{here.location.id}/ouderverzoeken"
    try:
        decided, mail = service.accept(here.conn, here.actor, here.location.id, request_id, now())
    except Refused as refused:
        return see_other(back, request, f"Niet goedgekeurd: {refused.reason}", True)
    service.queue_decision_push(here.conn, decided, mail, now())
    mailed = "" if _send(request, mail) else " De mail aan de ouder kon niet verstuurd worden."
    if decided.is_absence:
        done = (
            f"Goedgekeurd: {decided.child_name} is afwezig op {fmt_date(decided.day)} ({decided.reason_nl})."
        )
        return see_other(back, request, done + mailed)
    if decided.as_whole:
        done = (
            f"Goedgekeurd als geheel: het opvangplan van {decided.child_name} is aangepast"
            f" voor alle dagen van aanvraag #{decided.group_id}."
        )
        return see_other(back, request, done + mailed)
    if decided.kind != "correctie":
        done = (
            f"Goedgekeurd: het opvangplan van {decided.child_name} is aangepast voor {fmt_date(decided.day)}."
        )
        return see_other(back, request, done + mailed)
    return see_other(
        back,
        request,
        f"Goedgekeurd: de registratie van {decided.child_name} op {fmt_date(decided.day)} "
        f"is aangepast.{mailed}",
    )


@router.post("/locaties/{location_id}/ouderverzoeken/{request_id}/afwijzen")
def location_refuse(
    request: Request, request_id: int, reden: str = Form(""), here: AtLocation = Depends(at_location)
) -> Response:
    back = f"/locaties/{here.location.id}/ouderverzoeken"
    try:
        decided, mail = service.refuse(
            here.conn, here.actor, here.location.id, request_id, reden[:2000], now()
        )
    except Refused as refused:
        return see_other(back, request, refused.reason, True)
    service.queue_decision_push(here.conn, decided, mail, now())
    mailed = "" if _send(request, mail) else " De mail aan de ouder kon niet verstuurd worden."
    return see_other(back, request, f"Het verzoek over {decided.child_name} is afgewezen.{mailed}")
