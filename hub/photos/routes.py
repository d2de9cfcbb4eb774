"""The photo screens: the location's /locaties/{id}/fotos (upload, tag, list) and the parent's
/ouders/fotos. Every image is sent by one of these routes after its access check; the files live
in the hub's data folder, never under a static folder, so no image has a public URL.
"""

from __future__ import annotations

import re
from pathlib import Path

import sqlite_utils
from fastapi import APIRouter, Depends, FastAPI, File, Form, Request, UploadFile
from fastapi.responses import FileResponse, Response

from hub.core.actors import Refused
from hub.core.localtime import local
from hub.parents import queries as parent_queries
from hub.parents.accounts import Account
from hub.parents.routes import MenuEntry, add_menu_entry, add_my_data, parent_page, require_parent
from hub.photos import store
from hub.photos.images import reencode
from hub.photos.rules import CAPTION, PHOTO_BYTES, check_caption
from hub.photos.store import Photo
from hub.web.nav import NavEntry
from hub.web.web import AtLocation, at_location, db, now, render, see_other

router = APIRouter()
UPLOAD_PATHS = ((re.compile(r"/locaties/[^/]+/fotos"), PHOTO_BYTES + 256 * 1024),)


def install(app: FastAPI, folder: Path) -> None:
    """Mount the routes, the location's "Foto's" tab and the parents' menu entry."""
    app.state.photo_files = Path(folder)
    app.state.portal.nav.append(NavEntry("fotos", "Foto's", "/locaties/{location}/fotos"))
    add_menu_entry(MenuEntry("fotos", "Foto's", "/ouders/fotos"))
    add_my_data("fotos", "Foto's waarop je kind staat", _my_photos)
    app.include_router(router)


def _folder(request: Request) -> Path:
    return request.app.state.photo_files


def _image(request: Request, photo: Photo, thumb: bool) -> Response:
    path = store.file_of(_folder(request), photo.thumb_as if thumb else photo.stored_as)
    return FileResponse(path, media_type="image/jpeg", headers={"Cache-Control": "private, no-store"})


# --- the location ---------------------------------------------------------------------------------


def _location_page(request: Request, here: AtLocation, error: str | None = None, values: dict | None = None):
    return render(
        request,
        "photos/location.html",
        {
            "active": "fotos",
            "children": store.tagging_choices(here.conn, here.location.id),
            "photos": store.photos_at(here.conn, here.location.id),
            "error": error,
            "values": values or {"kinderen": set(), "onderschrift": ""},
            "CAPTION": CAPTION,
            "mb": PHOTO_BYTES >> 20,
        },
        400 if error else 200,
        location=here.location,
    )


@router.get("/locaties/{location_id}/fotos")
def location_photos(request: Request, here: AtLocation = Depends(at_location)) -> Response:
    return _location_page(request, here)


@router.post("/locaties/{location_id}/fotos")
async def upload(
    request: Request,
    foto: UploadFile | None = File(default=None),
    kinderen: list[int] = Form(default=[]),
    onderschrift: str = Form(""),
    here: AtLocation = Depends(at_location),
) -> Response:
    values = {"kinderen": set(kinderen), "onderschrift": onderschrift[: CAPTION * 2]}
    try:
        data = await foto.read(PHOTO_BYTES + 1) if foto is not None else b""
        caption = check_caption(onderschrift[: CAPTION * 2])
        encoded = reencode(data)
        store.add_photo(
            here.conn,
            _folder(request),
            here.location.id,
            encoded,
            data,
            kinderen,
            caption,
            here.actor.name,
            now(),
        )
    except Refused as refused:
        return _location_page(request, here, refused.reason, values)
    return see_other(f"/locaties/{here.location.id}/fotos", request, "De foto is bewaard.")


@router.get("/locaties/{location_id}/fotos/{photo_id}/foto.jpg")
def location_image(request: Request, photo_id: int, here: AtLocation = Depends(at_location)) -> Response:
    return _image(request, store.photo_at(here.conn, here.location.id, photo_id), thumb=False)


@router.get("/locaties/{location_id}/fotos/{photo_id}/klein.jpg")
def location_thumb(request: Request, photo_id: int, here: AtLocation = Depends(at_location)) -> Response:
    return _image(request, store.photo_at(here.conn, here.location.id, photo_id), thumb=True)


@router.post("/locaties/{location_id}/fotos/{photo_id}/verwijderen")
def delete(request: Request, photo_id: int, here: AtLocation = Depends(at_location)) -> Response:
    photo = store.photo_at(here.conn, here.location.id, photo_id)
    store.delete_photo(here.conn, _folder(request), photo)
    return see_other(f"/locaties/{here.location.id}/fotos", request, "De foto is verwijderd.")


# --- the parent -----------------------------------------------------------------------------------


def _pairs(conn: sqlite_utils.Database, account: Account) -> list[tuple[int, str]]:
    return [(c.id, p.id) for c in parent_queries.children_of(conn, account) for p in c.places]


def _my_photos(conn: sqlite_utils.Database, account: Account) -> list[dict]:
    """The photos the parent may see (their children on them), for "Mijn gegevens"."""
    return [
        {
            "foto": f"/ouders/fotos/{p.id}/foto.jpg",
            "gemaakt": local(p.created_at).strftime("%d/%m/%Y %H:%M"),
            "kinderen": ", ".join(p.tagged),
            "onderschrift": p.caption,
        }
        for p in store.photos_of_parent(conn, _pairs(conn, account), limit=10_000)
    ]


@router.get("/ouders/fotos")
def parent_photos(
    request: Request, account: Account = Depends(require_parent), conn: sqlite_utils.Database = Depends(db)
) -> Response:
    return parent_page(
        request, "photos/parent.html", {"photos": store.photos_of_parent(conn, _pairs(conn, account))}
    )


@router.get("/ouders/fotos/{photo_id}/foto.jpg")
def parent_image(
    request: Request,
    photo_id: int,
    account: Account = Depends(require_parent),
    conn: sqlite_utils.Database = Depends(db),
) -> Response:
    return _image(request, store.photo_of_parent(conn, _pairs(conn, account), photo_id), thumb=False)


@router.get("/ouders/fotos/{photo_id}/klein.jpg")
def parent_thumb(
    request: Request,
    photo_id: int,
    account: Account = Depends(require_parent),
    conn: sqlite_utils.Database = Depends(db),
) -> Response:
    return _image(request, store.photo_of_parent(conn, _pairs(conn, account), photo_id), thumb=True)
