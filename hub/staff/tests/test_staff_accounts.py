"""Staff accounts over HTTP on a real portal and database: an organisator invites personal logins
by mail, gives them a role and locations, and deactivates them; each person sees only their own
locations, and what they change carries their name."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from email import message_from_bytes, policy
from pathlib import Path

import pytest

from hub.accounts import sessions
from hub.core.actors import Actor, NoAccess, Refused, Role, StaffRole
from hub.core.db import connect, open_database
from hub.demo import DEMO_DOSSIER, DEMO_EMAIL, DEMO_PASSWORD, DEMO_PIN
from hub.locations.access import locations_of
from hub.mail.folder import FolderMailer
from hub.staff import service
from tests.support.parents import ANNE, add_families, csrf_of, last_open_day, login_parent
from tests.support.portal import PortalClient
from tests.support.portal_world import OTHER_EMAIL, OTHER_PASSWORD, PortalWorld

pytestmark = pytest.mark.both_databases  # SQLite and PostgreSQL

PASSWORD = "zonnige-dag-2026"


def _second_location(database: Path | str) -> None:
    """A second location of the demo organisator, "madeliefje"."""
    db = open_database(database)
    (organisator,) = db.execute("SELECT organisator_id FROM locations WHERE id = 'zonnebloem'").fetchone()
    with db.atomic():
        db["locations"].insert(
            {
                "id": "madeliefje",
                "organisator_id": organisator,
                "dossier_number": "903777888",
                "name": "Madeliefje",
            }
        )
    db.close()


def _invitation_link(world: PortalWorld, to: str, subject: str = "Je account voor Aanwezig") -> str:
    for path in sorted(world.mail_dir.glob("*.eml"), reverse=True):
        mail = message_from_bytes(path.read_bytes(), policy=policy.default)
        if mail["To"] == to and mail["Subject"] == subject:
            text = mail.get_body(("plain",)).get_content()
            return re.search(r"http://\S+(/wachtwoord-instellen/\S+)", text)[1]
    raise AssertionError(f"no mail to {to}")


def _organisator(world: PortalWorld) -> PortalClient:
    client = world.client()
    assert client.login_organisator(DEMO_EMAIL, DEMO_PASSWORD).url.path.startswith("/locaties")
    return client


def _invite(client: PortalClient, name: str, email: str, role: str, *locations: str):
    data = {"csrf": csrf_of(client, "/medewerkers"), "name": name, "email": email, "role": role}
    return client.http.post("/medewerkers", data={**data, "locations": list(locations)})


def _accept(world: PortalWorld, email: str) -> PortalClient:
    """The person opens the mailed link, sets a password and logs in."""
    link = _invitation_link(world, email)
    person = world.client()
    page = person.get(link)
    assert "Geef nieuw wachtwoord" in page.text and email in page.text
    done = person.http.post(
        link, data={"csrf": csrf_of(person, link), "password": PASSWORD, "repeated": PASSWORD}
    )
    assert "Je wachtwoord is ingesteld" in done.text
    person.login_organisator(email, PASSWORD)
    return person


def _staff_id(world: PortalWorld, email: str) -> int:
    with connect(world.database).conn as db:
        return db.execute("SELECT id FROM staff WHERE email = ?", (email,)).fetchone()[0]


def test_a_medewerker_is_invited_by_mail_sets_a_password_and_sees_only_their_location(
    world: PortalWorld,
) -> None:
    _second_location(world.database)
    organisator = _organisator(world)
    invited = _invite(organisator, "Sara Peeters", "sara@zonnebloem.example", "medewerker", "zonnebloem")
    assert "Uitnodiging verstuurd naar Sara Peeters" in invited.text
    assert "uitgenodigd" in organisator.get("/medewerkers").text

    sara = _accept(world, "sara@zonnebloem.example")
    home = sara.get("/")
    assert home.url.path == "/locaties/zonnebloem", "one location: it opens at once"
    assert "Sara Peeters" in home.text and "Medewerker" in home.text
    assert sara.get("/locaties").url.path == "/locaties/zonnebloem"
    for elsewhere in ("/locaties/madeliefje", "/locaties/klavertje", "/locaties/madeliefje/kinderen"):
        assert sara.get(elsewhere).status_code == 404, elsewhere
    assert sara.get("/medewerkers").status_code == 404, "a medewerker manages no one"
    assert sara.get(f"/medewerkers/{_staff_id(world, 'sara@zonnebloem.example')}").status_code == 404
    assert "actief" in organisator.get("/medewerkers").text


def test_a_correction_by_a_staff_member_shows_their_name_in_the_history(world: PortalWorld) -> None:
    organisator = _organisator(world)
    _invite(organisator, "Sara Peeters", "sara@zonnebloem.example", "medewerker", "zonnebloem")
    sara = _accept(world, "sara@zonnebloem.example")
    with connect(world.database).conn as db:
        (child,) = db.execute("SELECT id FROM children WHERE first_name = 'Jules'").fetchone()
    day = last_open_day(world.database)
    path = f"/locaties/zonnebloem/cel/{child}/{day.isoformat()}"
    saved = sara.http.post(
        path, data={"csrf": csrf_of(sara, path), "arrival": "08:05", "departure": "16:40", "note": "vergeten"}
    )
    assert saved.status_code == 200
    history = sara.get(path).text
    assert "Sara Peeters (medewerker)" in history
    with connect(world.database).conn as db:
        row = db.execute(
            "SELECT actor_role, actor_id, actor_name FROM corrections ORDER BY id DESC LIMIT 1"
        ).fetchone()
    assert row == ("location", f"staff:{_staff_id(world, 'sara@zonnebloem.example')}", "Sara Peeters")
    # the location's shared login (the door tablet) still works, and still records the location
    tablet = world.client()
    assert tablet.login_location(DEMO_DOSSIER, DEMO_PIN).url.path == "/locaties/zonnebloem"


def test_a_deactivated_staff_member_is_logged_out_at_once_and_cannot_log_in_again(world: PortalWorld) -> None:
    organisator = _organisator(world)
    _invite(organisator, "Sara Peeters", "sara@zonnebloem.example", "medewerker", "zonnebloem")
    sara = _accept(world, "sara@zonnebloem.example")
    assert sara.get("/locaties/zonnebloem").status_code == 200
    person = _staff_id(world, "sara@zonnebloem.example")
    path = f"/medewerkers/{person}/deactiveren"
    done = organisator.http.post(path, data={"csrf": csrf_of(organisator, f"/medewerkers/{person}")})
    assert "is gedeactiveerd" in done.text
    assert sara.get("/locaties/zonnebloem").url.path == "/aanmelden", "the open session ended"
    again = world.client().login_organisator("sara@zonnebloem.example", PASSWORD)
    assert "Onbekend e-mailadres of fout wachtwoord" in again.text


def test_roles_and_locations_change_what_a_person_sees_at_the_next_request(world: PortalWorld) -> None:
    _second_location(world.database)
    organisator = _organisator(world)
    _invite(organisator, "Sara Peeters", "sara@zonnebloem.example", "medewerker", "zonnebloem")
    sara = _accept(world, "sara@zonnebloem.example")
    assert sara.get("/locaties/madeliefje").status_code == 404
    person = _staff_id(world, "sara@zonnebloem.example")
    page = f"/medewerkers/{person}"
    data = {"csrf": csrf_of(organisator, page), "role": "verantwoordelijke"}
    data["locations"] = ["zonnebloem", "madeliefje"]
    assert "zijn bewaard" in organisator.http.post(page, data=data).text
    assert sara.get("/locaties/madeliefje").status_code == 200
    assert "Verantwoordelijke" in sara.get("/locaties").text
    assert sara.get("/medewerkers").status_code == 200, "a responsible has the page"


def test_another_organisations_staff_are_404(world: PortalWorld) -> None:
    organisator = _organisator(world)
    _invite(organisator, "Sara Peeters", "sara@zonnebloem.example", "medewerker", "zonnebloem")
    person = _staff_id(world, "sara@zonnebloem.example")
    other = world.client()
    other.login_organisator(OTHER_EMAIL, OTHER_PASSWORD)
    assert other.get(f"/medewerkers/{person}").status_code == 404
    assert "Sara" not in other.get("/medewerkers").text
    tampered = other.http.post(
        f"/medewerkers/{person}/deactiveren", data={"csrf": csrf_of(other, "/medewerkers")}
    )
    assert tampered.status_code == 404
    assert _invite(other, "X", "x@klavertje.example", "medewerker", "zonnebloem").status_code == 200
    with connect(world.database).conn as db:
        assert db.execute("SELECT count(*) FROM staff WHERE email = 'x@klavertje.example'").fetchone() == (0,)


@pytest.fixture
def db(world: PortalWorld):
    _second_location(world.database)
    conn = open_database(world.database)
    yield conn
    conn.close()


def _organisator_actor(db):
    (organisator,) = db.execute("SELECT organisator_id FROM locations WHERE id = 'zonnebloem'").fetchone()
    return Actor.organisator(organisator, "Demo")


def _with_password(db, staff_id: int) -> None:
    with db.atomic():
        db.execute("UPDATE staff SET password_hash = 'x' WHERE id = ?", (staff_id,))


def test_a_responsible_manages_only_medewerkers_of_own_locations(db, tmp_path: Path) -> None:
    now = datetime.now(UTC)
    mailer = FolderMailer(tmp_path / "mail")
    boss = _organisator_actor(db)
    lien = service.invite_staff(
        db, mailer, "http://x", boss, "Lien", "lien@x.example", "verantwoordelijke", ["zonnebloem"], now
    )
    marc = service.invite_staff(
        db, mailer, "http://x", boss, "Marc", "marc@x.example", "medewerker", ["madeliefje"], now
    )
    _with_password(db, lien.id)
    responsible = sessions.staff_actor(db, lien.id)
    assert responsible.role is Role.STAFF and responsible.staff_role is StaffRole.RESPONSIBLE
    assert responsible.locations == {"zonnebloem"}

    jan = service.invite_staff(
        db, mailer, "http://x", responsible, "Jan", "jan@x.example", "medewerker", ["zonnebloem"], now
    )
    assert [m.name for m in service.list_staff(db, responsible)] == ["Jan"]
    with pytest.raises(Refused, match="Kies alleen opvanglocaties"):
        service.invite_staff(
            db, mailer, "http://x", responsible, "Els", "els@x.example", "medewerker", ["madeliefje"], now
        )
    with pytest.raises(Refused, match="geen organisator"):
        service.invite_staff(
            db, mailer, "http://x", responsible, "Els", "els@x.example", "organisator", [], now
        )
    with pytest.raises(NoAccess):
        service.get_member(db, responsible, marc.id)
    with pytest.raises(NoAccess):  # a responsible is no medewerker: not on their own list either
        service.deactivate(db, responsible, lien.id, now)
    assert service.deactivate(db, responsible, jan.id, now).active is False


def test_a_person_with_the_organisator_role_acts_as_the_organisator_under_their_own_name(
    db, tmp_path
) -> None:
    mailer = FolderMailer(tmp_path / "mail")
    boss = _organisator_actor(db)
    an = service.invite_staff(
        db, mailer, "http://x", boss, "An Claes", "an@x.example", "organisator", [], datetime.now(UTC)
    )
    _with_password(db, an.id)
    actor = sessions.staff_actor(db, an.id)
    assert actor.role is Role.ORGANISATOR and actor.id == boss.id and actor.name == "An Claes"
    assert {loc.id for loc in locations_of(db, actor)} == {"zonnebloem", "madeliefje"}
    assert actor.record_id == f"staff:{an.id}"
    with pytest.raises(Refused, match="eigen account"):
        service.deactivate(db, actor, an.id, datetime.now(UTC))


def test_a_parents_request_approved_by_a_staff_member_names_that_person(world: PortalWorld) -> None:
    families = add_families(world.database, world.other_child)
    anne = login_parent(world.url, ANNE)
    day = last_open_day(world.database)
    ask = f"/ouders/kinderen/{families.jules}/dag/{day.isoformat()}"
    data = {"csrf": csrf_of(anne, ask + "?locatie=zonnebloem"), "locatie": "zonnebloem"}
    anne.http.post(ask + "/verzoek", data=data | {"aankomst": "07:45", "vertrek": "16:30", "opmerking": ""})
    organisator = _organisator(world)
    _invite(organisator, "Sara Peeters", "sara@zonnebloem.example", "medewerker", "zonnebloem")
    sara = _accept(world, "sara@zonnebloem.example")
    with connect(world.database).conn as db:
        (request_id,) = db.execute("SELECT id FROM parent_requests").fetchone()
    page = "/locaties/zonnebloem/ouderverzoeken"
    answer = sara.http.post(f"{page}/{request_id}/goedkeuren", data={"csrf": csrf_of(sara, page)})
    assert "Goedgekeurd" in answer.text
    with connect(world.database).conn as db:
        decided_by, correction = db.execute(
            "SELECT decided_by, correction_id FROM parent_requests"
        ).fetchone()
        author = db.execute("SELECT actor_name FROM corrections WHERE id = ?", (correction,)).fetchone()
    assert decided_by == "Sara Peeters" and author == ("Sara Peeters",)


def test_a_staff_member_who_forgot_the_password_gets_a_new_link_and_the_old_password_stops(
    world: PortalWorld,
) -> None:
    organisator = _organisator(world)
    _invite(organisator, "Sara Peeters", "sara@zonnebloem.example", "medewerker", "zonnebloem")
    sara = _accept(world, "sara@zonnebloem.example")
    forgot = world.client()
    sent = forgot.post("/wachtwoord-vergeten", {"email": "sara@zonnebloem.example"}, "/wachtwoord-vergeten")
    assert sent.status_code == 200
    link = _invitation_link(world, "sara@zonnebloem.example", "Nieuw wachtwoord voor Aanwezig")
    new = "nieuwe-zon-2027"
    done = forgot.http.post(link, data={"csrf": csrf_of(forgot, link), "password": new, "repeated": new})
    assert "Je wachtwoord is ingesteld" in done.text
    assert sara.get("/locaties/zonnebloem").url.path == "/aanmelden", "the old session ended"
    old = world.client().login_organisator("sara@zonnebloem.example", PASSWORD)
    assert "Onbekend e-mailadres of fout wachtwoord" in old.text
    assert world.client().login_organisator("sara@zonnebloem.example", new).url.path == "/locaties/zonnebloem"
