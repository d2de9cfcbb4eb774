"""Parents' notifications at a morning peak: from the hub storing a check-in to its push sent and its
mail queued.

Starts Mosquitto (per-unit accounts and ACL, as in production), a hub process with real SMTP
(aiosmtpd) and a Web Push service on loopback, and 50 locations with one unit each. Every child has
a parent with an account who wants every arrival by mail and by push (one browser). The units
publish the morning's arrivals (``CHILDREN`` per location) spread evenly over ``PEAK_SECONDS``:
50 locations' morning peak squeezed into a minute. From the hub's database afterwards:

    stored_to_push_sent   events.received_at -> the push service answered (notify_outbox.sent_at)
    stored_to_mail_queued events.received_at -> the mail is in the mail outbox

Bounded: a fixed number of check-ins and a deadline. ``make bench-notify``; figures in
bench/results/notify.json.
"""

from __future__ import annotations

import shutil
import sqlite3
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

from bench.common import percentile, print_table, write_results
from hub.core.db import open_database, write_transaction
from hub.core.localtime import parse_utc
from hub.locations.queries import set_opening_hours
from hub.locations.schedule import weekdays
from hub.notify import store
from hub.notify.rules import Mode
from hub.parents import accounts
from provisioning.mosquitto import UnitAccount
from tests.support.mosquitto import Mosquitto
from tests.support.processes import start_hub
from tests.support.push import PushService
from tests.support.raw_unit import RawUnit
from tests.support.smtp import SmtpServer
from wire import CheckIn, Direction, DirectionBy, Source, cardcode, encode
from wire.ids import new_event_id

ROOT = Path(__file__).resolve().parents[1]
WORKDIR = ROOT / "var" / "bench-notify"
LOCATIONS = 50
CHILDREN = 12  # per location: 600 arrivals, 600 pushes, 600 mails
PEAK_SECONDS = 60.0
DEADLINE_S = 240.0


def location_ids() -> list[str]:
    return [f"loc{n:02d}" for n in range(LOCATIONS)]


def seed(database: Path, push: PushService) -> dict[str, list[str]]:
    """Locations, units, children with cards, a parent per child wanting every message; codes per location."""
    db = open_database(database)
    codes: dict[str, list[str]] = {}
    now = datetime.now(UTC)
    with write_transaction(db):
        org = db["organisators"].insert({"name": "Bench vzw", "email": "bench@aanwezig.example"}).last_pk
        for n, location in enumerate(location_ids()):
            db["locations"].insert(
                {
                    "id": location,
                    "organisator_id": org,
                    "dossier_number": f"9100000{n:02d}",
                    "name": f"Opvang {n}",
                }
            )
            db["units"].insert({"id": f"unit-{location}", "location_id": location})
            codes[location] = []
            for c in range(CHILDREN):
                child = db["children"].insert({"first_name": f"Kind{c}", "last_name": location}).last_pk
                db["child_locations"].insert({"child_id": child, "location_id": location})
                code = cardcode.new_code()
                db["cards"].insert(
                    {"code": code, "organisator_id": org, "child_id": child, "state": "active"}
                )
                codes[location].append(code)
                email = f"ouder{c}.{location}@bench.example"
                db["contacts"].insert(
                    {"child_id": child, "name": "Ouder", "email": email, "relation": "ouder"}
                )
                account = accounts.make_account(db, email, None, now)
                store.set_pref(db, account.id, store.Pref(child, Mode.EVERY, 18, True, True))
                phone = push.subscription(f"{location}-{c}")
                keys = phone.json()["keys"]
                store.add_subscription(db, account.id, phone.endpoint, keys["p256dh"], keys["auth"], now)
    for location in location_ids():
        set_opening_hours(db, location, weekdays("00:00", "23:59", range(1, 8)))
    db.close()
    return codes


def arrival(location: str, code: str, seq: int) -> bytes:
    return encode(
        CheckIn(
            id=new_event_id(),
            unit=f"unit-{location}",
            location=location,
            seq=seq,
            direction=Direction.ARRIVAL,
            code=code,
            source=Source.QR,
            wall_time=datetime.now(UTC).astimezone().isoformat(timespec="milliseconds"),
            clock_synced=True,
            boot_id="b0000000-0000-4000-8000-00000000be4d",
            monotonic=float(seq),
            direction_by=DirectionBy.PRESENCE,
        )
    )


def delays(database: Path) -> tuple[list[float], list[float]]:
    """(stored -> push sent, stored -> mail queued) in ms, one per outbox row that went out."""
    db = sqlite3.connect(database)
    push, mail = [], []
    for channel, stored, sent in db.execute(
        "SELECT channel, stored_at, sent_at FROM notify_outbox WHERE sent_at IS NOT NULL"
    ):
        ms = (parse_utc(sent) - parse_utc(stored)).total_seconds() * 1000
        (push if channel == "push" else mail).append(ms)
    db.close()
    return push, mail


def parents_mails(smtp) -> list:
    """The mails to the bench's parents (the organisator may get alert mails besides)."""
    return [m for m in smtp.inbox.mails if str(m["To"]).endswith("@bench.example")]


def main() -> int:
    shutil.rmtree(WORKDIR, ignore_errors=True)
    (WORKDIR / "hub").mkdir(parents=True)
    database = WORKDIR / "hub" / "hub.sqlite3"
    push = PushService().start()
    smtp = SmtpServer().start()
    codes = seed(database, push)
    accounts_ = [UnitAccount(f"unit-{loc}", loc, f"secret-{loc}") for loc in location_ids()]
    mosquitto = Mosquitto(WORKDIR / "mosquitto", accounts_).start()
    hub = None
    units: list[RawUnit] = []
    expected = LOCATIONS * CHILDREN
    timed_out = False
    try:
        hub, _portal = start_hub(
            WORKDIR / "hub", broker_url=mosquitto.hub_url, extra_settings=smtp.settings()
        )
        units = [RawUnit(mosquitto.port, account).start() for account in accounts_]
        by_location = dict(zip(location_ids(), units, strict=True))
        # the morning: child c of every location arrives at c/CHILDREN of the peak, locations interleaved
        schedule = [
            ((c * LOCATIONS + n) * PEAK_SECONDS / expected, location, code, c + 1)
            for c in range(CHILDREN)
            for n, location in enumerate(location_ids())
            for code in [codes[location][c]]
        ]
        started = time.monotonic()
        for offset, location, code, seq in schedule:
            wait = started + offset - time.monotonic()
            if wait > 0:
                time.sleep(wait)
            by_location[location].publish(arrival(location, code, seq))
        deadline = time.monotonic() + DEADLINE_S
        while len(push.received) < expected or len(parents_mails(smtp)) < expected:
            if time.monotonic() > deadline:
                timed_out = True
                break
            time.sleep(0.5)
        pushes, mails = delays(database)
    finally:
        for unit in units:
            unit.stop()
        if hub is not None:
            hub.stop()
        mosquitto.stop()
        smtp.stop()
        push.stop()

    figures = {
        "locations": LOCATIONS,
        "checkins": expected,
        "peak_seconds": PEAK_SECONDS,
        "pushes_received": len(push.received),
        "mails_received": len(parents_mails(smtp)),
        "other_mails_received": len(smtp.inbox.mails) - len(parents_mails(smtp)),  # e.g. alerts
        "stored_to_push_sent_p50_ms": round(percentile(pushes, 50), 1),
        "stored_to_push_sent_p95_ms": round(percentile(pushes, 95), 1),
        "stored_to_push_sent_max_ms": round(max(pushes, default=float("nan")), 1),
        "stored_to_mail_queued_p50_ms": round(percentile(mails, 50), 1),
        "stored_to_mail_queued_p95_ms": round(percentile(mails, 95), 1),
        "stored_to_mail_queued_max_ms": round(max(mails, default=float("nan")), 1),
        "timed_out": int(timed_out),
    }
    print_table(f"Notifications at a morning peak ({LOCATIONS} locations)", list(figures.items()))
    path = write_results("notify", figures)
    print(f"written to {path.relative_to(ROOT)}")
    return 1 if timed_out or len(pushes) != expected or len(mails) != expected else 0


if __name__ == "__main__":
    sys.exit(main())
