"""The demo: a hub with an embedded broker, seeded data and a simulated scanner, on one machine.

``aanwezig-hub demo`` (``make demo``) seeds a demo organisator, location, children with cards and
one unit; starts the hub; and starts a real unit process whose "camera" shows one of the
children's cards every few seconds. The portal shows each check-in as it arrives.

Besides, the demo replays a real day, time-compressed (:data:`DEMO_DAY`): the last opening day
before today fills in within about a minute and a half, as a unit's backlog would drain:
arrivals spread over the morning (one before opening time), an afternoon-only child, departures
in the evening, one late pickup, one forgotten departure and one unknown card. So every colour and
mark of the grid is on screen within two minutes.
"""

from __future__ import annotations

import functools
import os
import random
import subprocess
import sys
import threading
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path

import sqlite_utils

from hub.accounts.passwords import hash_secret
from hub.attendance.events import record_checkin
from hub.cards import codes as cards
from hub.core.db import open_database, write_transaction
from hub.core.files import write_private
from hub.core.localtime import BRUSSELS, day_bounds_utc, fmt_date, now_utc_iso, today
from hub.core.ports import free_port
from hub.core.settings import HubSettings
from hub.locations.queries import add_closing_day, location_schedule, set_opening_hours
from hub.locations.schedule import weekdays
from hub.service import Hub
from hub.units import registry as units_registry
from hub.units import staff
from wire import CheckIn, Direction, Source, cardcode, staffcode
from wire.ids import new_event_id

DEMO_LOCATION = "zonnebloem"
DEMO_EMAIL = "demo@aanwezig.example"
DEMO_PASSWORD = "zonnebloem-demo"
DEMO_DOSSIER = "903123456"
DEMO_PIN = "4826"
DEMO_SCANNER_CODE = "3719"  # the staff menu on the demo's scanners (key D)
DEMO_UNIT = "unit-zonnebloem-in"
# The demo's two scanners: one at the entrance, one at the exit that starts a round later.
DEMO_UNITS = [("unit-zonnebloem-in", "arrival", 0), ("unit-zonnebloem-uit", "departure", 1)]
DEMO_CHILDREN = [
    ("Jules", "Peeters", "2024-03-14", "m"),
    ("Lotte", "Janssens", "2023-11-02", "v"),
    ("Noah", "Maes", "2024-06-21", "m"),
    ("Mila", "Jacobs", "2023-09-30", "v"),
    ("Louis", "Mertens", "2024-01-08", "m"),
    ("Olivia", "Willems", "2024-08-17", "v"),
]
# Belgian public holidays on a fixed date: the demo location is closed on them.
FIXED_HOLIDAYS = {
    (1, 1): "Nieuwjaar",
    (5, 1): "Dag van de Arbeid",
    (7, 21): "Nationale feestdag",
    (8, 15): "O.L.V.-Hemelvaart",
    (11, 1): "Allerheiligen",
    (11, 11): "Wapenstilstand",
    (12, 25): "Kerstmis",
}


# The replayed day: (Brussels time, child or None for an unknown card, direction). Every colour and mark.
DEMO_DAY = [
    ("06:55", "Lotte", Direction.ARRIVAL),  # before opening: "buiten openingsuren"
    ("07:12", "Jules", Direction.ARRIVAL),
    ("08:05", "Noah", Direction.ARRIVAL),
    ("08:40", "Louis", Direction.ARRIVAL),  # and never a departure: red
    ("08:41", None, Direction.ARRIVAL),  # an unknown card
    ("09:15", "Olivia", Direction.ARRIVAL),
    ("12:00", "Olivia", Direction.DEPARTURE),  # half a day
    ("12:30", "Mila", Direction.ARRIVAL),  # only in the afternoon
    ("16:45", "Jules", Direction.DEPARTURE),
    ("17:30", "Mila", Direction.DEPARTURE),
    ("17:40", "Lotte", Direction.DEPARTURE),
    ("18:20", "Noah", Direction.DEPARTURE),  # after closing: "laat opgehaald"
]
DEMO_DAY_SECONDS = 90.0  # the whole day replays in this time


@dataclass(frozen=True)
class DemoData:
    location_id: str
    unit_id: str
    cards: dict[str, str]  # first name -> card code


@functools.cache
def _demo_hash(secret: str) -> str:
    """The demo's published secrets hashed once per process: argon2 is slow on purpose, and the
    tests seed a fresh demo database many times over."""
    return hash_secret(secret)


def seed(
    db: sqlite_utils.Database, unit_ids: tuple[str, ...] = (DEMO_UNIT,), history_days: int = 0
) -> DemoData:
    """Seed the demo organisator, location, children, cards and units; idempotent.

    The organisator logs in with DEMO_EMAIL and DEMO_PASSWORD, the location with DEMO_DOSSIER
    and DEMO_PIN (printed in the demo's banner).

    The location is open Monday to Friday 7-18 h, as in the AG Kinderopvang Antwerpen house
    rules. With ``history_days``, the first seed also registers that many past weekdays of
    check-ins (some children absent some days, one departure forgotten, one unknown card), so the
    month grid has something to show.
    """
    first_time = db.execute("SELECT count(*) FROM organisators").fetchone()[0] == 0
    if first_time:
        with db.atomic():
            org = (
                db["organisators"]
                .insert(
                    {
                        "name": "Kinderopvang De Zonnebloem vzw",
                        "email": DEMO_EMAIL,
                        "password_hash": _demo_hash(DEMO_PASSWORD),
                    }
                )
                .last_pk
            )
            db["locations"].insert(
                {
                    "id": DEMO_LOCATION,
                    "organisator_id": org,
                    "dossier_number": DEMO_DOSSIER,
                    "name": "Kinderdagverblijf De Zonnebloem",
                    "address": "Kerkstraat 12, 2000 Antwerpen",
                    "pin_hash": _demo_hash(DEMO_PIN),
                    "scanner_code": DEMO_SCANNER_CODE,
                }
            )
            for first, last, born, sex in DEMO_CHILDREN:
                child = (
                    db["children"]
                    .insert({"first_name": first, "last_name": last, "birth_date": born, "sex": sex})
                    .last_pk
                )
                db["child_locations"].insert({"child_id": child, "location_id": DEMO_LOCATION})
                db["cards"].insert(
                    {"code": cardcode.new_code(), "organisator_id": org, "child_id": child, "state": "active"}
                )
        set_opening_hours(db, DEMO_LOCATION, weekdays("07:00", "18:00"))
        for year in (today().year, today().year + 1):
            for (month, day), name in FIXED_HOLIDAYS.items():
                add_closing_day(db, DEMO_LOCATION, date(year, month, day), name)
    with db.atomic():
        for unit_id in unit_ids:
            db["units"].insert({"id": unit_id, "location_id": DEMO_LOCATION}, ignore=True)
            if db.execute("SELECT staff_key FROM units WHERE id = ?", (unit_id,)).fetchone()[0] is None:
                units_registry.new_staff_key(db, unit_id)
    staff.refresh(db, DEMO_LOCATION)
    cards = db.execute(
        "SELECT ch.first_name, c.code FROM cards c JOIN children ch ON ch.id = c.child_id ORDER BY ch.id"
    ).fetchall()
    demo = DemoData(DEMO_LOCATION, unit_ids[0], dict(cards))
    if first_time and history_days:
        # the history ends before the replayed day (see replay_day), so that day starts empty
        seed_history(db, demo, unit_ids[0], unit_ids[-1], demo_day(db), history_days)
    return demo


def demo_day(db: sqlite_utils.Database, before: date | None = None) -> date:
    """The day the demo replays: the last opening day before today."""
    schedule = location_schedule(db, DEMO_LOCATION)
    day = (before or today()) - timedelta(days=1)
    while not schedule.on(day).is_open:
        day -= timedelta(days=1)
    return day


def replay_day(
    db: sqlite_utils.Database,
    demo: DemoData,
    day: date,
    stop: threading.Event | None = None,
    seconds: float = DEMO_DAY_SECONDS,
) -> int:
    """Register :data:`DEMO_DAY` on ``day``, one scan after the other over ``seconds``; returns the count.

    A day that has registrations already (a demo started again) is left as it is.
    """
    stop = stop or threading.Event()
    start, end = day_bounds_utc(day)
    if db.execute(
        "SELECT count(*) FROM events WHERE location_id = ? AND occurred_at >= ? AND occurred_at < ?",
        (DEMO_LOCATION, start, end),
    ).fetchone()[0]:
        return 0
    unit_in, unit_out = DEMO_UNITS[0][0], DEMO_UNITS[-1][0]
    unknown = cardcode.new_code()
    stored = 0
    for index, (hhmm, who, direction) in enumerate(DEMO_DAY):
        if index and stop.wait(seconds / len(DEMO_DAY)):
            break
        moment = datetime.combine(day, time.fromisoformat(hhmm), BRUSSELS)
        code = demo.cards[who] if who else unknown
        unit = unit_in if direction is Direction.ARRIVAL else unit_out
        # one short write at a time, taking the write lock first (BEGIN IMMEDIATE): the ingest,
        # the notifier and the portal commit meanwhile, and a deferred transaction that read
        # before they committed cannot upgrade to a write ("database is locked" at once)
        with write_transaction(db):
            stored += _record(db, unit, code, moment, direction, code if who else None, now_utc_iso())
    return stored


def seed_history(
    db: sqlite_utils.Database, demo: DemoData, unit_in: str, unit_out: str, before: date, days: int
) -> int:
    """Register ``days`` opening days of check-ins before ``before``, as units would; returns the count."""
    rng = random.Random(20260301)  # the same history on every fresh demo
    schedule = location_schedule(db, DEMO_LOCATION)
    open_days = [
        d for d in (before - timedelta(days=n) for n in range(1, 3 * days)) if schedule.on(d).is_open
    ]
    received_at = now_utc_iso()
    stored = 0
    with db.atomic():
        for age, day in enumerate(sorted(open_days[:days])):
            for index, (first_name, code) in enumerate(demo.cards.items()):
                if rng.random() < 0.12:
                    continue  # absent: a grey cell with a +
                arrival = datetime.combine(day, time(7, 30), BRUSSELS) + timedelta(
                    minutes=rng.randrange(0, 105)
                )
                departure = datetime.combine(day, time(15, 30), BRUSSELS) + timedelta(
                    minutes=rng.randrange(0, 135)
                )
                moves = [(arrival, Direction.ARRIVAL, unit_in)]
                if not (age == days - 2 and index == 1):  # one forgotten departure: a red cell to fix
                    moves.append((departure, Direction.DEPARTURE, unit_out))
                for moment, direction, unit in moves:
                    stored += _record(db, unit, code, moment, direction, demo.cards[first_name], received_at)
        unknown = datetime.combine(open_days[0], time(8, 41), BRUSSELS)
        stored += _record(db, unit_in, cardcode.new_code(), unknown, Direction.ARRIVAL, None, received_at)
    return stored


def _record(
    db: sqlite_utils.Database,
    unit: str,
    code: str,
    moment: datetime,
    direction: Direction,
    child_code: str | None,
    received_at: str,
) -> int:
    event = CheckIn(
        id=new_event_id(now_ms=int(moment.timestamp() * 1000)),
        unit=unit,
        location=DEMO_LOCATION,
        seq=1,
        direction=direction,
        code=code,
        source=Source.QR,
        wall_time=moment.isoformat(timespec="milliseconds"),
        clock_synced=True,
        boot_id="00000000-0000-4000-8000-00000000d3e0",
        monotonic=0.0,
    )
    owner = cards.card_owner(db, child_code) if child_code else None
    return int(record_checkin(db, event, owner[0] if owner else None, received_at))


def unit_config_text(
    unit: str, location: str, broker_url: str, data_dir: Path, every_s: float, mode: str, start_s: float
) -> str:
    """The TOML configuration of a simulated unit whose camera shows the roster's cards in turn."""
    return (
        f'unit = "{unit}"\nlocation = "{location}"\nbroker = "{broker_url}"\ndata_dir = "{data_dir}"\n\n'
        f'[camera]\nsource = "generated"\nevery_s = {every_s}\nstart_s = {start_s}\n\n'
        f'[scan]\nmode = "{mode}"\n'
        "clock_synced = true\n"  # the machine's clock: right, even where a container's kernel does not say so
    )


def demo_settings(
    data_dir: Path, http_port: int = 8000, broker_port: int = 1883, database: str = ""
) -> HubSettings:
    """The demo hub's settings: embedded broker, /api/docs, and SQLite in ``data_dir/hub`` unless
    ``database`` names a PostgreSQL database (``aanwezig-hub demo --config hub.toml``)."""
    return HubSettings(
        data_dir=data_dir.resolve() / "hub",
        database=database,
        embedded_broker_port=broker_port,
        http_port=free_port(preferred=http_port),
        api_docs=True,  # /api/docs for the demo's organisator
    )


def run(
    data_dir: Path, http_port: int = 8000, broker_port: int = 1883, every_s: float = 4.0, database: str = ""
) -> int:
    """Run the demo until Ctrl+C (or SIGTERM); returns the exit status."""
    data_dir = data_dir.resolve()
    settings = demo_settings(data_dir, http_port, broker_port, database)
    db = open_database(settings.database_path)
    demo = seed(db, tuple(unit for unit, _mode, _round in DEMO_UNITS), history_days=8)
    replayed = demo_day(db)
    db.close()
    hub = Hub(settings)
    hub.start()
    stop = threading.Event()
    player = threading.Thread(target=_replay, args=(settings.database_path, demo, stop), name="demo-day")
    player.start()
    round_s = every_s * len(demo.cards)
    units = []
    for unit_id, mode, rounds_late in DEMO_UNITS:
        unit_dir = data_dir / unit_id
        unit_dir.mkdir(parents=True, exist_ok=True)
        config = unit_dir / "unit.toml"
        db = open_database(settings.database_path)
        (key,) = db.execute("SELECT staff_key FROM units WHERE id = ?", (unit_id,)).fetchone()
        db.close()
        write_private(unit_dir / staffcode.KEY_FILE, (key + "\n").encode())  # what the bundle would carry
        broker_url = f"mqtt://{hub.broker.host}:{hub.broker.port}"
        config.write_text(
            unit_config_text(
                unit_id, demo.location_id, broker_url, unit_dir, every_s, mode, 2 + rounds_late * round_s
            )
        )
        units.append(
            subprocess.Popen(
                [sys.executable, "-m", "device", "run", "--config", str(config), "--log-level", "WARNING"],
                env={**os.environ, "PYTHONUNBUFFERED": "1"},
            )
        )
    print(
        "\n  Aanwezig demo\n"
        f"  Portaal:        {hub.portal_url()}\n"
        f"  Organisator:    {DEMO_EMAIL}, wachtwoord {DEMO_PASSWORD}\n"
        f"  Opvanglocatie:  dossiernummer {DEMO_DOSSIER}, pincode {DEMO_PIN}\n"
        f"  Scanners:       scannercode {DEMO_SCANNER_CODE} (toets D: personeelsmenu)\n"
        f"  Mails (.eml):   {settings.mail_folder}\n"
        f"  Broker:         {hub.broker} (ingebed)\n"
        f"  Gegevens:       {data_dir}\n"
        f"  Databank:       {_shown(settings.database_path)}\n"
        f"  Scanner aan de ingang toont elke {every_s:g} s een kaart van: {', '.join(demo.cards)};\n"
        f"  de scanner aan de uitgang begint {round_s:g} s later.\n"
        f"  Een hele dag ({fmt_date(replayed)}) speelt zich af in {DEMO_DAY_SECONDS:g} s: aankomsten,\n"
        "  een kind enkel in de namiddag, laat opgehaald, een vergeten vertrek en een onbekende kaart.\n"
        "  Stoppen:        Ctrl+C\n",
        flush=True,
    )
    try:
        hub.serve_http()
    finally:
        stop.set()
        player.join(timeout=5)
        for unit in units:
            unit.terminate()
        for unit in units:
            try:
                unit.wait(timeout=10)
            except subprocess.TimeoutExpired:
                unit.kill()
    return 0


def _replay(database: Path | str, demo: DemoData, stop: threading.Event) -> None:
    db = open_database(database)
    try:
        replay_day(db, demo, demo_day(db), stop)
    finally:
        db.close()


def _shown(database: Path | str) -> str:
    """The database for the banner: a PostgreSQL URL without its password."""
    if isinstance(database, str):
        from hub.core.pg_dump import without_password

        return without_password(database)
    return str(database)
