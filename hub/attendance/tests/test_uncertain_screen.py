"""The screen "Tijd onzeker": the overview counts the check-ins without a trustworthy time, staff
place one at a time (DD/MM/YYYY, uu:mm) or discard one, and each keeps who did it."""

from __future__ import annotations

import sqlite3
from datetime import UTC, date, datetime, time, timedelta

import pytest

from hub.accounts.actors import Actor, Refused
from hub.attendance.uncertain import place_checkin
from hub.core.db import connect
from hub.core.localtime import BRUSSELS, now_utc_iso, parse_utc
from hub.demo import DEMO_DOSSIER, DEMO_PIN, DEMO_UNIT
from hub.ingest.pipeline import Ingest
from tests.support.messages import checkin, delivery
from tests.support.portal_world import PortalWorld
from wire import Verdict, encode

BOOT = "0b00700b-0000-4000-8000-000000000001"


def never_synced_scans(world: PortalWorld, count: int) -> list[str]:
    """``count`` arrivals through the ingest from a boot whose clock says 1970 and never synced."""
    db = connect(world.database)
    (code,) = db.execute(
        "SELECT c.code FROM cards c JOIN child_locations l ON l.child_id = c.child_id "
        "WHERE l.location_id = 'zonnebloem' AND c.state = 'active' ORDER BY c.code LIMIT 1"
    ).fetchone()
    ingest = Ingest(":unused:", publish=lambda t, p: True, settle=lambda d: None)
    ids = []
    for n in range(count):
        event = checkin(
            unit=DEMO_UNIT, location="zonnebloem", code=code, seq=900 + n, clock_synced=False, boot_id=BOOT,
            wall_time=f"1970-01-01T00:0{n}:00.000+00:00", monotonic=60.0 + 60 * n,
        )  # fmt: skip
        [outcome] = ingest.handle_batch(db, [delivery(encode(event), "zonnebloem", DEMO_UNIT)])
        assert outcome.ack.verdict is Verdict.STORED
        ids.append(event.id)
    db.close()
    return ids


def test_staff_place_a_checkin_with_an_uncertain_time_or_discard_it_and_the_overview_counts_them(
    world: PortalWorld,
) -> None:
    first, second, third = never_synced_scans(world, 3)
    client = world.client()
    client.login_location(DEMO_DOSSIER, DEMO_PIN)
    overview = client.get("/locaties/zonnebloem").text
    assert "3 registraties met onzekere tijd" in overview
    page = client.get("/locaties/zonnebloem/tijd-onzeker").text
    assert all(f'id="onzeker-{event_id}"' in page for event_id in (first, second, third))
    assert "1970-01-01 00:00" in page, "what the unit's clock said is shown"

    target = (parse_utc(now_utc_iso()) - timedelta(hours=1)).astimezone(BRUSSELS)  # a real hour ago
    day_text, time_text = target.strftime("%d/%m/%Y"), target.strftime("%H:%M")
    action = f"/locaties/zonnebloem/tijd-onzeker/{first}"
    wrong = client.post(
        action, {"actie": "plaatsen", "datum": "2026-11-23", "uur": time_text}, overview_url()
    )
    assert "is geen datum; schrijf ze als DD/MM/JJJJ" in wrong.text
    bad_hour = client.post(action, {"actie": "plaatsen", "datum": day_text, "uur": "25:00"}, overview_url())
    assert "is geen uur" in bad_hour.text
    placed = client.post(action, {"actie": "plaatsen", "datum": day_text, "uur": time_text}, overview_url())
    assert f"Registratie geplaatst op {day_text} om {time_text}." in placed.text
    discarded = client.post(
        f"/locaties/zonnebloem/tijd-onzeker/{second}", {"actie": "verwijderen"}, overview_url()
    )
    assert "Registratie verwijderd" in discarded.text
    again = client.post(action, {"actie": "verwijderen"}, overview_url())
    assert "al een tijd gekregen of werd verwijderd" in again.text

    assert "1 registratie met onzekere tijd" in client.get("/locaties/zonnebloem").text
    with sqlite3.connect(world.database) as db:
        rows = dict(
            (row[0], row[1:])
            for row in db.execute("SELECT id, state, settled_by, placed_at FROM uncertain_checkins")
        )
        (occurred_at,) = db.execute("SELECT occurred_at FROM events WHERE id = ?", (first,)).fetchone()
        in_log = {
            row[0]
            for row in db.execute("SELECT id FROM events WHERE id IN (?, ?, ?)", (first, second, third))
        }
    assert rows[first][0] == "placed" and rows[first][2] == occurred_at
    assert rows[first][1].endswith("De Zonnebloem"), "who placed it"
    assert parse_utc(occurred_at).astimezone(BRUSSELS).strftime("%d/%m/%Y %H:%M") == f"{day_text} {time_text}"
    assert rows[second][0] == "discarded" and rows[second][1].endswith("De Zonnebloem")
    assert rows[third][0] == "waiting"
    assert in_log == {first}, "only the placed one is attendance; the others are not in the event log"


def overview_url() -> str:
    return "/locaties/zonnebloem/tijd-onzeker"


def test_a_time_that_does_not_exist_the_night_the_clocks_go_forward_is_refused(world: PortalWorld) -> None:
    [event_id] = never_synced_scans(world, 1)
    db = connect(world.database)
    organisator = Actor.organisator(1, "Demo")
    with pytest.raises(Refused, match="02:30 bestaat niet op 29/03/2026"):
        spring_forward = date(2026, 3, 29)
        place_checkin(db, organisator, "zonnebloem", event_id, spring_forward, time(2, 30), datetime.now(UTC))
    db.close()
