"""The message screens: the parent's /ouders/berichten (phone first) and the location's inbox.

Every route that takes an id looks the thread up through the reader's own access (the parent's
children at their locations; the location's own threads) before anything else, so another
family's or location's id is 404. Attachments are sent only after that same check.
"""

from __future__ import annotations

import logging
import re
from pathlib import Path

import sqlite_utils
from fastapi import APIRouter, Depends, FastAPI, File, Form, Request, UploadFile
from fastapi.responses import FileResponse, Response

from hub.core.actors import Actor, NoAccess, Refused, Role
from hub.core.db import write_transaction
from hub.core.localtime import local
from hub.locations.access import locations_of
from hub.mail import Mail, MailError
from hub.mail.texts import SIGNATURE
from hub.messages import attachments, threads
from hub.messages.rules import ATTACHMENT_BYTES, ATTACHMENTS_PER_MESSAGE, BODY, LOCATION, PARENT, SUBJECT
from hub.messages.threads import NewFile, Thread
from hub.notify import store as notify_store
from hub.parents import queries as parent_queries
from hub.parents.accounts import Account
from hub.parents.routes import MenuEntry, add_menu_entry, add_my_data, parent_page, require_parent
from hub.web.nav import NavEntry
from hub.web.web import AtLocation, at_location, db, now, portal, render, require_actor, see_other

log = logging.getLogger(__name__)
router = APIRouter()

# the POSTs that carry files, and how large their body may be (BodyLimit in the app)
UPLOAD_BYTES = ATTACHMENTS_PER_MESSAGE * ATTACHMENT_BYTES + 256 * 1024
UPLOAD_PATHS = (
    (re.compile(r"/ouders/berichten/(nieuw|\d+)"), UPLOAD_BYTES),
    (re.compile(r"/locaties/[^/]+/berichten/(nieuw|\d+)"), UPLOAD_BYTES),
)
LIMITS = {"subject": SUBJECT, "body": BODY, "files": ATTACHMENTS_PER_MESSAGE, "mb": ATTACHMENT_BYTES >> 20}


def install(app: FastAPI, folder: Path) -> None:
    """Mount the routes, the "Berichten" tabs (location nav and parent menu) with their unread counts.

    ``folder``: where attachments are kept (in the hub's data folder, outside any static folder).
    """
    app.state.message_files = Path(folder)
    state = app.state.portal
    state.nav.append(NavEntry("berichten", "Berichten", "/locaties/{location}/berichten"))
    state.actor_nav_counts["berichten"] = lambda conn, actor, location_id: threads.unread_at_location(
        conn, location_id, threads.reader_of_actor(actor)
    )
    add_menu_entry(MenuEntry("berichten", "Berichten", "/ouders/berichten", _parent_unread))
    add_my_data("berichten", "Berichten", _my_messages)
    app.include_router(router)


def _folder(request: Request) -> Path:
    return request.app.state.message_files


def _pairs(conn: sqlite_utils.Database, account: Account) -> list[tuple[int, str]]:
    return [(c.id, p.id) for c in parent_queries.children_of(conn, account) for p in c.places]


def _parent_unread(conn: sqlite_utils.Database, account: Account) -> int:
    return threads.unread_of_parent(conn, _pairs(conn, account), threads.reader_of_parent(account.id))


def _my_messages(conn: sqlite_utils.Database, account: Account) -> list[dict]:
    """Every message of the parent's threads, for "Mijn gegevens"."""
    found = []
    for thread in threads.threads_of_parent(
        conn, _pairs(conn, account), threads.reader_of_parent(account.id)
    ):
        for message in threads.messages_of(conn, thread.id):
            found.append(
                {
                    "kind": thread.child_name,
                    "opvang": thread.location_name,
                    "onderwerp": thread.subject,
                    "van": thread.location_name if message.side == LOCATION else message.author,
                    "tijdstip": local(message.created_at).strftime("%d/%m/%Y %H:%M"),
                    "tekst": message.body,
                    "bestanden": ", ".join(a.file_name for a in message.attachments),
                }
            )
    return found


async def _files(request: Request, uploads: list[UploadFile]) -> list[NewFile]:
    """The uploaded files checked and stored; on a refusal nothing stays on disk."""
    chosen = [u for u in uploads if u.filename]
    if len(chosen) > ATTACHMENTS_PER_MESSAGE:
        raise Refused(f"Hoogstens {ATTACHMENTS_PER_MESSAGE} bestanden per bericht.")
    stored: list[NewFile] = []
    try:
        for upload in chosen:
            data = await upload.read(ATTACHMENT_BYTES + 1)
            checked = attachments.check(upload.filename or "", data)
            stored.append(attachments.store(_folder(request), checked, data))
    except Refused:
        attachments.remove(_folder(request), stored)
        raise
    return stored


def _attachment_response(request: Request, attachment: threads.Attachment) -> Response:
    path = attachments.path_of(_folder(request), attachment.stored_as)
    if not path.exists():
        raise NoAccess(attachment.id)
    disposition = "inline" if attachment.is_image else "attachment"
    return FileResponse(
        path,
        media_type=attachment.media_type,
        filename=attachment.file_name,
        content_disposition_type=disposition,
        headers={"Cache-Control": "private, no-store"},
    )


def _mail_parents(request: Request, conn: sqlite_utils.Database, thread: Thread) -> int:
    """Tell the child's contacts a message of the location waits (the text stays in the portal), by
    mail and/or push as each chose on "Meldingen"; returns how many were told."""
    base = portal(request).base_url.rstrip("/")
    (latest,) = conn.execute("SELECT max(id) FROM messages WHERE thread_id = ?", (thread.id,)).fetchone()
    sent = 0
    for email in threads.parent_addresses(conn, thread.child_id):
        account_id, by_mail, by_push = notify_store.news_channels(conn, email, thread.child_id)
        if by_push and account_id is not None:
            with write_transaction(conn):
                notify_store.queue_push(
                    conn, f"bericht:{latest}", account_id, thread.child_id,
                    f"Nieuw bericht van {thread.location_name}", thread.subject, now(),
                )  # fmt: skip
            sent += not by_mail
        if not by_mail:
            continue
        mail = Mail(
            email,
            f"Nieuw bericht van {thread.location_name}",
            f"Beste ouder,\n\n{thread.location_name} stuurde een bericht over {thread.child_name}: "
            f"“{thread.subject}”.\n\nLees en beantwoord het in het ouderportaal:\n\n"
            f"{base}/ouders/berichten/{thread.id}\n" + SIGNATURE,
        )
        try:
            portal(request).mailer.send(mail)
            sent += 1
        except MailError as error:
            log.warning("message notification to a parent not sent: %s", error)
    return sent


# --- the parent's side ---------------------------------------------------------------------------


@router.get("/ouders/berichten")
def parent_threads(
    request: Request, account: Account = Depends(require_parent), conn: sqlite_utils.Database = Depends(db)
) -> Response:
    found = threads.threads_of_parent(conn, _pairs(conn, account), threads.reader_of_parent(account.id))
    return parent_page(request, "messages/parent_threads.html", {"threads": found})


def _choices(conn: sqlite_utils.Database, account: Account) -> list[tuple[str, str]]:
    children = parent_queries.children_of(conn, account)
    return [
        (f"{c.id}:{p.id}", c.first_name + (f" — {p.name}" if len(c.places) > 1 else ""))
        for c in children
        for p in c.places
    ]


@router.get("/ouders/berichten/nieuw")
def parent_new_form(
    request: Request, account: Account = Depends(require_parent), conn: sqlite_utils.Database = Depends(db)
) -> Response:
    return parent_page(
        request,
        "messages/parent_new.html",
        {"choices": _choices(conn, account), "values": {}, "limits": LIMITS},
    )


@router.post("/ouders/berichten/nieuw")
async def parent_new(
    request: Request,
    kind: str = Form(""),
    onderwerp: str = Form(""),
    bericht: str = Form(""),
    bestanden: list[UploadFile] = File(default=[]),
    account: Account = Depends(require_parent),
    conn: sqlite_utils.Database = Depends(db),
) -> Response:
    child_text, _, location_id = kind.partition(":")
    pairs = _pairs(conn, account)
    values = {"kind": kind, "onderwerp": onderwerp[: SUBJECT * 2], "bericht": bericht[: BODY * 2]}
    try:
        if not child_text.isdigit() or (int(child_text), location_id) not in pairs:
            raise Refused("Kies over welk kind je een bericht stuurt.")
        files = await _files(request, bestanden)
        try:
            with write_transaction(conn):
                author = threads.parent_author(conn, int(child_text), account.email)
                thread_id = threads.start_thread(
                    conn, location_id, int(child_text), onderwerp, PARENT, author, bericht, files, now()
                )
                threads.mark_read(conn, thread_id, threads.reader_of_parent(account.id))
        except Exception:
            attachments.remove(_folder(request), files)
            raise
    except Refused as refused:
        context = {
            "choices": _choices(conn, account),
            "values": values,
            "limits": LIMITS,
            "error": refused.reason,
        }
        return parent_page(request, "messages/parent_new.html", context, 400)
    return see_other(f"/ouders/berichten/{thread_id}", request, "Je bericht is verstuurd.")


def _parent_thread_page(
    request: Request, conn: sqlite_utils.Database, account: Account, thread_id: int, error: str | None = None
) -> Response:
    reader = threads.reader_of_parent(account.id)
    thread = threads.thread_of_parent(conn, _pairs(conn, account), thread_id, reader)
    messages = threads.messages_of(conn, thread.id)
    with write_transaction(conn):
        threads.mark_read(conn, thread.id, reader)
    return parent_page(
        request,
        "messages/parent_thread.html",
        {"thread": thread, "messages": messages, "limits": LIMITS, "error": error},
        400 if error else 200,
    )


@router.get("/ouders/berichten/{thread_id}")
def parent_thread(
    request: Request,
    thread_id: int,
    account: Account = Depends(require_parent),
    conn: sqlite_utils.Database = Depends(db),
) -> Response:
    return _parent_thread_page(request, conn, account, thread_id)


@router.post("/ouders/berichten/{thread_id}")
async def parent_reply(
    request: Request,
    thread_id: int,
    bericht: str = Form(""),
    bestanden: list[UploadFile] = File(default=[]),
    account: Account = Depends(require_parent),
    conn: sqlite_utils.Database = Depends(db),
) -> Response:
    reader = threads.reader_of_parent(account.id)
    thread = threads.thread_of_parent(conn, _pairs(conn, account), thread_id, reader)  # 404 first
    try:
        files = await _files(request, bestanden)
        try:
            with write_transaction(conn):
                author = threads.parent_author(conn, thread.child_id, account.email)
                threads.add_message(conn, thread, PARENT, author, bericht, files, now())
                threads.mark_read(conn, thread.id, reader)
        except Exception:
            attachments.remove(_folder(request), files)
            raise
    except Refused as refused:
        return _parent_thread_page(request, conn, account, thread.id, refused.reason)
    return see_other(f"/ouders/berichten/{thread.id}#laatste", request, "Je antwoord is verstuurd.")


@router.get("/ouders/berichten/{thread_id}/bijlagen/{attachment_id}")
def parent_attachment(
    request: Request,
    thread_id: int,
    attachment_id: int,
    account: Account = Depends(require_parent),
    conn: sqlite_utils.Database = Depends(db),
) -> Response:
    reader = threads.reader_of_parent(account.id)
    thread = threads.thread_of_parent(conn, _pairs(conn, account), thread_id, reader)
    return _attachment_response(request, threads.attachment_in(conn, thread.id, attachment_id))


# --- the location's side -------------------------------------------------------------------------


@router.get("/berichten")
def all_inboxes(
    request: Request, actor: Actor = Depends(require_actor), conn: sqlite_utils.Database = Depends(db)
) -> Response:
    """The organisator's inbox over all its locations; a location goes to its own."""
    if actor.role is Role.LOCATION:
        return see_other(f"/locaties/{actor.id}/berichten")
    places = locations_of(conn, actor)
    found = threads.inbox(conn, [p.id for p in places], threads.reader_of_actor(actor))
    return render(request, "messages/inbox.html", {"threads": found, "all_locations": True})


@router.get("/locaties/{location_id}/berichten")
def location_inbox(request: Request, here: AtLocation = Depends(at_location)) -> Response:
    found = threads.inbox(here.conn, [here.location.id], threads.reader_of_actor(here.actor))
    return render(
        request,
        "messages/inbox.html",
        {"threads": found, "active": "berichten", "all_locations": False},
        location=here.location,
    )


def _location_new_page(
    request: Request, here: AtLocation, values: dict, error: str | None = None
) -> Response:
    return render(
        request,
        "messages/location_new.html",
        {
            "children": threads.children_at(here.conn, here.location.id),
            "values": values,
            "limits": LIMITS,
            "error": error,
            "active": "berichten",
        },
        400 if error else 200,
        location=here.location,
    )


@router.get("/locaties/{location_id}/berichten/nieuw")
def location_new_form(request: Request, kind: str = "", here: AtLocation = Depends(at_location)) -> Response:
    return _location_new_page(request, here, {"kind": kind})


@router.post("/locaties/{location_id}/berichten/nieuw")
async def location_new(
    request: Request,
    kind: str = Form(""),
    onderwerp: str = Form(""),
    bericht: str = Form(""),
    bestanden: list[UploadFile] = File(default=[]),
    here: AtLocation = Depends(at_location),
) -> Response:
    conn, location = here.conn, here.location
    values = {"kind": kind, "onderwerp": onderwerp[: SUBJECT * 2], "bericht": bericht[: BODY * 2]}
    try:
        children = dict(threads.children_at(conn, location.id))
        if not kind.isdigit() or int(kind) not in children:
            raise Refused("Kies over welk kind je een bericht stuurt.")
        files = await _files(request, bestanden)
        try:
            with write_transaction(conn):
                thread_id = threads.start_thread(
                    conn, location.id, int(kind), onderwerp, LOCATION, here.actor.name, bericht, files, now()
                )
                reader = threads.reader_of_actor(here.actor)
                threads.mark_read(conn, thread_id, reader)
        except Exception:
            attachments.remove(_folder(request), files)
            raise
    except Refused as refused:
        return _location_new_page(request, here, values, refused.reason)
    thread = threads.thread_at(conn, location.id, thread_id, reader)
    mailed = _mail_parents(request, conn, thread)
    note = f" De ouders zijn verwittigd ({mailed})." if mailed else " Er is geen ouder met een e-mailadres."
    return see_other(
        f"/locaties/{location.id}/berichten/{thread_id}", request, "Het bericht is verstuurd." + note
    )


def _location_thread_page(
    request: Request, here: AtLocation, thread_id: int, error: str | None = None
) -> Response:
    reader = threads.reader_of_actor(here.actor)
    thread = threads.thread_at(here.conn, here.location.id, thread_id, reader)
    messages = threads.messages_of(here.conn, thread.id)
    with write_transaction(here.conn):
        threads.mark_read(here.conn, thread.id, reader)
    return render(
        request,
        "messages/location_thread.html",
        {"thread": thread, "messages": messages, "limits": LIMITS, "error": error, "active": "berichten"},
        400 if error else 200,
        location=here.location,
    )


@router.get("/locaties/{location_id}/berichten/{thread_id}")
def location_thread(request: Request, thread_id: int, here: AtLocation = Depends(at_location)) -> Response:
    return _location_thread_page(request, here, thread_id)


@router.post("/locaties/{location_id}/berichten/{thread_id}")
async def location_reply(
    request: Request,
    thread_id: int,
    bericht: str = Form(""),
    bestanden: list[UploadFile] = File(default=[]),
    here: AtLocation = Depends(at_location),
) -> Response:
    reader = threads.reader_of_actor(here.actor)
    thread = threads.thread_at(here.conn, here.location.id, thread_id, reader)  # 404 first
    try:
        files = await _files(request, bestanden)
        try:
            with write_transaction(here.conn):
                threads.add_message(here.conn, thread, LOCATION, here.actor.name, bericht, files, now())
                threads.mark_read(here.conn, thread.id, reader)
        except Exception:
            attachments.remove(_folder(request), files)
            raise
    except Refused as refused:
        return _location_thread_page(request, here, thread.id, refused.reason)
    mailed = _mail_parents(request, here.conn, thread)
    note = f" De ouders zijn verwittigd ({mailed})." if mailed else ""
    return see_other(
        f"/locaties/{here.location.id}/berichten/{thread.id}#laatste",
        request,
        "Het antwoord is verstuurd." + note,
    )


@router.get("/locaties/{location_id}/berichten/{thread_id}/bijlagen/{attachment_id}")
def location_attachment(
    request: Request, thread_id: int, attachment_id: int, here: AtLocation = Depends(at_location)
) -> Response:
    thread = threads.thread_at(here.conn, here.location.id, thread_id, threads.reader_of_actor(here.actor))
    return _attachment_response(request, threads.attachment_in(here.conn, thread.id, attachment_id))
