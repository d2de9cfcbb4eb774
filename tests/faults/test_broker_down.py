"""Scenario 2: the broker down for a whole burst and started again later; and a broker that is stopped
and started again and again during a burst (by SIGTERM and by SIGKILL in turn)."""

from __future__ import annotations

import time
from pathlib import Path

from hub.demo import DemoData
from provisioning.mosquitto import UnitAccount
from tests.faults.conftest import size
from tests.support.burst import cards_in_turn, hub_events
from tests.support.doors import Door, tally
from tests.support.processes import start_hub
from tests.support.waiting import wait_for


def test_broker_down_for_the_whole_burst_then_every_event_arrives_once_and_in_order(
    tmp_path: Path, hub_dir: Path, demo: DemoData, start_mosquitto, fault_row, stopwatch
) -> None:
    burst = size(20, 100)
    mosquitto = start_mosquitto(UnitAccount(demo.unit_id, demo.location_id, "unit-secret"))
    hub, _portal = start_hub(hub_dir, broker_url=mosquitto.hub_url)
    door = Door(tmp_path, demo.unit_id, demo.location_id, mosquitto.unit_url(demo.unit_id)).start()
    try:
        wait_for(lambda: "connected to" in door.log(), what="the unit connected")
        mosquitto.stop()
        door.present(cards_in_turn(list(demo.cards.values()), burst))
        wait_for(lambda: len(door.shown()) == burst, timeout=120, what="the whole burst scanned")
        assert [s.signal for s in door.shown()] == ["saved_offline"] * burst, "two beeps: saved, goes later"
        assert door.outbox_size() == burst

        mosquitto.start()
        wait_for(lambda: door.outbox_size() == 0, timeout=90, what="the backlog delivered and acked")
        seconds = stopwatch.seconds()
    finally:
        door.stop()
        hub.stop()

    result = tally(door, hub_dir)
    fault_row(
        "2a broker down for a whole burst",
        result,
        seconds,
        f"{burst} scans saved offline, delivered after the broker came back",
    )
    assert result.lost == 0 and result.doubled == 0 and result.produced == burst
    events = hub_events(hub_dir, demo.unit_id)
    assert [e.id for e in events] == [s.event_id for s in door.shown()], "in the order scanned"
    received = [e.received_at for e in events]
    assert received == sorted(received), "the backlog drained oldest first"
    assert "Traceback" not in door.log(), door.log()
    assert "Traceback" not in hub.log(), hub.log()


def test_broker_stopped_and_started_again_and_again_during_a_burst_loses_and_doubles_nothing(
    tmp_path: Path, hub_dir: Path, demo: DemoData, start_mosquitto, fault_row, stopwatch
) -> None:
    burst = size(40, 200)
    mosquitto = start_mosquitto(UnitAccount(demo.unit_id, demo.location_id, "unit-secret"))
    hub, _portal = start_hub(hub_dir, broker_url=mosquitto.hub_url)
    door = Door(tmp_path, demo.unit_id, demo.location_id, mosquitto.unit_url(demo.unit_id)).start()
    outages = 0
    try:
        wait_for(lambda: "connected to" in door.log(), what="the unit connected")
        door.present(cards_in_turn(list(demo.cards.values()), burst))
        while door.cards_waiting() > 0:
            time.sleep(1.0)
            mosquitto.stop(kill=outages % 2 == 1)  # SIGTERM saves the broker's state, SIGKILL does not
            outages += 1
            time.sleep(1.5)
            mosquitto.start()
        wait_for(lambda: door.cards_waiting() == 0, timeout=60, what="the burst scanned")
        wait_for(lambda: door.outbox_size() == 0, timeout=90, what="every event acked by the hub")
        seconds = stopwatch.seconds()
    finally:
        door.stop()
        hub.stop()

    result = tally(door, hub_dir)
    signals = [s.signal for s in door.shown()]
    fault_row(
        f"2b broker stopped/started x{outages} during a burst",
        result,
        seconds,
        f"{burst} scans, {signals.count('saved_offline')} of them while the broker was down; "
        "outages of 1.5 s every 2.5 s, SIGTERM and SIGKILL in turn",
    )
    assert result.lost == 0 and result.doubled == 0 and result.produced == burst
    assert outages >= 2 and "saved_offline" in signals
    assert "Traceback" not in door.log(), door.log()
    assert "Traceback" not in hub.log(), hub.log()
