"""The month invoice run at the size of a large organisator: 20 locations of 120 children each.

Builds a hub database (March 2026: 22 opening days, each child present on about 9 days in 10 with
a care plan of five full days, an attest inkomenstarief and a debtor with a mandate), then measures
with the hub's clock on 2 April 2026:

1. the preview of one location's month (grid of the year so far, absences judged, every invoice
   added up), per location;
2. finalising a location's month: 120 invoices numbered and written with their PDFs in one
   transaction, per location (all 20 in turn: the organisator's numbers run on);
3. the SEPA direct debit file of a location's month.

Everything is bounded by the fixed counts. ``make bench-billing``; figures in bench/results/billing.json.
"""

from __future__ import annotations

import os
import random
import shutil
import time as clock
from datetime import date, datetime, time
from pathlib import Path

from bench.common import month_of_checkins, percentile, print_table, write_results
from hub.attendance.events import record_checkins
from hub.billing.service import direct_debit_for_month, finalise_month, month_run, save_creditor
from hub.careplan.rules import PlanDay, Size
from hub.careplan.service import create_plan
from hub.core.actors import Actor
from hub.core.db import open_database, write_transaction
from hub.core.localtime import BRUSSELS, now_utc_iso
from hub.locations.queries import set_opening_hours
from hub.locations.schedule import weekdays
from hub.prices.amounts import parse_amounts
from wire import cardcode

ROOT = Path(__file__).resolve().parents[1]
WORKDIR = ROOT / "var" / "bench-billing"
LOCATIONS = int(os.environ.get("BENCH_BILLING_LOCATIONS", "20"))
CHILDREN = 120
YEAR, MONTH = 2026, 3
RUN_MOMENT = datetime(2026, 4, 2, 10, 0, tzinfo=BRUSSELS)
TABLE = parse_amounts(
    '[[billing]]\nfrom = 2022-01-01\nwaste_fee_per_day = "0.19"\nadmin_per_child_month = "3.50"\n'
    'admin_per_invoice = "2.00"\nchild_discount = "3.43"\nlate_fine_minimum = "5.00"\n'
)
FULL = PlanDay(Size.FULL, time(7, 30), time(17, 30))


def build(db) -> list[str]:
    rng = random.Random(20260402)
    org = db["organisators"].insert({"name": "Bench vzw", "email": "bench@example.be"}).last_pk
    days = [date(YEAR, MONTH, d) for d in range(1, 32) if date(YEAR, MONTH, d).isoweekday() <= 5]
    actor = Actor.organisator(org, "Bench")
    locations = []
    for n in range(LOCATIONS):
        location = f"loc{n:02d}"
        locations.append(location)
        db["locations"].insert(
            {
                "id": location,
                "organisator_id": org,
                "dossier_number": f"90{n:07d}",
                "name": f"Locatie {n}",
                "price_model": "inkomenstarief",
            }
        )
        set_opening_hours(db, location, weekdays("07:00", "18:00"))
        checkins = []
        for c in range(CHILDREN):
            child = (
                db["children"]
                .insert(
                    {
                        "first_name": f"Kind{c}",
                        "last_name": f"L{n}",
                        "birth_date": "2024-06-01",
                        "sex": "mv"[c % 2],
                    }
                )
                .last_pk
            )
            db["child_locations"].insert({"child_id": child, "location_id": location})
            db["income_attests"].insert(
                {
                    "child_id": child,
                    "day_price": f"{rng.randrange(300, 3200) / 100:.2f}",
                    "valid_from": "2026-01-01",
                    "entered_at": "",
                }
            )
            db["child_debtors"].insert(
                {
                    "child_id": child,
                    "name": f"Ouder {c} L{n}",
                    "iban": "BE68539007547034",
                    "mandate_ref": f"M-{child}",
                    "mandate_date": "2025-09-01",
                }
            )
            db.conn.commit()
            create_plan(db, actor, child, location, date(2026, 1, 5), None, {d: FULL for d in range(5)})
            code = cardcode.new_code()
            db["cards"].insert({"code": code, "organisator_id": org, "child_id": child, "state": "active"})
            checkins += month_of_checkins(rng, location, code, child, days, time(12, 0), 400)
        with write_transaction(db):
            record_checkins(db, checkins, now_utc_iso())
    db.conn.commit()
    save_creditor(db, locations[0], "BE69ZZZ0123456789", "BE71096123456769", "GKCCBEBB")
    return locations


def timed(action):
    start = clock.perf_counter()
    result = action()
    return result, clock.perf_counter() - start


def main() -> None:
    shutil.rmtree(WORKDIR, ignore_errors=True)
    db = open_database(WORKDIR / "hub.sqlite3")
    _, build_s = timed(lambda: build(db))
    locations = [f"loc{n:02d}" for n in range(LOCATIONS)]
    (events,) = db.execute("SELECT count(*) FROM events").fetchone()

    preview_ms, finalise_ms = [], []
    for location in locations:
        run, seconds = timed(lambda loc=location: month_run(db, loc, YEAR, MONTH, TABLE, RUN_MOMENT))
        preview_ms.append(seconds * 1000)
        assert len(run.previews) == CHILDREN and not run.problems, run.problems[:3]
    actor = Actor.location(locations[0], "Bench")
    for location in locations:
        ids, seconds = timed(
            lambda loc=location: finalise_month(db, actor, loc, YEAR, MONTH, TABLE, RUN_MOMENT)
        )
        finalise_ms.append(seconds * 1000)
        assert len(ids) == CHILDREN
    numbers = [n for (n,) in db.execute("SELECT number FROM invoices ORDER BY number")]
    assert numbers == list(range(1, LOCATIONS * CHILDREN + 1)), "numbers without gaps"
    (pdf_bytes,) = db.execute("SELECT sum(length(pdf)) FROM invoices").fetchone()
    debit, sepa_s = timed(
        lambda: direct_debit_for_month(db, locations[0], YEAR, MONTH, date(2026, 4, 10), RUN_MOMENT)
    )
    assert debit.count == CHILDREN
    db.close()

    figures = {
        "locations": LOCATIONS,
        "children_per_location": CHILDREN,
        "events": events,
        "invoices": len(numbers),
        "build_s": round(build_s, 1),
        "preview_location_ms_median": round(percentile(preview_ms, 50), 1),
        "preview_location_ms_p95": round(percentile(preview_ms, 95), 1),
        "finalise_location_with_pdfs_ms_median": round(percentile(finalise_ms, 50), 1),
        "finalise_location_with_pdfs_ms_p95": round(percentile(finalise_ms, 95), 1),
        "finalise_organisator_all_locations_s": round(sum(finalise_ms) / 1000, 2),
        "pdf_kb_per_invoice": round(pdf_bytes / len(numbers) / 1024, 2),
        "sepa_location_ms": round(sepa_s * 1000, 1),
    }
    print_table("Billing: a month of 120 children per location", list(figures.items()))
    print(write_results("billing", figures))


if __name__ == "__main__":
    main()
