"""Berichten over HTTP: threads both ways, read state per person, unread counts, attachments, access."""

from __future__ import annotations

import re
import stat
from email import message_from_bytes, policy

import pytest

from hub.children.queries import add_contact
from hub.core.db import open_database, write_transaction
from hub.demo import DEMO_DOSSIER, DEMO_EMAIL, DEMO_PASSWORD, DEMO_PIN
from hub.parents import accounts
from tests.support.files import TINY_PDF, png
from tests.support.hub_sql import hub_sql
from tests.support.parents import ANNE, BERT, PASSWORD, Families, add_families, csrf_of, login_parent
from tests.support.portal import PortalClient
from tests.support.portal_world import OTHER_DOSSIER, OTHER_PIN, PortalWorld

PIET = "piet.peeters@gezin-a.example"  # Jules's second parent: the same threads, his own read state

pytestmark = pytest.mark.both_databases  # SQLite and PostgreSQL


def _staff(world: PortalWorld, dossier: str = DEMO_DOSSIER, pin: str = DEMO_PIN) -> PortalClient:
    staff = world.client()
    staff.login_location(dossier, pin)
    return staff


def _parent_writes(
    client: PortalClient, child: int, subject: str, text: str, files=(), location="zonnebloem"
):
    data = {"csrf": csrf_of(client, "/ouders/berichten/nieuw"), "kind": f"{child}:{location}"}
    data |= {"onderwerp": subject, "bericht": text}
    return client.http.post(
        "/ouders/berichten/nieuw", data=data, files=[("bestanden", f) for f in files] or None
    )


def _staff_writes(staff: PortalClient, path: str, data: dict, files=()):
    form = {"csrf": staff.csrf(path), **data}
    return staff.http.post(path, data=form, files=[("bestanden", f) for f in files] or None)


def _thread_id(response) -> int:
    return int(re.search(r"/berichten/(\d+)", str(response.url))[1])


def _mails(world: PortalWorld) -> list:
    return [
        message_from_bytes(p.read_bytes(), policy=policy.default)
        for p in sorted(world.mail_dir.glob("*.eml"))
    ]


def _menu_count(html: str, key: str = "berichten") -> int:
    found = re.search(rf'data-count="{key}">(\d+)<', html)
    return int(found[1]) if found else 0


def _second_parent(world: PortalWorld, families: Families) -> None:
    db = open_database(world.database)
    add_contact(db, families.jules, "Piet Peeters", PIET, "vader")
    with write_transaction(db):
        accounts.make_account(db, PIET, PASSWORD, accounts_now())
    db.close()


def accounts_now():
    from datetime import UTC, datetime

    return datetime.now(UTC)


def test_a_parent_writes_the_location_answers_and_the_parent_is_mailed(world: PortalWorld) -> None:
    families = add_families(world.database, world.other_child)
    anne = login_parent(world.url, ANNE)
    sent = _parent_writes(anne, families.jules, "Medicatie", "Jules krijgt vandaag siroop mee.")
    assert sent.status_code == 200 and "Je bericht is verstuurd" in sent.text
    thread = _thread_id(sent)
    staff = _staff(world)
    inbox = staff.get("/locaties/zonnebloem/berichten").text
    assert "Medicatie" in inbox and "Wacht op antwoord" in inbox
    assert _menu_count(inbox) == 1  # one unread message from a parent, beside the tab
    page = staff.get(f"/locaties/zonnebloem/berichten/{thread}").text
    assert "Jules krijgt vandaag siroop mee." in page
    answer = _staff_writes(
        staff, f"/locaties/zonnebloem/berichten/{thread}", {"bericht": "Genoteerd, dank je!"}
    )
    assert answer.status_code == 200 and "Het antwoord is verstuurd" in answer.text
    assert _menu_count(answer.text) == 0
    # the staff member's name is kept with the message (the location's actor until staff accounts exist)
    with hub_sql(world.database) as db:
        assert db.execute("SELECT side, author FROM messages ORDER BY id").fetchall() == [
            ("parent", "Anne Peeters"),
            ("location", "Kinderdagverblijf De Zonnebloem"),
        ]
    (mail,) = [m for m in _mails(world) if "Nieuw bericht" in str(m["Subject"])]
    assert mail["To"] == ANNE
    text = mail.get_body(("plain",)).get_content()
    assert f"/ouders/berichten/{thread}" in text and "Genoteerd" not in text  # the text stays in the portal
    listing = anne.get("/ouders/berichten").text
    assert _menu_count(listing) == 1
    assert "Genoteerd, dank je!" in anne.get(f"/ouders/berichten/{thread}").text
    assert _menu_count(anne.get("/ouders").text) == 0
    # "Mijn gegevens" (the right of access) holds the thread too
    mine = anne.get("/ouders/gegevens.json").json()["berichten"]
    assert [m["tekst"] for m in mine] == ["Jules krijgt vandaag siroop mee.", "Genoteerd, dank je!"]
    assert "Genoteerd, dank je!" in anne.get("/ouders/gegevens").text


def test_the_location_starts_a_thread_and_read_state_is_per_person(world: PortalWorld) -> None:
    families = add_families(world.database, world.other_child)
    _second_parent(world, families)
    staff = _staff(world)
    started = _staff_writes(
        staff,
        "/locaties/zonnebloem/berichten/nieuw",
        {"kind": str(families.jules), "onderwerp": "Uitstap donderdag", "bericht": "Graag laarzen mee."},
    )
    assert started.status_code == 200 and "Het bericht is verstuurd" in started.text
    mailed = sorted(str(m["To"]) for m in _mails(world))
    assert mailed == sorted([ANNE, PIET])
    anne, piet = login_parent(world.url, ANNE), login_parent(world.url, PIET)
    assert _menu_count(anne.get("/ouders").text) == 1 and _menu_count(piet.get("/ouders").text) == 1
    anne.get(f"/ouders/berichten/{_thread_id(started)}")
    assert _menu_count(anne.get("/ouders").text) == 0
    assert _menu_count(piet.get("/ouders").text) == 1  # Piet has not read it yet
    bert = login_parent(world.url, BERT)
    assert "Uitstap donderdag" not in bert.get("/ouders/berichten").text


def test_the_inbox_shows_unanswered_threads_first_and_the_organisator_sees_its_locations(
    world: PortalWorld,
) -> None:
    families = add_families(world.database, world.other_child)
    anne, bert = login_parent(world.url, ANNE), login_parent(world.url, BERT)
    first = _thread_id(_parent_writes(anne, families.jules, "Eerste vraag", "a"))
    _thread_id(_parent_writes(bert, families.lotte, "Tweede vraag", "b"))
    _parent_writes(bert, families.geheim, "Vraag aan Klavertje", "c", location="klavertje")
    staff = _staff(world)
    _staff_writes(staff, f"/locaties/zonnebloem/berichten/{first}", {"bericht": "Beantwoord"})
    _parent_writes(anne, families.jules, "Derde vraag", "d")
    inbox = staff.get("/locaties/zonnebloem/berichten").text
    order = re.findall(r"(Eerste|Tweede|Derde) vraag", inbox)
    assert order == ["Tweede", "Derde", "Eerste"]  # waiting longest on top, the answered one last
    assert "Klavertje" not in inbox
    organisator = world.client()
    organisator.login_organisator(DEMO_EMAIL, DEMO_PASSWORD)
    assert 'href="/berichten"' in organisator.get("/locaties/zonnebloem/berichten").text
    everything = organisator.get("/berichten").text
    assert re.findall(r"(Eerste|Tweede|Derde) vraag", everything) == ["Tweede", "Derde", "Eerste"]
    assert "Vraag aan Klavertje" not in everything  # another organisator's location
    klavertje = _staff(world, OTHER_DOSSIER, OTHER_PIN)
    assert "Vraag aan Klavertje" in klavertje.get("/locaties/klavertje/berichten").text


def test_attachments_are_checked_by_content_stored_privately_and_served_after_the_access_check(
    world: PortalWorld,
) -> None:
    families = add_families(world.database, world.other_child)
    anne = login_parent(world.url, ANNE)
    fake = _parent_writes(
        anne, families.jules, "Attest", "zie bijlage", [("attest.pdf", png(), "application/pdf")]
    )
    assert fake.status_code == 400 and "niet de juiste extensie" in fake.text
    script = _parent_writes(
        anne, families.jules, "Foto", "", [("foto.png", b"<script>alert(1)</script>", "image/png")]
    )
    assert script.status_code == 400 and "geen PDF, JPEG of PNG" in script.text
    broken = _parent_writes(
        anne, families.jules, "Foto", "", [("foto.png", b"\x89PNG\r\n\x1a\nkapot", "image/png")]
    )
    assert broken.status_code == 400 and "geen geldige afbeelding" in broken.text
    hub_dir = world.data_dir
    assert not list((hub_dir / "berichten").glob("*")) if (hub_dir / "berichten").exists() else True
    sent = _parent_writes(
        anne,
        families.jules,
        "Attest",
        "zie bijlage",
        [("attest.pdf", TINY_PDF, "application/pdf"), ("tekening.png", png(), "image/png")],
    )
    assert sent.status_code == 200
    thread = _thread_id(sent)
    with hub_sql(world.database) as db:
        rows = db.execute(
            "SELECT id, file_name, media_type, stored_as FROM message_attachments ORDER BY id"
        ).fetchall()
    assert [(r[1], r[2]) for r in rows] == [("attest.pdf", "application/pdf"), ("tekening.png", "image/png")]
    for _id, _name, _type, stored_as in rows:
        path = hub_dir / "berichten" / stored_as
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        assert "static" not in path.parts
    pdf_id, png_id = rows[0][0], rows[1][0]
    got = anne.get(f"/ouders/berichten/{thread}/bijlagen/{pdf_id}")
    assert got.status_code == 200 and got.content == TINY_PDF
    assert (
        got.headers["content-type"] == "application/pdf"
        and "attachment" in got.headers["content-disposition"]
    )
    staff = _staff(world)
    assert staff.get(f"/locaties/zonnebloem/berichten/{thread}/bijlagen/{png_id}").content == png()
    # not for another family, not for another location's staff, not without a login
    bert = login_parent(world.url, BERT)
    assert bert.get(f"/ouders/berichten/{thread}/bijlagen/{pdf_id}").status_code == 404
    klavertje = _staff(world, OTHER_DOSSIER, OTHER_PIN)
    assert klavertje.get(f"/locaties/klavertje/berichten/{thread}/bijlagen/{pdf_id}").status_code == 404
    assert klavertje.get(f"/locaties/zonnebloem/berichten/{thread}/bijlagen/{pdf_id}").status_code == 404
    stranger = world.client()
    assert stranger.get(f"/ouders/berichten/{thread}/bijlagen/{pdf_id}").url.path == "/ouders/aanmelden"


def test_an_attachment_too_large_is_refused_before_it_is_read(world: PortalWorld) -> None:
    families = add_families(world.database, world.other_child)
    anne = login_parent(world.url, ANNE)
    big = b"%PDF-1.4\n" + b"0" * (5 * 1024 * 1024) + b"\n%%EOF\n"
    response = _parent_writes(anne, families.jules, "Groot", "", [("groot.pdf", big, "application/pdf")])
    assert response.status_code == 400 and "te groot" in response.text
    many = [("groot.pdf", big, "application/pdf")] * 4
    assert _parent_writes(anne, families.jules, "Te veel", "", many).status_code == 413


def test_every_message_route_with_an_id_is_404_for_another_familys_or_locations_ids(
    world: PortalWorld,
) -> None:
    from hub.parents.tests.test_parent_routes import world_app_routes

    families = add_families(world.database, world.other_child)
    bert = login_parent(world.url, BERT)
    lotte_thread = _thread_id(
        _parent_writes(bert, families.lotte, "Van Bert", "x", [("a.pdf", TINY_PDF, "application/pdf")])
    )
    geheim_thread = _thread_id(
        _parent_writes(
            bert,
            families.geheim,
            "Naar Klavertje",
            "x",
            [("b.pdf", TINY_PDF, "application/pdf")],
            "klavertje",
        )
    )
    with hub_sql(world.database) as db:
        attachment = dict(
            db.execute(
                "SELECT m.thread_id, a.id FROM message_attachments a JOIN messages m ON m.id = a.message_id"
            )
        )
    anne = login_parent(world.url, ANNE)
    zonnebloem = _staff(world)
    routes = [
        (method, route.path)
        for route in world_app_routes(world)
        for method in sorted(getattr(route, "methods", None) or ())
        if "berichten/{" in route.path
    ]
    assert len(routes) >= 6, routes
    tried = 0
    for method, path in routes:
        # a parent of another family; the staff of a location that is not the thread's
        client, thread, location = (
            (anne, lotte_thread, "zonnebloem")
            if path.startswith("/ouders")
            else (zonnebloem, geheim_thread, "zonnebloem")
        )
        for thread_id in (thread, geheim_thread if client is anne else lotte_thread + 10_000):
            url = path.format(
                location_id=location, thread_id=thread_id, attachment_id=attachment.get(thread_id, 1)
            )
            if method == "GET":
                response = client.get(url)
            else:
                response = client.http.post(
                    url,
                    data={
                        "csrf": csrf_of(client, "/ouders" if client is anne else "/locaties/zonnebloem"),
                        "bericht": "ingebroken",
                    },
                )
            tried += 1
            assert response.status_code == 404, (method, url, response.status_code)
    assert tried == 2 * len(routes)
    # and Klavertje's staff cannot reach Zonnebloem's thread through its own location's address
    klavertje = _staff(world, OTHER_DOSSIER, OTHER_PIN)
    assert klavertje.get(f"/locaties/klavertje/berichten/{lotte_thread}").status_code == 404
    with hub_sql(world.database) as db:
        assert db.execute("SELECT count(*) FROM messages WHERE body = 'ingebroken'").fetchone() == (0,)


def test_an_erased_childs_threads_go_and_the_daily_retention_deletes_their_files(world: PortalWorld) -> None:
    import os
    from datetime import UTC, datetime, timedelta

    from hub.operations.retention import run_retention

    families = add_families(world.database, world.other_child)
    bert = login_parent(world.url, BERT)
    _parent_writes(bert, families.lotte, "Attest", "x", [("a.pdf", TINY_PDF, "application/pdf")])
    folder = world.data_dir / "berichten"
    (stored,) = list(folder.iterdir())
    long_ago = (datetime.now(UTC) - timedelta(days=2)).timestamp()
    os.utime(stored, (long_ago, long_ago))
    settings = world.settings()
    assert run_retention(settings).erased["message_files"] == 0  # still named by its message
    with hub_sql(world.database) as db:
        left = (datetime.now(UTC) - timedelta(days=11 * 366)).date().isoformat()
        db.execute(  # her last day at each of her locations (children.left_on is gone, issue 16)
            "INSERT INTO child_stays (child_id, location_id, last_day) SELECT child_id, location_id, ? "
            "FROM child_locations WHERE child_id = ? "
            "ON CONFLICT (child_id, location_id) DO UPDATE SET last_day = excluded.last_day",
            (left, families.lotte),
        )
    report = run_retention(settings)
    # the record stays anonymised (its registrations are kept); its threads and their files go
    assert report.erased["children"] + report.erased["children_anonymised"] == 1
    assert report.erased["message_files"] == 1
    assert not stored.exists()
    with hub_sql(world.database) as db:
        assert db.execute("SELECT count(*) FROM message_threads").fetchone() == (0,)


def test_a_parent_who_chose_push_only_gets_a_push_and_no_mail_and_the_other_parent_a_mail(
    world: PortalWorld,
) -> None:
    families = add_families(world.database, world.other_child)
    _second_parent(world, families)
    with hub_sql(world.database) as db:  # Piet's "Meldingen" for Jules: push, no mail
        (piet,) = db.execute("SELECT id FROM parent_accounts WHERE email = ?", (PIET,)).fetchone()
        db.execute(
            "INSERT INTO notify_prefs (account_id, child_id, mode, by_mail, by_push) "
            "VALUES (?, ?, 'geen', 0, 1)",
            (piet, families.jules),
        )
    staff = _staff(world)
    new = _staff_writes(
        staff,
        "/locaties/zonnebloem/berichten/nieuw",
        {"kind": families.jules, "onderwerp": "Uitstap", "bericht": "Morgen naar het park."},
    )
    assert "De ouders zijn verwittigd (2)." in new.text
    mailed = [str(m["To"]) for m in _mails(world) if "Nieuw bericht" in str(m["Subject"])]
    assert mailed == [ANNE], "Piet chose no mails"
    with hub_sql(world.database) as db:
        pushes = db.execute(
            "SELECT account_id, key, title FROM notify_outbox WHERE channel = 'push'"
        ).fetchall()
    assert [(account, title) for account, _key, title in pushes] == [
        (piet, "Nieuw bericht van Kinderdagverblijf De Zonnebloem")
    ]
    assert pushes[0][1].startswith("bericht:")
