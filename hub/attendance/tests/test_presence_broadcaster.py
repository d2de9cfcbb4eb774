"""The hub's presence broadcaster on a real hub database: what it publishes to the units, and when."""

from __future__ import annotations

import subprocess
import sys
import time as wall
from datetime import UTC, datetime, time, timedelta
from pathlib import Path

from hub.accounts.actors import Actor
from hub.attendance.corrections import apply_correction
from hub.attendance.presence import (
    Derivation,
    DerivationProcess,
    PresenceBroadcaster,
    bump,
    changed_children,
    presence_of,
)
from hub.core.db import connect
from hub.core.localtime import local
from hub.demo import DemoData
from tests.support.attendance import ARRIVAL, DEPARTURE, Door, child_id
from tests.support.attendance import db as db
from tests.support.attendance import door as door
from tests.support.waiting import wait_for
from wire import Presence, decode


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_busy_location_is_sent_at_most_once_per_gap_and_its_last_version_is_not_lost(
    hub_dir: Path, demo: DemoData
) -> None:
    db = connect(hub_dir / "hub.sqlite3")
    sent: list[tuple[str, Presence]] = []
    clock = Clock()
    broadcaster = PresenceBroadcaster(
        hub_dir / "hub.sqlite3",
        lambda topic, payload, retain: sent.append((topic, decode(payload, Presence))) or True,
        min_gap_s=2.0,
        monotonic=clock,
    )
    try:
        assert broadcaster.step(db) == 1, "the first step sends every location with units"
        assert [topic.split("/")[-1] for topic, _ in sent] == ["presence"]

        with db.atomic():
            bump(db, [(demo.location_id, None)])
        clock.now += 0.5
        assert broadcaster.step(db) == 0, "a change within the gap waits"
        with db.atomic():
            bump(db, [(demo.location_id, None)])
        clock.now += 1.6
        assert broadcaster.step(db) == 1, "after the gap the latest version goes"
        (seq,) = db.execute(
            "SELECT seq FROM presence_versions WHERE location_id = ?", (demo.location_id,)
        ).fetchone()
        assert sent[-1][1].seq == seq
        clock.now += 10
        assert broadcaster.step(db) == 0, "nothing changed: nothing sent"
    finally:
        db.close()


def test_the_broadcaster_recomputes_only_changed_children_and_agrees_with_the_whole_day(
    hub_dir: Path, db, door: Door, demo: DemoData
) -> None:
    """Scans and a correction between sends: what the units get equals the day derived whole."""
    sent: list[Presence] = []
    broadcaster = PresenceBroadcaster(
        hub_dir / "hub.sqlite3",
        lambda topic, payload, retain: sent.append(decode(payload, Presence)) or True,
        min_gap_s=0,
    )
    here = local(datetime.now(UTC))
    to_midnight = (
        datetime.combine(here.date() + timedelta(days=1), time(), here.tzinfo) - here
    ).total_seconds()
    if to_midnight < 10:  # the whole test must stay within one Brussels day
        wall.sleep(to_midnight + 0.5)
    start = datetime.now(UTC) - timedelta(seconds=3)
    if local(start).date() != local(datetime.now(UTC)).date():
        start = datetime.now(UTC)  # just after midnight: scan within the new day
    door.hub_clock(start + timedelta(seconds=3))
    moment = iter(start + timedelta(milliseconds=10 * n) for n in range(100))
    names = list(demo.cards)[:4]
    codes = {name: demo.cards[name] for name in names}

    def sent_equals_whole_day() -> set[str]:
        assert broadcaster.step(db) == 1
        whole = presence_of(db, demo.location_id)
        assert sent[-1].present == whole.present and sent[-1].seq == whole.seq
        return set(sent[-1].present)

    broadcaster.step(db)
    door.scan(names[0], next(moment), ARRIVAL)
    door.scan(names[1], next(moment), ARRIVAL)
    assert sent_equals_whole_day() == {codes[names[0]], codes[names[1]]}

    seq = sent[-1].seq
    door.scan(names[1], next(moment), DEPARTURE)
    door.scan(names[2], next(moment), ARRIVAL)
    assert sorted(changed_children(db, demo.location_id, seq)) == sorted(
        child_id(db, name) for name in names[1:3]
    ), "only the two children scanned since the last send are derived again"
    assert sent_equals_whole_day() == {codes[names[0]], codes[names[2]]}

    apply_correction(
        db, Actor.location(demo.location_id, "De Zonnebloem"), demo.location_id, child_id(db, names[0]),
        local(start).date(), [], now=start + timedelta(seconds=3),
    )  # fmt: skip
    assert sent_equals_whole_day() == {codes[names[2]]}, "a correction that removes the day is heard"


def test_presence_derived_in_its_own_process_equals_the_in_process_derivation(
    hub_dir: Path, door: Door, demo: DemoData
) -> None:
    moment = datetime.now(UTC) - timedelta(seconds=1)
    door.hub_clock(moment + timedelta(seconds=1))
    door.scan(next(iter(demo.cards)), moment, ARRIVAL)
    here, there = Derivation(hub_dir / "hub.sqlite3"), DerivationProcess(hub_dir / "hub.sqlite3")
    try:
        mine, theirs = (
            decode(here.payload(demo.location_id), Presence),
            decode(there.payload(demo.location_id), Presence),
        )
        assert (theirs.present, theirs.seq) == (mine.present, mine.seq) and len(mine.present) == 1
    finally:
        here.close()
        there.close()


WORKER_OWNER = """
import sys, time
from hub.attendance.presence import DerivationProcess
derivation = DerivationProcess(sys.argv[1])
derivation.forget()
derivation.payload("nowhere")
print(derivation._pool._processes and list(derivation._pool._processes)[0], flush=True)
time.sleep(60)
"""


def test_a_hub_killed_outright_leaves_no_presence_worker_behind(hub_dir: Path, demo: DemoData) -> None:
    owner = subprocess.Popen(
        [sys.executable, "-c", WORKER_OWNER, str(hub_dir / "hub.sqlite3")], stdout=subprocess.PIPE, text=True
    )
    try:
        worker = int(owner.stdout.readline())
        assert Path(f"/proc/{worker}").exists()
    finally:
        owner.kill()
        owner.wait()
    wait_for(lambda: not Path(f"/proc/{worker}").exists(), timeout=10, what="the orphaned worker to leave")
