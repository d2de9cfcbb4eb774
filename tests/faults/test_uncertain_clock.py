"""Scenario 8: in one burst, one unit boots with a clock that never syncs and another whose clock
syncs later. The later-synced boot's scans are repaired into the grid; the never-synced boot's scans
wait as "tijd onzeker", exactly as many as it made; none lands in the grid on a wrong day; none is lost.

The never-synced unit's clock stands at the Pi's last shutdown, three days ago (what a Pi without
battery clock shows after a power cut with fake-hwclock); the other starts in 1970.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

from hub.attendance.uncertain import count_waiting
from hub.core.db import connect, open_database
from hub.core.localtime import BRUSSELS, parse_utc
from hub.demo import DEMO_UNITS, DemoData, seed
from provisioning.mosquitto import UnitAccount
from tests.faults.conftest import size
from tests.faults.test_clock_trouble import scanned_at
from tests.support.burst import cards_in_turn
from tests.support.doors import Door, Tally, tally
from tests.support.processes import start_hub
from tests.support.waiting import wait_for


def test_a_never_synced_boot_waits_as_uncertain_time_and_a_later_synced_boot_is_repaired_into_the_grid(
    tmp_path: Path, hub_dir: Path, demo: DemoData, start_mosquitto, fault_row, stopwatch
) -> None:
    unsynced, synced = size(8, 60), size(4, 12)
    never, later = (unit for unit, _mode, _round in DEMO_UNITS)
    seed(open_database(hub_dir / "hub.sqlite3"), (never, later))
    mosquitto = start_mosquitto(*(UnitAccount(u, demo.location_id, f"secret-{u}") for u in (never, later)))
    hub, _portal = start_hub(hub_dir, broker_url=mosquitto.hub_url)
    shutdown = (datetime.now().astimezone() - timedelta(days=3)).isoformat()
    clocks = {never: shutdown, later: "1970-01-01T00:00:00+00:00"}
    sync_files = {never: tmp_path / "never-answers", later: tmp_path / "ntp-answered"}
    doors = {
        unit: Door(
            tmp_path, unit, demo.location_id, mosquitto.unit_url(unit), scan={"mode": "arrival"}
        ).start(
            env={"AANWEZIG_CLOCK_START": clocks[unit], "AANWEZIG_CLOCK_SYNCED_WHEN": str(sync_files[unit])}
        )
        for unit in (never, later)
    }
    cards = cards_in_turn(list(demo.cards.values()), unsynced + synced)
    try:
        for door in doors.values():
            door.present(cards[:unsynced])
        for door in doors.values():
            wait_for(lambda d=door: len(d.shown()) == unsynced, timeout=120, what="the scans before the sync")
        sync_files[later].touch()
        doors[later].present(cards[unsynced:])
        wait_for(lambda: len(doors[later].shown()) == unsynced + synced, timeout=60, what="the synced scans")
        for door in doors.values():
            wait_for(lambda d=door: d.outbox_size() == 0, timeout=60, what="everything acked")
        seconds = stopwatch.seconds()
    finally:
        for door in doors.values():
            door.stop()
        hub.stop()

    db = connect(hub_dir / "hub.sqlite3")
    waiting = {
        row[0]
        for row in db.execute(
            "SELECT id FROM uncertain_checkins WHERE unit_id = ? AND state = 'waiting'", (never,)
        )
    }
    never_green = {s.event_id for s in doors[never].shown()}
    in_log_never = db.execute("SELECT count(*) FROM events WHERE unit_id = ?", (never,)).fetchone()[0]
    truth = scanned_at(doors[later].log())
    rows = db.execute("SELECT id, occurred_at FROM events WHERE unit_id = ?", (later,)).fetchall()
    off = {event_id: abs((parse_utc(at) - truth[event_id]).total_seconds()) for event_id, at in rows}
    true_days = {moment.astimezone(BRUSSELS).date() for moment in truth.values()}
    uncertain_count = count_waiting(db, demo.location_id)
    repaired = db.execute(
        "SELECT count(*) FROM uncertain_checkins WHERE unit_id = ? AND state = 'repaired'", (later,)
    ).fetchone()[0]
    db.close()

    later_tally = tally(doors[later], hub_dir)
    never_tally = Tally(
        produced=len(never_green),
        stored=len(waiting),
        doubled=0,
        lost=len(never_green - waiting),
        unsignalled=0,
    )
    fault_row(
        "10 unit clock never synced beside one synced later",
        Tally(
            later_tally.produced + never_tally.produced,
            later_tally.stored + never_tally.stored,
            later_tally.doubled,
            later_tally.lost + never_tally.lost,
            0,
        ),
        seconds,
        f"{len(waiting)} of {len(never_green)} never-synced scans wait as 'tijd onzeker'; {repaired} of the "
        f"later-synced boot's {unsynced} unsynced scans repaired (worst {max(off.values()):.3f} s off)",
    )
    assert never_tally.lost == 0 and len(never_green) == unsynced, "none lost"
    assert uncertain_count == unsynced == len(waiting), "the overview counts exactly the never-synced scans"
    assert in_log_never == 0, "not one never-synced scan in the grid, at its guessed day or any other"
    assert later_tally.lost == 0 and later_tally.doubled == 0 and later_tally.produced == unsynced + synced
    assert repaired == unsynced and max(off.values()) < 1.0, "the later-synced boot repaired"
    assert {parse_utc(at).astimezone(BRUSSELS).date() for _id, at in rows} <= true_days, "none at a wrong day"
    for door in doors.values():
        assert "Traceback" not in door.log(), door.log()
    assert "Traceback" not in hub.log(), hub.log()
