"""Scenario 6: units whose clock starts wrong, in 1970 or a year ahead, and syncs during the morning.

Two unit processes with a skewed clock (``AANWEZIG_CLOCK_START``, see :mod:`device.clock`) scan
cards with the wrong time and ``clock_synced`` false; then NTP "answers" (the sync file appears)
and they scan on with the right time. The hub re-times every unsynced event from the first synced
one of the same boot: each must land within a second of when it was really scanned (the unit's log
line of the scan, written with the machine's true time), on the right day for attendance.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from pathlib import Path

from hub.attendance.events import checkins_on
from hub.core.db import connect, open_database
from hub.core.localtime import BRUSSELS, parse_utc
from hub.demo import DEMO_UNITS, DemoData, seed
from provisioning.mosquitto import UnitAccount
from tests.faults.conftest import size
from tests.support.burst import cards_in_turn
from tests.support.doors import Door, tally
from tests.support.processes import start_hub
from tests.support.waiting import wait_for

_SCANNED = re.compile(r"^(\S+ \S+) INFO device.checkin: signal \w+ for event ([0-9A-Z]{26})", re.MULTILINE)


def scanned_at(unit_log: str) -> dict[str, datetime]:
    """Event id -> the machine's true time of the scan, from the unit's log line."""
    return {
        event_id: datetime.strptime(stamp, "%Y-%m-%d %H:%M:%S,%f").astimezone()
        for stamp, event_id in _SCANNED.findall(unit_log)
    }


def test_units_booting_in_1970_or_a_year_ahead_get_their_unsynced_scans_retimed_to_the_true_time(
    tmp_path: Path, hub_dir: Path, demo: DemoData, start_mosquitto, fault_row, stopwatch
) -> None:
    unsynced, synced = size(12, 60), size(6, 12)
    units = [unit for unit, _mode, _round in DEMO_UNITS]
    seed(open_database(hub_dir / "hub.sqlite3"), tuple(units))
    mosquitto = start_mosquitto(*(UnitAccount(unit, demo.location_id, f"secret-{unit}") for unit in units))
    hub, _portal = start_hub(hub_dir, broker_url=mosquitto.hub_url)
    a_year_ahead = datetime.now().astimezone() + timedelta(days=365)
    clocks = {
        units[0]: ("in 1970", "1970-01-01T00:00:00+00:00"),
        units[1]: ("a year ahead", a_year_ahead.isoformat()),
    }
    sync_file = tmp_path / "ntp-answered"
    doors = [
        Door(tmp_path, unit, demo.location_id, mosquitto.unit_url(unit), scan={"mode": "arrival"}).start(
            env={"AANWEZIG_CLOCK_START": clocks[unit][1], "AANWEZIG_CLOCK_SYNCED_WHEN": str(sync_file)}
        )
        for unit in units
    ]
    cards = cards_in_turn(list(demo.cards.values()), unsynced + synced)
    try:
        for door in doors:
            door.present(cards[:unsynced])
        for door in doors:
            wait_for(lambda d=door: len(d.shown()) == unsynced, timeout=120, what="the scans before the sync")
        sync_file.touch()
        for door in doors:
            door.present(cards[unsynced:])
        for door in doors:
            wait_for(
                lambda d=door: len(d.shown()) == unsynced + synced, timeout=60, what="the scans after it"
            )
            wait_for(lambda d=door: d.outbox_size() == 0, timeout=60, what="everything acked")
        seconds = stopwatch.seconds()
    finally:
        for door in doors:
            door.stop()
        hub.stop()

    db = connect(hub_dir / "hub.sqlite3")
    for door in doors:
        truth = scanned_at(door.log())
        rows = db.execute(
            "SELECT id, wall_time, occurred_at, clock_synced, retimed_by FROM events WHERE unit_id = ?",
            (door.unit,),
        ).fetchall()
        off = {
            event_id: abs((parse_utc(occurred_at) - truth[event_id]).total_seconds())
            for event_id, _wall, occurred_at, _synced, _by in rows
        }
        wrong_clock = [row for row in rows if not row[3]]
        retimed = [row for row in wrong_clock if row[4] is not None and off[row[0]] < 1.0]
        days = {moment.astimezone(BRUSSELS).date() for moment in truth.values()}
        on_the_day = {row.event_id for day in days for row in checkins_on(db, demo.location_id, day)}
        result = tally(door, hub_dir)
        fault_row(
            f"6 unit clock {clocks[door.unit][0]}, then synced",
            result,
            seconds,
            f"{len(retimed)} of {len(wrong_clock)} scans made with the wrong clock re-timed to within 1 s of "
            f"the scan (worst {max(off.values()):.3f} s off), {len(rows) - len(wrong_clock)} synced",
        )
        assert result.lost == 0 and result.doubled == 0 and result.produced == unsynced + synced
        assert len(wrong_clock) == unsynced and len(retimed) == unsynced, "every wrong time repaired"
        assert max(off.values()) < 1.0
        assert {row[0] for row in rows} <= on_the_day, "attendance finds every scan on its real day"
        assert all(row[1].startswith(clocks[door.unit][1][:4]) for row in wrong_clock), (
            "the unit's own time kept"
        )
        assert "Traceback" not in door.log(), door.log()
    db.close()
    assert "Traceback" not in hub.log(), hub.log()
