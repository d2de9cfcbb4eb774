"""Three ingest workers sharing the units' events through MQTT v5 shared subscriptions.

A real hub process with ``ingest_workers = 3`` (it starts the workers), a real Mosquitto and real
SQLite; three units' broker accounts publish a bounded burst at QoS 1 and collect the hub's acks.
"""

from __future__ import annotations

import re
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest

from hub.children.queries import add_contact
from hub.core.db import open_database, write_transaction
from hub.demo import DemoData, seed
from hub.ingest.pipeline import FAULT_ENV
from hub.notify import store
from hub.notify.rules import Mode
from hub.parents import accounts
from provisioning.mosquitto import UnitAccount
from tests.support.messages import checkin
from tests.support.mqtt import MqttClient
from tests.support.processes import Proc, start_hub
from tests.support.raw_unit import RawUnit
from tests.support.waiting import wait_for
from wire import Presence, Topic, TopicKind, Verdict, decode, encode

UNITS = ("unit-deur-a", "unit-deur-b", "unit-deur-c")
WORKERS = 3
_KILLED = re.compile(
    r"\[ingest-(\d)\] hub\.ingest\.faults: fault injection: SIGKILL (\w+), batch \d+ of (\d+)"
)


def rows(hub_dir: Path, sql: str, *params) -> list[tuple]:
    with sqlite3.connect(hub_dir / "hub.sqlite3") as db:
        return db.execute(sql, params).fetchall()


@pytest.fixture
def three_doors(hub_dir: Path) -> DemoData:
    db = open_database(hub_dir / "hub.sqlite3")
    data = seed(db, unit_ids=UNITS)
    db.close()
    return data


def a_parent_wants_every_message(hub_dir: Path, first_name: str) -> int:
    """A parent who is mailed each check-in of the child; the child's id."""
    db = open_database(hub_dir / "hub.sqlite3")
    child = db.execute("SELECT id FROM children WHERE first_name = ?", (first_name,)).fetchone()[0]
    with write_transaction(db):
        add_contact(db, child, "Ouder", "ouder@gezin.example", "ouder")
        account = accounts.make_account(db, "ouder@gezin.example", None, datetime.now(UTC))
        store.set_pref(db, account.id, store.Pref(child, Mode.EVERY, 18, True, False))
    db.close()
    return child


def start_scaled_hub(hub_dir: Path, broker_url: str, env: dict[str, str] | None = None) -> Proc:
    """A hub with three ingest workers, returned once every worker has subscribed."""
    hub, _portal = start_hub(
        hub_dir, broker_url=broker_url, extra_settings=f"ingest_workers = {WORKERS}\n", env=env
    )
    wait_for(
        lambda: len(set(re.findall(r"aanwezig-hub-ingest-(\d) subscribed", hub.log()))) == WORKERS,
        timeout=60,
        what="the three workers' shared subscriptions",
    )
    return hub


def burst(units: list[RawUnit], demo: DemoData, per_unit: int) -> list[str]:
    """Every unit publishes ``per_unit`` check-ins at once (QoS 1); the event ids."""
    codes = list(demo.cards.values())
    ids = []
    for unit in units:
        for seq in range(1, per_unit + 1):
            event = checkin(unit=unit.unit, location=demo.location_id, seq=seq, code=codes[seq % len(codes)])
            unit.publish(encode(event))
            ids.append(event.id)
    return ids


def acked(units: list[RawUnit]) -> set[str]:
    return {ack.id for unit in units for ack in list(unit.acks)}


def per_worker(hub_dir: Path) -> dict[str, int]:
    return dict(rows(hub_dir, "SELECT name, stored FROM ingest_workers"))


@pytest.fixture
def broker_and_units(three_doors: DemoData, start_mosquitto):
    mosquitto = start_mosquitto(*(UnitAccount(u, three_doors.location_id, f"secret-{u}") for u in UNITS))
    units = []
    yield mosquitto, units
    for unit in units:
        unit.stop()


def test_three_workers_share_a_burst_of_three_units_and_store_every_event_once(
    hub_dir: Path, three_doors: DemoData, broker_and_units
) -> None:
    mosquitto, units = broker_and_units
    child = a_parent_wants_every_message(hub_dir, "Mila")
    hub = start_scaled_hub(hub_dir, mosquitto.hub_url)
    try:
        units += [RawUnit.of(mosquitto, u).start() for u in UNITS]
        watcher = MqttClient(
            mosquitto.hub_url, [str(Topic(three_doors.location_id, UNITS[0], TopicKind.PRESENCE))]
        )
        ids = burst(units, three_doors, per_unit=40)
        wait_for(lambda: acked(units) >= set(ids), timeout=90, what="an ack for every event")
        # the presence broadcaster (the hub's own process) hears of events the workers stored
        presence_topic = str(Topic(three_doors.location_id, UNITS[0], TopicKind.PRESENCE))
        wait_for(
            lambda: any(decode(p, Presence).present for p in watcher.received(presence_topic)),
            timeout=30,
            what="a presence message naming the children the workers checked in",
        )
        watcher.close()
        # and the notifier (the hub's own process too) looks at each of Mila's events, whichever
        # worker stored it, and mails the parent
        milas = {e for (e,) in rows(hub_dir, "SELECT id FROM events WHERE child_id = ?", child)}
        wait_for(
            lambda: milas <= {e for (e,) in rows(hub_dir, "SELECT event_id FROM notify_scanned")},
            timeout=30,
            what="the notifier looking at every event of Mila's",
        )
        wait_for(lambda: list((hub_dir / "mail").glob("*.eml")), timeout=30, what="a mail to Mila's parent")
    finally:
        hub.stop()
    stored = rows(hub_dir, "SELECT id, count(*) FROM events GROUP BY id")
    assert {event_id for event_id, _ in stored} == set(ids), "produced = stored"
    assert all(n == 1 for _, n in stored), "no event twice"
    workers = per_worker(hub_dir)
    assert sorted(workers) == ["ingest-1", "ingest-2", "ingest-3"]
    assert all(n > 0 for n in workers.values()), f"each worker stored events: {workers}"
    assert sum(workers.values()) == len(ids), "each event counted by the one worker that stored it"
    first_verdicts = {}
    for unit in units:
        for ack in unit.acks:
            first_verdicts.setdefault(ack.id, ack.verdict)
    assert set(first_verdicts.values()) == {Verdict.STORED}
    assert "Traceback" not in hub.log(), hub.log()[-3000:]


@pytest.mark.parametrize("point", ["before_commit", "after_commit"])
def test_a_worker_killed_in_the_middle_of_a_batch_loses_nothing_and_doubles_nothing(
    hub_dir: Path, three_doors: DemoData, broker_and_units, point: str
) -> None:
    mosquitto, units = broker_and_units
    # worker 2 kills itself in its first transaction with check-ins: before or after its commit
    hub = start_scaled_hub(hub_dir, mosquitto.hub_url, env={FAULT_ENV: f"{point}:1@2"})
    try:
        units += [RawUnit.of(mosquitto, u).start() for u in UNITS]
        ids = burst(units, three_doors, per_unit=40)
        wait_for(lambda: _KILLED.search(hub.log()), timeout=60, what="worker 2's fault")
        wait_for(lambda: acked(units) >= set(ids), timeout=120, what="an ack for every event")
    finally:
        hub.stop()
    log = hub.log()
    (killed,) = _KILLED.findall(log)
    assert killed[:2] == ("2", point)
    assert re.search(r"ingest worker 2 \(pid \d+\) exited with -9; starting it again", log)
    stored = rows(hub_dir, "SELECT id, count(*) FROM events GROUP BY id")
    assert {event_id for event_id, _ in stored} == set(ids), "produced = stored"
    assert all(n == 1 for _, n in stored), "no event twice"
    workers = per_worker(hub_dir)
    assert all(workers.get(f"ingest-{n}", 0) > 0 for n in (1, 2, 3)), workers
    assert sum(workers.values()) == len(ids)
    assert "Traceback" not in log, log[-3000:]


def test_a_hub_going_from_one_to_three_workers_stores_what_its_old_session_held_then_shares_the_rest(
    hub_dir: Path, three_doors: DemoData, broker_and_units
) -> None:
    """The switch from 1 to N: events queued for the single hub's session while it was stopped are
    stored once by the restarted hub, and from then on only the workers get events (one ack each)."""
    mosquitto, units = broker_and_units
    hub, _portal = start_hub(hub_dir, broker_url=mosquitto.hub_url)
    wait_for(lambda: "aanwezig-hub subscribed" in hub.log(), what="the single hub's subscription")
    hub.stop()
    units += [RawUnit.of(mosquitto, u).start() for u in UNITS]
    held = burst(units, three_doors, per_unit=10)  # queued in the single hub's session meanwhile
    hub = start_scaled_hub(hub_dir, mosquitto.hub_url)
    try:
        wait_for(lambda: acked(units) >= set(held), timeout=60, what="the old session's events acked")
        shared = burst(units, three_doors, per_unit=10)
        wait_for(lambda: acked(units) >= set(shared), timeout=60, what="the new events acked")
    finally:
        hub.stop()
    stored = rows(hub_dir, "SELECT id, count(*) FROM events GROUP BY id")
    assert {event_id for event_id, _ in stored} == set(held) | set(shared)
    assert all(n == 1 for _, n in stored)
    assert sum(per_worker(hub_dir).values()) == len(shared), "the old session's events went to the hub"
    acks = [ack.id for unit in units for ack in unit.acks if ack.id in set(shared)]
    assert sorted(acks) == sorted(shared), "each new event reached one process: the old topics are gone"
    assert "Traceback" not in hub.log(), hub.log()[-3000:]


def _gone(pid: int) -> bool:
    """The process has ended (a zombie waiting for a reaper counts as ended)."""
    status = Path(f"/proc/{pid}/status")
    try:
        return "\nState:\tZ" in status.read_text()
    except FileNotFoundError:
        return True


def test_a_hub_killed_outright_takes_its_workers_with_it_and_after_its_restart_they_store_what_queued(
    hub_dir: Path, three_doors: DemoData, broker_and_units
) -> None:
    """No orphan worker keeps its client id against the next hub's; the events that came while the
    hub was down waited in the workers' sessions and are stored once after the restart."""
    mosquitto, units = broker_and_units
    hub = start_scaled_hub(hub_dir, mosquitto.hub_url)
    units += [RawUnit.of(mosquitto, u).start() for u in UNITS]
    before = burst(units, three_doors, per_unit=10)
    wait_for(lambda: acked(units) >= set(before), timeout=60, what="the first events acked")
    pids = [int(pid) for pid in re.findall(r"ingest worker \d started as \S+ \(pid (\d+)\)", hub.log())]
    assert len(pids) == WORKERS
    hub.kill()
    wait_for(lambda: all(_gone(pid) for pid in pids), timeout=30, what="the workers leaving with their hub")
    during = burst(units, three_doors, per_unit=10)  # queued in the workers' sessions meanwhile
    hub = start_scaled_hub(hub_dir, mosquitto.hub_url)
    try:
        wait_for(
            lambda: acked(units) >= set(during), timeout=60, what="the events sent while the hub was down"
        )
    finally:
        hub.stop()
    stored = rows(hub_dir, "SELECT id, count(*) FROM events GROUP BY id")
    assert {event_id for event_id, _ in stored} == set(before) | set(during)
    assert all(n == 1 for _, n in stored)
    assert sum(per_worker(hub_dir).values()) == len(before) + len(during)
    assert "Traceback" not in hub.log(), hub.log()[-3000:]
