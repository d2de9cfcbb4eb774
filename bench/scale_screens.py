"""Screens that stay fast for a large organisation (issue 17): the "Opgeladen" overview of an
organisator with ``LOCATIONS`` locations, and the month grid of ``GRID_CHILDREN`` children with a
big events table.

1. The overview. ``LOCATIONS`` locations of ``CHILDREN`` children with a month of check-ins (the
   last full month). Measured in this process, side by side: the old path (every location's month
   prepared per request, ``hub.upload.views.month_overview``, still there: the location's own
   screen uses it) and the kept summaries (``hub.upload.summary.month_summaries``), cold (every
   summary computed) and warm; then over HTTP (uvicorn on loopback, ``Server-Timing``), warm, and
   "after a change": before each request one location gets a correction, so one summary is computed
   again, as on a working day.
2. The month grid of ``bench/portal.py``'s busy location (120 children, a month of check-ins, a
   second location), over HTTP, before and after ``FILLER_EVENTS`` more events of other children at
   other locations over the three years before are added to the events table (one INSERT ... SELECT
   the database generates, ``bench.common.add_filler``; ``SCALE_SCREENS_EVENTS`` sets the count).
   Also the page's size plain and gzip-compressed. The grid is kept between requests
   (``hub.attendance.kept``); the in-process figures are of a grid computed anew.

``bench/scale.py`` runs the overview part with the ingest and the grid on both databases, at 10
million events: ``make bench-scale``.

The machine is shared; the ratios in one run matter more than the absolute figures.
``make bench-scale-screens``; figures in bench/results/scale_screens.json.
"""

from __future__ import annotations

import gzip
import os
import random
import re
import shutil
import time
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock
from pathlib import Path

from bench.common import add_filler, month_of_checkins, percentile, print_table, write_results
from bench.portal import DOSSIER, LOCATION, PIN
from bench.portal import build as build_grid
from hub.accounts.actors import Actor
from hub.accounts.passwords import hash_secret
from hub.attendance.corrections import apply_correction
from hub.attendance.events import record_checkins
from hub.attendance.grid import month_grid
from hub.attendance.windows import shift_month
from hub.core.db import connect, open_database, write_transaction
from hub.core.localtime import now_utc_iso, today
from hub.locations.queries import set_opening_hours
from hub.locations.schedule import weekdays
from hub.upload.summary import forget_summaries, month_summaries
from hub.upload.views import month_overview
from hub.web.app import create_app
from tests.support.portal import PortalClient, serve
from wire import cardcode

ROOT = Path(__file__).resolve().parents[1]
WORKDIR = ROOT / "var" / "bench-scale-screens"
LOCATIONS = 100
CHILDREN = 20
EMAIL, PASSWORD = "bench@example.be", "bench-opgeladen-2026"
OLD_RUNS = 3  # the old path takes seconds per request
WARM_REQUESTS = 40
CHANGED_REQUESTS = 15
GRID_REQUESTS = 40
WARMUP = 3
FILLER_EVENTS = int(os.environ.get("SCALE_SCREENS_EVENTS", "2000000"))
UPLOAD_DAY = 7
TARGET_OVERVIEW_MS = 300.0
TARGET_GRID_MS = 50.0


def build_overview(database: Path, year: int, month: int) -> tuple[int, list[str]]:
    """The organisation of ``LOCATIONS`` locations with a month of check-ins; (organisator id, locations)."""
    db = open_database(database)
    rng = random.Random(17)
    first = date(year, month, 1)
    days = [first + timedelta(days=n) for n in range(31) if (first + timedelta(days=n)).month == month]
    days = [d for d in days if d.isoweekday() <= 5]
    org = (
        db["organisators"]
        .insert({"name": "Stad Bench", "email": EMAIL, "password_hash": hash_secret(PASSWORD)})
        .last_pk
    )
    locations, checkins = [], []
    for n in range(LOCATIONS):
        location = f"loc{n:03d}"
        locations.append(location)
        db["locations"].insert(
            {
                "id": location,
                "organisator_id": org,
                "dossier_number": f"91{n:07d}",
                "name": f"Locatie {n:03d}",
            }
        )
        set_opening_hours(db, location, weekdays("07:00", "18:00"))
        for c in range(CHILDREN):
            born = date(year, month, 1) - timedelta(days=rng.randrange(120, 900))
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
            checkins += month_of_checkins(rng, location, code, child, days, clock(15, 0), 150)
    with write_transaction(db):
        record_checkins(db, checkins, now_utc_iso())
    db.close()
    return org, locations


def ms(action) -> float:
    started = time.perf_counter()
    action()
    return (time.perf_counter() - started) * 1000


def server_ms(client: PortalClient, path: str) -> tuple[float, int]:
    response = client.get(path)
    assert response.status_code == 200 and response.url.path == path.split("?")[0], response.url
    return float(re.search(r"app;dur=([\d.]+)", response.headers["server-timing"])[1]), len(response.content)


def add(figures: dict, rows: list, name: str, values: list[float]) -> None:
    p50, p95 = percentile(values, 50), percentile(values, 95)
    figures[f"{name}_p50_ms"], figures[f"{name}_p95_ms"] = round(p50, 1), round(p95, 1)
    rows += [(f"{name} p50 ms", p50), (f"{name} p95 ms", p95)]


def overview_part(figures: dict, rows: list, year: int, month: int) -> None:
    database = WORKDIR / "overview.sqlite3"
    org, locations = build_overview(database, year, month)
    db = connect(database)
    (events,) = db.execute("SELECT count(*) FROM events").fetchone()
    figures |= {
        "overview_locations": LOCATIONS,
        "overview_children": LOCATIONS * CHILDREN,
        "overview_events": events,
    }
    rows += [("overview: locations", LOCATIONS), ("overview: events", events)]
    actor = Actor.organisator(org, "Stad Bench")
    now = datetime.now(UTC)
    old = [ms(lambda: month_overview(db, actor, year, month, UPLOAD_DAY, True, now)) for _ in range(OLD_RUNS)]
    add(figures, rows, "overview_old_inprocess", old)
    forget_summaries(db)
    cold = ms(lambda: month_summaries(db, actor, year, month, UPLOAD_DAY, True))
    warm = [
        ms(lambda: month_summaries(db, actor, year, month, UPLOAD_DAY, True)) for _ in range(WARM_REQUESTS)
    ]
    figures["overview_kept_cold_inprocess_ms"] = round(cold, 1)
    rows.append(("overview_kept_cold_inprocess ms", cold))
    add(figures, rows, "overview_kept_warm_inprocess", warm)
    old_lines = [s.status for s in month_overview(db, actor, year, month, UPLOAD_DAY, True)]
    new_lines = [s.status for s in month_summaries(db, actor, year, month, UPLOAD_DAY, True)]
    assert old_lines == new_lines, "the kept summaries say what the old path says"
    db.close()

    key = f"{year:04d}-{month:02d}"
    path = f"/opgeladen?maand={key}"
    rng = random.Random(3)
    first_open = next(date(year, month, d) for d in range(1, 8) if date(year, month, d).isoweekday() <= 5)
    with serve(create_app(database)) as url:
        client = PortalClient(url)
        assert client.login_organisator(EMAIL, PASSWORD).url.path == "/locaties"
        for _ in range(WARMUP):
            server_ms(client, path)
        warm_http = [server_ms(client, path)[0] for _ in range(WARM_REQUESTS)]
        changed_http = []
        writer = connect(database)
        for n in range(CHANGED_REQUESTS):
            location = rng.choice(locations)
            (child,) = writer.execute(
                "SELECT child_id FROM child_locations WHERE location_id = ? LIMIT 1", (location,)
            ).fetchone()
            apply_correction(writer, actor, location, child, first_open, [(clock(8, n % 50), clock(16, 0))])
            changed_http.append(server_ms(client, path)[0])
        writer.close()
        page = client.get(path)
        assert page.text.count('class="location-line') == LOCATIONS
        client.close()
    add(figures, rows, "overview_http_warm_server", warm_http)
    add(figures, rows, "overview_http_after_one_change_server", changed_http)
    figures["overview_target_p95_ms"] = TARGET_OVERVIEW_MS
    ratio = percentile(old, 50) / max(percentile(warm_http, 50), 0.001)
    figures["overview_old_over_kept_p50_ratio"] = round(ratio, 1)
    rows.append(("overview old / kept (p50)", ratio))


def grid_part(figures: dict, rows: list, year: int, month: int) -> None:
    database = WORKDIR / "grid.sqlite3"
    events = build_grid(database, year, month)
    path = f"/locaties/{LOCATION}?maand={year:04d}-{month:02d}"
    figures["grid_children"], figures["grid_events_in_month"] = 120, events

    def measure(label: str) -> None:
        db = connect(database)
        inprocess = [ms(lambda: month_grid(db, LOCATION, year, month)) for _ in range(GRID_REQUESTS)]
        (total,) = db.execute("SELECT count(*) FROM events").fetchone()
        db.close()
        with serve(create_app(database)) as url:
            client = PortalClient(url)
            assert client.login_location(DOSSIER, PIN).url.path == f"/locaties/{LOCATION}"
            for _ in range(WARMUP):
                server_ms(client, path)
            http = [server_ms(client, path)[0] for _ in range(GRID_REQUESTS)]
            plain = client.get(path, headers={"accept-encoding": "identity"})
            zipped = client.http.get(path, headers={"accept-encoding": "gzip"})
            assert zipped.headers.get("content-encoding") == "gzip"
            client.close()
        figures[f"grid_{label}_events_in_table"] = total
        rows.append((f"grid {label}: events in table", total))
        add(figures, rows, f"grid_{label}_month_grid_inprocess", inprocess)
        add(figures, rows, f"grid_{label}_http_server", http)
        figures["grid_page_bytes"] = len(plain.content)
        figures["grid_page_bytes_gzip"] = int(zipped.headers["content-length"])
        assert len(gzip.decompress(gzip.compress(plain.content))) == len(plain.content)

    measure("small_table")
    seconds = add_filler(database, FILLER_EVENTS, LOCATION)
    figures["filler_events"], figures["filler_insert_s"] = FILLER_EVENTS, round(seconds, 1)
    rows += [("filler events added", FILLER_EVENTS), ("filler insert s", seconds)]
    measure("big_table")
    figures["grid_target_p95_ms"] = TARGET_GRID_MS
    figures["grid_database_mb"] = round(database.stat().st_size / 1e6, 1)
    rows += [
        ("grid page bytes", figures["grid_page_bytes"]),
        ("grid page bytes gzip", figures["grid_page_bytes_gzip"]),
        ("grid database MB", figures["grid_database_mb"]),
    ]


def main() -> int:
    shutil.rmtree(WORKDIR, ignore_errors=True)
    WORKDIR.mkdir(parents=True)
    year, month = shift_month(today().year, today().month, -1)  # the last full month
    figures: dict[str, float | int | str] = {}
    rows: list[tuple[str, object]] = []
    overview_part(figures, rows, year, month)
    grid_part(figures, rows, year, month)
    figures["load_average_1min"] = round(os.getloadavg()[0], 2)
    figures["measured_with"] = "in-process calls, and httpx against uvicorn on loopback (Server-Timing)"
    rows.append(("load average (1 min) at the end", figures["load_average_1min"]))
    print_table(f"Screens at scale: overview of {LOCATIONS} locations, month grid of 120 children", rows)
    print(f"written to {write_results('scale_screens', figures)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
