"""The walking skeleton, end to end: a card held to a scanner shows up in the hub's portal."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from hub.core.localtime import fmt_time
from hub.core.ports import free_port
from hub.demo import DEMO_DOSSIER, DEMO_PIN, DemoData
from provisioning.mosquitto import UnitAccount
from tests.support.fixtures import write_card_image
from tests.support.portal import PortalClient
from tests.support.processes import start_hub, start_unit, unit_config
from tests.support.waiting import wait_for


def outbox_size(unit_dir: Path) -> int:
    with sqlite3.connect(unit_dir / "outbox.sqlite3") as db:
        return db.execute("SELECT count(*) FROM outbox").fetchone()[0]


def stored_events(hub_dir: Path) -> list[tuple]:
    with sqlite3.connect(hub_dir / "hub.sqlite3") as db:
        return db.execute("SELECT id, child_id, direction, occurred_at FROM events").fetchall()


@pytest.mark.parametrize("broker", ["mosquitto", "embedded"])
def test_card_held_to_scanner_is_stored_acked_and_shown_in_portal(
    broker: str, tmp_path: Path, hub_dir: Path, demo: DemoData, start_mosquitto
) -> None:
    if broker == "mosquitto":
        mosquitto = start_mosquitto(UnitAccount(demo.unit_id, demo.location_id, "unit-secret"))
        hub, portal = start_hub(hub_dir, broker_url=mosquitto.hub_url)
        unit_broker = mosquitto.unit_url(demo.unit_id)
    else:
        port = free_port()
        hub, portal = start_hub(hub_dir, embedded_port=port)
        unit_broker = f"mqtt://127.0.0.1:{port}"
    unit_dir = tmp_path / "unit"
    frames = tmp_path / "camera"
    config = unit_config(
        unit_dir,
        demo.unit_id,
        demo.location_id,
        unit_broker,
        camera={"source": "files", "folder": str(frames)},
    )
    unit = start_unit(unit_dir, config)
    try:
        write_card_image(frames, demo.cards["Jules"])

        events = wait_for(lambda: stored_events(hub_dir), what="the check-in in the hub database")
        wait_for(lambda: outbox_size(unit_dir) == 0, what="the hub's ack emptying the unit's outbox")

        assert len(events) == 1
        _id, child_id, _direction, occurred_at = events[0]
        assert child_id is not None
        staff = PortalClient(portal)
        staff.login_location(DEMO_DOSSIER, DEMO_PIN)
        today = staff.get("/api/today").json()
        staff.close()
        (shown,) = today["locations"][0]["checkins"]
        assert shown["child"] == "Jules Peeters"
        assert shown["time"] == fmt_time(occurred_at)
    finally:
        unit.stop()
        hub.stop()
    assert "Traceback" not in unit.log(), unit.log()
    assert "Traceback" not in hub.log(), hub.log()
