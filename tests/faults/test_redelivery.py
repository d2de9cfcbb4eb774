"""Scenario 4: the same events delivered again and again: the unit never sees the hub's acks, resends,
is restarted before any ack came and sends its whole outbox again; then a raw client replays every
stored event once more. The hub stores each scan once and answers the repeats "duplicate"."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from hub.demo import DemoData
from provisioning.mosquitto import UnitAccount
from tests.faults.conftest import size
from tests.support.burst import cards_in_turn, hub_events
from tests.support.doors import Door, tally
from tests.support.processes import start_hub
from tests.support.raw_unit import RawUnit
from tests.support.waiting import wait_for
from wire import Topic, TopicKind, Verdict


def outbox_payloads(data_dir: Path) -> list[bytes]:
    """The exact messages the unit keeps sending, read from its outbox."""
    with sqlite3.connect(data_dir / "outbox.sqlite3") as db:
        return [bytes(row[0]) for row in db.execute("SELECT payload FROM outbox ORDER BY seq")]


def test_events_delivered_again_after_lost_acks_a_unit_restart_and_a_replay_are_stored_once(
    tmp_path: Path, hub_dir: Path, demo: DemoData, start_mosquitto, fault_row, stopwatch
) -> None:
    burst = size(20, 100)
    mosquitto = start_mosquitto(UnitAccount(demo.unit_id, demo.location_id, "unit-secret"))
    hub, _portal = start_hub(hub_dir, broker_url=mosquitto.hub_url)
    door = Door(tmp_path, demo.unit_id, demo.location_id, mosquitto.unit_url(demo.unit_id)).start()
    acks = f"topic read {Topic(demo.location_id, demo.unit_id, TopicKind.ACK)}"
    try:
        wait_for(lambda: "connected to" in door.log(), what="the unit connected")
        mosquitto.reload(withhold=acks)  # the hub's acks no longer reach the unit
        door.present(cards_in_turn(list(demo.cards.values()), burst))
        wait_for(lambda: len(hub_events(hub_dir, door.unit)) == burst, timeout=120, what="the burst stored")
        wait_for(
            lambda: "publishing again" in door.log(), timeout=30, what="the unit resending unacked events"
        )
        assert door.outbox_size() == burst, "no ack came through: the unit keeps every event"
        payloads = outbox_payloads(door.data_dir)

        door.kill()  # before it saw any ack
        mosquitto.reload()
        door.restart()
        wait_for(lambda: door.outbox_size() == 0, timeout=90, what="the outbox emptied by the acks")

        replayer = RawUnit.of(mosquitto, demo.unit_id).start()
        try:
            for payload in payloads:
                replayer.publish(payload)
            replayed = wait_for(
                lambda: len(replayer.acks) >= burst and list(replayer.acks),
                timeout=60,
                what="the replay's acks",
            )
        finally:
            replayer.stop()
        seconds = stopwatch.seconds()
    finally:
        door.stop()
        hub.stop()

    result = tally(door, hub_dir)
    resent = door.log().count("publishing again")
    fault_row(
        "4 same events delivered again",
        result,
        seconds,
        f"{burst} scans; acks withheld: {resent} resend(s) by the unit's ack timer, then the unit killed "
        f"and its whole outbox sent again after the restart; then {len(payloads)} replayed by a raw client, "
        "answered "
        f"{sorted({a.verdict.value for a in replayed})}",
    )
    assert result.lost == 0 and result.doubled == 0 and result.produced == burst
    assert {a.verdict for a in replayed} == {Verdict.DUPLICATE}
    assert resent > 0
    assert "Traceback" not in door.log(), door.log()
    assert "Traceback" not in hub.log(), hub.log()
