"""Mijn locatie over HTTP: news and the newsletter, the team, information pages, access."""

from __future__ import annotations

import re
from email import message_from_bytes, policy

import pytest

from tests.support.files import jpeg_with_exif
from tests.support.hub_sql import hub_sql
from tests.support.parents import ANNE, BERT, add_families, csrf_of, login_parent
from tests.support.portal_world import OTHER_DOSSIER, OTHER_PIN, PortalWorld
from tests.support.talk import CARLA, add_third_family, staff_client

HOME = "/locaties/zonnebloem/mijn-locatie"

pytestmark = pytest.mark.both_databases  # SQLite and PostgreSQL


def _mails(world: PortalWorld) -> list:
    return [
        message_from_bytes(p.read_bytes(), policy=policy.default)
        for p in sorted(world.mail_dir.glob("*.eml"))
    ]


def _newsletters(world: PortalWorld) -> list:
    return [m for m in _mails(world) if str(m["Subject"]).startswith("Nieuwsbrief")]


def test_a_newsletter_is_in_the_portal_and_mailed_to_every_parent_of_the_location(world: PortalWorld) -> None:
    families = add_families(world.database, world.other_child)
    add_third_family(world.database, families)
    staff = staff_client(world.url)
    form = {
        "csrf": csrf_of(staff, HOME),
        "titel": "Zomerfeest",
        "tekst": "Op **zaterdag** om 14:00.",
        "nieuwsbrief": "1",
    }
    done = staff.http.post(f"{HOME}/nieuws", data=form)
    assert "gaat per mail naar 3 ouders" in done.text
    assert sorted(str(m["To"]) for m in _newsletters(world)) == sorted([ANNE, BERT, CARLA])
    text = _newsletters(world)[0].get_body(("plain",)).get_content()
    assert "Zomerfeest" in text and "Op **zaterdag** om 14:00." in text and "/ouders/locatie" in text
    plain = {"csrf": csrf_of(staff, HOME), "titel": "Nieuwe zandbak", "tekst": "Hij is er."}
    assert "staat in het ouderportaal" in staff.http.post(f"{HOME}/nieuws", data=plain).text
    assert len(_newsletters(world)) == 3  # a news item without the box ticked is not mailed
    page = login_parent(world.url, ANNE).get("/ouders/locatie").text
    assert "Op <strong>zaterdag</strong> om 14:00." in page and "Nieuwe zandbak" in page
    # Klavertje's newsletter goes to Klavertje's parents only: Anne (Fien) and Bert (Geheim), not Carla
    klavertje = staff_client(world.url, OTHER_DOSSIER, OTHER_PIN)
    other = {
        "csrf": csrf_of(klavertje, "/locaties/klavertje/mijn-locatie"),
        "titel": "Klavertje",
        "tekst": "x",
        "nieuwsbrief": "1",
    }
    klavertje.http.post("/locaties/klavertje/mijn-locatie/nieuws", data=other)
    assert [str(m["To"]) for m in _newsletters(world) if "Klavertje" in str(m["Subject"])] == sorted(
        [ANNE, BERT]
    )


def test_team_and_information_pages_are_what_parents_of_the_location_read(world: PortalWorld) -> None:
    add_families(world.database, world.other_child)
    staff = staff_client(world.url)
    form = {"csrf": csrf_of(staff, HOME), "naam": "Sofie Maes", "rol": "kinderbegeleider"}
    files = {"foto": ("sofie.jpg", jpeg_with_exif(), "image/jpeg")}
    assert "staat in het team" in staff.http.post(f"{HOME}/team", data=form, files=files).text
    page = {
        "csrf": csrf_of(staff, f"{HOME}/paginas/nieuw"),
        "titel": "Huisregels",
        "tekst": "# Breng mee\n\n- luiers\n\n<script>alert(1)</script>",
    }
    saved = staff.http.post(f"{HOME}/paginas/nieuw", data=page)
    assert "De pagina is bewaard" in saved.text and "<li>luiers</li>" in saved.text
    page_id = int(re.search(r"/paginas/(\d+)", str(saved.url))[1])
    anne = login_parent(world.url, ANNE)
    home = anne.get("/ouders/locatie").text
    assert "Sofie Maes" in home and "kinderbegeleider" in home and "Huisregels" in home
    member = int(re.search(r'data-member="(\d+)"', home)[1])
    photo = anne.get(f"/ouders/locatie/zonnebloem/team/{member}/foto.jpg")
    assert photo.status_code == 200 and b"Exif" not in photo.content
    read = anne.get(f"/ouders/locatie/zonnebloem/paginas/{page_id}").text
    assert "<h2>Breng mee</h2>" in read and "<script>alert(1)</script>" not in read


def test_every_mijn_locatie_route_with_an_id_is_404_for_another_familys_or_locations_ids(
    world: PortalWorld,
) -> None:
    from hub.parents.tests.test_parent_routes import world_app_routes

    add_families(world.database, world.other_child)
    klavertje = staff_client(world.url, OTHER_DOSSIER, OTHER_PIN)
    home = "/locaties/klavertje/mijn-locatie"
    klavertje.http.post(f"{home}/nieuws", data={"csrf": csrf_of(klavertje, home), "titel": "K", "tekst": "k"})
    klavertje.http.post(
        f"{home}/team",
        data={"csrf": csrf_of(klavertje, home), "naam": "Kim"},
        files={"foto": ("k.jpg", jpeg_with_exif(), "image/jpeg")},
    )
    klavertje.http.post(
        f"{home}/paginas/nieuw", data={"csrf": csrf_of(klavertje, home), "titel": "Regels", "tekst": "geheim"}
    )
    with hub_sql(world.database) as db:
        ids = {
            "news_id": db.execute("SELECT id FROM news_items").fetchone()[0],
            "member_id": db.execute("SELECT id FROM team_members").fetchone()[0],
            "page_id": db.execute("SELECT id FROM info_pages").fetchone()[0],
        }
    anne, staff = (
        login_parent(world.url, ANNE),
        staff_client(world.url),
    )  # Anne: Jules and Fien (not at Klavertje? she is)
    routes = [
        (method, route.path)
        for route in world_app_routes(world)
        for method in sorted(getattr(route, "methods", None) or ())
        if any(f"{{{name}}}" in route.path for name in ("news_id", "member_id", "page_id"))
    ]
    assert len(routes) >= 8, routes
    for method, path in routes:
        if path.startswith("/ouders"):
            # Anne's children are at De Zonnebloem and Klavertje; Bert's Lotte is at De Zonnebloem: a
            # location of none of the parent's children is 404 (Carla has none at Klavertje)
            add_third_family_once(world)
            client, location = login_parent(world.url, CARLA), "klavertje"
        else:
            client, location = staff, "zonnebloem"
        url = path.format(location_id=location, **ids)
        if method == "GET":
            response = client.get(url)
        else:
            response = client.http.post(
                url,
                data={
                    "csrf": csrf_of(client, "/ouders" if path.startswith("/ouders") else HOME),
                    "titel": "x",
                    "tekst": "y",
                },
            )
        assert response.status_code == 404, (method, url, response.status_code)
    with hub_sql(world.database) as db:
        assert db.execute("SELECT title, body FROM info_pages").fetchall() == [("Regels", "geheim")]
        assert db.execute("SELECT count(*) FROM news_items").fetchone() == (1,)
    assert anne.get(f"/ouders/locatie/klavertje/paginas/{ids['page_id']}").status_code == 200  # Fien is there


_ADDED: set[str] = set()


def add_third_family_once(world: PortalWorld) -> None:
    if str(world.database) in _ADDED:
        return
    from tests.support.parents import Families

    with hub_sql(world.database) as db:
        noah = db.execute("SELECT id FROM children WHERE first_name = 'Noah'").fetchone()[0]
    add_third_family(world.database, Families(0, 0, 0, 0, noah))
    _ADDED.add(str(world.database))
