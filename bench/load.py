"""A morning peak at many doors: simulated units through a real Mosquitto into a real hub, with the
broker restarted once in the middle.

Each simulated unit is the unit's own delivery code without camera and decoder: a
:class:`~device.checkin.CheckInDesk` writing to its own :class:`~device.outbox.Outbox` file
(SQLite, ``synchronous=FULL``), a :class:`~device.publisher.Publisher` and a
:class:`~device.link.UnitLink` with its own Mosquitto account, exactly as ``device/service.py``
wires them. Fifty units do not fit two cores as fifty processes with cameras, so they run ten to a
worker process, five workers.

Rate: a location of 100 children arriving between 7:30 and 8:30 gives one door about 0.03 scans
per second. This run is a stress test far above that: every unit scans ``RATE_PER_UNIT`` (1) card
per second, 50 scans per second in all, 33 times a real morning peak at every door at once, for
``SCAN_SECONDS``. At ``BROKER_STOP_AT_S`` the broker is stopped (SIGTERM) for ``BROKER_DOWN_S``
and started again; the units keep scanning into their outboxes meanwhile.

Figures: scans and acks per second, scan -> hub ack p50/p99 (in steady state, and over every
event), the backlog (events in all outboxes) at its peak, how long it took to drain after the
broker came back, and the final check that every scan is stored exactly once.
``make bench-load``; figures in bench/results/load.json.
"""

from __future__ import annotations

import logging
import multiprocessing as mp
import random
import shutil
import sqlite3
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from bench.common import percentile, print_table, write_results
from bench.ingest import seed as seed_bench_location
from provisioning.mosquitto import UnitAccount
from tests.support.mosquitto import Mosquitto
from tests.support.processes import start_hub

ROOT = Path(__file__).resolve().parents[1]
WORKDIR = ROOT / "var" / "bench-load"
LOCATION = "bench"
UNITS = 50
WORKERS = 5
RATE_PER_UNIT = 1.0  # scans per second per door; a real morning peak is about 0.03
SCAN_SECONDS = 60.0
BROKER_STOP_AT_S = 25.0
BROKER_DOWN_S = 10.0
DRAIN_DEADLINE_S = 120.0
SAMPLE_EVERY_S = 0.25


def unit_ids() -> list[str]:
    return [f"unit-bench-{n:02d}" for n in range(UNITS)]


@dataclass
class WorkerResult:
    produced: int = 0
    refused: int = 0
    acked: int = 0
    latencies: list[tuple[float, float]] = field(default_factory=list)  # (scan wall time, seconds to ack)
    backlog: list[tuple[float, int]] = field(default_factory=list)  # (wall time, events in outboxes)
    drained: bool = False


class SimulatedUnit:
    """The unit's desk, outbox, publisher and link, as device/service.py wires them; no camera."""

    def __init__(self, unit: str, password: str, port: int, data_dir: Path, stop: threading.Event) -> None:
        from device.checkin import CheckInDesk, Roster
        from device.clock import SystemClock
        from device.feedback.fake import RecordingFeedback
        from device.link import UnitLink
        from device.outbox import Outbox
        from device.publisher import Publisher
        from wire import Ack, Status, TopicKind, decode
        from wire.broker_url import BrokerAddress

        self.unit = unit
        self.outbox = Outbox(data_dir / unit / "outbox.sqlite3")
        offline = Status(
            unit=unit, location=LOCATION, online=False, version="bench", backlog=0,
            sent_at="2026-11-23T07:30:00+00:00",
        )  # fmt: skip
        self.scanned: dict[str, float] = {}  # event id -> perf_counter at the scan
        self.result = WorkerResult()
        self._lock = threading.Lock()

        def message(kind: TopicKind, payload: bytes) -> None:
            if kind is TopicKind.ACK:
                self.publisher.acknowledged(decode(payload, Ack))

        self.link = UnitLink(
            BrokerAddress.parse(f"mqtt://{unit}:{password}@127.0.0.1:{port}"),
            unit,
            LOCATION,
            last_will=offline,
            on_message=message,
            on_connected=lambda: self.publisher.connection_restored(),
        )
        self.publisher = Publisher(self.outbox, self.link, on_ack=self._acked)
        self.desk = CheckInDesk(
            unit, LOCATION, self.outbox, Roster(self.outbox), RecordingFeedback(), SystemClock(True),
            is_online=lambda: self.link.connected, repeat_window_s=0,
        )  # fmt: skip
        self.link.start()
        self._thread = threading.Thread(target=self.publisher.run, args=(stop,), daemon=True)
        self._thread.start()

    def scan(self, code: str) -> None:
        from wire import Source

        started = time.perf_counter()
        outcome = self.desk.register(code, Source.QR)
        if outcome.event is None:
            self.result.refused += 1
            return
        with self._lock:
            self.scanned[outcome.event.id] = started
            self.result.produced += 1
        self.publisher.wake()

    def _acked(self, ack) -> None:
        arrived = time.perf_counter()
        with self._lock:
            started = self.scanned.pop(ack.id, None)
            if started is not None:
                self.result.acked += 1
                self.result.latencies.append((time.time() - (arrived - started), arrived - started))

    def close(self) -> None:
        self.link.stop()
        self._thread.join(timeout=5)
        self.outbox.close()


def worker(
    port: int, accounts: list[UnitAccount], codes: list[str], seed_value: int, start_at, results
) -> None:
    """One generator process: its units scan on schedule, then wait for their outboxes to drain."""
    # 50 units each log their disconnect when the broker restarts; the table says what matters
    logging.getLogger("device.link").setLevel(logging.ERROR)
    stop = threading.Event()
    units = [SimulatedUnit(a.unit, a.password, port, WORKDIR / "units", stop) for a in accounts]
    rng = random.Random(seed_value)
    # every unit scans once per 1/RATE seconds, the units of all workers spread over that period
    offsets = [rng.random() / RATE_PER_UNIT for _ in units]
    schedule = sorted(
        (offset + k / RATE_PER_UNIT, n) for n, offset in enumerate(offsets)
        for k in range(int(SCAN_SECONDS * RATE_PER_UNIT))
    )  # fmt: skip
    backlog: list[tuple[float, int]] = []
    sampling = threading.Event()

    def sample() -> None:
        while not sampling.wait(SAMPLE_EVERY_S):
            backlog.append((time.time(), sum(len(u.outbox) for u in units)))

    sampler = threading.Thread(target=sample, daemon=True)
    while time.time() < start_at:
        time.sleep(0.005)
    sampler.start()
    begin = time.perf_counter()
    for due, n in schedule:
        delay = begin + due - time.perf_counter()
        if delay > 0:
            time.sleep(delay)
        units[n].scan(rng.choice(codes))
    deadline = time.monotonic() + DRAIN_DEADLINE_S
    while any(len(u.outbox) for u in units) and time.monotonic() < deadline:
        time.sleep(0.1)
    time.sleep(2 * SAMPLE_EVERY_S)
    sampling.set()
    sampler.join()
    stop.set()
    total = WorkerResult(backlog=backlog, drained=not any(len(u.outbox) for u in units))
    for unit in units:
        total.produced += unit.result.produced
        total.refused += unit.result.refused
        total.acked += unit.result.acked
        total.latencies += unit.result.latencies
        unit.close()
    results.put(total)


def summed_backlog(parts: list[list[tuple[float, int]]]) -> list[tuple[float, int]]:
    """The backlog of all workers together, per sampling step (each worker's last sample carried)."""
    times = sorted(t for part in parts for t, _ in part)
    series, latest, cursors = [], [0] * len(parts), [0] * len(parts)
    for moment in times[:: len(parts)]:
        for n, part in enumerate(parts):
            while cursors[n] < len(part) and part[cursors[n]][0] <= moment:
                latest[n] = part[cursors[n]][1]
                cursors[n] += 1
        series.append((moment, sum(latest)))
    return series


def stored_check(database: Path) -> tuple[int, int, int]:
    """(events, distinct ids, units whose sequence numbers have a gap or a repeat)."""
    with sqlite3.connect(database) as db:
        events, distinct = db.execute("SELECT count(*), count(DISTINCT id) FROM events").fetchone()
        broken = db.execute(
            "SELECT count(*) FROM (SELECT unit_id FROM events GROUP BY unit_id "
            "HAVING count(*) != max(seq) OR count(DISTINCT seq) != count(*))"
        ).fetchone()[0]
    return events, distinct, broken


def main() -> int:
    shutil.rmtree(WORKDIR, ignore_errors=True)
    (WORKDIR / "hub").mkdir(parents=True)
    database = WORKDIR / "hub" / "hub.sqlite3"
    codes = seed_bench_location(database, unit_ids())
    accounts = [UnitAccount(unit, LOCATION, f"secret-{unit}") for unit in unit_ids()]
    mosquitto = Mosquitto(WORKDIR / "mosquitto", accounts).start()
    hub, _portal = start_hub(WORKDIR / "hub", broker_url=mosquitto.hub_url)
    context = mp.get_context("spawn")
    results = context.Queue()
    share = UNITS // WORKERS
    start_at = time.time() + 8.0  # time for the workers to start and connect their units
    workers = [
        context.Process(
            target=worker,
            args=(mosquitto.port, accounts[n * share : (n + 1) * share], codes, n, start_at, results),
            daemon=True,
        )
        for n in range(WORKERS)
    ]
    try:
        for process in workers:
            process.start()
        time.sleep(max(0.0, start_at + BROKER_STOP_AT_S - time.time()))
        stopped_at = time.time()
        mosquitto.stop()
        time.sleep(BROKER_DOWN_S)
        mosquitto.start()
        restarted_at = time.time()
        parts = [results.get(timeout=SCAN_SECONDS + DRAIN_DEADLINE_S + 120) for _ in workers]
        for process in workers:
            process.join(timeout=30)
        time.sleep(1.0)  # the last acks' batches are committed before their acks: nothing in flight
        events, distinct, broken_units = stored_check(database)
    finally:
        for process in workers:
            if process.is_alive():
                process.kill()
        hub.stop()
        mosquitto.stop()

    produced = sum(p.produced for p in parts)
    latencies = [lat for p in parts for lat in p.latencies]
    steady = [seconds * 1000 for scanned, seconds in latencies if scanned < stopped_at - 1.0]
    every = [seconds * 1000 for _scanned, seconds in latencies]
    backlog = summed_backlog([p.backlog for p in parts])
    before = [n for t, n in backlog if stopped_at - 10.0 <= t < stopped_at]
    normal_level = max(before, default=0)
    drained_at = next((t for t, n in backlog if t > restarted_at and n <= normal_level), float("nan"))
    first_scan = min(scanned for scanned, _ in latencies)
    last_ack = max(scanned + seconds for scanned, seconds in latencies)
    figures = {
        "units": UNITS,
        "scan_rate_per_unit_per_s": RATE_PER_UNIT,
        "scans": produced,
        "scans_per_s": round(produced / SCAN_SECONDS, 1),
        "acked_events_per_s": round(len(latencies) / (last_ack - first_scan), 1),
        "scan_to_ack_p50_ms": round(percentile(steady, 50), 1),
        "scan_to_ack_p99_ms": round(percentile(steady, 99), 1),
        "scan_to_ack_p50_ms_all": round(percentile(every, 50), 1),
        "scan_to_ack_p99_ms_all": round(percentile(every, 99), 1),
        "broker_down_s": round(restarted_at - stopped_at, 1),
        "backlog_before_outage": normal_level,
        "backlog_peak": max(n for _t, n in backlog),
        "backlog_drain_s": round(drained_at - restarted_at, 1),
        "scans_refused": sum(p.refused for p in parts),
        "events_stored": events,
        "events_distinct": distinct,
        "units_with_seq_gaps": broken_units,
        "lost": produced - distinct,
        "doubled": events - distinct,
    }
    print_table(
        f"Morning peak: {UNITS} units at {RATE_PER_UNIT:g} scan/s each, broker restarted",
        list(figures.items()),
    )
    path = write_results("load", figures)
    print(f"written to {path.relative_to(ROOT)}")
    ok = produced == events == distinct and not broken_units and all(p.drained for p in parts)
    if not ok:
        print(
            f"NOT EVERY SCAN STORED ONCE: produced {produced}, stored {events} ({distinct} distinct)",
            file=sys.stderr,
        )
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
