"""The unit as a real process against a real Mosquitto and a real hub: a burst of scans survives a
SIGKILL of the unit and a broker that is down for the whole burst."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from hub.demo import DemoData
from provisioning.mosquitto import UnitAccount
from tests.support.burst import (
    burst_unit_config,
    cards_in_turn,
    cards_waiting,
    hub_events,
    outbox_last_seq,
    outbox_size,
    present_cards,
    shown,
    shown_green,
)
from tests.support.mosquitto import Mosquitto
from tests.support.processes import start_hub, start_unit
from tests.support.waiting import wait_for

BURST = 40


def test_unit_killed_mid_burst_delivers_every_green_scan_exactly_once_after_restart(
    tmp_path: Path, hub_dir: Path, demo: DemoData, start_mosquitto
) -> None:
    mosquitto = start_mosquitto(UnitAccount(demo.unit_id, demo.location_id, "unit-secret"))
    hub, _portal = start_hub(hub_dir, broker_url=mosquitto.hub_url)
    unit_dir, camera = tmp_path / "unit", tmp_path / "camera"
    config = burst_unit_config(
        unit_dir, demo.unit_id, demo.location_id, mosquitto.unit_url(demo.unit_id), camera
    )
    unit = start_unit(unit_dir, config)
    try:
        present_cards(camera, cards_in_turn(list(demo.cards.values()), BURST))
        wait_for(lambda: len(shown_green(unit.log())) >= BURST // 3, what="a third of the burst scanned")
        unit.kill()
        green_before_kill = shown_green(unit.log())
        assert cards_waiting(camera) > 0, "the kill came in the middle of the burst"

        unit = start_unit(unit_dir, config)  # what systemd's Restart=always does
        wait_for(lambda: cards_waiting(camera) == 0, timeout=60, what="the rest of the burst scanned")
        wait_for(lambda: outbox_size(unit_dir) == 0, timeout=60, what="every event acked by the hub")

        green = shown_green(unit.log())
        delivered = Counter(e.id for e in hub_events(hub_dir, demo.unit_id))
        assert len(green) > len(green_before_kill)
        assert {g.event_id for g in green} <= set(delivered), "a scan that showed green never arrived"
        assert all(delivered[g.event_id] == 1 for g in green)
        seqs = [e.seq for e in hub_events(hub_dir, demo.unit_id)]
        assert seqs == list(range(1, outbox_last_seq(unit_dir) + 1)), "every event made arrived, once"
    finally:
        unit.stop()
        hub.stop()
    assert "Traceback" not in unit.log(), unit.log()
    assert "Traceback" not in hub.log(), hub.log()


def test_broker_down_for_the_whole_burst_then_every_event_arrives_in_order(
    tmp_path: Path, hub_dir: Path, demo: DemoData
) -> None:
    mosquitto = Mosquitto(
        tmp_path / "mosquitto", [UnitAccount(demo.unit_id, demo.location_id, "unit-secret")]
    )
    hub, _portal = start_hub(hub_dir, broker_url=mosquitto.hub_url)  # the broker is not running yet
    unit_dir, camera = tmp_path / "unit", tmp_path / "camera"
    config = burst_unit_config(
        unit_dir, demo.unit_id, demo.location_id, mosquitto.unit_url(demo.unit_id), camera
    )
    unit = start_unit(unit_dir, config)
    burst = 20
    try:
        present_cards(camera, cards_in_turn(list(demo.cards.values()), burst))
        wait_for(lambda: len(shown(unit.log())) == burst, timeout=60, what="the whole burst scanned")
        assert [s.signal for s in shown(unit.log())] == ["saved_offline"] * burst
        assert outbox_size(unit_dir) == burst

        mosquitto.start()
        wait_for(
            lambda: len(hub_events(hub_dir, demo.unit_id)) == burst, timeout=90, what="the backlog delivered"
        )
        wait_for(lambda: outbox_size(unit_dir) == 0, timeout=30, what="the outbox emptied by acks")

        events = hub_events(hub_dir, demo.unit_id)
        assert [e.seq for e in events] == list(range(1, burst + 1))
        assert [e.id for e in events] == [s.event_id for s in shown(unit.log())]
        received = [e.received_at for e in events]
        assert received == sorted(received), "the backlog drained oldest first"
    finally:
        unit.stop()
        hub.stop()
        mosquitto.stop()
    assert "Traceback" not in unit.log(), unit.log()
