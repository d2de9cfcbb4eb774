"""The children of a location: the list, "Kind toevoegen" (search first, then link or register),
a child's page with its data, contacts and cards.

After every change that touches who has which card at a location, the location's units get a
fresh config (roster), and contacts with an e-mail address get a confirmation.
"""

from __future__ import annotations

import logging
import time
from datetime import UTC, date, datetime
from urllib.parse import urlencode

import sqlite_utils
from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import Response

from hub.accounts.actors import NoAccess, Refused
from hub.children import link_tokens, service
from hub.children.queries import (
    MAX_CONTACTS,
    Child,
    Stay,
    active_cards,
    cards_of,
    collector_cards_of,
    contacts_of,
    set_stay,
    stay_of,
)
from hub.children.service import (
    SEX_NL,
    ContactInput,
    NewChild,
    age_text,
    confirmation_mails,
    parse_birth_date,
    validate_school_start,
)
from hub.core import bounds
from hub.core.db import write_transaction
from hub.core.localtime import fmt_date, today
from hub.locations.queries import Location
from hub.mail import Mail, MailError
from hub.parents.accounts import account_link
from hub.units.registry import fleet
from hub.web.web import AtLocation, at_location, portal, render, see_other

log = logging.getLogger(__name__)
router = APIRouter()


def _account_link(request: Request, conn: sqlite_utils.Database):
    """The parents' "Maak je account aan" link for a contact's address (issue 18)."""

    def link(email: str) -> str:
        with write_transaction(conn):
            return account_link(conn, portal(request).base_url, email, datetime.now(UTC))

    return link


def send_all(request: Request, mails: list[Mail]) -> str:
    """Queue mails (the hub's mail thread sends them); returns a sentence for the screen."""
    failed = 0
    for mail in mails:
        try:
            portal(request).mailer.send(mail)
        except MailError:
            log.exception("could not send a mail")
            failed += 1
    if not mails:
        return ""
    if failed:
        return f" {failed} bevestigingsmail(s) konden niet verstuurd worden."
    return (
        " De contactpersonen krijgen een bevestiging per mail."
        if len(mails) > 1
        else " De contactpersoon krijgt een bevestiging per mail."
    )


@router.get("/locaties/{location_id}/kinderen")
def children_list(
    request: Request,
    here: AtLocation = Depends(at_location),
) -> Response:
    actor, conn, location = here
    children = service.children_of(conn, actor, location.id)
    context = {
        "active": "kinderen",
        "children": children,
        "cards": active_cards(conn, location.id),
        "age": lambda child: age_text(child.birth_date, today()),
        "sex": SEX_NL,
    }
    return render(request, "children/list.html", context, location=location)


@router.get("/locaties/{location_id}/kinderen/toevoegen")
def add_child_search(
    request: Request,
    voornaam: str = "",
    achternaam: str = "",
    geboortedatum: str = "",
    here: AtLocation = Depends(at_location),
) -> Response:
    actor, conn, location = here
    search_error = bounds.too_long(voornaam, bounds.SEARCH, "De voornaam") or bounds.too_long(
        achternaam, bounds.SEARCH, "De achternaam"
    )
    if search_error:  # a term that long names no child: search nothing, show nothing of it back
        voornaam = achternaam = ""
    searched = bool(voornaam.strip() and achternaam.strip())
    born = parse_birth_date(geboortedatum) if geboortedatum.strip() else None
    results = service.search_known(conn, actor, location.id, voornaam, achternaam, born) if searched else []
    sign, moment, who = portal(request).sign, time.time(), _who(actor)
    tickets = {r.child.id: link_tokens.issue(sign, who, location.id, r.child.id, moment) for r in results}
    context = {
        "tickets": tickets,
        "active": "kinderen",
        "first_name": voornaam,
        "last_name": achternaam,
        "search_error": search_error,
        "birth_date": geboortedatum,
        "searched": searched,
        "results": results,
        "new_href": f"/locaties/{location.id}/kinderen/nieuw?"
        + urlencode({"voornaam": voornaam, "achternaam": achternaam}),
    }
    return render(request, "children/search.html", context, location=location)


def _who(actor) -> str:
    return f"{actor.role.value}:{actor.id}"


@router.post("/locaties/{location_id}/kinderen/koppelen")
def link_known_child(
    request: Request,
    ticket: str = Form(""),
    voornaam: str = Form(""),
    achternaam: str = Form(""),
    geboortedatum: str = Form(""),
    here: AtLocation = Depends(at_location),
) -> Response:
    """Link a child the actor's own search just found (its ticket); a bare child id is refused."""
    actor, conn, location = here
    child_id = link_tokens.child_of(portal(request).unsign, ticket, _who(actor), location.id, time.time())
    if child_id is None:
        raise HTTPException(
            403, "Dit kind werd niet gevonden. Zoek het kind via ‘Kind toevoegen’ en kies dan ‘Toevoegen’."
        )
    born = parse_birth_date(geboortedatum) if geboortedatum.strip() else None
    identity = (voornaam, achternaam, born) if born else None
    try:
        child = service.link_known(conn, actor, location.id, child_id, identity)
    except NoAccess:
        return see_other(
            f"/locaties/{location.id}/kinderen/toevoegen", request, "Dit kind werd niet gevonden.", True
        )
    except Refused as refused:
        return see_other(f"/locaties/{location.id}/kinderen/toevoegen", request, refused.reason, True)
    portal(request).units.configs_changed(location.id)  # its card works here too from now on
    contacts = contacts_of(conn, child.id, location.organisator_id)
    links = _account_link(request, conn)
    mailed = send_all(request, confirmation_mails(location, child, contacts, links))
    return see_other(
        f"/locaties/{location.id}/kinderen/{child.id}",
        request,
        f"{child.first_name} is toegevoegd aan {location.name}; "
        f"de QR-kaart die het kind al heeft, werkt ook hier.{mailed}",
    )


def _contacts_from_form(form) -> list[ContactInput]:
    return [
        ContactInput(
            str(form.get(f"contact_{i}_name", "")),
            str(form.get(f"contact_{i}_email", "")),
            str(form.get(f"contact_{i}_relation", "")),
            str(form.get(f"contact_{i}_phone", "")),
        )
        for i in range(MAX_CONTACTS)
    ]


def _form_page(
    request, location: Location, values: dict, errors: dict, editing: Child | None = None
) -> Response:
    context = {
        "active": "kinderen",
        "values": values,
        "errors": errors,
        "max_contacts": MAX_CONTACTS,
        "editing": editing,
    }
    return render(request, "children/form.html", context, location=location)


@router.get("/locaties/{location_id}/kinderen/nieuw")
def new_child_form(
    request: Request,
    voornaam: str = "",
    achternaam: str = "",
    here: AtLocation = Depends(at_location),
) -> Response:
    _actor, _conn, location = here
    return _form_page(
        request, location, {"first_name": voornaam, "last_name": achternaam, "contacts": []}, {}
    )


@router.post("/locaties/{location_id}/kinderen/nieuw")
async def new_child_save(
    request: Request,
    here: AtLocation = Depends(at_location),
) -> Response:
    actor, conn, location = here
    values = _values(await request.form())
    new, school_start, errors = _validated(values, values["contacts"])
    if new is None:
        return _form_page(request, location, values, errors)
    try:
        child_id = service.register(conn, actor, location.id, new)
    except Refused as refused:
        return _form_page(request, location, values, {"form": refused.reason})
    if school_start is not None:
        service.record_school_start(conn, actor, location.id, child_id, school_start)
    child = service.child_at(conn, actor, location.id, child_id)
    contacts = contacts_of(conn, child_id, location.organisator_id)
    links = _account_link(request, conn)
    mailed = send_all(request, confirmation_mails(location, child, contacts, links))
    return see_other(
        f"/locaties/{location.id}/kinderen/{child_id}",
        request,
        f"{child.first_name} is geregistreerd in {location.name}. Koppel nu een QR-kaart.{mailed}",
    )


def _values(form) -> dict:
    return {
        "first_name": str(form.get("first_name", "")),
        "last_name": str(form.get("last_name", "")),
        "birth_date": str(form.get("birth_date", "")),
        "sex": str(form.get("sex", "")),
        "no_subsidy": form.get("no_subsidy") == "1",
        "school_start": str(form.get("school_start", "")),
        "contacts": _contacts_from_form(form),
    }


def _validated(values: dict, contacts: list[ContactInput]) -> tuple[NewChild | None, date | None, dict]:
    """The child and its school start date from the form, or the problems per field."""
    new, errors = service.validate_child(
        values["first_name"],
        values["last_name"],
        values["birth_date"],
        values["sex"],
        values["no_subsidy"],
        contacts,
        today(),
    )
    school_start, problem = validate_school_start(
        values["school_start"], parse_birth_date(values["birth_date"])
    )
    if problem:
        errors["school_start"] = problem
    return (new if not errors else None), school_start, errors


@router.get("/locaties/{location_id}/kinderen/{child_id}")
def child_page(
    request: Request,
    child_id: int,
    here: AtLocation = Depends(at_location),
) -> Response:
    actor, conn, location = here
    child = service.child_at(conn, actor, location.id, child_id)
    return render_child(request, conn, location, child)


def render_child(
    request: Request,
    conn: sqlite_utils.Database,
    location: Location,
    child: Child,
    card_error: str | None = None,
    stay_error: str | None = None,
) -> Response:
    cards = cards_of(conn, child.id)
    context = {
        "active": "kinderen",
        "child": child,
        "born": fmt_date(child.birth_date) if child.birth_date else "onbekend",
        "age": age_text(child.birth_date, today()),
        "sex": SEX_NL.get(child.sex or "", "onbekend"),
        "school_start": fmt_date(child.school_start) if child.school_start else None,
        "contacts": contacts_of(conn, child.id, location.organisator_id),
        "collector_cards": collector_cards_of(conn, child.id),
        "emergency_notes": service.emergency_notes(conn, child.id),
        "no_photos": service.no_photos(conn, child.id),
        "max_contacts": MAX_CONTACTS,
        "cards": cards,
        "active_card": next((c for c in cards if c.state == "active"), None),
        # "scan aan de deur" goes to a unit over MQTT: not to a browser scanner
        "units": [
            u for u in fleet(conn, location.id).get(location.id, []) if u.state == "active" and u.over_mqtt
        ],
        "card_error": card_error,
        "stay": stay_of(conn, child.id, location.id),
        "stay_error": stay_error,
    }
    return render(request, "children/detail.html", context, location=location)


@router.post("/locaties/{location_id}/kinderen/{child_id}/opvang")
def stay_save(
    request: Request,
    child_id: int,
    first_day: str = Form(""),
    last_day: str = Form(""),
    here: AtLocation = Depends(at_location),
) -> Response:
    """The first and last day of childcare here ("Laatste opvangdag"); the units' roster follows."""
    actor, conn, location = here
    child = service.child_at(conn, actor, location.id, child_id)
    try:
        stay = Stay(_optional_day(first_day), _optional_day(last_day))
        set_stay(conn, child.id, location.id, stay)
    except Refused as refused:
        return render_child(request, conn, location, child, stay_error=refused.reason)
    portal(request).units.configs_changed(location.id)
    return see_other(f"/locaties/{location.id}/kinderen/{child.id}", request, "De opvangperiode is bewaard.")


def _optional_day(text: str) -> date | None:
    text = text.strip()
    if not text:
        return None
    day = parse_birth_date(text) or _iso(text)
    if day is None:
        raise Refused(f"‘{text}’ is geen datum; schrijf ze als DD/MM/JJJJ.")
    return day


def _iso(text: str) -> date | None:
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


@router.get("/locaties/{location_id}/kinderen/{child_id}/wijzigen")
def edit_child_form(
    request: Request,
    child_id: int,
    here: AtLocation = Depends(at_location),
) -> Response:
    actor, conn, location = here
    child = service.child_at(conn, actor, location.id, child_id)
    values = {
        "first_name": child.first_name,
        "last_name": child.last_name,
        "birth_date": fmt_date(child.birth_date) if child.birth_date else "",
        "sex": child.sex or "",
        "no_subsidy": child.no_subsidy,
        "school_start": fmt_date(child.school_start) if child.school_start else "",
        "contacts": [],
    }
    return _form_page(request, location, values, {}, editing=child)


@router.post("/locaties/{location_id}/kinderen/{child_id}/wijzigen")
async def edit_child_save(
    request: Request,
    child_id: int,
    here: AtLocation = Depends(at_location),
) -> Response:
    actor, conn, location = here
    child = service.child_at(conn, actor, location.id, child_id)
    values = _values(await request.form())
    new, school_start, errors = _validated(values, [])
    if new is None:
        return _form_page(request, location, values, errors, editing=child)
    service.update_child(conn, actor, location.id, child.id, new)
    service.record_school_start(conn, actor, location.id, child.id, school_start)
    portal(request).units.configs_changed(location.id)  # the name on the scanners' display
    return see_other(f"/locaties/{location.id}/kinderen/{child.id}", request, "De gegevens zijn bewaard.")


@router.post("/locaties/{location_id}/kinderen/{child_id}/contacten")
def add_contact(
    request: Request,
    child_id: int,
    name: str = Form(""),
    email: str = Form(""),
    relation: str = Form(""),
    phone: str = Form(""),
    here: AtLocation = Depends(at_location),
) -> Response:
    actor, conn, location = here
    child = service.child_at(conn, actor, location.id, child_id)
    back = f"/locaties/{location.id}/kinderen/{child.id}"
    try:
        contact = service.add_contact_for(
            conn, actor, location.id, child.id, ContactInput(name, email, relation, phone)
        )
    except Refused as refused:
        return see_other(back, request, refused.reason, error=True)
    mailed = send_all(request, confirmation_mails(location, child, [contact], _account_link(request, conn)))
    return see_other(back, request, f"{contact.name} is toegevoegd als contactpersoon.{mailed}")


@router.post("/locaties/{location_id}/kinderen/{child_id}/noodinfo")
def save_emergency_notes(
    request: Request,
    child_id: int,
    notes: str = Form(""),
    here: AtLocation = Depends(at_location),
) -> Response:
    actor, conn, location = here
    back = f"/locaties/{location.id}/kinderen/{child_id}"
    try:
        service.set_emergency_notes(conn, actor, location.id, child_id, notes)
    except Refused as refused:
        return see_other(back, request, refused.reason, error=True)
    return see_other(back, request, "De informatie bij nood is bewaard.")


@router.post("/locaties/{location_id}/kinderen/{child_id}/contacten/{contact_id}/ophalen")
def set_may_collect(
    request: Request,
    child_id: int,
    contact_id: int,
    mag: str = Form("ja"),
    notitie: str = Form(""),
    here: AtLocation = Depends(at_location),
) -> Response:
    """ "Mag ophalen" or "mag niet ophalen" with a note for staff."""
    actor, conn, location = here
    back = f"/locaties/{location.id}/kinderen/{child_id}"
    try:
        service.set_may_collect(conn, actor, location.id, child_id, contact_id, mag != "nee", notitie[:1000])
    except Refused as refused:
        return see_other(back, request, refused.reason, error=True)
    portal(request).units.configs_changed(location.id)  # the units know whom a collector card may take
    return see_other(back, request, "Bewaard: wie mag ophalen.")


@router.post("/locaties/{location_id}/kinderen/{child_id}/fotos")
def save_photo_consent(
    request: Request,
    child_id: int,
    geen_fotos: str = Form(""),
    here: AtLocation = Depends(at_location),
) -> Response:
    actor, conn, location = here
    service.set_no_photos(conn, actor, location.id, child_id, geen_fotos == "1")
    message = (
        "Geen foto's: dit kind kan niet meer op een foto aangeduid worden."
        if geen_fotos == "1"
        else "Dit kind mag weer op foto's aangeduid worden."
    )
    return see_other(f"/locaties/{location.id}/kinderen/{child_id}#fotos", request, message)


@router.post("/locaties/{location_id}/kinderen/{child_id}/contacten/{contact_id}/verwijderen")
def remove_contact(
    request: Request,
    child_id: int,
    contact_id: int,
    here: AtLocation = Depends(at_location),
) -> Response:
    actor, conn, location = here
    child = service.child_at(conn, actor, location.id, child_id)
    service.remove_contact(conn, actor, location.id, child.id, contact_id)
    return see_other(
        f"/locaties/{location.id}/kinderen/{child.id}", request, "De contactpersoon is verwijderd."
    )
