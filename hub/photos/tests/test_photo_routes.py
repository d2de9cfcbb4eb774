"""Photos over HTTP: who sees which photo, consent, clean bytes, originals erased by retention."""

from __future__ import annotations

import re
import sqlite3
from datetime import UTC, datetime, timedelta

import pytest

from hub.operations.retention import run_retention
from hub.photos.settings import PhotoSettings
from tests.support.files import GPS_MARK, jpeg_with_exif
from tests.support.hub_sql import hub_sql
from tests.support.parents import ANNE, BERT, Families, add_families, csrf_of, login_parent
from tests.support.portal import PortalClient
from tests.support.portal_world import OTHER_DOSSIER, OTHER_PIN, PortalWorld
from tests.support.talk import CARLA, add_third_family, staff_client

FOTOS = "/locaties/zonnebloem/fotos"

pytestmark = pytest.mark.both_databases  # SQLite and PostgreSQL


def upload(
    staff: PortalClient, children: list[int], data: bytes | None = None, caption: str = "", page: str = FOTOS
):
    form = {"csrf": csrf_of(staff, page), "kinderen": [str(c) for c in children], "onderschrift": caption}
    files = {"foto": ("IMG_0001.jpg", data or jpeg_with_exif(), "image/jpeg")}
    return staff.http.post(page, data=form, files=files)


def _photo_ids(html: str) -> list[int]:
    return [int(x) for x in re.findall(r'data-photo="(\d+)"', html)]


def _families(world: PortalWorld) -> Families:
    families = add_families(world.database, world.other_child)
    add_third_family(world.database, families)
    return families


def test_a_parent_sees_only_photos_in_which_their_own_children_are_tagged(world: PortalWorld) -> None:
    families = _families(world)
    staff = staff_client(world.url)
    assert upload(staff, [families.jules, families.lotte], caption="Zandbak").status_code == 200
    (photo,) = _photo_ids(staff.get(FOTOS).text)
    anne, bert, carla = (login_parent(world.url, who) for who in (ANNE, BERT, CARLA))
    for parent, own in ((anne, "Jules"), (bert, "Lotte")):
        page = parent.get("/ouders/fotos").text
        assert _photo_ids(page) == [photo] and own in page
        assert parent.get(f"/ouders/fotos/{photo}/foto.jpg").status_code == 200
    assert "Lotte" not in anne.get("/ouders/fotos").text  # the other child on the photo stays unnamed
    (mine,) = anne.get("/ouders/gegevens.json").json()["fotos"]
    assert mine["kinderen"] == "Jules" and mine["onderschrift"] == "Zandbak"
    assert _photo_ids(carla.get("/ouders/fotos").text) == []
    for size in ("foto.jpg", "klein.jpg"):
        assert carla.get(f"/ouders/fotos/{photo}/{size}").status_code == 404
    assert world.client().get(f"/ouders/fotos/{photo}/foto.jpg").url.path == "/ouders/aanmelden"
    klavertje = staff_client(world.url, OTHER_DOSSIER, OTHER_PIN)
    assert klavertje.get(f"/locaties/klavertje/fotos/{photo}/foto.jpg").status_code == 404


def test_the_served_photo_has_no_exif_or_gps_and_the_files_are_private(world: PortalWorld) -> None:
    families = _families(world)
    staff = staff_client(world.url)
    original = jpeg_with_exif()
    assert GPS_MARK.encode() in original and b"Exif" in original
    upload(staff, [families.jules], original)
    (photo,) = _photo_ids(staff.get(FOTOS).text)
    anne = login_parent(world.url, ANNE)
    for size in ("foto.jpg", "klein.jpg"):
        served = anne.get(f"/ouders/fotos/{photo}/{size}")
        assert served.headers["content-type"] == "image/jpeg"
        assert served.content.startswith(b"\xff\xd8") and b"Exif" not in served.content
        assert GPS_MARK.encode() not in served.content and b"Testcamera" not in served.content
    folder = world.data_dir / "fotos"
    assert oct(folder.stat().st_mode & 0o777) == "0o700"
    assert all(oct(f.stat().st_mode & 0o777) == "0o600" for f in folder.iterdir())


def test_a_child_marked_geen_fotos_cannot_be_tagged_and_loses_its_tags(world: PortalWorld) -> None:
    families = _families(world)
    staff = staff_client(world.url)
    upload(staff, [families.jules, families.noah])
    child_page = f"/locaties/zonnebloem/kinderen/{families.noah}"
    marked = staff.http.post(
        f"{child_page}/fotos", data={"csrf": csrf_of(staff, child_page), "geen_fotos": "1"}
    )
    assert "kan niet meer op een foto aangeduid worden" in marked.text
    assert 'name="geen_fotos" value="1" checked' in staff.get(child_page).text
    assert _photo_ids(login_parent(world.url, CARLA).get("/ouders/fotos").text) == []  # consent withdrawn
    refused = upload(staff, [families.jules, families.noah])
    assert refused.status_code == 400
    assert "Geen foto&#39;s van Noah: de ouders gaven geen toestemming" in refused.text
    with hub_sql(world.database) as db:
        assert db.execute("SELECT count(*) FROM photos").fetchone() == (1,)
        # the database refuses it too, whatever screen asks
        try:
            db.execute("INSERT INTO photo_tags (photo_id, child_id) VALUES (1, ?)", (families.noah,))
            raise AssertionError("tagged a child without consent")
        except sqlite3.IntegrityError as error:
            assert "no photo consent" in str(error)


def test_originals_are_kept_for_the_organisators_period_then_erased_by_the_daily_retention(
    world: PortalWorld,
) -> None:
    families = _families(world)
    upload(staff_client(world.url), [families.jules])
    with hub_sql(world.database) as db:
        stored_as, original = db.execute("SELECT stored_as, original_as FROM photos").fetchone()
    folder = world.data_dir / "fotos"
    assert (folder / original).exists()
    settings = world.settings(sections={"photos": PhotoSettings(originals_days=14)})
    soon = run_retention(settings, datetime.now(UTC) + timedelta(days=13))
    assert soon.erased["photo_originals"] == 0 and (folder / original).exists()
    later = run_retention(settings, datetime.now(UTC) + timedelta(days=15))
    assert later.erased["photo_originals"] == 1
    assert not (folder / original).exists() and (folder / stored_as).exists()
    with hub_sql(world.database) as db:
        assert db.execute("SELECT original_as FROM photos").fetchone() == (None,)
    assert login_parent(world.url, ANNE).get("/ouders/fotos/1/foto.jpg").status_code == 200


def test_every_photo_route_with_an_id_is_404_for_another_familys_or_locations_ids(world: PortalWorld) -> None:
    from hub.parents.tests.test_parent_routes import world_app_routes

    families = _families(world)
    klavertje = staff_client(world.url, OTHER_DOSSIER, OTHER_PIN)
    assert upload(klavertje, [families.geheim], page="/locaties/klavertje/fotos").status_code == 200
    upload(staff_client(world.url), [families.lotte])
    with hub_sql(world.database) as db:
        ids = dict(db.execute("SELECT location_id, id FROM photos"))
    anne, staff = login_parent(world.url, ANNE), staff_client(world.url)
    routes = [
        (method, route.path)
        for route in world_app_routes(world)
        for method in sorted(getattr(route, "methods", None) or ())
        if "{photo_id}" in route.path
    ]
    assert len(routes) >= 5, routes
    for method, path in routes:
        client = anne if path.startswith("/ouders") else staff
        photos = [ids["zonnebloem"], ids["klavertje"]] if client is anne else [ids["klavertje"]]
        for photo in photos:
            url = path.format(location_id="zonnebloem", photo_id=photo)
            if method == "GET":
                response = client.get(url)
            else:
                response = client.http.post(url, data={"csrf": csrf_of(client, FOTOS)})
            assert response.status_code == 404, (method, url, response.status_code)
    with hub_sql(world.database) as db:
        assert db.execute("SELECT count(*) FROM photos").fetchone() == (2,)
