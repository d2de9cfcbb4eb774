"""The month grid of a busy location: how long the portal takes to serve it.

A location with ``CHILDREN`` children and a full month of check-ins (every opening day, most
children, arrival and departure, a few forgotten departures, a few corrections), and a second
location of the same organisator so that stays elsewhere are looked up as in real use. The
portal runs in a real uvicorn server on loopback (in this process, one worker thread); an httpx
client logged in as the location asks ``REQUESTS`` times for each page, one at a time.

The parents' side (issue 21) is measured too: a parent of two of these children opens "Vandaag"
(``/ouders``: today's state of each child, and the unread count of the menu) and a message thread
of ``THREAD_MESSAGES`` messages, as the parent (``/ouders/berichten/{id}``, which also marks it
read) and as the location.

Reported per page: the server's time (the ``Server-Timing`` header the portal sets: from the
request reaching the app to the response leaving it, rendering included) and the client's wall
time (HTTP on loopback added), median and p95. Target: month grid under 150 ms.
``make bench-portal``; figures in bench/results/portal.json.
"""

from __future__ import annotations

import random
import re
import shutil
import time
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock
from pathlib import Path

from bench.common import percentile, print_table, write_results
from hub.accounts.actors import Actor
from hub.accounts.passwords import hash_secret
from hub.attendance.corrections import apply_correction
from hub.attendance.events import NewCheckIn, record_checkins
from hub.attendance.windows import shift_month
from hub.core.db import open_database, write_transaction
from hub.core.localtime import BRUSSELS, today, utc_iso
from hub.locations.queries import location_schedule, set_opening_hours
from hub.locations.schedule import weekdays
from hub.messages import threads
from hub.messages.rules import LOCATION as LOCATION_SIDE
from hub.messages.rules import PARENT as PARENT_SIDE
from hub.messages.threads import NewFile
from hub.parents import accounts
from hub.web.app import create_app
from tests.support.parents import login_parent
from tests.support.portal import PortalClient, serve
from wire import CheckIn, Direction, Source, cardcode
from wire.ids import new_event_id

ROOT = Path(__file__).resolve().parents[1]
WORKDIR = ROOT / "var" / "bench-portal"
LOCATION = "drukke-opvang"
DOSSIER = "907000123"
PIN = "5937"
CHILDREN = 120
REQUESTS = 60
WARMUP = 5
TARGET_MS = 150.0
PARENT = "ouder@bench.example"
PARENT_PASSWORD = "bench-ouder-wachtwoord"
THREAD_MESSAGES = 200


def build_parent(database: Path) -> int:
    """A parent of two bench children who arrived today, and a thread of ``THREAD_MESSAGES``
    messages about one of them (every tenth with an attachment); returns the thread's id."""
    db = open_database(database)
    kids = [row[0] for row in db.execute("SELECT id FROM children ORDER BY id LIMIT 2")]
    now = datetime.now(UTC)
    midnight = datetime.combine(today(), clock(0), BRUSSELS)
    arrival = max(now - timedelta(minutes=30), midnight + timedelta(seconds=1))
    records = []
    for n, child in enumerate(kids):
        db["contacts"].insert(
            {"child_id": child, "name": "Bench Ouder", "email": PARENT, "relation": "moeder"}
        )
        (code,) = db.execute("SELECT code FROM cards WHERE child_id = ?", (child,)).fetchone()
        event = CheckIn(
            id=new_event_id(now_ms=int(arrival.timestamp() * 1000) + n),
            unit="bench-in",
            location=LOCATION,
            seq=900_000 + n,
            direction=Direction.ARRIVAL,
            code=code,
            source=Source.QR,
            wall_time=arrival.isoformat(timespec="milliseconds"),
            clock_synced=True,
            boot_id="00000000-0000-4000-8000-00000000be0c",
            monotonic=float(900_000 + n),
        )
        records.append(NewCheckIn(event, child, utc_iso(arrival)))
    with write_transaction(db):
        record_checkins(db, records, utc_iso(now))
        accounts.make_account(db, PARENT, PARENT_PASSWORD, now)
        start = now - timedelta(days=20)
        thread = threads.start_thread(
            db, LOCATION, kids[0], "Een lang gesprek", PARENT_SIDE, "Bench Ouder", "Bericht 1", [], start
        )
        row = threads.thread_at(db, LOCATION, thread, "bench")
        for n in range(2, THREAD_MESSAGES + 1):
            side = LOCATION_SIDE if n % 2 == 0 else PARENT_SIDE
            files = (
                [NewFile(f"bijlage-{n}.pdf", "application/pdf", 12_345, f"{n:032x}")] if n % 10 == 0 else []
            )
            text = f"Bericht {n}: " + "een zin over de dag van het kind. " * (1 + n % 4)
            author = "Kinderopvang bench" if side == LOCATION_SIDE else "Bench Ouder"
            threads.add_message(db, row, side, author, text, files, start + timedelta(minutes=n))
    db.close()
    return thread


def build(database: Path, year: int, month: int) -> int:
    """The bench location and its month of check-ins; returns the number of events stored."""
    db = open_database(database)
    rng = random.Random(5)
    with db.atomic():
        org = db["organisators"].insert({"name": "Bench vzw", "email": "bench@aanwezig.example"}).last_pk
        for loc, dossier in ((LOCATION, DOSSIER), ("andere-opvang", "907000999")):
            db["locations"].insert(
                {
                    "id": loc,
                    "organisator_id": org,
                    "dossier_number": dossier,
                    "name": f"Kinderopvang {loc}",
                    "pin_hash": hash_secret(PIN),
                }
            )
        db["units"].insert({"id": "bench-in", "location_id": LOCATION})
        children = []
        for n in range(CHILDREN):
            child = (
                db["children"]
                .insert({"first_name": f"Kind{n:03d}", "last_name": "Bench", "sex": "mv"[n % 2]})
                .last_pk
            )
            db["child_locations"].insert({"child_id": child, "location_id": LOCATION})
            if n % 10 == 0:  # some children also go to the organisator's other location
                db["child_locations"].insert({"child_id": child, "location_id": "andere-opvang"})
            code = cardcode.new_code()
            db["cards"].insert({"code": code, "organisator_id": org, "child_id": child, "state": "active"})
            children.append((child, code))
    set_opening_hours(db, LOCATION, weekdays("07:00", "18:00"))
    schedule = location_schedule(db, LOCATION)
    first = date(year, month, 1)
    days = [first + timedelta(days=n) for n in range(31) if (first + timedelta(days=n)).month == month]
    records = []
    for day in days:
        if not schedule.on(day).is_open:
            continue
        for child, code in children:
            if rng.random() < 0.1:
                continue
            arrival = datetime.combine(day, clock(7, 15), BRUSSELS) + timedelta(minutes=rng.randrange(120))
            moves = [(arrival, Direction.ARRIVAL)]
            if rng.random() > 0.01:  # now and then a forgotten departure: a red cell
                moves.append((arrival + timedelta(hours=5, minutes=rng.randrange(240)), Direction.DEPARTURE))
            for moment, direction in moves:
                event = CheckIn(
                    id=new_event_id(now_ms=int(moment.timestamp() * 1000)),
                    unit="bench-in",
                    location=LOCATION,
                    seq=len(records) + 1,
                    direction=direction,
                    code=code,
                    source=Source.QR,
                    wall_time=moment.isoformat(timespec="milliseconds"),
                    clock_synced=True,
                    boot_id="00000000-0000-4000-8000-00000000be0c",
                    monotonic=float(len(records)),
                )
                records.append(NewCheckIn(event, child, utc_iso(moment)))
    with write_transaction(db):
        record_checkins(db, records, utc_iso(datetime.now(UTC)))
    organisator = Actor.organisator(org, "Bench vzw")
    for child, _code in children[:10]:  # a few corrected cells
        day = next(d for d in days if schedule.on(d).is_open)
        apply_correction(db, organisator, LOCATION, child, day, [(clock(8, 0), clock(16, 0))])
    db.close()
    return len(records)


def measure(
    client: PortalClient, path: str, requests: int = REQUESTS, warmup: int = WARMUP
) -> tuple[list[float], list[float]]:
    """(server ms, client ms) of ``requests`` sequential GETs of ``path``, after ``warmup`` more."""
    server, wall = [], []
    for n in range(warmup + requests):
        started = time.perf_counter()
        response = client.get(path)
        elapsed = (time.perf_counter() - started) * 1000
        assert response.status_code == 200 and response.url.path == path.split("?")[0], response.url
        timing = re.search(r"app;dur=([\d.]+)", response.headers["server-timing"])
        if n >= warmup:
            server.append(float(timing[1]))
            wall.append(elapsed)
    return server, wall


def main() -> int:
    shutil.rmtree(WORKDIR, ignore_errors=True)
    WORKDIR.mkdir(parents=True)
    database = WORKDIR / "hub.sqlite3"
    year, month = shift_month(today().year, today().month, -1)  # the last full month
    events = build(database, year, month)
    monday = date(year, month, 8) - timedelta(days=date(year, month, 8).weekday())  # a whole week
    thread = build_parent(database)
    pages = {
        "month_grid": f"/locaties/{LOCATION}?maand={year:04d}-{month:02d}",
        "month_api": f"/api/locaties/{LOCATION}/maand/{year:04d}-{month:02d}",
        "week_grid": f"/locaties/{LOCATION}/week?van={monday.isoformat()}",
        "children": f"/locaties/{LOCATION}/kinderen",
        "location_thread_200": f"/locaties/{LOCATION}/berichten/{thread}",
    }
    parent_pages = {"parent_vandaag": "/ouders", "parent_thread_200": f"/ouders/berichten/{thread}"}
    figures: dict[str, float | int | str] = {"children": CHILDREN, "events": events, "requests": REQUESTS}
    rows: list[tuple[str, object]] = [("children", CHILDREN), ("events in the month", events)]
    with serve(create_app(database)) as url:
        client = PortalClient(url)
        assert client.login_location(DOSSIER, PIN).url.path == f"/locaties/{LOCATION}"
        for name, path in pages.items():
            server, wall = measure(client, path)
            for label, values in (("server", server), ("client", wall)):
                median, p95 = percentile(values, 50), percentile(values, 95)
                figures[f"{name}_{label}_median_ms"] = round(median, 1)
                figures[f"{name}_{label}_p95_ms"] = round(p95, 1)
                rows += [(f"{name} {label} median ms", median), (f"{name} {label} p95 ms", p95)]
        size = len(client.get(pages["month_grid"]).content)
        client.close()
        parent = login_parent(url, PARENT, PARENT_PASSWORD)
        for name, path in parent_pages.items():
            server, wall = measure(parent, path)
            for label, values in (("server", server), ("client", wall)):
                median, p95 = percentile(values, 50), percentile(values, 95)
                figures[f"{name}_{label}_median_ms"] = round(median, 1)
                figures[f"{name}_{label}_p95_ms"] = round(p95, 1)
                rows += [(f"{name} {label} median ms", median), (f"{name} {label} p95 ms", p95)]
        page = parent.get(parent_pages["parent_thread_200"]).text
        assert page.count('class="message ') == THREAD_MESSAGES, "the thread shows every message"
        figures["parent_thread_200_bytes"] = len(page.encode())
        parent.close()
    figures["month_grid_bytes"] = size
    figures["target_ms"] = TARGET_MS
    figures["measured_with"] = "httpx against uvicorn on loopback (in-process, one server thread)"
    rows += [("month grid page bytes", size), ("target ms (month grid, server)", TARGET_MS)]
    print_table(f"Portal: month grid of {CHILDREN} children, {REQUESTS} requests per page", rows)
    path = write_results("portal", figures)
    print(f"written to {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
