"""The "Geweigerde registraties" screen: a refused, well-formed check-in is on the organisator's list,
and accepted it lands in the grid once; dismissed it is set aside; both with who did it."""

from __future__ import annotations

import json
import re

import pytest

from hub.core.db import connect
from hub.demo import DEMO_DOSSIER, DEMO_EMAIL, DEMO_PASSWORD, DEMO_PIN
from hub.ingest.link import Delivery
from hub.ingest.pipeline import Ingest
from tests.support.messages import checkin
from tests.support.portal_world import OTHER_EMAIL, OTHER_PASSWORD, PortalWorld
from wire import Direction, Topic, TopicKind, Verdict, encode

pytestmark = pytest.mark.both_databases  # SQLite and PostgreSQL

DAY = "2026-03-10"  # a fixed past Tuesday: the organisator may see and change it


def refuse_at_revoked_unit(world: PortalWorld) -> list:
    """A revoked unit's arrival and departure of Jules on DAY, as they reach the ingest."""
    db = connect(world.database)
    (code,) = db.execute(
        "SELECT c.code FROM cards c JOIN children ch ON ch.id = c.child_id WHERE ch.first_name = 'Jules'"
    ).fetchone()
    with db.atomic():
        db.execute("UPDATE units SET state = 'revoked' WHERE id = 'unit-zonnebloem-uit'")
    events = [
        checkin(unit="unit-zonnebloem-uit", location="zonnebloem", code=code, seq=n + 1, direction=direction,
                wall_time=f"{DAY}T{hour}:00:00+01:00")
        for n, (direction, hour) in enumerate([(Direction.ARRIVAL, "10"), (Direction.DEPARTURE, "15")])
    ]  # fmt: skip
    topic = str(Topic("zonnebloem", "unit-zonnebloem-uit", TopicKind.EVENT))
    ingest = Ingest(world.database, publish=lambda t, p: True, settle=lambda d: None)
    outcomes = ingest.handle_batch(db, [Delivery(topic, encode(e), n, 1, 0.0) for n, e in enumerate(events)])
    assert [(o.ack.verdict, o.ack.kept) for o in outcomes] == [(Verdict.REFUSED, True)] * 2
    db.close()
    return events


def test_a_refused_checkin_is_on_the_organisators_list_and_accepted_lands_in_the_grid_once(
    world: PortalWorld,
) -> None:
    events = refuse_at_revoked_unit(world)
    client = world.client()
    client.login_organisator(DEMO_EMAIL, DEMO_PASSWORD)
    overview = client.get("/locaties/zonnebloem").text
    assert 'href="/locaties/zonnebloem/geweigerd"' in overview, "reachable from the menu"
    page = client.get("/locaties/zonnebloem/geweigerd").text
    assert "Scanner unit-zonnebloem-uit" in page and page.count("scanner was ingetrokken") == 2
    assert "10/03/2026 10:00" in page and "Jules" in page
    ids = re.findall(r"/geweigerd/(\d+)/aanvaarden", page)
    grid_before = client.get("/locaties/zonnebloem", params={"maand": "2026-03"}).text
    assert "5u00" not in grid_before

    for refused_id in ids:
        done = client.post(
            f"/locaties/zonnebloem/geweigerd/{refused_id}/aanvaarden", {}, "/locaties/zonnebloem/geweigerd"
        )
        assert "aanvaard en staat in het overzicht" in done.text
    again = client.post(
        f"/locaties/zonnebloem/geweigerd/{ids[0]}/aanvaarden", {}, "/locaties/zonnebloem/geweigerd"
    )
    assert "al beslist" in again.text, "accepting twice stores nothing twice"

    grid = client.get("/locaties/zonnebloem", params={"maand": "2026-03"}).text
    assert "5u00" in grid, "a day of 10:00 to 15:00 (the cell and the month total)"
    with connect(world.database).conn as db:
        stored = db.execute(
            "SELECT id, unit_id FROM events WHERE id IN (?, ?)", (events[0].id, events[1].id)
        ).fetchall()
        decided = db.execute("SELECT state, decided_by FROM refused_events ORDER BY id").fetchall()
    assert sorted(stored) == sorted((e.id, "unit-zonnebloem-uit") for e in events), (
        "once, as the unit that made it"
    )
    assert [state for state, _ in decided] == ["accepted", "accepted"]
    assert json.loads(decided[0][1])["role"] == "organisator", "who accepted it is kept"
    assert "Geen geweigerde registraties" in client.get("/locaties/zonnebloem/geweigerd").text


def test_dismissing_sets_a_refused_checkin_aside_without_storing_it(world: PortalWorld) -> None:
    events = refuse_at_revoked_unit(world)
    client = world.client()
    client.login_organisator(DEMO_EMAIL, DEMO_PASSWORD)
    page = client.get("/locaties/zonnebloem/geweigerd").text
    first = re.findall(r"/geweigerd/(\d+)/negeren", page)[0]
    done = client.post(
        f"/locaties/zonnebloem/geweigerd/{first}/negeren", {}, "/locaties/zonnebloem/geweigerd"
    )
    assert "genegeerd" in done.text and done.text.count("scanner was ingetrokken") == 1
    with connect(world.database).conn as db:
        assert db.execute("SELECT count(*) FROM events WHERE id = ?", (events[0].id,)).fetchone() == (0,)
        assert db.execute("SELECT state FROM refused_events WHERE id = ?", (first,)).fetchone() == (
            "dismissed",
        )


def test_only_the_locations_own_organisator_sees_and_decides_and_every_form_needs_its_csrf_token(
    world: PortalWorld,
) -> None:
    refuse_at_revoked_unit(world)
    with connect(world.database).conn as db:
        (refused_id,) = db.execute("SELECT min(id) FROM refused_events").fetchone()
    stranger = world.client()
    stranger.login_organisator(OTHER_EMAIL, OTHER_PASSWORD)
    assert stranger.get("/locaties/zonnebloem/geweigerd").status_code == 404
    stolen = stranger.post(f"/locaties/zonnebloem/geweigerd/{refused_id}/aanvaarden", {}, "/locaties")
    assert stolen.status_code == 404
    door = world.client()
    door.login_location(DEMO_DOSSIER, DEMO_PIN)
    assert door.get("/locaties/zonnebloem/geweigerd").status_code == 404, "not for the door tablet's login"
    assert "/geweigerd" not in door.get("/locaties/zonnebloem").text
    owner = world.client()
    owner.login_organisator(DEMO_EMAIL, DEMO_PASSWORD)
    forged = owner.http.post(f"/locaties/zonnebloem/geweigerd/{refused_id}/aanvaarden", data={})
    assert forged.status_code == 403
    with connect(world.database).conn as db:
        assert db.execute("SELECT count(*) FROM refused_events WHERE state = 'open'").fetchone() == (2,)


def test_a_unit_that_sends_junk_is_flagged_on_the_locations_overview(world: PortalWorld) -> None:
    db = connect(world.database)
    topic = str(Topic("zonnebloem", "unit-zonnebloem-in", TopicKind.EVENT))
    ingest = Ingest(world.database, publish=lambda t, p: True, settle=lambda d: None)
    ingest.handle_batch(db, [Delivery(topic, b"{junk" * n, n, 1, 0.0) for n in range(1, 4)])
    db.close()
    client = world.client()
    client.login_organisator(DEMO_EMAIL, DEMO_PASSWORD)
    overview = client.get("/locaties/zonnebloem").text
    assert "stuurt ongeldige berichten: 3×" in overview
    assert overview.count("stuurt ongeldige berichten") == 1, "only the unit that sent it"
