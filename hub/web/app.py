"""The FastAPI application: one place that builds the portal and mounts its feature routers.

    auth.py         logging in (organisator, location), passwords by mail, logging out
    locations.py    the organisator's locations (attendance/overview_routes.py) and the location PIN
    grid.py         the overview: month and week grids, units, unknown cards, closed months
    corrections.py  one cell: its scans, what is wrong, changing the times
    children.py     the children of a location: search, link, add, contacts
    cards.py        linking cards: typed, or scanned at the door; lost cards
    upload.py       "Opgeladen": the monthly upload's status, errors, preview, CSV
    api.py          JSON for scripts and the demo test

The hub passes its MQTT link as the :class:`~hub.web.channel.UnitChannel`; run alone (tests,
benchmarks) the portal gets a :class:`~hub.web.channel.RecordingChannel`.
"""

from __future__ import annotations

import gc
import os
import time
from datetime import timedelta
from pathlib import Path

import sqlite_utils
from fastapi import Depends, FastAPI, HTTPException, Request
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.middleware.base import BaseHTTPMiddleware, RequestResponseEndpoint
from starlette.middleware.gzip import GZipMiddleware

from hub import __version__
from hub.accounts import routes as auth
from hub.accounts.actors import NoAccess, Role
from hub.accounts.sessions import actor_for_token, new_token
from hub.attendance import api
from hub.attendance import correction_routes as corrections
from hub.attendance import grid_routes as grid
from hub.attendance import overview_routes as overview
from hub.attendance import uncertain_routes as uncertain
from hub.billing import routes as billing
from hub.browserscan import routes as browserscan
from hub.cards import routes as cards
from hub.careplan import routes as careplan
from hub.children import routes as children
from hub.core.actors import StaffRole
from hub.core.db import is_postgresql, open_database, target
from hub.core.settings import HubSettings
from hub.diary import routes as diary
from hub.evacuation import routes as evacuation
from hub.ingest import routes as refused_screen
from hub.ingest.pipeline import Ingest
from hub.locations import hours_routes as opening_hours
from hub.locations import routes as locations
from hub.locations.access import location_for
from hub.mail import Mailer
from hub.mail.outbox import Outbox
from hub.messages import routes as messages
from hub.messages.attachments import message_folder
from hub.news import routes as news
from hub.notify import routes as notify
from hub.parents import routes as parents
from hub.photos import routes as photos
from hub.photos.settings import photo_folder
from hub.prices.loader import load_amounts
from hub.rollout import routes as rollout
from hub.staff import routes as staff
from hub.upload import routes as upload
from hub.web.body_limit import BodyLimit
from hub.web.channel import RecordingChannel, UnitChannel
from hub.web.clients import trusted_networks
from hub.web.nav import DEFAULT_NAV, NavEntry
from hub.web.web import COOKIE, LoginRequired, Portal, csrf_protect, current_actor, db, render

STATIC = Path(__file__).resolve().parent / "static"
GZIP_MINIMUM_BYTES = 1024  # below this, compressing saves less than it costs
GZIP_LEVEL = 5  # nearly the size of level 9 for a fraction of the time
GC_THRESHOLD = 10_000  # new objects between two runs of the cyclic garbage collector (default 700)
SECURITY_HEADERS = {
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",  # a password link in the URL must not travel on
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'",
}
DOCS_CSP = (
    "default-src 'self'; script-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net; "
    "style-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net; "
    "img-src 'self' data: https://fastapi.tiangolo.com; "
    "worker-src blob:; frame-ancestors 'none'"
)


def create_app(
    database: str | Path,
    units: UnitChannel | None = None,
    mailer: Mailer | None = None,
    settings: HubSettings | None = None,
    ingest: Ingest | None = None,
) -> FastAPI:
    """The portal. ``ingest`` is the hub's (browser scanners' check-ins go through it); run alone,
    the portal makes its own, which answers over HTTP only."""
    settings = settings or HubSettings(
        data_dir=Path("var/hub") if is_postgresql(database) else Path(database).parent
    )
    db = open_database(database)
    try:
        (secret,) = db.execute("SELECT secret FROM portal_keys WHERE id = 1").fetchone()
    finally:
        db.close()
    app = FastAPI(
        title="Aanwezig",
        version=__version__,
        docs_url=None,  # served below, for a logged-in organisator and only with api_docs = true
        redoc_url=None,
        openapi_url=None,
        dependencies=[Depends(csrf_protect)],
    )
    _collect_garbage_less_often()
    app.state.portal = Portal(
        database=target(database),
        mailer=mailer or Outbox(database),  # mail is queued; the hub's mail thread sends it
        units=units or RecordingChannel(),
        base_url=settings.portal_base_url,
        secret=bytes.fromhex(secret),
        cookie_secure=settings.cookie_secure or settings.https,
        trusted_proxies=trusted_networks(settings.trusted_proxies),
        session_idle=timedelta(minutes=settings.session_idle_minutes),
        session_lifetime=timedelta(hours=settings.session_hours),
        nav=list(DEFAULT_NAV),
        identify=actor_for_token,
        locate=location_for,
        hsts=settings.https,
    )
    # pages gzip-compressed (a month grid's HTML is ~450 kB, ~30 kB compressed); inside the headers'
    # middleware so that Server-Timing includes the compression. Starlette leaves text/event-stream
    # (the parents' live page) alone, so streams are not buffered. The CSRF token in a page is masked
    # per response (web.py), against BREACH.
    app.add_middleware(GZipMiddleware, minimum_size=GZIP_MINIMUM_BYTES, compresslevel=GZIP_LEVEL)
    app.add_middleware(BaseHTTPMiddleware, dispatch=_cookie_and_headers)
    # outermost: an oversized body is refused before anything reads it; file uploads get more room
    app.add_middleware(BodyLimit, uploads=messages.UPLOAD_PATHS + photos.UPLOAD_PATHS + news.UPLOAD_PATHS)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")

    @app.get("/health")
    def health() -> dict[str, str | int]:
        # The pid lets a waiting test (or a supervisor) tell this process from another one that
        # happens to answer on the same port.
        return {"status": "ok", "pid": os.getpid()}

    features = (auth, overview, locations, opening_hours, grid, corrections, uncertain, children, cards, api)
    for module in features:
        app.include_router(module.router)
    app.include_router(evacuation.router)  # "Nu aanwezig", the evacuation list (issue 16)
    app.state.portal.nav.append(NavEntry("nu-aanwezig", "Nu aanwezig", "/locaties/{location}/nu-aanwezig"))
    app.include_router(staff.router)  # "Medewerkers": staff accounts and roles (issue 16)
    app.state.portal.nav.append(NavEntry("bezetting", "Bezetting", "/locaties/{location}/bezetting"))
    app.state.portal.nav.append(
        NavEntry(
            "medewerkers",
            "Medewerkers",
            "/medewerkers",
            frozenset({Role.ORGANISATOR, Role.STAFF}),
            frozenset({StaffRole.ORGANISATOR, StaffRole.RESPONSIBLE}),
        )
    )
    if settings.api_docs:
        _api_docs(app)
    upload.install(app, settings.upload)
    refused_screen.install(app)
    parents.install(app)  # /ouders and the location's "Verzoeken ouders" (issue 18)
    notify.install(app, settings.data_dir, settings.notify)  # /ouders/meldingen: mail and Web Push
    messages.install(app, message_folder(settings.data_dir))  # Berichten (issue 21)
    diary.install(app)  # Dagboek: the group's tablet and the parents' page (issue 21)
    photos.install(app, photo_folder(settings.data_dir))  # Foto's (issue 21)
    news.install(app, settings.data_dir / "team")  # Mijn locatie: news, newsletter, team, pages (issue 21)
    if ingest is None:
        ingest = Ingest(database, publish=lambda _topic, _payload: False, settle=lambda _delivery: None)
    browserscan.install(app, ingest, settings.browser_scanner)  # a tablet or phone as scanner (issue 19)
    rollout.install(app, settings.data_dir / "updates")  # the units fetch an update's wheel (issue 16)
    careplan.install(app)  # "Opvangplannen" (issue 20)
    billing.install(app, load_amounts(settings.upload.amounts_file))  # "Facturatie" (issue 20)

    @app.exception_handler(LoginRequired)
    async def login_required(request: Request, _exc: LoginRequired) -> Response:
        if request.url.path.startswith("/api/"):
            return JSONResponse({"detail": "niet aangemeld"}, status_code=401)
        return RedirectResponse("/aanmelden", status_code=303)

    @app.exception_handler(NoAccess)
    async def no_access(request: Request, _exc: NoAccess) -> Response:
        return await http_error(request, HTTPException(404))

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException) -> Response:
        if request.url.path.startswith("/api/"):
            return JSONResponse({"detail": exc.detail}, status_code=exc.status_code)
        title = {404: "Niet gevonden", 403: "Geweigerd"}.get(exc.status_code, "Er ging iets mis")
        detail = exc.detail if exc.status_code == 403 else None
        return render(request, "error.html", {"title": title, "detail": detail}, exc.status_code)

    return app


def _api_docs(app: FastAPI) -> None:
    """/api/openapi.json, /api/docs and /api/redoc for a logged-in organisator; 404 for anyone else,
    so the API's shape is no map for a stranger."""

    def organisator_only(request: Request, conn: sqlite_utils.Database = Depends(db)) -> None:
        actor = current_actor(request, conn)
        if actor is None or actor.role is not Role.ORGANISATOR:
            raise HTTPException(404)

    guarded = [Depends(organisator_only)]

    @app.get("/api/openapi.json", include_in_schema=False, dependencies=guarded)
    def openapi() -> JSONResponse:
        return JSONResponse(app.openapi())

    @app.get("/api/docs", include_in_schema=False, dependencies=guarded)
    def swagger() -> Response:
        response = get_swagger_ui_html(openapi_url="/api/openapi.json", title="Aanwezig — API")
        response.headers["Content-Security-Policy"] = DOCS_CSP
        return response

    @app.get("/api/redoc", include_in_schema=False, dependencies=guarded)
    def redoc() -> Response:
        response = get_redoc_html(openapi_url="/api/openapi.json", title="Aanwezig — API")
        response.headers["Content-Security-Policy"] = DOCS_CSP
        return response


def _collect_garbage_less_often() -> None:
    """A month grid makes some 100,000 short-lived objects (cells, stays, stamps); with Python's
    default threshold (700 new objects) the cyclic collector runs hundreds of times per page, and
    each of its older-generation passes walks every object the hub loaded at start-up: measured at
    a third of the grid's time. The hub's objects are freed by reference counting, not by the
    collector; it still runs, a few times per page. ``gc.freeze`` sets what is loaded by now aside
    for good (the modules, templates and settings), once per process: a process that makes more
    portals (the tests) must not keep the old ones' garbage for good."""
    if gc.get_freeze_count() == 0:
        gc.collect()
        gc.freeze()
    gc.set_threshold(GC_THRESHOLD, 20, 20)


async def _cookie_and_headers(request: Request, call_next: RequestResponseEndpoint) -> Response:
    """Give every browser a signed cookie token (CSRF and session hang on it); add security headers.

    ``Server-Timing`` carries the time the app spent on the request (the benchmark reads it).
    """
    started = time.perf_counter()
    state: Portal = request.app.state.portal
    token = state.unsign(request.cookies.get(COOKIE))
    request.state.new_cookie = token is None
    request.state.cookie_token = token or new_token()
    response = await call_next(request)
    if request.state.new_cookie:
        response.set_cookie(
            COOKIE,
            state.sign(request.state.cookie_token),
            httponly=True,
            samesite="lax",
            secure=state.cookie_secure,
            path="/",
        )
    own_csp = response.headers.get("Content-Security-Policy")
    response.headers.update(SECURITY_HEADERS)
    if own_csp:  # a page that sets its own (the API docs' CDN, the browser scanner's WebAssembly)
        response.headers["Content-Security-Policy"] = own_csp
    if state.hsts:  # public_url is https: browsers must not come back over plain http
        response.headers["Strict-Transport-Security"] = "max-age=31536000; includeSubDomains"
    if response.headers.get("content-type", "").startswith("text/html"):
        response.headers["Cache-Control"] = "no-store"
    response.headers["Server-Timing"] = f"app;dur={(time.perf_counter() - started) * 1000:.1f}"
    return response
