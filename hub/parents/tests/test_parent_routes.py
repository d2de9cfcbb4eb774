"""The parents' pages over HTTP: access, login, requests and the location's side."""

from __future__ import annotations

import json
import re
import threading
from datetime import UTC, datetime, timedelta
from email import message_from_bytes, policy

import httpx
import pytest

from hub.core.db import open_database, write_transaction
from hub.demo import DEMO_DOSSIER, DEMO_PIN
from hub.parents import accounts
from tests.support.hub_sql import hub_sql
from tests.support.parents import (
    ANNE,
    BERT,
    PASSWORD,
    add_families,
    csrf_of,
    last_open_day,
    login_parent,
    scan_now,
)
from tests.support.portal_world import OTHER_EMAIL, OTHER_PASSWORD, PortalWorld
from wire import Direction

pytestmark = pytest.mark.both_databases  # SQLite and PostgreSQL


def _ask(client, child: int, day, location: str, arrival: str, departure: str, comment: str = ""):
    path = f"/ouders/kinderen/{child}/dag/{day.isoformat()}"
    data = {"csrf": csrf_of(client, path + f"?locatie={location}"), "locatie": location}
    data |= {"aankomst": arrival, "vertrek": departure, "opmerking": comment}
    return client.http.post(path + "/verzoek", data=data)


def _mails(world: PortalWorld) -> list[str]:
    """The mails the hub wrote to its folder: headers and decoded text."""
    found = []
    for path in sorted(world.mail_dir.glob("*.eml")):
        mail = message_from_bytes(path.read_bytes(), policy=policy.default)
        found.append(
            f"To: {mail['To']}\nSubject: {mail['Subject']}\n\n{mail.get_body(('plain',)).get_content()}"
        )
    return found


def _request_ids(world: PortalWorld) -> list[int]:
    with hub_sql(world.database) as db:
        return [row[0] for row in db.execute("SELECT id FROM parent_requests ORDER BY id")]


def test_a_parent_sees_the_children_of_both_organisators_and_no_other_child(world: PortalWorld) -> None:
    add_families(world.database, world.other_child)
    anne = login_parent(world.url, ANNE)
    page = anne.get("/ouders").text
    assert "Jules" in page and "Fien" in page
    assert "Lotte" not in page and "Geheim" not in page
    assert "Nog niet aangekomen" in page or "Aangekomen" in page or "Vertrokken" in page


def _invoice_of(world: PortalWorld, child: int) -> int:
    """A final invoice of ``child`` at De Zonnebloem, as the month run stores one."""
    with hub_sql(world.database) as db:
        (org,) = db.execute("SELECT organisator_id FROM locations WHERE id = 'zonnebloem'").fetchone()
        cursor = db.execute(
            "INSERT INTO invoices (organisator_id, number, kind, location_id, child_id, year, month,"
            " debtor_name, total, fiscal, body, pdf, issued_at)"
            " VALUES (?, 1, 'factuur', 'zonnebloem', ?, 2026, 3, 'Bert Janssens', '10.00', '10.00', '{}',"
            " ?, '2026-04-01T08:00:00Z')",
            (org, child, b"%PDF"),
        )
        return cursor.lastrowid


def test_every_parent_route_with_an_id_is_404_for_another_familys_ids(world: PortalWorld) -> None:
    families = add_families(world.database, world.other_child)
    # a request of family B, so that its id exists
    bert = login_parent(world.url, BERT)
    day = last_open_day(world.database)
    assert _ask(bert, families.lotte, day, "zonnebloem", "08:00", "16:00").status_code == 200
    (bert_request,) = _request_ids(world)
    bert_invoice = _invoice_of(world, families.lotte)  # and an invoice of Lotte's (issue 20)
    anne = login_parent(world.url, ANNE)
    others = {
        "child_id": families.lotte,
        "request_id": bert_request,
        "day": day.isoformat(),
        "invoice_id": bert_invoice,
    }
    routes = [
        (method, route.path)
        for route in world_app_routes(world)
        for method in sorted(getattr(route, "methods", None) or ())
        if route.path.startswith("/ouders")
        and route.endpoint.__module__ == "hub.parents.routes"  # other features test their own ids
        and "{" in route.path
        and "token" not in route.path
        and "{name}" not in route.path
    ]
    assert len(routes) >= 4, routes  # month, day, ask, cancel
    tried = []
    for method, path in routes:
        for child in (families.lotte, families.geheim):
            url = path.format(**{**others, "child_id": child})
            if method == "GET":
                response = anne.get(url)
            else:
                response = anne.http.post(
                    url,
                    data={
                        "csrf": csrf_of(anne, "/ouders"),
                        "locatie": "zonnebloem",
                        "aankomst": "08:00",
                        "vertrek": "16:00",
                    },
                )
            tried.append((method, url, response.status_code))
            assert response.status_code == 404, (method, url, response.status_code)
    # and Anne's own child with Bert's location at Klavertje's other child is 404 too
    assert anne.get(f"/ouders/kinderen/{families.jules}?locatie=klavertje").status_code == 404
    assert (
        anne.get(f"/ouders/kinderen/{families.jules}/dag/{day.isoformat()}?locatie=klavertje").status_code
        == 404
    )
    assert len(tried) == 2 * len(routes)
    with hub_sql(world.database) as db:
        assert db.execute("SELECT status FROM parent_requests").fetchall() == [("ingediend",)]


def world_app_routes(world: PortalWorld):
    """Every route of the app as the hub builds it (included routers opened up)."""
    from hub.web.app import create_app

    def flat(routes):
        for route in routes:
            inner = getattr(route, "original_router", None)
            yield from flat(inner.routes) if inner is not None else (route,)

    return list(flat(create_app(world.database).routes))


def test_pages_need_a_parent_login_and_a_staff_login_is_not_one(world: PortalWorld) -> None:
    add_families(world.database, world.other_child)
    anonymous = world.client()
    assert anonymous.get("/ouders").url.path == "/ouders/aanmelden"
    staff = world.client()
    staff.login_organisator(OTHER_EMAIL, OTHER_PASSWORD)
    assert staff.get("/ouders").url.path == "/ouders/aanmelden"
    anne = login_parent(world.url, ANNE)
    assert anne.get("/locaties/zonnebloem").url.path == "/aanmelden"  # no staff page for a parent
    assert anne.http.post("/ouders/afmelden", data={}).status_code == 403  # CSRF like every form


def test_a_removed_contact_loses_access_with_the_next_request(world: PortalWorld) -> None:
    families = add_families(world.database, world.other_child)
    anne = login_parent(world.url, ANNE)
    assert anne.get(f"/ouders/kinderen/{families.jules}").status_code == 200
    with hub_sql(world.database) as db:
        db.execute("DELETE FROM contacts WHERE child_id = ? AND email = ?", (families.jules, ANNE))
    assert anne.get(f"/ouders/kinderen/{families.jules}").status_code == 404
    assert "Jules" not in anne.get("/ouders").text
    with hub_sql(world.database) as db:
        db.execute("DELETE FROM contacts WHERE email = ?", (ANNE,))
    assert anne.get("/ouders").url.path == "/ouders/aanmelden"


def test_a_contact_whose_email_changes_must_confirm_the_new_address(world: PortalWorld) -> None:
    add_families(world.database, world.other_child)
    new = "anne@nieuw.example"
    anne = login_parent(world.url, ANNE)
    with hub_sql(world.database) as db:
        db.execute("UPDATE contacts SET email = ? WHERE email = ?", (new, ANNE))
    assert anne.get("/ouders").url.path == "/ouders/aanmelden"  # the old address sees nothing
    fresh = world.client()
    login = "/ouders/aanmelden"
    fresh.http.post(login, data={"csrf": csrf_of(fresh, login), "email": new, "password": PASSWORD})
    assert fresh.get("/ouders").url.path == login  # no account for the new address yet
    # asking for a link at the new address mails the account link: following it confirms the address
    fresh.http.post("/ouders/aanmeldlink", data={"csrf": csrf_of(fresh, login), "email": new})
    (mail,) = _mails(world)
    assert "Maak je account aan" in mail
    path = httpx.URL(re.search(r"http\S+/ouders/account/\S+", mail)[0]).path
    made = fresh.http.post(
        path,
        data={"csrf": csrf_of(fresh, path), "mode": "password", "password": PASSWORD, "repeated": PASSWORD},
    )
    assert made.url.path == "/ouders" and "Jules" in made.text and "Fien" in made.text
    # links are limited per address and hour
    for _ in range(8):
        fresh.http.post("/ouders/aanmeldlink", data={"csrf": csrf_of(fresh, login), "email": new})
    assert len(list(world.mail_dir.glob("*.eml"))) == accounts.LINKS_PER_HOUR


def test_wrong_passwords_lock_the_parent_account(world: PortalWorld) -> None:
    add_families(world.database, world.other_child)
    client = world.client()
    for _ in range(5):
        answer = client.http.post(
            "/ouders/aanmelden",
            data={"csrf": csrf_of(client, "/ouders/aanmelden"), "email": ANNE, "password": "fout-fout-fout"},
        )
        assert "passen niet" in answer.text
    locked = client.http.post(
        "/ouders/aanmelden",
        data={"csrf": csrf_of(client, "/ouders/aanmelden"), "email": ANNE, "password": PASSWORD},
    )
    assert "Te veel foute pogingen" in locked.text and locked.url.path == "/ouders/aanmelden"


def test_a_parent_without_a_password_logs_in_with_a_mailed_link_that_works_once(world: PortalWorld) -> None:
    add_families(world.database, world.other_child, with_accounts=False)
    db = open_database(world.database)
    with write_transaction(db):
        accounts.make_account(db, ANNE, None, datetime.now(UTC))
    db.close()
    client = world.client()
    client.http.post(
        "/ouders/aanmeldlink", data={"csrf": csrf_of(client, "/ouders/aanmelden"), "email": ANNE}
    )
    (mail,) = _mails(world)
    link = re.search(r"http\S+/ouders/link/\S+", mail)[0]
    path = httpx.URL(link).path
    assert client.http.post(path, data={"csrf": csrf_of(client, path)}).url.path == "/ouders"
    again = world.client()
    assert "werkt niet" in again.http.post(path, data={"csrf": csrf_of(again, "/ouders/aanmelden")}).text


def test_a_request_for_a_day_the_location_may_no_longer_change_is_refused(world: PortalWorld) -> None:
    families = add_families(world.database, world.other_child)
    anne = login_parent(world.url, ANNE)
    long_ago = datetime.now(UTC).date() - timedelta(days=120)
    answer = _ask(anne, families.jules, long_ago, "zonnebloem", "08:00", "16:00")
    assert "te lang geleden" in answer.text
    future = datetime.now(UTC).date() + timedelta(days=3)
    assert "toekomst" in _ask(anne, families.jules, future, "zonnebloem", "08:00", "16:00").text
    assert _request_ids(world) == []


def test_the_location_accepts_a_request_the_correction_names_it_and_the_parent_is_mailed(
    world: PortalWorld,
) -> None:
    families = add_families(world.database, world.other_child)
    anne = login_parent(world.url, ANNE)
    day = last_open_day(world.database)
    _ask(anne, families.jules, day, "zonnebloem", "07:45", "16:30", "Oma bracht hem vroeger")
    (request_id,) = _request_ids(world)
    location = world.client()
    location.login_location(DEMO_DOSSIER, DEMO_PIN)
    listing = location.get("/locaties/zonnebloem/ouderverzoeken").text
    assert "Oma bracht hem vroeger" in listing and 'data-count="ouderverzoeken">1<' in listing
    month = location.get(f"/locaties/zonnebloem?maand={day:%Y-%m}").text
    assert month.count('aria-label="open verzoek van een ouder"') == 1, "the cell of the request is marked"
    answer = location.post(
        f"/locaties/zonnebloem/ouderverzoeken/{request_id}/goedkeuren",
        form_page="/locaties/zonnebloem/ouderverzoeken",
    )
    assert "Goedgekeurd" in answer.text and 'data-count="ouderverzoeken"' not in answer.text
    month = location.get(f"/locaties/zonnebloem?maand={day:%Y-%m}").text
    assert "open verzoek van een ouder" not in month, "a decided request leaves no mark"
    with hub_sql(world.database) as db:
        status, correction = db.execute("SELECT status, correction_id FROM parent_requests").fetchone()
        note, after = db.execute("SELECT note, after FROM corrections WHERE id = ?", (correction,)).fetchone()
    assert status == "goedgekeurd" and f"Verzoek van ouder #{request_id}" in note
    assert json.loads(after)
    day_page = anne.get(f"/ouders/kinderen/{families.jules}/dag/{day.isoformat()}?locatie=zonnebloem").text
    assert "07:45–16:30" in day_page and "Goedgekeurd" in day_page
    mails = _mails(world)
    assert any("goedgekeurd" in m and ANNE in m for m in mails)


def test_the_location_refuses_with_a_reason_the_parent_reads(world: PortalWorld) -> None:
    families = add_families(world.database, world.other_child)
    anne = login_parent(world.url, ANNE)
    day = last_open_day(world.database)
    _ask(anne, families.jules, day, "zonnebloem", "07:45", "16:30")
    (request_id,) = _request_ids(world)
    location = world.client()
    location.login_location(DEMO_DOSSIER, DEMO_PIN)
    page = "/locaties/zonnebloem/ouderverzoeken"
    empty = location.post(f"{page}/{request_id}/afwijzen", {"reden": " "}, form_page=page)
    assert "Schrijf waarom" in empty.text
    location.post(f"{page}/{request_id}/afwijzen", {"reden": "Jules was er pas om 9 uur."}, form_page=page)
    assert "Jules was er pas om 9 uur." in anne.get("/ouders/verzoeken").text
    with hub_sql(world.database) as db:
        assert db.execute("SELECT status FROM parent_requests").fetchone() == ("afgewezen",)
        assert db.execute("SELECT count(*) FROM corrections").fetchone() == (0,)
    again = location.post(f"{page}/{request_id}/goedkeuren", form_page=page)
    assert "al behandeld" in again.text


def test_another_locations_staff_cannot_see_or_decide_a_request(world: PortalWorld) -> None:
    families = add_families(world.database, world.other_child)
    anne = login_parent(world.url, ANNE)
    _ask(anne, families.jules, last_open_day(world.database), "zonnebloem", "07:45", "16:30")
    (request_id,) = _request_ids(world)
    other = world.client()
    other.login_organisator(OTHER_EMAIL, OTHER_PASSWORD)
    assert other.get("/locaties/zonnebloem/ouderverzoeken").status_code == 404
    own = "/locaties/klavertje/ouderverzoeken"
    assert other.post(f"{own}/{request_id}/goedkeuren", form_page=own).status_code == 404
    with hub_sql(world.database) as db:
        assert db.execute("SELECT status FROM parent_requests").fetchone() == ("ingediend",)


def test_the_live_stream_sends_todays_state_and_again_after_a_scan(world: PortalWorld) -> None:
    families = add_families(world.database, world.other_child)
    anne = login_parent(world.url, ANNE)
    with anne.http.stream("GET", "/ouders/vandaag/stroom", timeout=30) as stream:
        assert stream.headers["content-type"].startswith("text/event-stream")
        # pages are gzip-compressed, the stream never: compressing would hold its events back
        assert "gzip" in anne.http.headers["accept-encoding"] and "content-encoding" not in stream.headers
        lines = stream.iter_lines()
        first = _next_event(lines)
        assert {item["child"] for item in first} == {families.jules, families.fien}
        scan_now(world.database, "Jules", Direction.ARRIVAL)
        scan_now(world.database, "Jules", Direction.ARRIVAL)  # a repeat within the window pairs away
        after = _next_event(lines)
        jules = next(item for item in after if item["child"] == families.jules)
        assert jules["state"] in ("present", "left") and jules["unit"] == "unit-zonnebloem-in"


def _next_event(lines) -> list[dict]:
    for _ in range(200):
        line = next(lines)
        if line.startswith("data: ") and line != "data: {}":
            return json.loads(line[len("data: ") :])
    raise AssertionError("no event on the stream")


def test_my_data_is_a_page_and_a_json_download(world: PortalWorld) -> None:
    add_families(world.database, world.other_child)
    anne = login_parent(world.url, ANNE)
    assert "Mijn gegevens" in anne.get("/ouders/gegevens").text
    download = anne.get("/ouders/gegevens.json")
    assert "attachment" in download.headers["content-disposition"]
    data = download.json()
    assert data["account"]["e-mailadres"] == ANNE
    assert {k["voornaam"] for k in data["kinderen"]} == {"Jules", "Fien"}
    assert all(c["e-mail"] == ANNE for c in data["contactgegevens"])
    assert "Lotte" not in download.text and BERT not in download.text


def _account_token(world: PortalWorld, email: str) -> str:
    db = open_database(world.database)
    with write_transaction(db):
        link = accounts.account_link(db, world.url, email, datetime.now(UTC))
    db.close()
    return httpx.URL(link).path


def test_a_contact_may_choose_a_mailed_link_instead_of_a_password_and_the_account_link_works_once(
    world: PortalWorld,
) -> None:
    add_families(world.database, world.other_child, with_accounts=False)
    path = _account_token(world, ANNE)
    client = world.client()
    assert ANNE in client.get(path).text
    chosen = client.http.post(path, data={"csrf": csrf_of(client, path), "mode": "link"})
    assert chosen.url.path == "/ouders" and "Jules" in chosen.text
    with hub_sql(world.database) as db:
        assert db.execute("SELECT password_hash FROM parent_accounts").fetchall() == [(None,)]
    assert "werkt niet" in world.client().get(path).text
    # without a password, a password login is refused like a wrong one
    other = world.client()
    answer = other.http.post(
        "/ouders/aanmelden", data={"csrf": csrf_of(other, "/ouders/aanmelden"), "email": ANNE, "password": ""}
    )
    assert "passen niet" in answer.text


def test_an_account_link_of_a_removed_contact_makes_no_account(world: PortalWorld) -> None:
    add_families(world.database, world.other_child, with_accounts=False)
    path = _account_token(world, ANNE)
    with hub_sql(world.database) as db:
        db.execute("DELETE FROM contacts WHERE email = ?", (ANNE,))
    client = world.client()
    answer = client.http.post(
        path,
        data={
            "csrf": csrf_of(client, "/ouders/aanmelden"),
            "mode": "password",
            "password": PASSWORD,
            "repeated": PASSWORD,
        },
    )
    assert "werkt niet" in answer.text
    with hub_sql(world.database) as db:
        assert db.execute("SELECT count(*) FROM parent_accounts").fetchone() == (0,)


def test_a_parent_cancels_an_open_request_and_the_location_sees_it_cancelled(world: PortalWorld) -> None:
    families = add_families(world.database, world.other_child)
    anne = login_parent(world.url, ANNE)
    _ask(anne, families.jules, last_open_day(world.database), "zonnebloem", "07:45", "16:30")
    (request_id,) = _request_ids(world)
    anne.http.post(
        f"/ouders/verzoeken/{request_id}/annuleren", data={"csrf": csrf_of(anne, "/ouders/verzoeken")}
    )
    assert "Geannuleerd" in anne.get("/ouders/verzoeken").text
    location = world.client()
    location.login_location(DEMO_DOSSIER, DEMO_PIN)
    page = "/locaties/zonnebloem/ouderverzoeken"
    assert "Geannuleerd" in location.get(page).text
    assert "al behandeld" in location.post(f"{page}/{request_id}/goedkeuren", form_page=page).text


def test_two_staff_accepting_the_same_request_at_once_apply_one_correction(world: PortalWorld) -> None:
    families = add_families(world.database, world.other_child)
    anne = login_parent(world.url, ANNE)
    _ask(anne, families.jules, last_open_day(world.database), "zonnebloem", "07:45", "16:30")
    (request_id,) = _request_ids(world)
    page = "/locaties/zonnebloem/ouderverzoeken"
    staff = []
    for _ in range(2):
        client = world.client()
        client.login_location(DEMO_DOSSIER, DEMO_PIN)
        staff.append((client, client.csrf(page)))
    together = threading.Barrier(2)
    answers: list[str] = []

    def accept(client, token: str) -> None:
        together.wait(timeout=10)  # both have seen the request open; both press "Goedkeuren"
        answer = client.http.post(f"{page}/{request_id}/goedkeuren", data={"csrf": token})
        answers.append(answer.text)

    threads = [threading.Thread(target=accept, args=pair) for pair in staff]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sum("Goedgekeurd:" in text for text in answers) == 1
    assert sum("al behandeld" in text for text in answers) == 1
    with hub_sql(world.database) as db:
        assert db.execute("SELECT count(*) FROM corrections").fetchone() == (1,)
        status, correction = db.execute("SELECT status, correction_id FROM parent_requests").fetchone()
        assert (
            status == "goedgekeurd" and correction == db.execute("SELECT id FROM corrections").fetchone()[0]
        )
