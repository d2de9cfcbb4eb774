"""The units fetch a rollout's wheel here: ``GET /units/updates/{file}``, HTTP Basic with the unit
id and :func:`wire.update_manifest.download_token` of its staff key. The signature protects the
wheel's content; the credential keeps the download to the organisation's active units."""

from __future__ import annotations

import base64
import binascii
import hmac
from pathlib import Path

import sqlite_utils
from fastapi import APIRouter, Depends, FastAPI, HTTPException, Request
from fastapi.responses import FileResponse

from hub.core.actors import Role, StaffRole
from hub.rollout import pages, store
from hub.web.nav import NavEntry
from hub.web.web import db
from wire import staffcode
from wire.update_manifest import download_token


def install(app: FastAPI, folder: Path) -> None:
    router = APIRouter()

    @router.get("/units/updates/{file}")
    def download(file: str, request: Request, conn: sqlite_utils.Database = Depends(db)) -> FileResponse:
        unit_id, token = _basic(request)
        row = conn.execute(
            "SELECT staff_key FROM units WHERE id = ? AND state = 'active'", (unit_id,)
        ).fetchone()
        key = row[0] if row else None
        expected = download_token(staffcode.parse_key(key), file) if key else ""
        if not key or not hmac.compare_digest(expected, token):
            raise HTTPException(401, "niet aangemeld", headers={"WWW-Authenticate": 'Basic realm="aanwezig"'})
        path = folder / file
        if "/" in file or file.startswith(".") or not store.is_rollout_file(conn, file) or not path.is_file():
            raise HTTPException(404)
        return FileResponse(path, media_type="application/octet-stream")

    app.include_router(router)
    app.include_router(pages.router)
    app.state.portal.nav.append(
        NavEntry(
            "scanners",
            "Scanners",
            "/locaties/{location}/scanners",
            frozenset({Role.ORGANISATOR, Role.STAFF}),
            frozenset({StaffRole.ORGANISATOR}),
        )
    )


def _basic(request: Request) -> tuple[str, str]:
    scheme, _, value = request.headers.get("authorization", "").partition(" ")
    try:
        user, _, password = base64.b64decode(value, validate=True).decode().partition(":")
    except (binascii.Error, UnicodeDecodeError):
        return "", ""
    return (user, password) if scheme.lower() == "basic" else ("", "")
