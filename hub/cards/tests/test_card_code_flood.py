"""A unit that sends made-up card codes, through a real Mosquitto to a hub process: a code with a
wrong check digit is refused ("ongeldige kaartcode") and never listed, and valid codes that belong
to no child fill the "onbekende kaart" list only up to its cap per unit and day; the rest is
stored, acked and counted, not listed."""

from __future__ import annotations

import re
import sqlite3
from datetime import date, datetime, time, timedelta
from pathlib import Path

import pytest

from hub.attendance.unknown_cards import LISTED_PER_UNIT_DAY
from hub.cards.codes import INVALID_CODE, REASONS_NL
from hub.core.localtime import BRUSSELS, today
from hub.demo import DEMO_EMAIL, DEMO_PASSWORD, DemoData
from provisioning.mosquitto import UnitAccount
from tests.support.messages import checkin
from tests.support.portal import PortalClient
from tests.support.processes import start_hub
from tests.support.raw_unit import RawUnit
from tests.support.waiting import wait_for
from wire import Verdict, cardcode, encode

# three days ago: recent enough for the hub to take the time (it refuses what may no longer be
# corrected), far enough from today that the hour the suite runs at does not matter
DAY = (today() - timedelta(days=3)).isoformat()
MONTH = DAY[:7]


def rows(hub_dir: Path, sql: str, *params) -> list[tuple]:
    with sqlite3.connect(hub_dir / "hub.sqlite3") as db:
        return db.execute(sql, params).fetchall()


def wrong_check_digit(code: str) -> str:
    return code[:-1] + str((int(code[-1]) + 1) % 10)


@pytest.fixture
def hub_and_unit(hub_dir: Path, demo: DemoData, start_mosquitto):
    mosquitto = start_mosquitto(UnitAccount(demo.unit_id, demo.location_id, "unit-secret"))
    hub, portal = start_hub(hub_dir, broker_url=mosquitto.hub_url)
    unit = RawUnit.of(mosquitto, demo.unit_id).start()
    yield portal, unit
    unit.stop()
    hub.stop()
    assert "Traceback" not in hub.log(), hub.log()[-3000:]


def scan(unit: RawUnit, demo: DemoData, code: str, minute: int):
    event = checkin(
        unit=demo.unit_id,
        location=demo.location_id,
        code=code,
        wall_time=datetime.combine(date.fromisoformat(DAY), time(8, minute), BRUSSELS).isoformat(
            timespec="milliseconds"
        ),
        seq=minute + 1,
    )
    unit.publish(encode(event)).wait_for_publish(timeout=5)
    return event


def test_a_card_code_with_a_wrong_check_digit_is_refused_and_not_listed_as_an_unknown_card(
    hub_and_unit, hub_dir: Path, demo: DemoData
) -> None:
    portal, unit = hub_and_unit
    bad = wrong_check_digit(demo.cards["Jules"])
    assert not cardcode.is_valid(bad)
    event = scan(unit, demo, bad, 5)
    (ack,) = wait_for(lambda: unit.acks_for(event.id), what="the hub's answer")
    assert ack.verdict is Verdict.REFUSED and ack.reason == INVALID_CODE
    assert REASONS_NL[INVALID_CODE] == "ongeldige kaartcode"
    assert rows(hub_dir, "SELECT count(*) FROM events WHERE id = ?", event.id) == [(0,)]
    assert rows(hub_dir, "SELECT count(*) FROM dead_letters WHERE reason = ?", INVALID_CODE) == [(1,)]
    client = PortalClient(portal)
    client.login_organisator(DEMO_EMAIL, DEMO_PASSWORD)
    page = client.get(f"/locaties/{demo.location_id}?maand={MONTH}").text
    assert "Onbekende kaarten" not in page and cardcode.pretty(bad) not in page


def test_a_flood_of_unknown_codes_is_acked_and_stored_but_the_list_stops_at_its_cap(
    hub_and_unit, hub_dir: Path, demo: DemoData
) -> None:
    portal, unit = hub_and_unit
    extra = 15
    codes = [cardcode.new_code() for _ in range(LISTED_PER_UNIT_DAY + extra)]
    assert len(set(codes)) == len(codes)
    events = [scan(unit, demo, code, minute) for minute, code in enumerate(codes)]
    wait_for(lambda: all(unit.acks_for(e.id) for e in events), what="an answer to every scan")
    assert {unit.acks_for(e.id)[0].verdict for e in events} == {Verdict.UNKNOWN_CARD}
    assert rows(hub_dir, "SELECT count(*) FROM events WHERE child_id IS NULL") == [(len(codes),)]

    client = PortalClient(portal)
    client.login_organisator(DEMO_EMAIL, DEMO_PASSWORD)
    page = client.get(f"/locaties/{demo.location_id}?maand={MONTH}").text
    listed = re.findall(r"onbekende kaart (\d{3} \d{3} \d{4})", page)
    assert sorted(listed) == sorted(cardcode.pretty(code) for code in codes[:LISTED_PER_UNIT_DAY])
    assert f"En nog {extra} scans van andere onbekende kaarten" in page
