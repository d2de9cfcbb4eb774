"""Who may collect: per contact "mag ophalen" (the default) or "mag niet ophalen" with a note for
staff, and, without a collector card, who collected filled in on the cell's page."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, time, timedelta

from hub.children.queries import add_contact
from hub.core.db import open_database
from hub.core.localtime import BRUSSELS, fmt_time, today
from hub.demo import DEMO_DOSSIER, DEMO_PIN, _record
from tests.support.parents import ANNE, add_families, last_open_day, login_parent
from tests.support.portal import PortalClient
from tests.support.portal_world import OTHER_DOSSIER, OTHER_PIN, PortalWorld
from wire import Direction


def _jules_with_contacts(world: PortalWorld) -> tuple[int, int, int]:
    db = open_database(world.database)
    jules = db.execute("SELECT id FROM children WHERE first_name = 'Jules'").fetchone()[0]
    mother = add_contact(db, jules, "Anne Peeters", None, "moeder", "0470 11 22 33")
    uncle = add_contact(db, jules, "Nonkel Marc", None, "oom", "0480 99 88 77")
    db.close()
    return jules, mother, uncle


def _staff(world: PortalWorld, dossier: str = DEMO_DOSSIER, pin: str = DEMO_PIN) -> PortalClient:
    client = world.client()
    client.login_location(dossier, pin)
    return client


def test_a_contact_may_collect_by_default_and_staff_mark_one_who_may_not_with_a_note(
    world: PortalWorld,
) -> None:
    jules, _mother, uncle = _jules_with_contacts(world)
    staff = _staff(world)
    page = f"/locaties/zonnebloem/kinderen/{jules}"
    assert staff.get(page).text.count("mag ophalen</span>") == 2
    without_note = staff.post(
        f"{page}/contacten/{uncle}/ophalen", {"mag": "nee", "notitie": ""}, form_page=page
    )
    assert "Schrijf er voor je collega" in without_note.text
    answer = staff.post(
        f"{page}/contacten/{uncle}/ophalen",
        {"mag": "nee", "notitie": "Rechterlijke beslissing: bel de moeder"},
        form_page=page,
    )
    assert "Bewaard: wie mag ophalen." in answer.text
    assert "mag niet ophalen</span> <em>Rechterlijke beslissing: bel de moeder</em>" in answer.text
    with sqlite3.connect(world.database) as db:
        assert db.execute(
            "SELECT may_collect, collect_note FROM contacts WHERE id = ?", (uncle,)
        ).fetchone() == (
            0,
            "Rechterlijke beslissing: bel de moeder",
        )


def test_another_organisators_staff_cannot_change_who_may_collect(world: PortalWorld) -> None:
    jules, _mother, uncle = _jules_with_contacts(world)
    other = _staff(world, OTHER_DOSSIER, OTHER_PIN)
    answer = other.post(
        f"/locaties/zonnebloem/kinderen/{jules}/contacten/{uncle}/ophalen",
        {"mag": "nee", "notitie": "x"},
        form_page="/locaties/klavertje",
    )
    assert answer.status_code == 404
    with sqlite3.connect(world.database) as db:
        assert db.execute("SELECT may_collect FROM contacts WHERE id = ?", (uncle,)).fetchone() == (1,)


def test_staff_fill_in_who_collected_on_the_cells_page_and_not_someone_who_may_not(
    world: PortalWorld,
) -> None:
    jules, mother, uncle = _jules_with_contacts(world)
    staff = _staff(world)
    child_page = f"/locaties/zonnebloem/kinderen/{jules}"
    staff.post(
        f"{child_page}/contacten/{uncle}/ophalen",
        {"mag": "nee", "notitie": "bel de moeder"},
        form_page=child_page,
    )
    cell = f"/locaties/zonnebloem/cel/{jules}/{last_open_day(world.database).isoformat()}"
    page = staff.get(cell).text
    assert "Nonkel Marc mag niet ophalen: bel de moeder" in page
    assert f'<option value="{uncle}"' not in page and f'<option value="{mother}"' in page
    refused = staff.post(f"{cell}/opgehaald", {"contact": str(uncle)}, form_page=cell)
    assert "Nonkel Marc mag dit kind niet ophalen (bel de moeder)." in refused.text
    done = staff.post(f"{cell}/opgehaald", {"contact": str(mother)}, form_page=cell)
    assert "Opgehaald door <strong>Anne Peeters</strong>" in done.text
    typed = staff.post(f"{cell}/opgehaald", {"contact": "", "naam": "Buurvrouw Els"}, form_page=cell)
    assert "Opgehaald door <strong>Buurvrouw Els</strong>" in typed.text
    with sqlite3.connect(world.database) as db:
        assert db.execute("SELECT name, contact_id FROM pickups").fetchall() == [("Buurvrouw Els", None)]
    other = _staff(world, OTHER_DOSSIER, OTHER_PIN)
    assert other.post(f"{cell}/opgehaald", {"naam": "X"}, form_page="/locaties/klavertje").status_code == 404


def test_the_parent_sees_who_collected_today_once_staff_filled_it_in(world: PortalWorld) -> None:
    families = add_families(world.database, world.other_child)
    start = datetime.combine(today(), time(0), BRUSSELS) + timedelta(seconds=1)
    arrived = max(datetime.now(UTC) - timedelta(minutes=2), start)
    db = open_database(world.database)
    code = db.execute("SELECT code FROM cards WHERE child_id = ?", (families.jules,)).fetchone()[0]
    received = datetime.now(UTC).isoformat()
    with db.atomic():
        _record(db, "unit-zonnebloem-in", code, arrived, Direction.ARRIVAL, code, received)
        _record(
            db,
            "unit-zonnebloem-in",
            code,
            arrived + timedelta(seconds=1),
            Direction.DEPARTURE,
            code,
            received,
        )
    anne_contact = db.execute(
        "SELECT id FROM contacts WHERE child_id = ? AND email = ?", (families.jules, ANNE)
    ).fetchone()[0]
    db.close()
    staff = _staff(world)
    cell = f"/locaties/zonnebloem/cel/{families.jules}/{today().isoformat()}"
    staff.post(f"{cell}/opgehaald", {"contact": str(anne_contact)}, form_page=cell)
    page = login_parent(world.url, ANNE).get("/ouders").text
    assert f"Opgehaald om {fmt_time(arrived + timedelta(seconds=1))} door Anne Peeters" in page
