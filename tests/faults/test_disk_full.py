"""Scenario 7: the unit's disk nearly full. The outbox lives on a small filesystem of its own that the
test fills up while the hub is unreachable: the unit warns staff, then refuses new scans with a clear
message instead of losing the ones it holds. The hub comes back while the disk is full to the last
byte: it stores the backlog, the unit cannot even note the acks, keeps the events and stays up; once
space is freed the outbox empties and new scans are taken again."""

from __future__ import annotations

import time
from pathlib import Path

from hub.demo import DemoData
from provisioning.mosquitto import UnitAccount
from tests.faults.conftest import size
from tests.support.burst import cards_in_turn, hub_events
from tests.support.doors import Door, tally
from tests.support.processes import start_hub
from tests.support.small_disk import fill, small_disk
from tests.support.waiting import wait_for

REFUSED = "NIET bewaard — opslag vol, verwittig de opvang"
REFUSED_LINE = f"scan refused: {REFUSED}"  # the unit's log line for each refused scan
WARNING = "Opslag bijna vol"


def test_unit_on_a_full_disk_warns_refuses_new_scans_keeps_the_old_ones_and_delivers_them_all(
    tmp_path: Path, hub_dir: Path, demo: DemoData, start_mosquitto, fault_row, stopwatch
) -> None:
    kept, refused = size(12, 60), size(3, 10)
    mosquitto = start_mosquitto(UnitAccount(demo.unit_id, demo.location_id, "unit-secret"))
    hub, _portal = start_hub(hub_dir, broker_url=mosquitto.hub_url)
    cards = cards_in_turn(list(demo.cards.values()), kept + refused + 6)
    with small_disk(tmp_path / "unit-disk", size_kb=1024) as disk:
        door = Door(
            tmp_path,
            demo.unit_id,
            demo.location_id,
            mosquitto.unit_url(demo.unit_id),
            data_dir=disk,
            # warn below 256 KB free, refuse below 128 KB
            delivery={"status_every_s": 1.0, "disk_warn_mb": 0.25, "disk_reserve_mb": 0.125},
        ).start()
        try:
            wait_for(lambda: "connected to" in door.log(), what="the unit connected")
            mosquitto.stop()  # the hub is out of reach: the outbox can only grow
            filler = fill(disk, leave_bytes=240 * 1024)  # something else fills the disk
            door.present(cards[:kept])
            wait_for(lambda: len(door.shown()) == kept, timeout=60, what="the scans on a nearly full disk")
            wait_for(lambda: WARNING in door.log(), timeout=10, what="staff warned")

            fill(disk, leave_bytes=100 * 1024)  # and fills it further
            door.present(cards[kept : kept + refused])
            wait_for(lambda: door.log().count(REFUSED_LINE) == refused, timeout=60, what="the scans refused")
            assert len(door.shown()) == kept and door.outbox_size() == kept, "what showed green is kept"

            fill(disk, leave_bytes=0)  # and then to the last byte
            mosquitto.start()  # the hub is back, the disk still full
            wait_for(
                lambda: len(hub_events(hub_dir, door.unit)) == kept, timeout=60, what="the backlog stored"
            )
            wait_for(
                lambda: "stays in the outbox" in door.log(), timeout=30, what="an ack the unit cannot write"
            )
            assert door.outbox_size() == kept, "the unit keeps what it cannot mark delivered"
            filler.unlink()
            wait_for(
                lambda: door.outbox_size() == 0, timeout=60, what="the outbox emptied once space was freed"
            )
            time.sleep(1.0)  # the presence gap: the next cards are new presentations
            door.present(cards[kept + refused :])
            wait_for(lambda: len(door.shown()) == kept + 6, timeout=60, what="scans taken again")
            wait_for(lambda: door.outbox_size() == 0, timeout=60, what="the new scans delivered")
            seconds = stopwatch.seconds()
        finally:
            door.stop()
            hub.stop()

    result = tally(door, hub_dir)
    fault_row(
        "7 unit disk full",
        result,
        seconds,
        f"outbox on a 1 MB disk that fills up while the hub is away: {kept} scans kept with a warning, "
        f"{door.log().count(REFUSED_LINE)} refused (\u201c{REFUSED}\u201d); the hub stored the backlog while "
        "the disk was full to the last byte, the outbox emptied once space was freed; 6 more scans then",
    )
    assert result.lost == 0 and result.doubled == 0 and result.produced == kept + 6
    assert "Traceback" not in door.log(), door.log()
    assert "Traceback" not in hub.log(), hub.log()
