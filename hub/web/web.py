"""What every portal page shares: the database per request, who is logged in, CSRF, rendering.

Feature modules (auth.py, locations.py, grid.py, corrections.py, children.py, cards.py,
upload.py) build their routes from these pieces:

    db                  a database connection for the request (a dependency)
    require_actor       the logged-in Actor, or a redirect to the login page (a dependency)
    at_location         for pages under /locaties/{location_id}: (actor, conn, location), the
                        location only if the actor may see it, else 404 (a dependency)
    render              a template with the actor, CSRF token, navigation and flash message
    see_other, flash    the redirect after a POST, with a message for the next page

The session cookie carries a random token, signed with the hub's key (portal_keys); the
session itself is a row in the database (hub/accounts/sessions.py). CSRF tokens are derived from
the cookie token, so every visitor, logged in or not, has one, and every POST must carry it
(form field ``csrf`` or header ``X-CSRF-Token``).

This layer knows no feature: who a session stands for and which locations an actor may see are
answered by the accounts and locations features, which the app (hub/web/app.py) plugs into the
:class:`Portal` as :class:`Identify` and :class:`Locate`.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import logging
import secrets
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any, NamedTuple, Protocol

import sqlite_utils
from fastapi import Depends, HTTPException, Request
from fastapi.responses import RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from jinja2 import ChoiceLoader, FileSystemLoader

from hub.core.actors import Actor, NoAccess, Role
from hub.core.db import pooled
from hub.core.localtime import fmt_date, fmt_duration, fmt_time, local
from hub.mail import Mailer
from hub.web import clients
from hub.web.channel import UnitChannel
from hub.web.nav import NavEntry, PageLocation, nav_for
from wire import cardcode

log = logging.getLogger(__name__)

COOKIE = "aanwezig"
DEVICE_COOKIE = "aanwezig_toestel"  # a known device of a location: wrong PINs of strangers don't lock it
FLASH_COOKIE = "aanwezig_melding"
ROLE_NL = {Role.ORGANISATOR: "Organisator", Role.LOCATION: "Opvanglocatie", Role.STAFF: "Medewerker"}

HUB = Path(__file__).resolve().parent.parent
# Each feature keeps its pages in its own templates/ folder under the same names as before
# ("grid/cell.html"); the shared parts (base.html, error.html, _icons.html) live in web/templates.
TEMPLATE_FOLDERS = list(dict.fromkeys([HUB / "web" / "templates", *sorted(HUB.glob("*/templates"))]))
TEMPLATES = Jinja2Templates(directory=str(HUB / "web" / "templates"))
TEMPLATES.env.loader = ChoiceLoader([FileSystemLoader(str(folder)) for folder in TEMPLATE_FOLDERS])
TEMPLATES.env.filters.update(
    date=fmt_date,
    time=fmt_time,
    moment=lambda value: local(value).strftime("%d/%m/%Y %H:%M"),
    duration=fmt_duration,
    card=cardcode.pretty,
)
TEMPLATES.env.globals["ROLE_NL"] = ROLE_NL


class Identify(Protocol):
    """The actor behind a cookie token, or None (hub.accounts.sessions answers it)."""

    def __call__(
        self, conn: sqlite_utils.Database, token: str, now: datetime, idle: timedelta
    ) -> Actor | None: ...


class Locate(Protocol):
    """The location of a URL if the actor may see it; raises NoAccess (hub.locations.access answers it)."""

    def __call__(self, conn: sqlite_utils.Database, actor: Actor, location_id: str) -> PageLocation: ...


# (conn, location id, first day, last day) -> {(child id, day): (symbol, Dutch words)}
CellNotes = Callable[[sqlite_utils.Database, str, date, date], dict[tuple[int, date], tuple[str, str]]]


def _nobody(conn: sqlite_utils.Database, token: str, now: datetime, idle: timedelta) -> Actor | None:
    return None


def _nowhere(conn: sqlite_utils.Database, actor: Actor, location_id: str) -> PageLocation:
    raise NoAccess(location_id)


@dataclass
class Portal:
    """The portal's state, one per app: where the data is, how to mail, how to reach the units."""

    database: Path | str  # a SQLite file, or a PostgreSQL URL
    mailer: Mailer
    units: UnitChannel
    base_url: str
    secret: bytes
    cookie_secure: bool = False
    trusted_proxies: tuple = ()  # networks (hub/web/clients.py)
    hsts: bool = False  # public_url is https: send Strict-Transport-Security
    session_idle: timedelta = timedelta(hours=2)
    session_lifetime: timedelta = timedelta(hours=12)
    nav: list[NavEntry] = field(default_factory=list)
    # a number beside a tab (e.g. open parent requests): nav key -> count(conn, location id)
    nav_counts: dict[str, Callable[[sqlite_utils.Database, str], int]] = field(default_factory=dict)
    # a number that depends on who looks (unread messages): nav key -> count(conn, actor, location id)
    actor_nav_counts: dict[str, Callable[[sqlite_utils.Database, Actor, str], int]] = field(
        default_factory=dict
    )
    # marks other features put on the grid's cells (e.g. a parent's open request)
    cell_notes: list[CellNotes] = field(default_factory=list)
    identify: Identify = _nobody
    locate: Locate = _nowhere
    # path prefixes of device APIs that authenticate by an ``Authorization: Bearer`` header alone,
    # never by the cookie: a forged cross-site request cannot carry that header, so no CSRF token
    bearer_paths: list[str] = field(default_factory=list)

    def sign(self, value: str) -> str:
        mac = hmac.new(self.secret, value.encode(), hashlib.sha256).digest()[:16]
        return f"{value}.{base64.urlsafe_b64encode(mac).decode().rstrip('=')}"

    def unsign(self, signed: str | None) -> str | None:
        if not signed or "." not in signed:
            return None
        value = signed.rpartition(".")[0]
        return value if hmac.compare_digest(self.sign(value), signed) else None

    def csrf_token(self, cookie_token: str) -> str:
        return hmac.new(self.secret, b"csrf:" + cookie_token.encode(), hashlib.sha256).hexdigest()[:32]

    def masked_csrf_token(self, cookie_token: str) -> str:
        """The CSRF token as a page carries it: masked anew for every response (a random mask and
        the token XOR the mask), so that a gzip-compressed page that also echoes what a visitor
        typed never repeats the same secret bytes (the BREACH attack guesses them from sizes)."""
        token = bytes.fromhex(self.csrf_token(cookie_token))
        mask = secrets.token_bytes(len(token))
        return (mask + bytes(t ^ m for t, m in zip(token, mask, strict=True))).hex()

    def csrf_matches(self, sent: str, cookie_token: str) -> bool:
        """``sent`` is this browser's token, masked (from a page) or plain."""
        if len(sent) == 64:
            try:
                raw = bytes.fromhex(sent)
            except ValueError:
                return False
            sent = bytes(t ^ m for t, m in zip(raw[16:], raw[:16], strict=True)).hex()
        return hmac.compare_digest(sent, self.csrf_token(cookie_token))


def portal(request: Request) -> Portal:
    return request.app.state.portal


def db(request: Request) -> Iterator[sqlite_utils.Database]:
    with pooled(portal(request).database) as conn:
        yield conn


def now() -> datetime:
    return datetime.now(UTC)


def client_address(request: Request) -> str:
    """The client's address: the peer, or what a trusted proxy says (hub/web/clients.py)."""
    peer = request.client.host if request.client else "onbekend"
    found = clients.origin(peer, request.headers, portal(request).trusted_proxies)
    if found.spoofed_header and peer not in _WARNED_PEERS:
        if len(_WARNED_PEERS) < 1000:  # once per peer, bounded: a flood must not flood the log
            _WARNED_PEERS.add(peer)
        log.warning(
            "proxy headers (X-Forwarded-For/Forwarded) from %s, which is not in trusted_proxies: "
            "ignored, the client is %s",
            peer,
            peer,
        )
    return found.address


_WARNED_PEERS: set[str] = set()


def pin_client(request: Request, location_id: str) -> clients.PinClient:
    """Who types a PIN for ``location_id``: a known device of that location, or an address."""
    device = None
    signed = portal(request).unsign(request.cookies.get(DEVICE_COOKIE))
    if signed:
        location, _, device_id = signed.rpartition(":")
        device = device_id if location == location_id and device_id else None
    return clients.PinClient(client_address(request), device)


def remember_device(request: Request, response: Response, location_id: str) -> None:
    """Mark this browser as a known device of the location (after a right PIN), for a year."""
    if pin_client(request, location_id).known_device:
        return
    response.set_cookie(
        DEVICE_COOKIE,
        portal(request).sign(f"{location_id}:{secrets.token_urlsafe(32)}"),
        max_age=365 * 24 * 3600,
        httponly=True,
        samesite="lax",
        secure=portal(request).cookie_secure,
        path="/",
    )


class LoginRequired(Exception):
    """No (live) session: HTML pages redirect to the login page, the API answers 401."""


def current_actor(request: Request, conn: sqlite_utils.Database) -> Actor | None:
    """The actor of this request's session, or None; cached on the request."""
    if not hasattr(request.state, "actor"):
        state = portal(request)
        request.state.actor = state.identify(conn, request.state.cookie_token, now(), state.session_idle)
    return request.state.actor


def require_actor(request: Request, conn: sqlite_utils.Database = Depends(db)) -> Actor:
    """Dependency: the logged-in actor; without one the page redirects to the login."""
    actor = current_actor(request, conn)
    if actor is None:
        raise LoginRequired()
    return actor


class AtLocation(NamedTuple):
    """Who acts, the request's database connection, and the location of the URL."""

    actor: Actor
    conn: sqlite_utils.Database
    location: Any  # the locations feature's Location (a PageLocation: id, name, ...)


def at_location(
    request: Request,
    location_id: str,
    actor: Actor = Depends(require_actor),
    conn: sqlite_utils.Database = Depends(db),
) -> AtLocation:
    """Dependency for every page under /locaties/{location_id}: logged in, and the actor's location.

    Someone else's location raises :class:`~hub.core.actors.NoAccess`, which the app answers with 404,
    as it does for every NoAccess a service raises (a child, a link request of another location).
    """
    return AtLocation(actor, conn, portal(request).locate(conn, actor, location_id))


async def csrf_protect(request: Request) -> None:
    """App-wide dependency: every POST carries the CSRF token of this browser's cookie."""
    if request.method in ("GET", "HEAD", "OPTIONS"):
        return
    if request.headers.get("authorization", "").lower().startswith("bearer ") and any(
        request.url.path.startswith(prefix) for prefix in portal(request).bearer_paths
    ):
        return
    sent = request.headers.get("x-csrf-token")
    if sent is None:
        form = await request.form()
        sent = form.get("csrf")
    if not isinstance(sent, str) or not portal(request).csrf_matches(sent, request.state.cookie_token):
        raise HTTPException(403, "De pagina was verlopen. Laad ze opnieuw en probeer nog eens.")


def start_new_cookie(request: Request, token: str) -> None:
    """Send a new cookie token with this response (after login and logout: no session fixation)."""
    request.state.cookie_token = token
    request.state.new_cookie = True


def flash(response: Response, request: Request, message: str, error: bool = False) -> Response:
    """Show ``message`` once, on the next page (as a refusal when ``error``)."""
    text = base64.urlsafe_b64encode(f"{'error' if error else 'ok'}|{message}".encode()).decode()
    response.set_cookie(
        FLASH_COOKIE,
        portal(request).sign(text),
        httponly=True,
        samesite="lax",
        secure=portal(request).cookie_secure,
        max_age=60,
    )
    return response


def see_other(
    url: str, request: Request | None = None, message: str | None = None, error: bool = False
) -> RedirectResponse:
    response = RedirectResponse(url, status_code=303)
    if message and request is not None:
        flash(response, request, message, error)
    return response


def render(
    request: Request,
    template: str,
    context: dict[str, Any] | None = None,
    status_code: int = 200,
    location: PageLocation | None = None,
) -> Response:
    """A page: the template with the actor, CSRF token, navigation and a pending flash message."""
    actor = getattr(request.state, "actor", None)
    state = portal(request)
    message = None
    signed = state.unsign(request.cookies.get(FLASH_COOKIE))
    if signed:
        kind, _, text = base64.urlsafe_b64decode(signed.encode()).decode(errors="replace").partition("|")
        message = {"kind": kind, "text": text}
    nav = nav_for(state.nav, actor, location) if actor and location else []
    counts = {}
    keys = {link.key for link in nav}
    if location is not None and keys & (state.nav_counts.keys() | state.actor_nav_counts.keys()):
        with pooled(state.database) as conn:
            counts = {key: count(conn, location.id) for key, count in state.nav_counts.items() if key in keys}
            counts |= {
                key: count(conn, actor, location.id)
                for key, count in state.actor_nav_counts.items()
                if key in keys
            }
    body = {
        "actor": actor,
        "csrf": state.masked_csrf_token(request.state.cookie_token),
        "nav": nav,
        "nav_counts": counts,
        "location": location,
        "flash": message,
        **(context or {}),
    }
    response = TEMPLATES.TemplateResponse(request, template, body, status_code=status_code)
    if request.cookies.get(FLASH_COOKIE):
        response.delete_cookie(FLASH_COOKIE)
    return response
