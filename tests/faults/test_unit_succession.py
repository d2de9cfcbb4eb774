"""Scenario 9: units holding offline check-ins are revoked, then one is replaced and one re-keyed.

Set up as docs/technician.md says (``aanwezig-provision`` for every step, real Mosquitto with the
generated configuration). Two units register a burst while the broker is down, so every check-in
waits in their outboxes; then they are taken away and revoked. One comes back as a replacement
(a new identity, the old SD card: the same outbox), the other is re-keyed (its own identity, a new
password, the same outbox). Every check-in made before the revocation is stored once, under the
unit that made it, and nothing is stored twice.
"""

from __future__ import annotations

import signal
import sqlite3
import time
from pathlib import Path
from urllib.parse import quote

from hub.core.db import open_database
from hub.demo import DemoData
from tests.faults.conftest import size
from tests.support.burst import cards_in_turn
from tests.support.doors import Door, Tally, tally
from tests.support.fleet import ProvisionedHub, bundle_broker
from tests.support.waiting import wait_for


def broker_url(bundle: Path) -> str:
    b = bundle_broker(bundle)
    return f"mqtt://{quote(b.username, safe='')}:{quote(b.password, safe='')}@{b.host}:{b.port}"


def hub_rows(hub_dir: Path, sql: str) -> list[tuple]:
    with sqlite3.connect(hub_dir / "hub.sqlite3") as db:
        return db.execute(sql).fetchall()


def test_units_holding_offline_checkins_revoked_then_replaced_or_rekeyed_deliver_every_checkin_once(
    tmp_path: Path, hub_dir: Path, demo: DemoData, fault_row, stopwatch
) -> None:
    burst = size(20, 100)
    open_database(hub_dir / "hub.sqlite3").close()
    site = ProvisionedHub(tmp_path / "site", hub_dir)
    site.set_up_broker()
    site.start_hub()
    location = demo.location_id
    codes = list(demo.cards.values())
    doors: dict[str, Door] = {}
    try:
        for unit in ("unit-lost", "unit-found"):
            bundle = tmp_path / f"bundle-{unit}"
            site.provision("enrol", location, "--unit", unit, "--out", str(bundle))
            doors[unit] = Door(tmp_path / "before", unit, location, broker_url(bundle)).start()
        wait_for(
            lambda: all("connected" in d.log() for d in doors.values()), timeout=30, what="both units online"
        )
        site.mosquitto.send_signal(signal.SIGTERM)  # the broker (or the network) goes down
        site.mosquitto.wait(timeout=10)
        for door in doors.values():
            door.present(cards_in_turn(codes, burst))
        wait_for(
            lambda: all(d.cards_waiting() == 0 for d in doors.values()), timeout=120, what="bursts scanned"
        )
        for door in doors.values():
            door.stop()  # taken off the wall
        waiting = {unit: door.outbox_size() for unit, door in doors.items()}
        site.start_mosquitto()
        for unit in doors:
            site.provision("revoke", unit)

        stopwatch.started = time.monotonic()  # timed from the technician's first step
        site.provision("replace", "unit-lost", "--unit", "unit-heir", "--out", str(tmp_path / "bundle-heir"))
        site.provision("rekey", "unit-found", "--out", str(tmp_path / "bundle-found-2"))
        after = {
            "unit-lost": Door(
                tmp_path / "after", "unit-heir", location, broker_url(tmp_path / "bundle-heir"),
                data_dir=doors["unit-lost"].data_dir,
            ),
            "unit-found": Door(
                tmp_path / "after", "unit-found", location, broker_url(tmp_path / "bundle-found-2"),
                data_dir=doors["unit-found"].data_dir,
            ),
        }  # fmt: skip
        for door in after.values():
            door.start()
        wait_for(
            lambda: all(d.outbox_size() == 0 for d in after.values()), timeout=120, what="outboxes drained"
        )
        seconds = stopwatch.seconds()
        for door in after.values():
            door.stop()
    finally:
        for door in doors.values():
            door.stop()
        site.stop()

    results = {unit: tally(door, hub_dir) for unit, door in doors.items()}
    refused = hub_rows(hub_dir, "SELECT count(*) FROM refused_events")[0][0]
    for unit, how in (("unit-lost", "replaced by unit-heir"), ("unit-found", "re-keyed")):
        r = results[unit]
        fault_row(
            f"9 unit revoked holding {waiting[unit]} offline check-ins, {how}",
            r,
            seconds,
            f"{r.produced} check-ins shown green offline; stored as {unit}: {r.stored}; refused: {refused}",
        )
    total = Tally(*(sum(getattr(r, f) for r in results.values()) for f in Tally.__dataclass_fields__))
    assert all(n == burst for n in waiting.values()), "every check-in was held offline"
    assert total.produced == total.stored == 2 * burst and total.lost == 0 and total.doubled == 0
    assert hub_rows(hub_dir, "SELECT count(*) FROM events WHERE unit_id = 'unit-heir'") == [(0,)]
    assert refused == 0
