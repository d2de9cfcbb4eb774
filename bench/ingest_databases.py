"""The ingest path on SQLite and on PostgreSQL, side by side in one run: stored events per second.

The same pre-built check-ins of the demo location's children (and 300 more) go through
``Ingest.handle_batch`` (the ingest's own transaction, admission, clock repair, presence and summary
triggers; no broker) in
batches of ``BATCH``, first into a SQLite file, then into a PostgreSQL database on a server this
bench starts itself (as the tests do: initdb in a temp folder, a free port; its durability settings
are the server defaults except ``fsync``, which the throwaway cluster turns off). The ratio matters
more than the absolute figures on a shared 2-core machine. Both databases must then hold exactly the
events sent. ``make bench-ingest-databases``; figures in bench/results/ingest_databases.json.
"""

from __future__ import annotations

import shutil
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bench.common import print_table, write_results
from hub.children.queries import add_child
from hub.core.db import connect, open_database, write_transaction
from hub.demo import DemoData, seed
from hub.ingest.pipeline import Ingest
from tests.support.messages import checkin, delivery
from tests.support.postgres import PostgresServer
from wire import Direction, cardcode, encode

EVENTS = 12_000
BATCH = 200  # a busy minute's batch: the ingest takes whatever has queued up, up to max_batch
WARMUP = 400
CHILDREN = 300  # besides the demo's: some 40 scans per child, as a busy location's month holds


def _deliveries(demo: DemoData, codes: list[str], count: int, first_seq: int) -> list:
    """``count`` check-ins of ``codes``' children, arrivals then departures, 300 ms apart."""
    start = datetime.now(UTC) - timedelta(hours=2)
    out = []
    for n in range(count):
        seq = first_seq + n
        event = checkin(
            unit=demo.unit_id,
            location=demo.location_id,
            code=codes[n % len(codes)],
            seq=seq,
            direction=Direction.ARRIVAL if (n // len(codes)) % 2 == 0 else Direction.DEPARTURE,
            wall_time=(start + timedelta(milliseconds=300 * n)).isoformat(timespec="milliseconds"),
            monotonic=1000.0 + seq,
        )
        out.append(delivery(encode(event), demo.location_id, demo.unit_id, mid=seq))
    return out


def _run(target: str | Path) -> tuple[float, int]:
    """Stored events per second through the ingest on ``target``, and the events stored."""
    db = open_database(target)
    demo = seed(db)
    (organisator,) = db.execute(
        "SELECT organisator_id FROM locations WHERE id = ?", (demo.location_id,)
    ).fetchone()
    with write_transaction(db):
        for n in range(CHILDREN):
            child = add_child(db, demo.location_id, f"Kind{n}", "Bench")
            db.execute(
                "INSERT INTO cards (code, organisator_id, child_id, state) VALUES (?, ?, ?, 'active')",
                (cardcode.new_code(), organisator, child),
            )
    codes = [
        r[0] for r in db.execute("SELECT code FROM cards WHERE state = 'active' AND child_id IS NOT NULL")
    ]
    db.close()
    ingest = Ingest(target, publish=lambda _t, _p: True, settle=lambda _d: None)
    db = connect(target)
    try:
        warm = _deliveries(demo, codes, WARMUP, 1)
        for i in range(0, len(warm), BATCH):
            ingest.handle_batch(db, warm[i : i + BATCH])
        timed = _deliveries(demo, codes, EVENTS, WARMUP + 1)
        began = time.perf_counter()
        for i in range(0, len(timed), BATCH):
            ingest.handle_batch(db, timed[i : i + BATCH])
        elapsed = time.perf_counter() - began
        stored = db.execute("SELECT count(*) FROM events").fetchone()[0]
    finally:
        db.close()
    return EVENTS / elapsed, stored


def main() -> int:
    folder = Path(tempfile.mkdtemp(prefix="bench-ingest-databases-"))
    server = PostgresServer().start()
    try:
        sqlite_rate, sqlite_stored = _run(folder / "hub.sqlite3")
        pg_rate, pg_stored = _run(server.create_database())
    finally:
        server.stop()
        shutil.rmtree(folder, ignore_errors=True)
    expected = WARMUP + EVENTS
    if sqlite_stored != expected or pg_stored != expected:
        print(f"stored {sqlite_stored} (SQLite) and {pg_stored} (PostgreSQL), expected {expected} each")
        return 1
    figures = {
        "events": EVENTS,
        "batch": BATCH,
        "sqlite_stored_per_s": round(sqlite_rate, 1),
        "postgresql_stored_per_s": round(pg_rate, 1),
        "postgresql_to_sqlite_ratio": round(pg_rate / sqlite_rate, 3),
    }
    print_table("Ingest path, stored events/s (same check-ins, one run)", list(figures.items()))
    write_results("ingest_databases", figures)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
