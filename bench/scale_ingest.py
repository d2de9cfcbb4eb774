"""Ingest with one hub process and with three ingest workers, side by side in one run (SQLite).

The same set-up as ``bench/ingest.py`` (Mosquitto with per-unit accounts and the ACL, 20
simulated units in two generator processes, each unit keeping ``WINDOW`` events unacknowledged),
each time against a fresh broker and database:

1. ``echo``: no hub, a bare paho client (Python, one thread) that answers every event with an ack
   at once: what the broker, the generators and one Python MQTT client can do without a database;
2. ``1 worker``: the hub as deployed today (``ingest_workers = 1``: it ingests itself);
3. ``3 workers``: ``ingest_workers = 3``: three worker processes on MQTT v5 shared subscriptions,
   one SQLite database (one writer at a time).

Acked events per second over each throughput phase, publish-to-ack p50/p99, and whether each
database holds exactly the events sent. The hub set-ups run twice, in the order 1, 3, 3, 1
workers, and their figures are the mean of the two runs (each run's are in the results too). On
a 2-core machine shared with the generators and the broker, and with SQLite's single writer,
three workers are not expected to be faster: the ratio is the figure to watch once the database
is PostgreSQL. ``make bench-scale-ingest``; figures in
bench/results/scale_ingest.json.
"""

from __future__ import annotations

import json
import multiprocessing as mp
import os
import re
import shutil
import sys
import time
from pathlib import Path

import paho.mqtt.client as mqtt

from bench.common import percentile, print_table, write_results
from bench.ingest import LOCATION, WORKERS, run_phase, seed, stored_events, unit_ids, worker
from provisioning.mosquitto import UnitAccount
from tests.support.mosquitto import HUB_USER, Mosquitto
from tests.support.processes import start_hub
from tests.support.waiting import wait_for
from wire import Ack, Topic, TopicKind, Verdict, encode, mqtt_close

ROOT = Path(__file__).resolve().parents[1]
WORKDIR = ROOT / "var" / "bench-scale-ingest"
PER_UNIT = 1_000  # 20,000 events per set-up
WARMUP_PER_UNIT = 50


class Echo:
    """A hub without a database: every event is answered "stored" at once (QoS 0, as the hub acks)."""

    def __init__(self, mosquitto: Mosquitto) -> None:
        self.client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id="bench-echo")
        self.client.username_pw_set(HUB_USER, mosquitto.hub_password)
        self.client.max_inflight_messages_set(0)
        self.client.max_queued_messages_set(0)
        self.subscribed = False
        self.client.on_connect = lambda c, *_: c.subscribe(Topic.all_units(TopicKind.EVENT), qos=1)
        self.client.on_subscribe = lambda *_: setattr(self, "subscribed", True)
        self.client.on_message = self._message
        self.client.connect("127.0.0.1", mosquitto.port)
        self.client.loop_start()
        wait_for(lambda: self.subscribed, timeout=10, what="the echo's subscription")

    def _message(self, client, _userdata, message: mqtt.MQTTMessage) -> None:
        event_id = json.loads(message.payload)["id"]
        _root, _v, _loc, location, _unit, unit, _kind = message.topic.split("/")
        ack = Ack(id=event_id, verdict=Verdict.STORED)
        client.publish(str(Topic(location, unit, TopicKind.ACK)), encode(ack), qos=0)

    def stop(self) -> None:
        mqtt_close.close(self.client)


def run_setup(
    name: str, ingest_workers: int | None, workdir_root: Path = WORKDIR, postgresql: str | None = None
) -> dict[str, float]:
    """One set-up from scratch: broker, database, hub (or the echo), generators; its figures.

    ``postgresql``: the URL of an empty database for the hub (``bench/scale.py``), else a SQLite file.
    """
    workdir = workdir_root / name
    (workdir / "hub").mkdir(parents=True)
    database = postgresql or workdir / "hub" / "hub.sqlite3"
    codes = seed(database)
    accounts = [UnitAccount(unit, LOCATION, f"secret-{unit}") for unit in unit_ids()]
    mosquitto = Mosquitto(workdir / "mosquitto", accounts).start()
    hub = echo = None
    if ingest_workers is None:
        echo = Echo(mosquitto)
    else:
        hub, _portal = start_hub(
            workdir / "hub",
            broker_url=mosquitto.hub_url,
            extra_settings=f"ingest_workers = {ingest_workers}\n"
            + (f'database = "{postgresql}"\n' if postgresql else ""),
        )
        if ingest_workers > 1:
            wait_for(
                lambda: (
                    len(set(re.findall(r"aanwezig-hub-ingest-(\d+) subscribed", hub.log()))) == ingest_workers
                ),
                timeout=60,
                what="the workers' shared subscriptions",
            )
    context = mp.get_context("spawn")
    tasks = [context.Queue() for _ in range(WORKERS)]
    results = context.Queue()
    share = len(accounts) // WORKERS
    generators = [
        context.Process(
            target=worker,
            args=(mosquitto.port, accounts[n * share : (n + 1) * share], codes, n, tasks[n], results),
            daemon=True,
        )
        for n in range(WORKERS)
    ]
    try:
        for process in generators:
            process.start()
        warmup = run_phase(tasks, results, "warmup", WARMUP_PER_UNIT)
        throughput = run_phase(tasks, results, "throughput", PER_UNIT)
        for queue in tasks:
            queue.put(None)
        for process in generators:
            process.join(timeout=30)
        time.sleep(0.5)  # the last acks' transactions are committed before they went out; nothing pending
        stored = stored_events(database) if hub is not None else None
    finally:
        for process in generators:
            if process.is_alive():
                process.kill()
        if hub is not None:
            hub.stop()
        if echo is not None:
            echo.stop()
        mosquitto.stop()
    elapsed = throughput.last_ack - throughput.first_publish
    sent = warmup.sent + throughput.sent
    figures = {
        f"{name}_acked_events_per_s": round(throughput.acked / elapsed, 1),
        f"{name}_publish_to_ack_p50_ms": round(percentile(throughput.latencies_ms, 50), 2),
        f"{name}_publish_to_ack_p99_ms": round(percentile(throughput.latencies_ms, 99), 2),
        f"{name}_timed_out": int(throughput.timed_out or warmup.timed_out),
    }
    if stored is not None:
        figures[f"{name}_events_sent"] = sent
        figures[f"{name}_events_stored"] = stored
    return figures


def main() -> int:
    shutil.rmtree(WORKDIR, ignore_errors=True)
    figures: dict[str, float] = {
        "units": len(unit_ids()),
        "events_per_setup": len(unit_ids()) * PER_UNIT,
        # the machine may be shared: its load at the start says how much of it the run had
        "load_average_1m_at_start": round(os.getloadavg()[0], 2),
    }
    figures |= run_setup("echo", None)
    # 1, 3, 3, 1 workers: a load that drifts during the run weighs on both alike
    runs = [("workers_1", 1, "a"), ("workers_3", 3, "a"), ("workers_3", 3, "b"), ("workers_1", 1, "b")]
    for name, count, run in runs:
        for key, value in run_setup(f"{name}{run}", count).items():
            figures[key.replace(f"{name}{run}_", f"{name}_run_{run}_")] = value
    for name in ("workers_1", "workers_3"):
        for figure in ("acked_events_per_s", "publish_to_ack_p50_ms", "publish_to_ack_p99_ms"):
            both = [figures[f"{name}_run_{run}_{figure}"] for run in ("a", "b")]
            figures[f"{name}_{figure}"] = round(sum(both) / 2, 2)
        figures[f"{name}_events_sent"] = sum(figures[f"{name}_run_{run}_events_sent"] for run in ("a", "b"))
        figures[f"{name}_events_stored"] = sum(
            figures[f"{name}_run_{run}_events_stored"] for run in ("a", "b")
        )
        figures[f"{name}_timed_out"] = max(figures[f"{name}_run_{run}_timed_out"] for run in ("a", "b"))
    figures["workers_3_over_1"] = round(
        figures["workers_3_acked_events_per_s"] / figures["workers_1_acked_events_per_s"], 2
    )
    print_table("Ingest with 1 and 3 workers on SQLite (20 units), and a broker echo", list(figures.items()))
    path = write_results("scale_ingest", figures)
    print(f"written to {path.relative_to(ROOT)}")
    bad = [
        name
        for name in ("workers_1", "workers_3")
        if figures[f"{name}_events_stored"] != figures[f"{name}_events_sent"] or figures[f"{name}_timed_out"]
    ]
    if bad or figures["echo_timed_out"]:
        print(f"NOT ALL EVENTS STORED (or timed out): {bad or ['echo']}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
