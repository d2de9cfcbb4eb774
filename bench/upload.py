"""The monthly upload at the scale of a large organisation: preparing, sending, and the planning's checks.

Builds a hub database with ``LOCATIONS`` locations of ``CHILDREN`` children each and a month of
scans (March 2026: 22 opening days, each child present on about 9 days in 10, arrival and
departure), then measures against the loopback receiver of the tests (which validates every batch
against the JSON Schema):

1. preparing one location's month (grid, checks, records), per location;
2. the first sending of the month for every location (one planning check on 7 April);
3. a planning check when nothing changed: what the hub does every 15 minutes (three months per
   location);
4. a check after one correction per location: each sends version 2 with one record.

Everything is bounded by the fixed counts. ``make bench-upload``; figures in bench/results/upload.json.
"""

from __future__ import annotations

import random
import shutil
import statistics
import time as clock
from datetime import date, datetime, time, timedelta
from pathlib import Path

from bench.common import month_of_checkins, percentile, print_table, write_results
from hub.accounts.actors import Actor
from hub.attendance.corrections import apply_correction
from hub.attendance.events import record_checkins
from hub.core.db import open_database, write_transaction
from hub.core.localtime import BRUSSELS, now_utc_iso
from hub.locations.queries import set_opening_hours
from hub.locations.schedule import weekdays
from hub.upload import store
from hub.upload.batch import month_key
from hub.upload.month import prepare_month
from hub.upload.sender import Endpoint
from hub.upload.service import run_due
from tests.support.kg_receiver import Receiver
from wire import cardcode

ROOT = Path(__file__).resolve().parents[1]
WORKDIR = ROOT / "var" / "bench-upload"
LOCATIONS = 10
CHILDREN = 40
YEAR, MONTH = 2026, 3
UPLOAD_MOMENT = datetime(2026, 4, 7, 1, 0, tzinfo=BRUSSELS)


def build(db) -> list[str]:
    rng = random.Random(20260307)
    org = db["organisators"].insert({"name": "Bench vzw", "email": "bench@example.be"}).last_pk
    days = [date(YEAR, MONTH, d) for d in range(1, 32) if date(YEAR, MONTH, d).isoweekday() <= 5]
    locations = []
    for n in range(LOCATIONS):
        location = f"loc{n:02d}"
        locations.append(location)
        db["locations"].insert(
            {"id": location, "organisator_id": org, "dossier_number": f"90{n:07d}", "name": f"Locatie {n}"}
        )
        set_opening_hours(db, location, weekdays("07:00", "18:00"))
        checkins = []
        for c in range(CHILDREN):
            born = date(2024, 1, 1) + timedelta(days=rng.randrange(0, 700))
            child = (
                db["children"]
                .insert(
                    {
                        "first_name": f"Kind{c}",
                        "last_name": f"L{n}",
                        "birth_date": born.isoformat(),
                        "sex": "mv"[c % 2],
                    }
                )
                .last_pk
            )
            db["child_locations"].insert({"child_id": child, "location_id": location})
            code = cardcode.new_code()
            db["cards"].insert({"code": code, "organisator_id": org, "child_id": child, "state": "active"})
            checkins += month_of_checkins(rng, location, code, child, days, time(15, 0), 150)
        with write_transaction(db):
            record_checkins(db, checkins, now_utc_iso())
    db.conn.commit()
    return locations


def timed(action):
    start = clock.perf_counter()
    result = action()
    return result, clock.perf_counter() - start


def main() -> None:
    shutil.rmtree(WORKDIR, ignore_errors=True)
    db = open_database(WORKDIR / "hub.sqlite3")
    locations = build(db)
    (events,) = db.execute("SELECT count(*) FROM events").fetchone()

    prepare_ms = []
    for location in locations:
        prepared, seconds = timed(lambda loc=location: prepare_month(db, loc, YEAR, MONTH, now=UPLOAD_MOMENT))
        prepare_ms.append(seconds * 1000)
    assert not prepared.issues, prepared.issues[:3]

    receiver = Receiver().start()
    endpoint = Endpoint(receiver.url, attempts=1)
    try:
        first, first_s = timed(lambda: run_due(db, endpoint, 7, now=UPLOAD_MOMENT))
        assert [r.outcome for r in first] == ["answered"] * LOCATIONS, first
        bodies = [
            len(store.body_of(db, s.id))
            for loc in locations
            for s in store.history(db, loc, month_key(YEAR, MONTH)).submissions
        ]
        idle, idle_s = timed(lambda: run_due(db, endpoint, 7, now=UPLOAD_MOMENT + timedelta(minutes=15)))
        assert idle == [], idle
        organisator = Actor.organisator(1, "Bench")
        for location in locations:
            (child,) = db.execute(
                "SELECT child_id FROM child_locations WHERE location_id = ? LIMIT 1", (location,)
            ).fetchone()
            apply_correction(
                db,
                organisator,
                location,
                child,
                date(YEAR, MONTH, 2),
                [(time(8, 0), time(16, 0))],
                now=UPLOAD_MOMENT + timedelta(hours=2),
            )
        resend, resend_s = timed(lambda: run_due(db, endpoint, 7, now=UPLOAD_MOMENT + timedelta(hours=3)))
        assert [(r.version, r.records) for r in resend] == [(2, 1)] * LOCATIONS, resend
    finally:
        receiver.stop()
        db.close()

    figures = {
        "locations": LOCATIONS,
        "children_per_location": CHILDREN,
        "events_in_month": events,
        "prepare_month_p50_ms": round(statistics.median(prepare_ms), 1),
        "prepare_month_p95_ms": round(percentile(prepare_ms, 95), 1),
        "prepare_month_max_ms": round(max(prepare_ms), 1),
        "first_sending_all_locations_s": round(first_s, 2),
        "batch_bytes_per_location_p50": int(statistics.median(bodies)),
        "idle_check_s": round(idle_s, 2),
        "idle_check_per_location_month_ms": round(idle_s * 1000 / (LOCATIONS * 3), 1),
        "resend_one_record_per_location_s": round(resend_s, 2),
        "receiver_requests": len(receiver.requests),
    }
    print_table(
        f"Monthly upload, {LOCATIONS} locations x {CHILDREN} children, {events} events", list(figures.items())
    )
    print(write_results("upload", figures))


if __name__ == "__main__":
    main()
