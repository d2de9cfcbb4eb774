"""Staff in and out with their own card at the same scanners, through the hub's real ingest on a
real SQLite file; the overview's ratio of children per staff member against the location's norm,
with its warning in Chromium."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from hub.attendance.presence import presence_of
from hub.attendance.unknown_cards import unknown_cards
from hub.cards.codes import register_unassigned
from hub.core.actors import Actor
from hub.core.db import connect, open_database
from hub.core.localtime import BRUSSELS, today
from hub.demo import DEMO_DOSSIER, DEMO_EMAIL, DEMO_PASSWORD, DEMO_PIN, seed
from hub.mail.folder import FolderMailer
from hub.staff import presence, service
from hub.staff.ratio import DEFAULT_MAX_CHILDREN_PER_STAFF, ratio_of
from hub.units import registry as units
from hub.units.config import config_for
from tests.support.attendance import ARRIVAL, Door, db, door  # noqa: F401 - fixtures
from tests.support.browser import screenshot
from tests.support.parents import csrf_of, scan_now
from tests.support.portal_world import PortalWorld
from wire import DirectionBy, Verdict


def _moment(seconds_ago: int) -> datetime:
    """A moment ago, on today's Brussels date even just after midnight."""
    start = datetime.combine(today(), time(0), BRUSSELS) + timedelta(seconds=1)
    return max(datetime.now(UTC) - timedelta(seconds=seconds_ago), start.astimezone(UTC))


def _staff_with_card(conn, tmp_path: Path, name: str, email: str) -> str:
    (organisator,) = conn.execute("SELECT organisator_id FROM locations WHERE id = 'zonnebloem'").fetchone()
    boss = Actor.organisator(organisator, "Demo")
    member = service.invite_staff(
        conn, FolderMailer(tmp_path / "mail"), "http://x", boss, name, email, "medewerker", ["zonnebloem"],
        datetime.now(UTC),
    )  # fmt: skip
    with conn.atomic():
        [code] = register_unassigned(conn, organisator, 1)
    return presence.link_card(conn, boss, member.id, code, datetime.now(UTC))


def test_a_staff_card_scan_is_staff_in_and_out_and_never_a_childs_checkin(db, door: Door, tmp_path) -> None:  # noqa: F811
    card = _staff_with_card(db, tmp_path, "Sara Peeters", "sara@zonnebloem.example")
    ack = door.scan(card, _moment(300), ARRIVAL, direction_by=DirectionBy.PRESENCE)
    assert ack.verdict is Verdict.STORED and ack.child == "Sara Peeters", "the unit shows her name"
    assert db.execute("SELECT count(*) FROM events WHERE code = ?", (card,)).fetchone() == (0,)
    assert card not in {u.code for u in unknown_cards(db, "zonnebloem", today(), today())}, (
        "not an unknown card either"
    )
    assert [p.name for p in presence.staff_present(db, "zonnebloem")] == ["Sara Peeters"]
    assert card in presence_of(db, "zonnebloem").present, "the units know she is in: next scan is out"

    # the unit (old or new) decides "arrival" again when it had no presence: the hub turns it around
    ack = door.scan(card, _moment(120), ARRIVAL, direction_by=DirectionBy.PRESENCE)
    assert ack.verdict is Verdict.STORED
    assert presence.staff_present(db, "zonnebloem") == []
    assert card not in presence_of(db, "zonnebloem").present
    # a key pressed at the door is kept as chosen
    door.scan(card, _moment(60), ARRIVAL, direction_by=DirectionBy.KEY)
    door.scan(card, _moment(30), ARRIVAL, direction_by=DirectionBy.KEY)
    assert [p.name for p in presence.staff_present(db, "zonnebloem")] == ["Sara Peeters"]


def test_a_scan_of_a_deactivated_persons_card_is_no_staff_presence(db, door: Door, tmp_path) -> None:  # noqa: F811
    card = _staff_with_card(db, tmp_path, "Sara Peeters", "sara@zonnebloem.example")
    with db.atomic():
        db.execute("UPDATE staff SET active = 0")
    ack = door.scan(card, _moment(60), ARRIVAL)
    assert ack.verdict is Verdict.UNKNOWN_CARD and presence.staff_present(db, "zonnebloem") == []


def test_the_ratio_rule() -> None:
    assert DEFAULT_MAX_CHILDREN_PER_STAFF == 8
    assert not ratio_of(8, 1, None).exceeded and ratio_of(9, 1, None).exceeded
    assert ratio_of(1, 0, 8).exceeded, "a child with no staff present"
    assert not ratio_of(0, 0, 8).exceeded
    assert ratio_of(17, 2, 8).warning == (
        "Te weinig begeleiding: 17 kinderen voor 2 aanwezige medewerkers; "
        "de norm vraagt er minstens 3 (1 te weinig)."
    )


@pytest.fixture
def staffed(world: PortalWorld, tmp_path: Path):
    """The world with a second location of the demo organisator, three children present and one
    staff member scanned in, through the ingest."""
    conn = open_database(world.database)
    (organisator,) = conn.execute("SELECT organisator_id FROM locations WHERE id = 'zonnebloem'").fetchone()
    with conn.atomic():
        conn["locations"].insert(
            {
                "id": "madeliefje",
                "organisator_id": organisator,
                "dossier_number": "903777888",
                "name": "Madeliefje",
            }
        )
    card = _staff_with_card(conn, tmp_path, "Sara Peeters", "sara@zonnebloem.example")
    conn.close()
    for child in ("Jules", "Lotte", "Noah"):
        scan_now(world.database, child, ARRIVAL)
    hub_db = connect(world.database)
    scanner = Door(hub_db, seed(hub_db))
    scanner.scan(card, _moment(5), ARRIVAL)
    yield scanner
    hub_db.close()


def test_the_overview_warns_when_the_location_has_too_few_staff_for_its_norm(
    world: PortalWorld, staffed: Door, page: Page, tmp_path: Path
) -> None:
    client = world.client()
    client.login_organisator(DEMO_EMAIL, DEMO_PASSWORD)
    overview = client.get("/locaties").text
    assert "3 kinderen en 1 medewerker aanwezig (norm: hoogstens 8 kinderen per medewerker)" in overview
    assert "Te weinig begeleiding" not in overview
    path = "/locaties/zonnebloem/bezetting"
    saved = client.http.post(path, data={"csrf": csrf_of(client, path), "norm": "2"})
    assert "De norm is bewaard" in saved.text
    warning = "Te weinig begeleiding: 3 kinderen voor 1 aanwezige medewerker; "
    warning += "de norm vraagt er minstens 2 (1 te weinig)."
    assert warning in client.get("/locaties").text
    assert warning in saved.text and "Sara Peeters" in saved.text

    page.goto(world.url + "/aanmelden/organisator")
    page.get_by_label("E-mailadres").fill(DEMO_EMAIL)
    page.get_by_label("Wachtwoord").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Inloggen").click()
    expect(page.locator(".ratio-warning")).to_contain_text("Te weinig begeleiding")
    screenshot(page, "staff-ratio-warning-overview")
    page.goto(world.url + path)
    expect(page.locator(".ratio-warning")).to_have_text(warning)
    screenshot(page, "staff-ratio-warning")

    # a second staff member scans in: the norm is met again
    conn = open_database(world.database)
    second = _staff_with_card(conn, tmp_path, "Tom Claes", "tom@zonnebloem.example")
    conn.close()
    staffed.scan(second, _moment(2), ARRIVAL)
    page.reload()
    expect(page.locator(".ratio")).to_contain_text("3 kinderen en 2 medewerkers aanwezig")
    expect(page.locator(".ratio-warning")).to_have_count(0)


def test_only_the_organisator_sets_the_norm_and_other_locations_are_404(
    world: PortalWorld, staffed: Door
) -> None:
    tablet = world.client()
    tablet.login_location(DEMO_DOSSIER, DEMO_PIN)
    path = "/locaties/zonnebloem/bezetting"
    page = tablet.get(path)
    assert page.status_code == 200 and "3 kinderen en 1 medewerker aanwezig" in page.text
    assert (
        "Personeel aanwezig (met personeelskaart): Sara Peeters (sinds"
        in tablet.get("/locaties/zonnebloem/nu-aanwezig").text
    ), "the evacuation list names the staff present"
    assert tablet.http.post(path, data={"csrf": csrf_of(tablet, path), "norm": "2"}).status_code == 404
    assert tablet.get("/locaties/madeliefje/bezetting").status_code == 404
    assert tablet.get("/locaties/klavertje/bezetting").status_code == 404


def test_a_staff_card_linked_on_the_persons_page_goes_to_the_units_roster_by_name(world: PortalWorld) -> None:
    client = world.client()
    client.login_organisator(DEMO_EMAIL, DEMO_PASSWORD)
    page = "/medewerkers"
    data = {"csrf": csrf_of(client, page), "name": "Sara Peeters", "email": "sara@zonnebloem.example"}
    client.http.post(page, data=data | {"role": "medewerker", "locations": ["zonnebloem"]})
    conn = open_database(world.database)
    (person,) = conn.execute("SELECT id FROM staff").fetchone()
    (organisator,) = conn.execute("SELECT organisator_id FROM locations WHERE id = 'zonnebloem'").fetchone()
    with conn.atomic():
        [code] = register_unassigned(conn, organisator, 1)
    person_page = f"/medewerkers/{person}"
    linked = client.http.post(
        f"{person_page}/kaart", data={"csrf": csrf_of(client, person_page), "code": code}
    )
    assert "De personeelskaart van Sara Peeters is gekoppeld" in linked.text
    assert "zonnebloem" in world.units.changed, "the units' configs are published again"
    [unit, *_] = [u for u in units.active_units(conn) if u.location_id == "zonnebloem"]
    assert config_for(conn, unit).roster[code] == "Sara Peeters"
    again = client.http.post(
        f"{person_page}/kaart", data={"csrf": csrf_of(client, person_page), "code": code}
    )
    assert "Deze kaart is al gekoppeld" in again.text
    conn.close()
