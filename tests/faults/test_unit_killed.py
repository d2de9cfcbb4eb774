"""Scenario 1: the unit killed with SIGKILL in the middle of a burst of scans, and restarted."""

from __future__ import annotations

from pathlib import Path

from hub.demo import DemoData
from provisioning.mosquitto import UnitAccount
from tests.faults.conftest import size
from tests.support.burst import cards_in_turn, hub_events, outbox_last_seq
from tests.support.doors import Door, tally
from tests.support.processes import start_hub
from tests.support.waiting import wait_for


def test_unit_killed_mid_burst_delivers_every_green_scan_exactly_once_after_restart(
    tmp_path: Path, hub_dir: Path, demo: DemoData, start_mosquitto, fault_row, stopwatch
) -> None:
    burst, kills = size(40, 200), size(1, 3)
    mosquitto = start_mosquitto(UnitAccount(demo.unit_id, demo.location_id, "unit-secret"))
    hub, _portal = start_hub(hub_dir, broker_url=mosquitto.hub_url)
    door = Door(tmp_path, demo.unit_id, demo.location_id, mosquitto.unit_url(demo.unit_id)).start()
    try:
        door.present(cards_in_turn(list(demo.cards.values()), burst))
        for kill in range(1, kills + 1):
            wait_for(
                lambda k=kill: len(door.shown()) >= k * burst // (kills + 1),
                timeout=120,
                what=f"scans before kill {kill}",
            )
            door.kill()
            assert door.cards_waiting() > 0, "the kill came in the middle of the burst"
            door.restart()
        wait_for(lambda: door.cards_waiting() == 0, timeout=120, what="the rest of the burst scanned")
        wait_for(lambda: door.outbox_size() == 0, timeout=60, what="every event acked by the hub")
        seconds = stopwatch.seconds()
    finally:
        door.stop()
        hub.stop()

    result = tally(door, hub_dir)
    fault_row(
        f"1 unit SIGKILL x{kills} mid-burst, restarted",
        result,
        seconds,
        f"{burst} cards shown, {kills} kill(s); {result.unsignalled} event(s) stored whose green light a "
        f"kill cut off; {burst - result.produced - result.unsignalled} card(s) in view at a kill, not "
        "registered and never shown green",
    )
    assert result.lost == 0 and result.doubled == 0
    assert result.produced > burst // 2
    seqs = [e.seq for e in hub_events(hub_dir, door.unit)]
    assert seqs == list(range(1, outbox_last_seq(door.data_dir) + 1)), "every event numbered arrived, once"
    assert "Traceback" not in door.log(), door.log()
    assert "Traceback" not in hub.log(), hub.log()
