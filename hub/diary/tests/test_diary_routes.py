"""The diary over HTTP: the tablet lists who is present, entries are saved, parents read their own."""

from __future__ import annotations

import re

import pytest

from hub.demo import DEMO_DOSSIER, DEMO_PIN
from tests.support.hub_sql import hub_sql
from tests.support.parents import ANNE, BERT, add_families, csrf_of, login_parent, scan_now
from tests.support.portal import PortalClient
from tests.support.portal_world import OTHER_DOSSIER, OTHER_PIN, PortalWorld
from wire import Direction

TABLET = "/locaties/zonnebloem/dagboek"

pytestmark = pytest.mark.both_databases  # SQLite and PostgreSQL


def _staff(world: PortalWorld, dossier: str = DEMO_DOSSIER, pin: str = DEMO_PIN) -> PortalClient:
    staff = world.client()
    staff.login_location(dossier, pin)
    return staff


def _enter(staff: PortalClient, child: int, **fields):
    data = {"csrf": csrf_of(staff, TABLET), **fields}
    return staff.http.post(f"{TABLET}/kinderen/{child}", data=data)


def test_the_tablet_lists_the_children_present_now_and_keeps_their_day(world: PortalWorld) -> None:
    families = add_families(world.database, world.other_child)
    staff = _staff(world)
    for name in ("Jules", "Lotte"):
        scan_now(world.database, name, Direction.ARRIVAL)
    page = staff.get(TABLET).text
    present = set(re.findall(r'data-child="(\d+)"', page))
    assert {str(families.jules), str(families.lotte)} <= present
    assert _enter(staff, families.jules, soort="meal", keuze="alles", tekst="pasta").status_code == 200
    assert _enter(staff, families.jules, soort="nappy", keuze="nat").status_code == 200
    assert _enter(staff, families.jules, soort="sleep", uur="12:30").status_code == 200
    refused = _enter(staff, families.jules, soort="sleep", uur="14:00", tot="13:00")
    assert "eindigt na het begin" in refused.text
    with hub_sql(world.database) as db:
        (sleep,) = db.execute("SELECT id FROM diary_entries WHERE kind = 'sleep'").fetchone()
        kinds = [r[0] for r in db.execute("SELECT kind FROM diary_entries ORDER BY id")]
        made_by = {r[0] for r in db.execute("SELECT made_by FROM diary_entries")}
    assert kinds == ["meal", "nappy", "sleep"] and made_by == {"Kinderdagverblijf De Zonnebloem"}
    woke = staff.http.post(
        f"{TABLET}/regels/{sleep}/wakker", data={"csrf": csrf_of(staff, TABLET), "tot": "14:05"}
    )
    assert "einduur bewaard" in woke.text
    _enter(staff, families.lotte, soort="mood", keuze="blij")
    anne = login_parent(world.url, ANNE)
    day = anne.get("/ouders/dagboek").text
    assert "alles op: pasta" in day and "12:30–14:05" in day and "nat" in day
    assert "blij" not in day  # Lotte's mood is Bert's to read
    assert "alles op: pasta" in anne.get(f"/ouders/dagboek/{families.jules}").text
    assert "blij" in login_parent(world.url, BERT).get("/ouders/dagboek").text
    mine = anne.get("/ouders/gegevens.json").json()["dagboek"]
    assert {line["inhoud"] for line in mine} == {"alles op: pasta", "nat", "12:30–14:05"}


def test_every_diary_route_with_an_id_is_404_for_another_familys_or_locations_ids(world: PortalWorld) -> None:
    from hub.parents.tests.test_parent_routes import world_app_routes

    families = add_families(world.database, world.other_child)
    klavertje = _staff(world, OTHER_DOSSIER, OTHER_PIN)
    data = {
        "csrf": csrf_of(klavertje, "/locaties/klavertje/dagboek"),
        "soort": "note",
        "tekst": "van Klavertje",
    }
    assert (
        klavertje.http.post(f"/locaties/klavertje/dagboek/kinderen/{families.geheim}", data=data).status_code
        == 200
    )
    with hub_sql(world.database) as db:
        (entry,) = db.execute("SELECT id FROM diary_entries").fetchone()
    staff, anne = _staff(world), login_parent(world.url, ANNE)
    routes = [
        (method, route.path)
        for route in world_app_routes(world)
        for method in sorted(getattr(route, "methods", None) or ())
        if "dagboek/" in route.path and "{" in route.path.split("dagboek/", 1)[1]
    ]
    assert len(routes) >= 4, routes
    for method, path in routes:
        client = anne if path.startswith("/ouders") else staff
        for child in (families.lotte, families.geheim):
            url = path.format(location_id="zonnebloem", child_id=child, entry_id=entry)
            if method == "GET":
                response = client.get(url)
            else:
                form = {"csrf": csrf_of(client, "/ouders" if client is anne else TABLET), "soort": "note"}
                response = client.http.post(url, data=form | {"tekst": "ingebroken"})
            if client is staff and "{child_id}" in path and child == families.lotte:
                continue  # Lotte is Zonnebloem's own child: staff may write her day
            assert response.status_code == 404, (method, url, response.status_code)
    with hub_sql(world.database) as db:
        assert db.execute("SELECT text FROM diary_entries ORDER BY id").fetchall()[0] == ("van Klavertje",)
        assert db.execute(
            "SELECT count(*) FROM diary_entries WHERE text = 'ingebroken' AND child_id = ?",
            (families.geheim,),
        ).fetchone() == (0,)
