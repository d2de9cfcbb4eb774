"""The hub's ingest through a real Mosquitto: a hub process, a unit's broker account, real MQTT."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from hub.demo import DemoData
from provisioning.mosquitto import UnitAccount
from tests.support.messages import checkin
from tests.support.processes import start_hub
from tests.support.raw_unit import RawUnit
from tests.support.waiting import wait_for
from wire import Verdict, encode


def hub_rows(hub_dir: Path, sql: str, *params) -> list[tuple]:
    with sqlite3.connect(hub_dir / "hub.sqlite3") as db:
        return db.execute(sql, params).fetchall()


@pytest.fixture
def hub_and_unit(tmp_path: Path, hub_dir: Path, demo: DemoData, start_mosquitto):
    mosquitto = start_mosquitto(UnitAccount(demo.unit_id, demo.location_id, "unit-secret"))
    hub, portal = start_hub(hub_dir, broker_url=mosquitto.hub_url)
    unit = RawUnit.of(mosquitto, demo.unit_id).start()
    yield hub, portal, unit
    unit.stop()
    hub.stop()
    assert "Traceback" not in hub.log(), hub.log()[-3000:]


def test_the_same_event_published_three_times_is_stored_once_and_acked_each_time(
    hub_and_unit, hub_dir: Path, demo: DemoData
) -> None:
    _hub, _portal, unit = hub_and_unit
    event = checkin(unit=demo.unit_id, location=demo.location_id, code=demo.cards["Jules"])
    for _ in range(3):
        unit.publish(encode(event)).wait_for_publish(timeout=5)
    acks = wait_for(lambda: len(unit.acks_for(event.id)) == 3 and unit.acks_for(event.id), what="three acks")
    assert [ack.verdict for ack in acks] == [Verdict.STORED, Verdict.DUPLICATE, Verdict.DUPLICATE]
    assert {ack.child for ack in acks} == {"Jules"}
    assert hub_rows(hub_dir, "SELECT count(*) FROM events WHERE id = ?", event.id) == [(1,)]
