"""Scenario 11: a hub with three ingest workers (MQTT v5 shared subscriptions); one worker SIGKILLs
itself in the middle of a batch, before its commit, through the ingest's fault hook
(``AANWEZIG_INGEST_FAULT=before_commit:N@2``). The other two go on; the hub starts the killed
one again and the broker hands it back its session (the events it held unacknowledged and those
that queued for it meanwhile). Three real units at three doors scan a burst each.

The database is a parameter: SQLite, and PostgreSQL on the tests' own server (the hub's
``database = "postgresql://..."`` line from :func:`database_settings`, the tally read from there).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from hub.core.db import connect, open_database
from hub.demo import seed
from hub.ingest.pipeline import FAULT_ENV
from provisioning.mosquitto import UnitAccount
from tests.faults.conftest import size
from tests.support.burst import cards_in_turn
from tests.support.doors import Door, Tally, tally
from tests.support.postgres import databases_to_run
from tests.support.processes import start_hub
from tests.support.waiting import wait_for

DATABASES = databases_to_run()  # sqlite and postgresql; AANWEZIG_TEST_DATABASE picks one
UNITS = ("unit-deur-1", "unit-deur-2", "unit-deur-3")
_KILLED = re.compile(
    r"\[ingest-(\d)\] hub\.ingest\.faults: fault injection: SIGKILL (\w+), batch \d+ of (\d+)"
)


def database_settings(url: str | None) -> str:
    """The hub.toml lines that put the hub on PostgreSQL at ``url`` (None: SQLite in data_dir)."""
    return "" if url is None else f'database = "{url}"\n'


def stored_per_worker(target: Path | str) -> dict[str, int]:
    db = connect(target)
    try:
        return dict(db.execute("SELECT name, stored FROM ingest_workers").fetchall())
    finally:
        db.close()


@pytest.mark.parametrize("database", DATABASES)
def test_three_ingest_workers_one_killed_mid_batch_store_every_scan_once(
    tmp_path: Path, hub_dir: Path, start_mosquitto, fault_row, stopwatch, database: str, request
) -> None:
    burst = size(12, 80)  # per door
    fault = f"before_commit:{size(1, 3)}@2"
    url = request.getfixturevalue("postgres_url") if database == "postgresql" else None
    target = url or hub_dir / "hub.sqlite3"
    db = open_database(target)
    demo = seed(db, unit_ids=UNITS)
    db.close()
    mosquitto = start_mosquitto(*(UnitAccount(u, demo.location_id, f"secret-{u}") for u in UNITS))
    hub, _portal = start_hub(
        hub_dir,
        broker_url=mosquitto.hub_url,
        extra_settings=f"ingest_workers = 3\n{database_settings(url)}",
        env={FAULT_ENV: fault},
    )
    doors = [Door(tmp_path, u, demo.location_id, mosquitto.unit_url(u)) for u in UNITS]
    try:
        wait_for(
            lambda: len(set(re.findall(r"aanwezig-hub-ingest-(\d) subscribed", hub.log()))) == 3,
            timeout=60,
            what="the three workers' shared subscriptions",
        )
        cards = list(demo.cards.values())
        for n, door in enumerate(doors):
            door.start()
            door.present(cards_in_turn(cards[n:] + cards[:n], burst))
        wait_for(lambda: _KILLED.search(hub.log()), timeout=120, what=f"worker 2's fault {fault}")
        for door in doors:
            wait_for(lambda d=door: d.cards_waiting() == 0, timeout=180, what=f"{door.unit}'s burst scanned")
            wait_for(lambda d=door: d.outbox_size() == 0, timeout=120, what=f"{door.unit}'s events acked")
        seconds = stopwatch.seconds()
    finally:
        for door in doors:
            door.stop()
        hub.stop()

    log = hub.log()
    killed = _KILLED.findall(log)
    parts = [tally(door, hub_dir, url) for door in doors]
    result = Tally(*(sum(getattr(p, f) for p in parts) for f in Tally.__dataclass_fields__))
    workers = stored_per_worker(target)
    kills = ", ".join(f"worker {w} {point} in a batch of {n}" for w, point, n in killed)
    fault_row(
        f"11 three ingest workers, one SIGKILL mid-batch ({database})",
        result,
        seconds,
        f"3 doors x {burst} scans; killed: {kills}; "
        f"stored per worker: {', '.join(f'{k} {v}' for k, v in sorted(workers.items()))}",
    )
    assert [k[:2] for k in killed] == [("2", "before_commit")], "worker 2 killed once, before its commit"
    assert re.search(r"ingest worker 2 \(pid \d+\) exited with -9; starting it again", log)
    assert result.lost == 0 and result.doubled == 0 and result.produced == 3 * burst
    assert sorted(workers) == ["ingest-1", "ingest-2", "ingest-3"] and all(workers.values()), workers
    assert sum(workers.values()) == result.stored
    for door in doors:
        assert "Traceback" not in door.log(), door.log()
    assert "Traceback" not in log, log[-3000:]
