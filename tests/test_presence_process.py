"""Arrival or departure from the child's presence, with real processes: Mosquitto, the hub and
scanner units. The units run with ``departure_from = "00:00"``: under the old rule by the clock
every scan would be a departure (every hour is "afternoon"), so each arrival here is presence's.
"""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path

from hub.attendance.days import attendance
from hub.core.db import connect, open_database
from hub.core.localtime import today
from hub.core.ports import free_port
from hub.demo import DEMO_UNITS, DemoData, seed
from provisioning.mosquitto import UnitAccount
from tests.support.clock import clear_of_midnight
from tests.support.doors import Door
from tests.support.processes import start_hub
from tests.support.waiting import wait_for

IN, OUT = (unit for unit, _mode, _round in DEMO_UNITS)
AFTERNOON = {"departure_from": "00:00", "repeat_window_s": 0}


def directions(hub_dir: Path, code: str) -> list[tuple[str, str, str | None]]:
    with sqlite3.connect(hub_dir / "hub.sqlite3") as db:
        return db.execute(
            "SELECT unit_id, direction, direction_by FROM events WHERE code = ? ORDER BY occurred_at", (code,)
        ).fetchall()


def presence_seen(door: Door, count: int = 1) -> int:
    return door.log().count("presence from the hub") >= count


def cell_of(hub_dir: Path, demo: DemoData, child_first_name: str):
    db = connect(hub_dir / "hub.sqlite3")
    try:
        query = "SELECT id FROM children WHERE first_name = ?"
        (child_id,) = db.execute(query, (child_first_name,)).fetchone()
        day = today()
        return attendance(db, day, day, location_id=demo.location_id)[(demo.location_id, child_id, day)]
    finally:
        db.close()


def test_an_afternoon_only_child_is_registered_as_arrival_then_departure(
    tmp_path: Path, hub_dir: Path, demo: DemoData, start_mosquitto
) -> None:
    clear_of_midnight()
    seed(open_database(hub_dir / "hub.sqlite3"), (IN, OUT))
    mosquitto = start_mosquitto(UnitAccount(IN, demo.location_id, "secret-in"))
    hub, _portal = start_hub(hub_dir, broker_url=mosquitto.hub_url)
    door = Door(tmp_path, IN, demo.location_id, mosquitto.unit_url(IN), scan=AFTERNOON).start()
    mila = demo.cards["Mila"]
    try:
        wait_for(lambda: presence_seen(door), what="the hub's presence at the unit")
        door.present([mila])
        wait_for(lambda: "Welkom Mila —" in door.log(), what="the welcome")
        wait_for(lambda: door.outbox_size() == 0, what="the arrival stored")
        wait_for(lambda: "1 card(s) present" in door.log(), what="the presence with Mila in it")
        time.sleep(1.0)  # the card out of view for longer than presence_gap_s: a new presentation
        door.present([mila])
        wait_for(lambda: "Tot ziens Mila —" in door.log(), what="the goodbye")
        wait_for(lambda: door.outbox_size() == 0, what="the departure stored")
    finally:
        door.stop()
        hub.stop()
    assert directions(hub_dir, mila) == [(IN, "arrival", "presence"), (IN, "departure", "presence")]
    [interval] = cell_of(hub_dir, demo, "Mila").intervals
    assert interval.complete, "one stay, no red"
    assert "Traceback" not in door.log() + hub.log()


def test_a_child_in_at_door_1_and_out_at_door_2_which_was_offline_for_the_arrival(
    tmp_path: Path, hub_dir: Path, demo: DemoData, start_mosquitto
) -> None:
    clear_of_midnight()
    seed(open_database(hub_dir / "hub.sqlite3"), (IN, OUT))
    mosquitto = start_mosquitto(
        UnitAccount(IN, demo.location_id, "secret-in"), UnitAccount(OUT, demo.location_id, "secret-out")
    )
    hub, _portal = start_hub(hub_dir, broker_url=mosquitto.hub_url)
    door_1 = Door(tmp_path, IN, demo.location_id, mosquitto.unit_url(IN), scan=AFTERNOON).start()
    door_2 = Door(tmp_path, OUT, demo.location_id, mosquitto.unit_url(OUT), scan=AFTERNOON).start()
    jules = demo.cards["Jules"]
    try:
        wait_for(lambda: presence_seen(door_1) and presence_seen(door_2), what="the presence at both doors")
        door_2.stop()  # door 2 loses its network: it knows Jules as not present
        online = door_2.config.read_text()
        door_2.config.write_text(
            online.replace(mosquitto.unit_url(OUT), f"mqtt://x:y@127.0.0.1:{free_port()}")
        )
        door_2.restart()

        door_1.present([jules])
        wait_for(lambda: "Welkom Jules —" in door_1.log(), what="the arrival at door 1")
        wait_for(lambda: door_1.outbox_size() == 0, what="the arrival stored")

        door_2.present([jules])  # going home through door 2, which did not hear of the arrival
        wait_for(lambda: door_2.outbox_size() == 1, what="door 2 keeps the scan offline")
        door_2.stop()
        door_2.config.write_text(online)  # the network is back
        door_2.restart()
        wait_for(lambda: door_2.outbox_size() == 0, timeout=60, what="door 2's backlog stored")
    finally:
        door_1.stop()
        door_2.stop()
        hub.stop()
    assert directions(hub_dir, jules) == [(IN, "arrival", "presence"), (OUT, "arrival", "presence")], (
        "door 2 chose on stale presence"
    )
    [interval] = cell_of(hub_dir, demo, "Jules").intervals
    assert interval.complete, "the hub re-derived door 2's scan as the departure: no false error"
    assert "Traceback" not in door_1.log() + door_2.log() + hub.log()
