"""Scenario 8: a flood of large junk from one unit while another unit's check-ins flow.

A stolen or broken unit's account publishes messages just under the broker's packet limit (about
half a megabyte each; anything larger the broker refuses itself). The hub counts them as junk,
rolled up per unit and reason with a short prefix, so its database grows by little; meanwhile a
real unit process registers a burst of scans, every one of them stored once.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from hub.core.db import open_database
from hub.demo import DEMO_UNITS, DemoData, seed
from provisioning.mosquitto import MAX_PACKET_BYTES, UnitAccount
from tests.faults.conftest import size
from tests.support.burst import cards_in_turn
from tests.support.doors import Door, tally
from tests.support.processes import start_hub
from tests.support.raw_unit import RawUnit
from tests.support.waiting import wait_for

MB = 1024 * 1024


def hub_rows(hub_dir: Path, sql: str) -> list[tuple]:
    with sqlite3.connect(hub_dir / "hub.sqlite3") as db:
        return db.execute(sql).fetchall()


def database_bytes(hub_dir: Path) -> int:
    """The database with its write-ahead log: what the disk holds for it."""
    return sum(p.stat().st_size for p in hub_dir.glob("hub.sqlite3*") if p.is_file())


def test_a_flood_of_large_junk_from_one_unit_grows_the_database_by_little_and_the_others_checkins_are_stored(
    tmp_path: Path, hub_dir: Path, demo: DemoData, start_mosquitto, fault_row, stopwatch
) -> None:
    count, burst = size(100, 1000), size(20, 60)
    junk_bytes = MAX_PACKET_BYTES - 4096  # the largest the broker lets through, topic included
    other = DEMO_UNITS[1][0]
    seed(open_database(hub_dir / "hub.sqlite3"), tuple(unit for unit, _mode, _round in DEMO_UNITS))
    mosquitto = start_mosquitto(
        UnitAccount(demo.unit_id, demo.location_id, "unit-secret"),
        UnitAccount(other, demo.location_id, "other-secret"),
    )
    hub, _portal = start_hub(hub_dir, broker_url=mosquitto.hub_url)
    door = Door(tmp_path, demo.unit_id, demo.location_id, mosquitto.unit_url(demo.unit_id)).start()
    attacker = RawUnit.of(mosquitto, other).start()
    codes = list(demo.cards.values())
    before, file_before = database_bytes(hub_dir), (hub_dir / "hub.sqlite3").stat().st_size
    try:
        door.present(cards_in_turn(codes, burst))
        for n in range(count):
            body = b'{"v":1,"type":"checkin","pad":"' if n % 2 else b"\x00not json at all "
            info = attacker.publish(body + bytes([65 + n % 26]) * (junk_bytes - len(body)))
            if n % 20 == 19:
                info.wait_for_publish(30)  # bounded: at most 20 half-megabyte messages in flight
        wait_for(
            lambda: hub_rows(hub_dir, "SELECT coalesce(sum(count), 0) FROM dead_letters") == [(count,)],
            timeout=300,
            what="every junk message counted",
        )
        wait_for(lambda: door.cards_waiting() == 0, timeout=60, what="the burst scanned")
        wait_for(lambda: door.outbox_size() == 0, timeout=60, what="the unit's events acked")
        seconds = stopwatch.seconds()
    finally:
        attacker.stop()
        door.stop()
        hub.stop()

    grown_mb = (database_bytes(hub_dir) - before) / MB
    file_mb = ((hub_dir / "hub.sqlite3").stat().st_size - file_before) / MB  # the rest: the WAL, reused
    flood_mb = count * junk_bytes / MB
    roll_ups = hub_rows(hub_dir, "SELECT reason, count, length(payload) FROM dead_letters ORDER BY reason")
    result = tally(door, hub_dir)
    fault_row(
        f"8 junk flood {count:,} x {junk_bytes // 1024} KiB from one unit",
        result,
        seconds,
        f"{flood_mb:,.0f} MB of junk from {other}'s account while {demo.unit_id} scanned {result.produced}; "
        f"hub database with its WAL grew {grown_mb:.1f} MB (the file itself {file_mb:.1f} MB); dead letters: "
        f"{[(reason, n) for reason, n, _ in roll_ups]} in {len(roll_ups)} rows of at most "
        f"{max(kept for _, _, kept in roll_ups)} bytes",
    )
    assert result.lost == 0 and result.doubled == 0 and result.produced == result.stored == burst
    assert len(roll_ups) <= 2 and all(kept <= 4096 for _, _, kept in roll_ups)
    assert grown_mb < 8, f"the database grew {grown_mb:.1f} MB under {flood_mb:.0f} MB of junk"
    assert "Traceback" not in hub.log(), hub.log()[-5000:]
