"""Browser scanners in the portal and their device API.

Portal (logged in, the location's own pages):
    GET  /locaties/{id}/scanner-toestel                  the location's browser scanners, "Dit toestel
                                                         als scanner gebruiken" (name + the location's PIN)
    POST /locaties/{id}/scanner-toestel                  enrol this browser (PIN checked with its limits)
    POST /locaties/{id}/scanner-toestel/{unit}/intrekken revoke one

The screen (no session: the device's credential is in its own IndexedDB):
    GET  /scanner/, /scanner/sw.js, /scanner/manifest.webmanifest, /scanner/static/...

Device API (``Authorization: Bearer <credential>``; no cookie, so no CSRF token):
    GET  /scanner/api/roster    names, cards, today's presence, the staff verifier
    POST /scanner/api/checkin   one check-in; answers the ingest's verdict after its commit
    POST /scanner/api/status    heartbeat with the outbox count
Every answer carries ``server_time`` (hub time, ms since the epoch) for the page's clock rule.
"""

from __future__ import annotations

import json
import logging
import sqlite3
import time
from pathlib import Path

import sqlite_utils
from fastapi import APIRouter, Depends, FastAPI, Form, Request
from fastapi.responses import FileResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.concurrency import run_in_threadpool

from hub.accounts import service as accounts
from hub.browserscan import service
from hub.browserscan.settings import BrowserScanSettings
from hub.core import bounds
from hub.core.actors import Refused
from hub.core.db import connect
from hub.ingest.pipeline import Ingest
from hub.web.nav import NavEntry
from hub.web.web import AtLocation, at_location, db, now, pin_client, portal, render, see_other

log = logging.getLogger(__name__)

STATIC = Path(__file__).resolve().parent / "static"
API = "/scanner/api/"
# The screen compiles the vendored QR decoder (WebAssembly): its page alone may do so.
SCREEN_CSP = (
    "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; img-src 'self' data:; "
    "media-src 'self' blob: mediastream:; frame-ancestors 'none'"
)
MAX_CHECKIN_BYTES = 4096

router = APIRouter()


def install(app: FastAPI, ingest: Ingest, settings: BrowserScanSettings) -> None:
    """Mount the pages, the device API and the screen's files; the tab "Scannertoestel"."""
    app.state.browserscan = (ingest, settings)
    app.include_router(router)
    app.mount("/scanner/static", StaticFiles(directory=STATIC), name="scanner-static")
    state = app.state.portal
    state.nav.append(NavEntry("scanner-toestel", "Scannertoestel", "/locaties/{location}/scanner-toestel"))
    state.bearer_paths.append(API)


# ---------------------------------------------------------------------------------------------
# Portal: enrol and revoke


@router.get("/locaties/{location_id}/scanner-toestel")
def scanners_page(request: Request, here: AtLocation = Depends(at_location)) -> Response:
    _actor, conn, location = here
    return _page(request, conn, location)


def _page(request: Request, conn, location, error: str | None = None, name: str = "") -> Response:
    context = {
        "active": "scanner-toestel",
        "scanners": service.listing(conn, location.id),
        "error": error,
        "name": name,
    }
    return render(request, "browserscan/scanners.html", context, location=location)


@router.post("/locaties/{location_id}/scanner-toestel")
def enrol(
    request: Request,
    name: str = Form(""),
    pin: str = Form(""),
    here: AtLocation = Depends(at_location),
) -> Response:
    actor, conn, location = here
    if problem := bounds.too_long(pin.strip(), bounds.CODE, "Een pincode"):
        return _page(request, conn, location, problem, name)
    state = portal(request)

    def mail_organisator(until) -> None:
        accounts.location_locked_mail(conn, state.mailer, state.base_url, location.id, until)

    try:  # the location's own PIN check, with its wrong-guess limits
        accounts.login_location(
            conn,
            location.id,
            pin,
            pin_client(request, location.id),
            now(),
            on_location_locked=mail_organisator,
        )
        enrolment = service.enrol(conn, actor, location.id, name[: service.NAME_MAX + 1])
    except Refused as refused:
        return _page(request, conn, location, refused.reason, name)
    log.info("browser scanner %s enrolled for %s by %s", enrolment.scanner.unit_id, location.id, actor.name)
    context = {"credential": enrolment.credential, "scanner": enrolment.scanner}
    return render(request, "browserscan/enrolled.html", context, location=location)


@router.post("/locaties/{location_id}/scanner-toestel/{unit_id}/intrekken")
def revoke(request: Request, unit_id: str, here: AtLocation = Depends(at_location)) -> Response:
    _actor, conn, location = here
    service.revoke(conn, location.id, unit_id)
    return see_other(
        f"/locaties/{location.id}/scanner-toestel",
        request,
        "Het toestel is ingetrokken: wat het nog stuurt, neemt de hub niet meer aan.",
    )


# ---------------------------------------------------------------------------------------------
# The screen


@router.get("/scanner/")
def screen() -> Response:
    response = FileResponse(STATIC / "scanner.html", media_type="text/html")
    response.headers["Content-Security-Policy"] = SCREEN_CSP
    return response


@router.get("/scanner/sw.js")
def service_worker() -> Response:
    response = FileResponse(STATIC / "sw.js", media_type="text/javascript")
    response.headers["Cache-Control"] = "no-cache"  # a new version of the screen installs at once
    return response


@router.get("/scanner/manifest.webmanifest")
def manifest() -> Response:
    return FileResponse(STATIC / "manifest.webmanifest", media_type="application/manifest+json")


# ---------------------------------------------------------------------------------------------
# Device API


def _answer(body: dict, status: int = 200) -> JSONResponse:
    response = JSONResponse({**body, "server_time": round(time.time() * 1000)}, status_code=status)
    response.headers["Cache-Control"] = "no-store"
    return response


def _scanner(request: Request, conn: sqlite_utils.Database) -> service.Scanner | JSONResponse:
    scheme, _, credential = request.headers.get("authorization", "").partition(" ")
    scanner = service.scanner_for(conn, credential.strip()) if scheme.lower() == "bearer" else None
    if scanner is None:
        return _answer(
            {"error": "unknown", "message": "Dit toestel is geen scanner (meer) van deze hub."}, 401
        )
    if not scanner.active:
        message = "Deze scanner is ingetrokken. Registreren kan niet meer op dit toestel."
        return _answer({"error": "revoked", "message": message}, 403)
    return scanner


@router.get("/scanner/api/roster")
def roster(request: Request, conn: sqlite_utils.Database = Depends(db)) -> Response:
    scanner = _scanner(request, conn)
    if isinstance(scanner, JSONResponse):
        return scanner
    _ingest, settings = request.app.state.browserscan
    return _answer(service.roster(conn, scanner, settings.repeat_window_s))


@router.post("/scanner/api/status")
async def status(request: Request) -> Response:
    body = await request.body()
    return await _in_thread(_status, request, body)


def _status(request: Request, body: bytes) -> Response:
    conn = _connect(request)
    try:
        scanner = _scanner(request, conn)
        if isinstance(scanner, JSONResponse):
            return scanner
        try:
            fields = json.loads(body[:1024]) if body else {}
            backlog = int(fields.get("backlog", 0))
            version = str(fields.get("version", ""))
        except (ValueError, TypeError, AttributeError):
            return _answer({"error": "bad_status"}, 400)
        service.heartbeat(conn, scanner, backlog, version)
        return _answer({"ok": True})
    finally:
        conn.close()


@router.post("/scanner/api/checkin")
async def checkin(request: Request) -> Response:
    body = await request.body()
    return await _in_thread(_checkin, request, body)


def _checkin(request: Request, body: bytes) -> Response:
    conn = _connect(request)
    try:
        scanner = _scanner(request, conn)
        if isinstance(scanner, JSONResponse):
            return scanner
        if len(body) > MAX_CHECKIN_BYTES:
            return _answer({"error": "too_large"}, 413)
        ingest, _settings = request.app.state.browserscan
        try:
            ack = service.receive(ingest, conn, scanner, body)
        except sqlite3.OperationalError as exc:  # disk full, locked: no verdict, the page sends again
            log.error("browser check-in not stored now: %s", exc)
            return _answer({"error": "busy"}, 503)
        if ack is None:
            return _answer({"error": "later"}, 503)
        return _answer({"ack": ack})
    finally:
        conn.close()


def _connect(request: Request) -> sqlite_utils.Database:
    return connect(portal(request).database)


async def _in_thread(function, *args) -> Response:
    """Run the database work off the event loop (the body was read on it)."""
    return await run_in_threadpool(function, *args)
