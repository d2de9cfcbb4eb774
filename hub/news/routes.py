""" "Mijn locatie": the location writes news (a newsletter is mailed to every parent through the
outbox), keeps its team and its information pages; parents read them at /ouders/locatie.

Markdown is rendered to sanitised HTML (hub/news/markdown.py). A team member's photo is
re-encoded like every photo (no metadata) and sent only after the access check.
"""

from __future__ import annotations

import contextlib
import logging
import re
import secrets
from pathlib import Path

import sqlite_utils
from fastapi import APIRouter, Depends, FastAPI, File, Form, Request, UploadFile
from fastapi.responses import FileResponse, Response

from hub.core.actors import NoAccess, Refused
from hub.core.db import write_transaction
from hub.core.files import private_dir, write_private
from hub.mail import Mail, MailError
from hub.mail.texts import SIGNATURE
from hub.news import store
from hub.news.markdown import to_html
from hub.parents import queries as parent_queries
from hub.parents.accounts import Account
from hub.parents.queries import Place
from hub.parents.routes import MenuEntry, add_menu_entry, parent_page, require_parent
from hub.photos.images import reencode
from hub.photos.rules import PHOTO_BYTES
from hub.web.nav import NavEntry
from hub.web.web import AtLocation, at_location, db, now, portal, render, see_other

log = logging.getLogger(__name__)
router = APIRouter()
BASE = "/locaties/{location_id}/mijn-locatie"
UPLOAD_PATHS = ((re.compile(r"/locaties/[^/]+/mijn-locatie/team"), PHOTO_BYTES + 256 * 1024),)


def install(app: FastAPI, folder: Path) -> None:
    """Mount the routes, the location's "Mijn locatie" tab and the parents' menu entry.

    ``folder``: where team photos are kept (the hub's data folder).
    """
    app.state.team_files = Path(folder)
    app.state.portal.nav.append(NavEntry("mijn-locatie", "Mijn locatie", "/locaties/{location}/mijn-locatie"))
    add_menu_entry(MenuEntry("locatie", "Mijn locatie", "/ouders/locatie"))
    app.include_router(router)


def _folder(request: Request) -> Path:
    return request.app.state.team_files


def _home(here: AtLocation, anchor: str = "") -> str:
    return f"/locaties/{here.location.id}/mijn-locatie{anchor}"


# --- the location ---------------------------------------------------------------------------------


def _location_page(request: Request, here: AtLocation, error: str | None = None, values: dict | None = None):
    conn, location_id = here.conn, here.location.id
    return render(
        request,
        "news/location.html",
        {
            "active": "mijn-locatie",
            "news": store.news_of(conn, [location_id]),
            "team": store.team_of(conn, location_id),
            "pages": store.pages_of(conn, location_id),
            "parents": len(store.newsletter_addresses(conn, location_id)),
            "to_html": to_html,
            "error": error,
            "values": values or {},
        },
        400 if error else 200,
        location=here.location,
    )


@router.get(BASE)
def location_home(request: Request, here: AtLocation = Depends(at_location)) -> Response:
    return _location_page(request, here)


@router.post(BASE + "/nieuws")
def publish(
    request: Request,
    titel: str = Form(""),
    tekst: str = Form(""),
    nieuwsbrief: str = Form(""),
    here: AtLocation = Depends(at_location),
) -> Response:
    newsletter = nieuwsbrief == "1"
    try:
        with write_transaction(here.conn):
            item = store.publish(
                here.conn, here.location.id, titel[:400], tekst[:40_000], newsletter, here.actor.name, now()
            )
    except Refused as refused:
        values = {"titel": titel[:400], "tekst": tekst[:40_000], "nieuwsbrief": newsletter}
        return _location_page(request, here, refused.reason, values)
    if not newsletter:
        return see_other(_home(here), request, "Het nieuws staat in het ouderportaal.")
    mailed = _mail_newsletter(request, here, item)
    with write_transaction(here.conn):
        store.set_mailed(here.conn, item.id, mailed)
    return see_other(
        _home(here),
        request,
        f"De nieuwsbrief staat in het ouderportaal en gaat per mail naar {mailed} ouders.",
    )


def _mail_newsletter(request: Request, here: AtLocation, item: store.NewsItem) -> int:
    base = portal(request).base_url.rstrip("/")
    sent = 0
    for email in store.newsletter_addresses(here.conn, here.location.id):
        mail = Mail(
            email,
            f"Nieuwsbrief {here.location.name}: {item.title}",
            f"Beste ouder,\n\n{item.title}\n\n{item.body}\n\n"
            f"Je leest het nieuws ook in het ouderportaal: {base}/ouders/locatie\n" + SIGNATURE,
        )
        try:
            portal(request).mailer.send(mail)
            sent += 1
        except MailError as error:
            log.warning("newsletter to a parent not queued: %s", error)
    return sent


@router.post(BASE + "/nieuws/{news_id}/verwijderen")
def remove_news(request: Request, news_id: int, here: AtLocation = Depends(at_location)) -> Response:
    item = store.news_at(here.conn, here.location.id, news_id)
    with write_transaction(here.conn):
        store.remove_news(here.conn, item)
    return see_other(_home(here), request, "Het nieuwsbericht is verwijderd.")


@router.post(BASE + "/team")
async def add_member(
    request: Request,
    naam: str = Form(""),
    rol: str = Form(""),
    foto: UploadFile | None = File(default=None),
    here: AtLocation = Depends(at_location),
) -> Response:
    stored = None
    try:
        data = await foto.read(PHOTO_BYTES + 1) if foto is not None and foto.filename else b""
        if data:
            encoded = reencode(data)
            private_dir(_folder(request))
            stored = secrets.token_hex(16)
            write_private(_folder(request) / stored, encoded.thumb)
        with write_transaction(here.conn):
            store.add_member(here.conn, here.location.id, naam[:300], rol[:300], stored)
    except Refused as refused:
        _unlink(request, stored)
        return _location_page(request, here, refused.reason, {"naam": naam[:300], "rol": rol[:300]})
    return see_other(_home(here, "#team"), request, f"{' '.join(naam.split())} staat in het team.")


def _unlink(request: Request, stored: str | None) -> None:
    if stored:
        with contextlib.suppress(FileNotFoundError):
            (_folder(request) / stored).unlink()


@router.post(BASE + "/team/{member_id}/verwijderen")
def remove_member(request: Request, member_id: int, here: AtLocation = Depends(at_location)) -> Response:
    member = store.member_at(here.conn, here.location.id, member_id)
    with write_transaction(here.conn):
        store.remove_member(here.conn, member)
    _unlink(request, member.photo_as)
    return see_other(_home(here, "#team"), request, f"{member.name} is uit het team gehaald.")


def _member_photo(request: Request, member: store.TeamMember) -> Response:
    if not member.photo_as or not all(ch in "0123456789abcdef" for ch in member.photo_as):
        raise NoAccess(member.id)
    path = _folder(request) / member.photo_as
    if not path.exists():
        raise NoAccess(member.id)
    return FileResponse(path, media_type="image/jpeg", headers={"Cache-Control": "private, no-store"})


@router.get(BASE + "/team/{member_id}/foto.jpg")
def location_member_photo(
    request: Request, member_id: int, here: AtLocation = Depends(at_location)
) -> Response:
    return _member_photo(request, store.member_at(here.conn, here.location.id, member_id))


def _page_form(request: Request, here: AtLocation, page: dict, error: str | None = None) -> Response:
    return render(
        request,
        "news/page_form.html",
        {"active": "mijn-locatie", "page": page, "error": error, "preview": to_html(page.get("body", ""))},
        400 if error else 200,
        location=here.location,
    )


@router.get(BASE + "/paginas/nieuw")
def new_page_form(request: Request, here: AtLocation = Depends(at_location)) -> Response:
    return _page_form(request, here, {"id": None, "title": "", "body": ""})


def _save(request: Request, here: AtLocation, page_id: int | None, titel: str, tekst: str) -> Response:
    try:
        with write_transaction(here.conn):
            saved = store.save_page(
                here.conn, here.location.id, page_id, titel[:400], tekst[:40_000], here.actor.name, now()
            )
    except Refused as refused:
        return _page_form(
            request, here, {"id": page_id, "title": titel[:400], "body": tekst[:40_000]}, refused.reason
        )
    return see_other(f"{_home(here)}/paginas/{saved}", request, "De pagina is bewaard.")


@router.post(BASE + "/paginas/nieuw")
def new_page(
    request: Request, titel: str = Form(""), tekst: str = Form(""), here: AtLocation = Depends(at_location)
) -> Response:
    return _save(request, here, None, titel, tekst)


@router.get(BASE + "/paginas/{page_id}")
def page_form(request: Request, page_id: int, here: AtLocation = Depends(at_location)) -> Response:
    page = store.page_at(here.conn, here.location.id, page_id)
    return _page_form(request, here, {"id": page.id, "title": page.title, "body": page.body})


@router.post(BASE + "/paginas/{page_id}")
def change_page(
    request: Request,
    page_id: int,
    titel: str = Form(""),
    tekst: str = Form(""),
    here: AtLocation = Depends(at_location),
) -> Response:
    store.page_at(here.conn, here.location.id, page_id)  # 404 first
    return _save(request, here, page_id, titel, tekst)


@router.post(BASE + "/paginas/{page_id}/verwijderen")
def remove_page(request: Request, page_id: int, here: AtLocation = Depends(at_location)) -> Response:
    page = store.page_at(here.conn, here.location.id, page_id)
    with write_transaction(here.conn):
        store.remove_page(here.conn, page)
    return see_other(_home(here, "#paginas"), request, f"De pagina {page.title} is verwijderd.")


# --- the parent -----------------------------------------------------------------------------------


def _places(conn: sqlite_utils.Database, account: Account) -> list[Place]:
    found: dict[str, Place] = {}
    for child in parent_queries.children_of(conn, account):
        for place in child.places:
            found.setdefault(place.id, place)
    return sorted(found.values(), key=lambda p: p.name)


def _place(conn: sqlite_utils.Database, account: Account, location_id: str) -> Place:
    for place in _places(conn, account):
        if place.id == location_id:
            return place
    raise NoAccess(location_id)


@router.get("/ouders/locatie")
def parent_home(
    request: Request, account: Account = Depends(require_parent), conn: sqlite_utils.Database = Depends(db)
) -> Response:
    places = [
        (
            place,
            store.news_of(conn, [place.id], 10),
            store.team_of(conn, place.id),
            store.pages_of(conn, place.id),
        )
        for place in _places(conn, account)
    ]
    return parent_page(request, "news/parent.html", {"places": places, "to_html": to_html})


@router.get("/ouders/locatie/{location_id}/paginas/{page_id}")
def parent_info_page(
    request: Request,
    location_id: str,
    page_id: int,
    account: Account = Depends(require_parent),
    conn: sqlite_utils.Database = Depends(db),
) -> Response:
    place = _place(conn, account, location_id)
    page = store.page_at(conn, place.id, page_id)
    return parent_page(
        request, "news/parent_page.html", {"place": place, "page": page, "html": to_html(page.body)}
    )


@router.get("/ouders/locatie/{location_id}/team/{member_id}/foto.jpg")
def parent_member_photo(
    request: Request,
    location_id: str,
    member_id: int,
    account: Account = Depends(require_parent),
    conn: sqlite_utils.Database = Depends(db),
) -> Response:
    place = _place(conn, account, location_id)
    return _member_photo(request, store.member_at(conn, place.id, member_id))
