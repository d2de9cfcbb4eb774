"""Scenario 5: thousands of malformed and hostile messages mixed into normal traffic.

A second unit's broker account (a stolen or broken unit) sends bad JSON, wrong types, old
protocol versions, huge payloads, another unit's id and messages to topics it may not write,
with a valid check-in every tenth message; meanwhile the first unit, a real process, registers a
burst of scans. The hub stays up, stores every normal event once, keeps every bad message that
reached it as a dead letter with the reason (rolled up: a count per unit and reason), keeps the
well-formed check-ins it refuses whole for a person, and the broker keeps the rest from it.
"""

from __future__ import annotations

import sqlite3
from collections import Counter
from pathlib import Path

import httpx

from hub.core.db import open_database
from hub.demo import DEMO_UNITS, DemoData, seed
from provisioning.mosquitto import UnitAccount
from tests.faults.conftest import size
from tests.support.burst import cards_in_turn
from tests.support.doors import Door, Tally, tally
from tests.support.hostile import BROKER, KEPT, hostile_messages
from tests.support.messages import checkin
from tests.support.processes import start_hub
from tests.support.raw_unit import RawUnit
from tests.support.waiting import wait_for
from wire import Verdict, encode


def hub_rows(hub_dir: Path, sql: str) -> list[tuple]:
    with sqlite3.connect(hub_dir / "hub.sqlite3") as db:
        return db.execute(sql).fetchall()


def test_ten_thousand_hostile_messages_leave_the_hub_up_normal_events_stored_once_and_bad_ones_kept(
    tmp_path: Path, hub_dir: Path, demo: DemoData, start_mosquitto, fault_row, stopwatch
) -> None:
    count, burst = size(2_000, 10_000), size(20, 60)
    other = DEMO_UNITS[1][0]
    seed(open_database(hub_dir / "hub.sqlite3"), tuple(unit for unit, _mode, _round in DEMO_UNITS))
    mosquitto = start_mosquitto(
        UnitAccount(demo.unit_id, demo.location_id, "unit-secret"),
        UnitAccount(other, demo.location_id, "other-secret"),
    )
    hub, portal = start_hub(hub_dir, broker_url=mosquitto.hub_url)
    door = Door(tmp_path, demo.unit_id, demo.location_id, mosquitto.unit_url(demo.unit_id)).start()
    attacker = RawUnit.of(mosquitto, other).start()
    hostile = hostile_messages(other, demo.location_id, demo.unit_id, count)
    codes = list(demo.cards.values())
    normal = [
        checkin(unit=other, location=demo.location_id, code=codes[n % len(codes)], seq=n + 1)
        for n in range(count // 10)
    ]
    try:
        door.present(cards_in_turn(codes, burst))
        for n, message in enumerate(hostile):
            attacker.publish(message.payload, topic=message.topic)
            if n % 10 == 9:
                attacker.publish(encode(normal[n // 10]))
        reached_hub = Counter(m.reason for m in hostile if m.reason != BROKER)
        junk = Counter({r: n for r, n in reached_hub.items() if not r.startswith(KEPT)})
        kept = Counter({r.removeprefix(KEPT): n for r, n in reached_hub.items() if r.startswith(KEPT)})
        wait_for(
            lambda: (
                hub_rows(hub_dir, "SELECT coalesce(sum(count), 0) FROM dead_letters") == [(junk.total(),)]
                and hub_rows(hub_dir, "SELECT count(*) FROM refused_events") == [(kept.total(),)]
            ),
            timeout=180,
            what="every bad message kept as a dead letter",
        )
        wait_for(lambda: len(attacker.acks) >= len(normal), timeout=60, what="the normal events acked")
        wait_for(lambda: door.cards_waiting() == 0, timeout=60, what="the burst scanned")
        wait_for(lambda: door.outbox_size() == 0, timeout=60, what="the unit's events acked")
        assert httpx.get(portal + "/health", timeout=5).json()["status"] == "ok"
        seconds = stopwatch.seconds()
    finally:
        attacker.stop()
        door.stop()
        hub.stop()

    dead = dict(hub_rows(hub_dir, "SELECT reason, sum(count) FROM dead_letters GROUP BY reason"))
    refused = dict(hub_rows(hub_dir, "SELECT reason, count(*) FROM refused_events GROUP BY reason"))
    roll_ups = hub_rows(hub_dir, "SELECT count(*) FROM dead_letters")[0][0]
    stored_normal = {row[0] for row in hub_rows(hub_dir, f"SELECT id FROM events WHERE unit_id = '{other}'")}
    verdicts = Counter(a.verdict for a in attacker.acks if a.id in {e.id for e in normal})
    door_result = tally(door, hub_dir)
    result = Tally(
        produced=door_result.produced + len(normal),
        stored=door_result.stored + len(stored_normal),
        doubled=door_result.doubled,
        lost=door_result.lost + len({e.id for e in normal} - stored_normal),
        unsignalled=door_result.unsignalled,
    )
    fault_row(
        f"5 {count:,} hostile messages mixed in",
        result,
        seconds,
        f"{door_result.produced} scans by a unit and {len(normal)} valid events among {count:,} bad messages "
        f"from another unit's account; dead letters by reason: {dict(sorted(dead.items()))} "
        f"in {roll_ups} roll-up rows; refused check-ins kept whole: {dict(sorted(refused.items()))}; "
        f"{count - reached_hub.total()} kept from the hub by the broker's ACL",
    )
    assert result.lost == 0 and result.doubled == 0
    assert dead == dict(junk), "every bad message that reached the hub is counted as junk, with its reason"
    assert refused == dict(kept), "every well-formed check-in it refused is kept whole"
    assert stored_normal == {e.id for e in normal} and verdicts == {Verdict.STORED: len(normal)}
    assert hub.popen.returncode in (0, -15), "the hub stayed up until stopped"
    assert "Traceback" not in hub.log(), hub.log()[-5000:]
    assert "internal_error" not in dead, "no message tripped the ingest itself"
