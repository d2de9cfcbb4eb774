"""Sustained ingest through a real Mosquitto: how fast the hub stores and acks, and how quickly at 500/s.

Starts Mosquitto (with per-unit accounts and the ACL, as in production) and a hub process, and
20 simulated units: paho clients with their own accounts, publishing pre-built valid check-ins on
their own event topics at QoS 1 and timing each event from publish to the hub's ack. The units
run in two worker processes (10 each) so that the load generator does not share one GIL.

1. Throughput: every unit keeps ``WINDOW`` events unacknowledged (as the real unit's publisher
   does) until it has sent ``THROUGHPUT_PER_UNIT``; acked events per second over the whole run.
2. Latency: the 20 units together publish at a fixed 500 events/s for ``LATENCY_SECONDS``;
   p50/p99 of publish -> ack.

Afterwards the hub's database must hold exactly the events sent. Everything is bounded: fixed
counts, and a deadline per phase. ``make bench-ingest``; figures in bench/results/ingest.json.
"""

from __future__ import annotations

import multiprocessing as mp
import random
import shutil
import sys
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from bench.common import percentile, print_table, write_results
from hub.core.db import connect, open_database
from hub.locations.queries import set_opening_hours
from hub.locations.schedule import weekdays
from provisioning.mosquitto import UnitAccount
from tests.support.mosquitto import Mosquitto
from tests.support.processes import start_hub
from tests.support.raw_unit import RawUnit
from wire import CheckIn, Direction, Source, cardcode, encode
from wire.ids import new_event_id

ROOT = Path(__file__).resolve().parents[1]
WORKDIR = ROOT / "var" / "bench-ingest"
LOCATION = "bench"
UNITS = 20
WORKERS = 2
CHILDREN = 120
WINDOW = 100  # unacked events per unit, as device/publisher.py
THROUGHPUT_PER_UNIT = 2_000  # 40,000 events in all
LATENCY_RATE = 500  # events per second, all units together
LATENCY_SECONDS = 20
WARMUP_PER_UNIT = 50
PHASE_DEADLINE_S = 180.0


@dataclass
class PhaseResult:
    sent: int = 0
    acked: int = 0
    first_publish: float = float("inf")
    last_ack: float = 0.0
    latencies_ms: list[float] = field(default_factory=list)
    timed_out: bool = False


def seed(database: Path | str, units: list[str] | None = None) -> list[str]:
    """The bench location with its children, cards and units (ours unless given); returns the card codes."""
    db = open_database(database)
    with db.atomic():
        org = db["organisators"].insert({"name": "Bench vzw", "email": "bench@aanwezig.example"}).last_pk
        db["locations"].insert(
            {"id": LOCATION, "organisator_id": org, "dossier_number": "900000000", "name": "Bench"}
        )
        codes = []
        for n in range(CHILDREN):
            child = db["children"].insert({"first_name": f"Kind{n}", "last_name": "Bench"}).last_pk
            db["child_locations"].insert({"child_id": child, "location_id": LOCATION})
            code = cardcode.new_code()
            db["cards"].insert({"code": code, "organisator_id": org, "child_id": child, "state": "active"})
            codes.append(code)
        for unit in units or unit_ids():
            db["units"].insert({"id": unit, "location_id": LOCATION})
    set_opening_hours(db, LOCATION, weekdays("07:00", "18:00"))
    db.close()
    return codes


def unit_ids() -> list[str]:
    return [f"unit-bench-{n:02d}" for n in range(UNITS)]


def checkins(unit: str, codes: list[str], count: int, rng: random.Random) -> list[tuple[str, bytes]]:
    """Pre-built (event id, payload) pairs, so the generator spends no time encoding."""
    now = datetime.now(UTC).astimezone()
    events = []
    for seq in range(1, count + 1):
        event = CheckIn(
            id=new_event_id(),
            unit=unit,
            location=LOCATION,
            seq=seq,
            direction=Direction.ARRIVAL if seq % 2 else Direction.DEPARTURE,
            code=rng.choice(codes),
            source=Source.QR,
            wall_time=now.isoformat(timespec="milliseconds"),
            clock_synced=True,
            boot_id="b0000000-0000-4000-8000-00000000be4c",
            monotonic=float(seq),
        )
        events.append((event.id, encode(event)))
    return events


class Pump:
    """One unit's events of a phase: either ``window`` in flight, each ack releasing the next
    publish (closed loop), or published on a schedule whatever the acks do (``paced``)."""

    def __init__(self, unit: RawUnit, events: list[tuple[str, bytes]], window: int, paced: bool) -> None:
        self.unit, self.events, self.window, self.paced = unit, events, window, paced
        self.result = PhaseResult()
        self.sent_at: dict[str, float] = {}
        self.next = 0
        self.done = threading.Event()
        self.lock = threading.Lock()

    def start(self) -> None:
        for _ in range(min(self.window, len(self.events))):
            self.publish_next()

    def acked(self, event_id: str, arrived: float) -> None:
        with self.lock:
            sent = self.sent_at.pop(event_id, None)
            if sent is None:
                return
            self.result.acked += 1
            self.result.last_ack = max(self.result.last_ack, arrived)
            self.result.latencies_ms.append((arrived - sent) * 1000)
            finished = not self.sent_at and self.next >= len(self.events)
        if finished:
            self.done.set()
        elif not self.paced:
            self.publish_next()

    def publish_next(self) -> None:
        with self.lock:
            if self.next >= len(self.events):
                return
            event_id, payload = self.events[self.next]
            self.next += 1
            now = time.perf_counter()
            self.sent_at[event_id] = now
            self.result.sent += 1
            self.result.first_publish = min(self.result.first_publish, now)
        self.unit.publish(payload)


def worker(port: int, accounts: list[UnitAccount], codes: list[str], seed_value: int, tasks, results) -> None:
    """One generator process: its share of the units, running the phases it is told to."""
    routes: dict[str, Pump] = {}
    units = [
        RawUnit(port, account, on_ack=lambda ack, t: routes[ack.id].acked(ack.id, t)).start()
        for account in accounts
    ]
    rng = random.Random(seed_value)
    try:
        while (task := tasks.get()) is not None:
            phase, per_unit, rate = task
            paced = phase == "latency"
            pumps = [Pump(unit, checkins(unit.unit, codes, per_unit, rng), WINDOW, paced) for unit in units]
            for pump in pumps:
                routes.update(dict.fromkeys((event_id for event_id, _ in pump.events), pump))
            results.put("ready")  # built before the clock starts: the generator's own work stays out
            start_at = tasks.get()
            while time.time() < start_at:
                time.sleep(0.001)
            if paced:
                _paced(pumps, rate)
            else:
                for pump in pumps:
                    pump.start()
            deadline = time.monotonic() + PHASE_DEADLINE_S
            for pump in pumps:
                pump.result.timed_out = not pump.done.wait(max(0.0, deadline - time.monotonic()))
            results.put(merged(pump.result for pump in pumps))
            routes.clear()
    finally:
        for unit in units:
            unit.stop()


def _paced(pumps: list[Pump], rate: float) -> None:
    """Open loop: publish the units' events in turn at ``rate`` per second, whatever the acks do."""
    order = [(pump, n) for n in range(len(pumps[0].events)) for pump in pumps]
    start = time.perf_counter()
    for index, (pump, _n) in enumerate(order):
        due = start + index / rate
        delay = due - time.perf_counter()
        if delay > 0:
            time.sleep(delay)
        pump.publish_next()


def merged(parts) -> PhaseResult:
    total = PhaseResult()
    for part in parts:
        total.sent += part.sent
        total.acked += part.acked
        total.first_publish = min(total.first_publish, part.first_publish)
        total.last_ack = max(total.last_ack, part.last_ack)
        total.latencies_ms += part.latencies_ms
        total.timed_out |= part.timed_out
    return total


def run_phase(tasks, results, phase: str, per_unit: int, rate: float = 0.0) -> PhaseResult:
    for queue in tasks:
        queue.put((phase, per_unit, rate / WORKERS))
    for _ in tasks:
        assert results.get(timeout=120) == "ready"
    start_at = time.time() + 0.2
    for queue in tasks:
        queue.put(start_at)
    return merged([results.get(timeout=PHASE_DEADLINE_S + 60) for _ in tasks])


def stored_events(database: Path | str) -> int:
    db = connect(database)  # a SQLite file or a PostgreSQL URL (bench/scale.py)
    try:
        return db.execute("SELECT count(*) FROM events").fetchone()[0]
    finally:
        db.close()


def main() -> int:
    shutil.rmtree(WORKDIR, ignore_errors=True)
    (WORKDIR / "hub").mkdir(parents=True)
    database = WORKDIR / "hub" / "hub.sqlite3"
    codes = seed(database)
    accounts = [UnitAccount(unit, LOCATION, f"secret-{unit}") for unit in unit_ids()]
    mosquitto = Mosquitto(WORKDIR / "mosquitto", accounts).start()
    hub, _portal = start_hub(WORKDIR / "hub", broker_url=mosquitto.hub_url)
    context = mp.get_context("spawn")
    tasks = [context.Queue() for _ in range(WORKERS)]
    results = context.Queue()
    share = UNITS // WORKERS
    workers = [
        context.Process(
            target=worker,
            args=(mosquitto.port, accounts[n * share : (n + 1) * share], codes, n, tasks[n], results),
            daemon=True,
        )
        for n in range(WORKERS)
    ]
    try:
        for process in workers:
            process.start()
        warmup = run_phase(tasks, results, "warmup", WARMUP_PER_UNIT)
        throughput = run_phase(tasks, results, "throughput", THROUGHPUT_PER_UNIT)
        latency = run_phase(tasks, results, "latency", LATENCY_RATE * LATENCY_SECONDS // UNITS, LATENCY_RATE)
        for queue in tasks:
            queue.put(None)
        for process in workers:
            process.join(timeout=30)
        sent = warmup.sent + throughput.sent + latency.sent
        stored = stored_events(database)
    finally:
        for process in workers:
            if process.is_alive():
                process.kill()
        hub.stop()
        mosquitto.stop()

    elapsed = throughput.last_ack - throughput.first_publish
    latency_elapsed = latency.last_ack - latency.first_publish
    figures = {
        "units": UNITS,
        "acked_events_per_s": round(throughput.acked / elapsed, 1),
        "throughput_events": throughput.acked,
        "throughput_seconds": round(elapsed, 2),
        "throughput_publish_to_ack_p50_ms": round(percentile(throughput.latencies_ms, 50), 2),
        "throughput_publish_to_ack_p99_ms": round(percentile(throughput.latencies_ms, 99), 2),
        "latency_target_rate_per_s": LATENCY_RATE,
        "latency_events": latency.acked,
        "latency_achieved_rate_per_s": round(latency.acked / latency_elapsed, 1),
        "publish_to_ack_p50_ms": round(percentile(latency.latencies_ms, 50), 2),
        "publish_to_ack_p99_ms": round(percentile(latency.latencies_ms, 99), 2),
        "publish_to_ack_max_ms": round(max(latency.latencies_ms, default=float("nan")), 2),
        "events_sent": sent,
        "events_stored": stored,
        "timed_out": int(throughput.timed_out or latency.timed_out or warmup.timed_out),
    }
    print_table("Ingest through Mosquitto (20 units)", list(figures.items()))
    path = write_results("ingest", figures)
    print(f"written to {path.relative_to(ROOT)}")
    if stored != sent or figures["timed_out"]:
        print(f"NOT ALL EVENTS STORED: sent {sent}, stored {stored}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
