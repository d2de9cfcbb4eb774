"""The parent's "Meldingen" page: per child every arrival and departure, a daily summary, or
nothing; by mail and/or Web Push; and the endpoints the page's script uses to add this browser.

    GET  /ouders/meldingen                the settings (phone first)
    POST /ouders/meldingen                save them (only the parent's own children are read)
    POST /ouders/meldingen/browser        this browser's push subscription (JSON, X-CSRF-Token)
    POST /ouders/meldingen/browser/weg    forget it
    GET  /ouders/sw.js                    the service worker (scope /ouders/)
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

import sqlite_utils
from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.responses import FileResponse, JSONResponse, Response

from hub.core.actors import NoAccess
from hub.core.db import write_transaction
from hub.notify import store, vapid
from hub.notify.rules import MODE_NL, Mode
from hub.notify.settings import NotifySettings
from hub.parents import queries
from hub.parents.accounts import Account
from hub.parents.routes import require_parent
from hub.web.web import db, now, render, see_other

router = APIRouter()
STATIC = Path(__file__).resolve().parent / "static"
MAX_ENDPOINT = 1000
MAX_KEY = 200


def install(app: FastAPI, data_dir: Path, settings: NotifySettings) -> None:
    """Mount the page; ``data_dir`` holds the hub's VAPID key."""
    app.state.notify = (Path(data_dir), settings)
    app.include_router(router)


def _state(request: Request) -> tuple[Path, NotifySettings]:
    return request.app.state.notify


@router.get("/ouders/sw.js")
def service_worker() -> Response:
    return FileResponse(STATIC / "sw.js", media_type="text/javascript", headers={"Cache-Control": "no-cache"})


@router.get("/ouders/meldingen/meldingen.js")
def page_script() -> Response:
    return FileResponse(
        STATIC / "meldingen.js", media_type="text/javascript", headers={"Cache-Control": "no-cache"}
    )


@router.get("/ouders/meldingen/meldingen.css")
def page_style() -> Response:
    return FileResponse(
        STATIC / "meldingen.css", media_type="text/css", headers={"Cache-Control": "no-cache"}
    )


@router.get("/ouders/meldingen")
def settings_page(
    request: Request, account: Account = Depends(require_parent), conn: sqlite_utils.Database = Depends(db)
) -> Response:
    data_dir, _settings = _state(request)
    children = queries.children_of(conn, account)
    prefs = store.prefs_of(conn, account.id)
    return render(
        request,
        "notify/settings.html",
        {
            "parent": account,
            "active": "meldingen",
            "children": children,
            "prefs": {c.id: prefs.get(c.id, store.Pref(c.id, Mode.NONE, 18, True, True)) for c in children},
            "modes": MODE_NL,
            "public_key": vapid.public_key(data_dir),
            "browsers": len(store.subscriptions_of(conn, account.id)),
        },
    )


@router.post("/ouders/meldingen")
async def save(
    request: Request, account: Account = Depends(require_parent), conn: sqlite_utils.Database = Depends(db)
) -> Response:
    form = await request.form()
    children = queries.children_of(conn, account)
    with write_transaction(conn):
        for child in children:  # a field for another family's child is simply not read
            try:
                mode = Mode(str(form.get(f"mode-{child.id}", Mode.NONE.value)))
                hour = int(str(form.get(f"uur-{child.id}", "18")))
            except ValueError:
                mode, hour = Mode.NONE, 18
            pref = store.Pref(
                child.id,
                mode,
                min(max(hour, 0), 23),
                form.get(f"mail-{child.id}") == "1",
                form.get(f"push-{child.id}") == "1",
            )
            store.set_pref(conn, account.id, pref)
    return see_other("/ouders/meldingen", request, "Je meldingen zijn bewaard.")


def _endpoint_allowed(endpoint: str, settings: NotifySettings) -> bool:
    parts = urlsplit(endpoint)
    if parts.scheme == "https" and parts.hostname:
        return True
    return settings.loopback_push and parts.scheme == "http" and parts.hostname == "127.0.0.1"


@router.post("/ouders/meldingen/browser")
async def subscribe(
    request: Request, account: Account = Depends(require_parent), conn: sqlite_utils.Database = Depends(db)
) -> Response:
    _data_dir, settings = _state(request)
    try:
        body = await request.json()
        endpoint = str(body["endpoint"])[: MAX_ENDPOINT + 1]
        p256dh, auth = str(body["keys"]["p256dh"]), str(body["keys"]["auth"])
    except (ValueError, KeyError, TypeError):
        return JSONResponse({"detail": "ongeldig abonnement"}, status_code=400)
    if len(endpoint) > MAX_ENDPOINT or len(p256dh) > MAX_KEY or len(auth) > MAX_KEY:
        return JSONResponse({"detail": "ongeldig abonnement"}, status_code=400)
    if not _endpoint_allowed(endpoint, settings):
        return JSONResponse({"detail": "deze pushdienst wordt niet aanvaard"}, status_code=400)
    with write_transaction(conn):
        store.add_subscription(conn, account.id, endpoint, p256dh, auth, now())
    return JSONResponse({"ok": True})


@router.post("/ouders/meldingen/browser/weg")
async def unsubscribe(
    request: Request, account: Account = Depends(require_parent), conn: sqlite_utils.Database = Depends(db)
) -> Response:
    try:
        endpoint = str((await request.json())["endpoint"])[:MAX_ENDPOINT]
    except (ValueError, KeyError, TypeError):
        raise NoAccess("endpoint") from None
    with write_transaction(conn):
        store.remove_subscription(conn, account.id, endpoint)
    return JSONResponse({"ok": True})
