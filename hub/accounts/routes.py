"""Logging in and out: organisators with e-mail and password, locations with dossier number and PIN.

The screens follow AARON's guide: two tiles ("ik ben een organisator", "ik ben een
opvanglocatie"); the password is set through a mailed link, typed twice; a location types its
dossier number, sees its name and address, then its PIN.
"""

from __future__ import annotations

from urllib.parse import urlencode

import sqlite_utils
from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import Response

from hub.accounts import service, sessions, throttle, tokens
from hub.accounts.actors import Refused, Role
from hub.accounts.location_login import has_pin, location_by_dossier
from hub.accounts.passwords import MAX_PASSWORD_LENGTH
from hub.accounts.sessions import new_token
from hub.core import bounds
from hub.core.db import write_transaction
from hub.core.localtime import fmt_time
from hub.web import clients
from hub.web.web import (
    client_address,
    current_actor,
    db,
    now,
    pin_client,
    portal,
    remember_device,
    render,
    see_other,
    start_new_cookie,
)

router = APIRouter()


@router.get("/")
def home(request: Request, conn: sqlite_utils.Database = Depends(db)) -> Response:
    actor = current_actor(request, conn)
    if actor is None:
        return see_other("/aanmelden")
    if actor.role is Role.LOCATION:
        return see_other(f"/locaties/{actor.id}")
    return see_other("/locaties")  # an organisator's list; a staff member's only location opens at once


@router.get("/aanmelden")
def login_choice(request: Request) -> Response:
    return render(request, "auth/choice.html")


@router.get("/aanmelden/organisator")
def organisator_form(request: Request, email: str = "") -> Response:
    return render(request, "auth/organisator.html", {"email": email})


@router.post("/aanmelden/organisator")
def organisator_login(
    request: Request,
    email: str = Form(""),
    password: str = Form(""),
    conn: sqlite_utils.Database = Depends(db),
) -> Response:
    problem = bounds.too_long(email, bounds.EMAIL, "Een e-mailadres") or bounds.too_long(
        password, MAX_PASSWORD_LENGTH, "Een wachtwoord"
    )
    if problem:  # refused before any look-up or argon2 work
        return render(request, "auth/organisator.html", {"email": "", "error": problem}, 200)
    try:
        actor = service.login_organisator(conn, email, password, client_address(request), now())
    except Refused as refused:
        return render(request, "auth/organisator.html", {"email": email, "error": refused.reason}, 200)
    return _logged_in(request, conn, actor, "/locaties")


@router.get("/aanmelden/opvanglocatie")
def location_form(request: Request) -> Response:
    return render(request, "auth/location.html", {"dossier": "", "found": None})


def _find_dossier(request: Request, conn: sqlite_utils.Database, dossier: str):
    """The location with this dossier number; unknown numbers are counted per client.

    Raises :class:`Refused` while the client is locked for looking up too many unknown numbers,
    so the login screens cannot be used to list every location.
    """
    key = f"dossier-client:{clients.counted_as(client_address(request))}"
    locked = throttle.locked_until(conn, [key], now())
    if locked:
        raise Refused(
            f"Te veel onbekende dossiernummers opgezocht. Probeer opnieuw na {fmt_time(locked[key])}."
        )
    found = location_by_dossier(conn, dossier)
    if found is None and dossier.strip():
        with write_transaction(conn):
            throttle.record_failure(conn, key, throttle.DOSSIER_LIMIT, now())
    return found


@router.post("/aanmelden/opvanglocatie")
def location_lookup(
    request: Request, dossier: str = Form(""), conn: sqlite_utils.Database = Depends(db)
) -> Response:
    problem = bounds.too_long(dossier.strip(), bounds.CODE, "Een dossiernummer")
    if problem:
        return render(request, "auth/location.html", {"dossier": "", "found": None, "error": problem})
    try:
        found = _find_dossier(request, conn, dossier)
    except Refused as refused:
        context = {"dossier": dossier, "found": None, "error": refused.reason}
        return render(request, "auth/location.html", context)
    error = None if found else f"Er is geen opvanglocatie met dossiernummer ‘{dossier.strip()}’."
    return render(request, "auth/location.html", {"dossier": dossier, "found": found, "error": error})


@router.get("/aanmelden/opvanglocatie/pincode")
def pin_form(request: Request, dossier: str = "", conn: sqlite_utils.Database = Depends(db)) -> Response:
    try:
        found = _find_dossier(request, conn, dossier)
    except Refused:
        found = None
    if found is None:
        return see_other("/aanmelden/opvanglocatie")
    return render(request, "auth/pin.html", {"found": found, "has_pin": has_pin(conn, found.id)})


@router.post("/aanmelden/opvanglocatie/pincode")
def pin_login(
    request: Request,
    dossier: str = Form(""),
    pin: str = Form(""),
    conn: sqlite_utils.Database = Depends(db),
) -> Response:
    if len(dossier) > bounds.CODE:
        return see_other("/aanmelden/opvanglocatie")
    try:
        found = _find_dossier(request, conn, dossier)
    except Refused:
        found = None
    if found is None:
        return see_other("/aanmelden/opvanglocatie")
    if problem := bounds.too_long(pin.strip(), bounds.CODE, "Een pincode"):
        context = {"found": found, "has_pin": has_pin(conn, found.id), "error": problem}
        return render(request, "auth/pin.html", context)
    state = portal(request)

    def mail_organisator(until) -> None:
        service.location_locked_mail(conn, state.mailer, state.base_url, found.id, until)

    try:
        actor = service.login_location(
            conn, found.id, pin, pin_client(request, found.id), now(), on_location_locked=mail_organisator
        )
    except Refused as refused:
        context = {"found": found, "has_pin": has_pin(conn, found.id), "error": refused.reason}
        return render(request, "auth/pin.html", context)
    response = _logged_in(request, conn, actor, f"/locaties/{found.id}")
    remember_device(request, response, found.id)
    return response


def _logged_in(request: Request, conn: sqlite_utils.Database, actor, target: str) -> Response:
    state = portal(request)
    old = request.state.cookie_token
    with write_transaction(conn):
        sessions.end(conn, old)
    token = service.start_session(conn, actor, client_address(request), now(), state.session_lifetime)
    start_new_cookie(request, token)
    return see_other(target)


@router.post("/afmelden")
def logout(request: Request, conn: sqlite_utils.Database = Depends(db)) -> Response:
    with write_transaction(conn):
        sessions.end(conn, request.state.cookie_token)
    start_new_cookie(request, new_token())
    return see_other("/aanmelden", request, "Je bent afgemeld.")


@router.get("/wachtwoord-vergeten")
def forgot_form(request: Request) -> Response:
    return render(request, "auth/forgot.html", {"sent": False})


@router.post("/wachtwoord-vergeten")
def forgot(request: Request, email: str = Form(""), conn: sqlite_utils.Database = Depends(db)) -> Response:
    if "@" not in email:
        return render(request, "auth/forgot.html", {"sent": False, "error": "Geef je e-mailadres."})
    if problem := bounds.too_long(email, bounds.EMAIL, "Een e-mailadres"):
        return render(request, "auth/forgot.html", {"sent": False, "error": problem})
    state = portal(request)
    service.request_reset(conn, state.mailer, state.base_url, email, now())
    return render(request, "auth/forgot.html", {"sent": True, "email": email})


@router.get("/wachtwoord-instellen/{token}")
def set_password_form(request: Request, token: str, conn: sqlite_utils.Database = Depends(db)) -> Response:
    info = tokens.valid(conn, token, now())
    if info is None:
        return render(request, "auth/set_password.html", {"error": service.INVALID_LINK, "usable": False})
    found = service.token_person(conn, info)
    if found is None:
        return render(request, "auth/set_password.html", {"error": service.INVALID_LINK, "usable": False})
    return render(request, "auth/set_password.html", {"usable": True, "organisator": found, "token": token})


@router.post("/wachtwoord-instellen/{token}")
def set_password(
    request: Request,
    token: str,
    password: str = Form(""),
    repeated: str = Form(""),
    conn: sqlite_utils.Database = Depends(db),
) -> Response:
    try:
        found = service.set_password(conn, token, password, repeated, now())
    except Refused as refused:
        info = tokens.valid(conn, token, now())
        organisator = service.token_person(conn, info) if info else None
        context = {
            "usable": organisator is not None,
            "organisator": organisator,
            "token": token,
            "error": refused.reason,
        }
        return render(request, "auth/set_password.html", context)
    return see_other(
        f"/aanmelden/organisator?{urlencode({'email': found.email})}",
        request,
        "Je wachtwoord is ingesteld. Meld je nu aan met je e-mailadres en je wachtwoord.",
    )
