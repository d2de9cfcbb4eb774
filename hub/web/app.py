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

import time
from datetime import timedelta
from pathlib import Path

from fastapi import Depends, FastAPI, HTTPException, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.middleware.base import BaseHTTPMiddleware, RequestResponseEndpoint

from hub import __version__
from hub.accounts import routes as auth
from hub.accounts.actors import NoAccess
from hub.accounts.sessions import actor_for_token, new_token
from hub.attendance import api
from hub.attendance import correction_routes as corrections
from hub.attendance import grid_routes as grid
from hub.attendance import overview_routes as overview
from hub.cards import routes as cards
from hub.children import routes as children
from hub.core.db import open_database
from hub.core.settings import HubSettings
from hub.evacuation import routes as evacuation
from hub.ingest import routes as refused_screen
from hub.locations import routes as locations
from hub.locations.access import location_for
from hub.mail import Mailer
from hub.mail.folder import FolderMailer
from hub.parents import routes as parents
from hub.upload import routes as upload
from hub.web.channel import RecordingChannel, UnitChannel
from hub.web.nav import DEFAULT_NAV, NavEntry
from hub.web.web import COOKIE, LoginRequired, Portal, csrf_protect, render

STATIC = Path(__file__).resolve().parent / "static"
SECURITY_HEADERS = {
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",  # a password link in the URL must not travel on
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'",
}


def create_app(
    database: str | Path,
    units: UnitChannel | None = None,
    mailer: Mailer | None = None,
    settings: HubSettings | None = None,
) -> FastAPI:
    settings = settings or HubSettings(data_dir=Path(database).parent)
    db = open_database(database)
    try:
        (secret,) = db.execute("SELECT secret FROM portal_keys WHERE id = 1").fetchone()
    finally:
        db.close()
    app = FastAPI(
        title="Aanwezig",
        version=__version__,
        docs_url="/api/docs",
        redoc_url=None,
        openapi_url="/api/openapi.json",
        dependencies=[Depends(csrf_protect)],
    )
    app.state.portal = Portal(
        database=Path(database),
        mailer=mailer or FolderMailer(settings.mail_folder, settings.mail_from),
        units=units or RecordingChannel(),
        base_url=settings.portal_base_url,
        secret=bytes.fromhex(secret),
        cookie_secure=settings.cookie_secure,
        session_idle=timedelta(minutes=settings.session_idle_minutes),
        session_lifetime=timedelta(hours=settings.session_hours),
        nav=list(DEFAULT_NAV),
        identify=actor_for_token,
        locate=location_for,
    )
    app.add_middleware(BaseHTTPMiddleware, dispatch=_cookie_and_headers)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")

    @app.get("/health")
    def health() -> dict[str, str]:
        return {"status": "ok"}

    for module in (auth, overview, locations, grid, corrections, children, cards, api):
        app.include_router(module.router)
    app.include_router(evacuation.router)  # "Nu aanwezig", the evacuation list (issue 16)
    app.state.portal.nav.append(NavEntry("nu-aanwezig", "Nu aanwezig", "/locaties/{location}/nu-aanwezig"))
    upload.install(app, settings.upload)
    refused_screen.install(app)
    parents.install(app)  # /ouders and the location's "Verzoeken ouders" (issue 18)

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
    response.headers.update(SECURITY_HEADERS)
    if response.headers.get("content-type", "").startswith("text/html"):
        response.headers["Cache-Control"] = "no-store"
    response.headers["Server-Timing"] = f"app;dur={(time.perf_counter() - started) * 1000:.1f}"
    return response
