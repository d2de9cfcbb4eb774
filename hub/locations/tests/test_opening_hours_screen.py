"""The screen "Openingsuren en sluitingsdagen": the organisator's week, the location's closing days,
the Belgian holidays proposed in one click, a confirmation when registrations are affected, and
who changed what."""

from __future__ import annotations

from collections import Counter
from datetime import date

import pytest

from hub.core.db import connect
from hub.core.localtime import local
from hub.demo import DEMO_DOSSIER, DEMO_EMAIL, DEMO_PASSWORD, DEMO_PIN
from hub.locations.schedule import easter, public_holidays
from tests.support.portal_world import PortalWorld

pytestmark = pytest.mark.both_databases  # SQLite and PostgreSQL

PAGE = "/locaties/zonnebloem/openingsuren"


def test_belgian_public_holidays_follow_easter_and_11_juli_is_an_option() -> None:
    assert easter(2026) == date(2026, 4, 5) and easter(2027) == date(2027, 3, 28)
    holidays = dict(public_holidays(2027))
    assert len(holidays) == 10
    assert holidays[date(2027, 3, 29)] == "Paasmaandag"
    assert holidays[date(2027, 5, 6)] == "O.L.H. Hemelvaart"
    assert holidays[date(2027, 5, 17)] == "Pinkstermaandag"
    assert holidays[date(2027, 7, 21)] == "Nationale feestdag" and date(2027, 7, 11) not in holidays
    assert dict(public_holidays(2027, True))[date(2027, 7, 11)] == "Feest van de Vlaamse Gemeenschap"


def test_the_organisator_sets_two_blocks_on_wednesday_and_the_log_keeps_who(world: PortalWorld) -> None:
    client = world.client()
    client.login_organisator(DEMO_EMAIL, DEMO_PASSWORD)
    page = client.get(PAGE).text
    assert 'name="d1_b0_from" value="07:00"' in page and 'name="d1_b0_to" value="18:00"' in page
    assert 'inputmode="numeric"' in page and "Openingsuren" in page
    form = {f"d{d}_open": "1" for d in range(1, 6)}
    form |= {f"d{d}_b0_from": "07:00" for d in range(1, 6)} | {f"d{d}_b0_to": "18:00" for d in range(1, 6)}
    form |= {"d3_b0_to": "12:00", "d3_b1_from": "13:00", "d3_b1_to": "1800", "places": "18", "margin": "45"}
    saved = client.post(PAGE, form, PAGE)
    assert "De openingsuren zijn bewaard." in saved.text
    assert 'name="d3_b1_from" value="13:00"' in saved.text and 'name="places" value="18"' in saved.text
    assert "woensdag 07:00–12:00 en 13:00–18:00" in saved.text  # the change log
    with connect(world.database).conn as db:
        rows = db.execute(
            "SELECT opens, closes FROM location_opening_blocks "
            "WHERE location_id = 'zonnebloem' AND weekday = 3"
        ).fetchall()
        assert rows == [("07:00", "12:00"), ("13:00", "18:00")]
        margin = db.execute("SELECT pickup_margin_min FROM locations WHERE id = 'zonnebloem'").fetchone()
    assert margin == (45,)
    refused = client.post(PAGE, form | {"d2_b0_from": "19:00"}, PAGE)
    assert refused.status_code == 400 and "Dinsdag" in refused.text


def test_the_location_adds_closing_days_but_may_not_change_the_hours(world: PortalWorld) -> None:
    client = world.client()
    client.login_location(DEMO_DOSSIER, DEMO_PIN)
    page = client.get(PAGE).text
    assert "Enkel je organisator kan de openingsuren wijzigen" in page
    refused = client.post(PAGE, {"d1_open": "1", "d1_b0_from": "06:00", "d1_b0_to": "20:00"}, PAGE)
    assert refused.status_code == 400 and "Enkel de organisator" in refused.text
    added = client.post(
        "/locaties/zonnebloem/sluitingsdagen",
        {"from": "2030-12-23", "to": "2031-01-03", "kind": "kerstvakantie", "reason": "Kerstvakantie"},
        PAGE,
    )
    assert "De sluitingsdagen zijn bewaard." in added.text
    assert "23/12/2030 tot 03/01/2031" in added.text and "kerstvakantie" in added.text


def test_feestdagen_voorstellen_adds_the_years_holidays_in_one_click(world: PortalWorld) -> None:
    client = world.client()
    client.login_organisator(DEMO_EMAIL, DEMO_PASSWORD)
    proposal = client.get(PAGE, params={"voorstel": "1", "jaar": "2031", "elf_juli": "1"}).text
    assert "14/04/2031 Paasmaandag" in proposal and "11/07/2031 Feest van de Vlaamse Gemeenschap" in proposal
    days = [day.isoformat() for day, _ in public_holidays(2031, True)]
    client.csrf(PAGE)
    added = client.post(
        "/locaties/zonnebloem/feestdagen", {"year": "2031", "elf_juli": "1", "day": days}, PAGE
    )
    assert "11 feestdagen toegevoegd als sluitingsdag." in added.text
    with connect(world.database).conn as db:
        kinds = db.execute(
            "SELECT DISTINCT kind FROM location_closing_days "
            "WHERE location_id = 'zonnebloem' AND day LIKE '2031%'"
        ).fetchall()
    assert kinds == [("feestdag",)]


def test_a_closing_day_with_registrations_asks_for_confirmation_with_the_count(world: PortalWorld) -> None:
    with connect(world.database).conn as db:
        moments = [row[0] for row in db.execute(
            "SELECT occurred_at FROM events WHERE location_id = 'zonnebloem' AND child_id IS NOT NULL"
        )]  # fmt: skip
    days = Counter(local(moment).date().isoformat() for moment in moments)
    day, count = min(days.items())
    client = world.client()
    client.login_location(DEMO_DOSSIER, DEMO_PIN)
    form = {"from": day, "kind": "studiedag", "reason": "pedagogische studiedag"}
    asked = client.post("/locaties/zonnebloem/sluitingsdagen", form, PAGE)
    assert "registraties." in asked.text and "Ja, bewaren als sluitingsdag" in asked.text
    with connect(world.database).conn as db:
        saved = db.execute("SELECT count(*) FROM location_closing_days WHERE day = ?", (day,)).fetchone()
    assert saved == (0,), "not before the confirmation"
    confirmed = client.post("/locaties/zonnebloem/sluitingsdagen", form | {"confirmed": "1"}, PAGE)
    assert "De sluitingsdagen zijn bewaard." in confirmed.text
    assert f"{count} registratie" in asked.text
    with connect(world.database).conn as db:
        assert db.execute("SELECT count(*) FROM events").fetchone()[0] >= len(moments), "all are kept"
        (what,) = db.execute("SELECT what FROM location_schedule_changes ORDER BY id DESC").fetchone()
    assert "registraties op deze dagen blijven bewaard" in what


def test_a_closing_period_and_a_last_day_are_typed_as_dd_mm_yyyy(world: PortalWorld) -> None:
    client = world.client()
    client.login_location(DEMO_DOSSIER, DEMO_PIN)
    added = client.post(
        "/locaties/zonnebloem/sluitingsdagen",
        {"from": "27/12/2032", "to": "31/12/2032", "kind": "kerstvakantie", "reason": ""},
        PAGE,
    )
    assert "27/12/2032 tot 31/12/2032" in added.text
    wrong = client.post("/locaties/zonnebloem/sluitingsdagen", {"from": "31/02/2032"}, PAGE)
    assert wrong.status_code == 400 and "schrijf ze als DD/MM/JJJJ" in wrong.text
    with connect(world.database).conn as db:
        (child,) = db.execute("SELECT id FROM children WHERE first_name = 'Jules'").fetchone()
    page = f"/locaties/zonnebloem/kinderen/{child}"
    saved = client.post(f"{page}/opvang", {"first_day": "", "last_day": "12/03/2026"}, page)
    assert "De opvangperiode is bewaard." in saved.text and 'value="12/03/2026"' in saved.text
    refused = client.post(f"{page}/opvang", {"first_day": "13/03/2026", "last_day": "12/03/2026"}, page)
    assert "De laatste opvangdag ligt voor de eerste." in refused.text
