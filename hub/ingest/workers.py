"""Several ingest processes: the worker (``aanwezig-hub ingest-worker --index N``) and the hub's supervisor.

With ``ingest_workers = N`` (N > 1) in hub.toml the hub does not subscribe to the units' events
itself: N worker processes do, each through MQTT v5 shared subscriptions
(``$share/aanwezig-hub/<filter>``) under its own client id (``<client_id>-ingest-<n>``) and its own
persistent session. Each worker runs the same pipeline as the single hub (validate, store once,
commit, then ack and settle); when the broker gives an event to a second worker (a worker died
after its commit), the events table's primary key keeps it once and the unit hears "duplicate".
Each worker counts what it stored in ``ingest_workers`` (in the same transaction).

What follows from a stored event in another process needs no signal from the worker: the
presence broadcaster and the notifier poll the database (presence versions, events not looked at
yet). A card linked by a ``card_read`` makes the worker publish that location's configs itself.

:class:`Workers` is the hub's supervisor (``spawn_ingest_workers = true``): it starts the N
processes, starts a dead one again (without the fault suite's hook, which arms a first life only),
and stops them with the hub. A worker leaves when the hub that started it is gone, so a hub killed
outright leaves no worker holding its client id against the next hub's.
"""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

from hub.core.db import connect
from hub.core.settings import HubSettings
from hub.ingest.card_reads import card_read_handler
from hub.ingest.faults import FAULT_ENV
from hub.ingest.link import HubLink
from hub.ingest.pipeline import SUBSCRIPTIONS, Ingest
from hub.units.config import publish_configs
from wire import CardRead

log = logging.getLogger(__name__)

SHARE_GROUP = "aanwezig-hub"
RESTART_DELAY_S = 1.0  # after a worker died; doubled while it keeps dying young, up to ...
MAX_RESTART_DELAY_S = 30.0
YOUNG_S = 10.0  # a worker that dies sooner than this after its start died young


def shared(filters: list[str], group: str = SHARE_GROUP) -> list[str]:
    """Topic filters as MQTT v5 shared subscriptions: one subscriber of the group gets each message."""
    return [f"$share/{group}/{topic}" for topic in filters]


def worker_client_id(settings: HubSettings, index: int) -> str:
    return f"{settings.client_id}-ingest-{index}"


def run_worker(settings: HubSettings, index: int, exit_with_parent: bool = False) -> int:
    """An ingest worker process until SIGTERM/SIGINT (or its parent hub's end); returns the exit code."""
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    if exit_with_parent:
        parent = os.getppid()
        threading.Thread(target=_stop_with, args=(parent, stop), name="parent-watch", daemon=True).start()
    broker = settings.broker_address
    if broker is None:
        log.error("ingest worker %d: no broker in the settings (ingest workers need a shared broker)", index)
        return 2
    database = settings.database_path
    link: HubLink | None = None

    def configs_changed(location_id: str) -> None:
        db = connect(database)
        try:
            publish_configs(db, lambda t, p, r: link.publish(t, p, retain=r), location_id)
        finally:
            db.close()

    link = HubLink(
        broker,
        shared(SUBSCRIPTIONS),
        on_delivery=lambda delivery: ingest.submit(delivery),
        client_id=worker_client_id(settings, index),
        session_expiry_s=settings.ingest_session_expiry_s,
    )
    ingest = Ingest(
        database,
        publish=link.send_ack,
        settle=link.settle,
        dead_letter_days=settings.dead_letter_days,
        refused_per_unit_day=settings.refused_per_unit_day,
        worker=index,
    )
    ingest.on_event(CardRead, card_read_handler(on_linked=configs_changed))
    thread = threading.Thread(target=ingest.run, args=(stop,), name="ingest", daemon=True)
    thread.start()
    link.start()
    log.info("ingest worker %d started as %s (pid %d)", index, worker_client_id(settings, index), os.getpid())
    try:
        while not stop.wait(1.0):
            if not thread.is_alive():
                log.error("ingest worker %d: the ingest thread ended; leaving", index)
                return 1
    finally:
        stop.set()
        thread.join(timeout=10)
        link.stop()
    log.info("ingest worker %d stopped (stored %d)", index, ingest.stored)
    return 0


def _stop_with(parent: int, stop: threading.Event) -> None:
    while os.getppid() == parent and not stop.is_set():
        time.sleep(0.5)
    stop.set()


class Workers:
    """The hub's N ingest worker processes: started, restarted when one dies, stopped with the hub."""

    def __init__(self, config_path: Path, count: int, log_level: str = "INFO") -> None:
        self.config_path = Path(config_path)
        self.count = count
        self.log_level = log_level
        self.procs: dict[int, subprocess.Popen] = {}
        self.restarts = 0
        self._started: dict[int, float] = {}
        self._delay: dict[int, float] = {}
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        for index in range(1, self.count + 1):
            self.procs[index] = self._spawn(index, first=True)
        self._thread = threading.Thread(target=self._watch, name="ingest-workers", daemon=True)
        self._thread.start()

    def _spawn(self, index: int, first: bool) -> subprocess.Popen:
        self._started[index] = time.monotonic()
        env = dict(os.environ)
        if not first:
            env.pop(FAULT_ENV, None)  # the fault suite's kill arms a worker's first life only
        command = [
            sys.executable, "-m", "hub", "--log-level", self.log_level, "ingest-worker",
            "--index", str(index), "--config", str(self.config_path), "--exit-with-parent",
        ]  # fmt: skip
        return subprocess.Popen(command, env=env)  # output: the hub's own (journal, log file)

    def _watch(self) -> None:
        due: dict[int, float] = {}  # dead workers and when to start them again
        while not self._stop.wait(0.5):
            for index, proc in list(self.procs.items()):
                if index in due or proc.poll() is None:
                    continue
                # one that keeps failing at its start (a wrong broker password) waits longer each time
                young = time.monotonic() - self._started[index] < YOUNG_S
                delay = (
                    min(MAX_RESTART_DELAY_S, self._delay.get(index, RESTART_DELAY_S / 2) * 2)
                    if young
                    else None
                )
                self._delay[index] = delay or RESTART_DELAY_S / 2
                log.warning(
                    "ingest worker %d (pid %d) exited with %s; starting it again",
                    index,
                    proc.pid,
                    proc.returncode,
                )
                due[index] = time.monotonic() + (delay or RESTART_DELAY_S)
            for index, at in list(due.items()):
                if time.monotonic() >= at and not self._stop.is_set():
                    del due[index]
                    self.restarts += 1
                    self.procs[index] = self._spawn(index, first=False)

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
        for proc in self.procs.values():
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + timeout
        for proc in self.procs.values():
            try:
                proc.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=5)
