"""Scenario 12: a hub on PostgreSQL with three ingest workers, and PostgreSQL restarted in the
middle of a burst from three doors. The server stops (fast: every connection is cut, a transaction
in flight is rolled back) and starts again; the workers' commits fail meanwhile, they keep their
deliveries unacknowledged and retry, and open their connections again once the server is back.
Produced = stored, nothing doubled, and each of the three workers stored events.
"""

from __future__ import annotations

import re
from pathlib import Path

from hub.core.db import connect, open_database
from hub.demo import seed
from provisioning.mosquitto import UnitAccount
from tests.faults.conftest import size
from tests.faults.test_ingest_worker_killed import database_settings, stored_per_worker
from tests.support.burst import cards_in_turn
from tests.support.doors import Door, Tally, tally
from tests.support.postgres import PostgresServer
from tests.support.processes import start_hub
from tests.support.waiting import wait_for

UNITS = ("unit-deur-1", "unit-deur-2", "unit-deur-3")


def _stored(url: str) -> int:
    try:
        db = connect(url)
    except Exception:  # the server is restarting
        return -1
    try:
        return db.execute("SELECT count(*) FROM events").fetchone()[0]
    except Exception:
        return -1
    finally:
        db.close()


def test_postgresql_restarted_during_a_burst_to_three_ingest_workers_loses_and_doubles_nothing(
    tmp_path: Path,
    hub_dir: Path,
    start_mosquitto,
    fault_row,
    stopwatch,
    postgres_server: PostgresServer,
    postgres_url: str,
) -> None:
    burst = size(20, 80)  # per door
    db = open_database(postgres_url)
    demo = seed(db, unit_ids=UNITS)
    db.close()
    mosquitto = start_mosquitto(*(UnitAccount(u, demo.location_id, f"secret-{u}") for u in UNITS))
    hub, _portal = start_hub(
        hub_dir,
        broker_url=mosquitto.hub_url,
        extra_settings=f"ingest_workers = 3\n{database_settings(postgres_url)}",
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
        wait_for(lambda: _stored(postgres_url) >= burst // 2, timeout=120, what="the burst under way")
        postgres_server.restart()
        for door in doors:
            wait_for(lambda d=door: d.cards_waiting() == 0, timeout=180, what=f"{door.unit}'s burst scanned")
            wait_for(lambda d=door: d.outbox_size() == 0, timeout=180, what=f"{door.unit}'s events acked")
        seconds = stopwatch.seconds()
    finally:
        for door in doors:
            door.stop()
        hub.stop()

    log = hub.log()
    parts = [tally(door, hub_dir, postgres_url) for door in doors]
    result = Tally(*(sum(getattr(p, f) for p in parts) for f in Tally.__dataclass_fields__))
    workers = stored_per_worker(postgres_url)
    retried = len(re.findall(r"could not commit \d+ message\(s\), retrying", log))
    fault_row(
        "12 PostgreSQL restarted during a burst, three ingest workers",
        result,
        seconds,
        f"3 doors x {burst} scans; commits retried {retried}x; "
        f"stored per worker: {', '.join(f'{k} {v}' for k, v in sorted(workers.items()))}",
    )
    assert result.lost == 0 and result.doubled == 0 and result.produced == 3 * burst
    assert sorted(workers) == ["ingest-1", "ingest-2", "ingest-3"] and all(workers.values()), workers
    assert sum(workers.values()) == result.stored
    for door in doors:
        assert "Traceback" not in door.log(), door.log()
