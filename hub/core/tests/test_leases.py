"""Once-only jobs: a lease row lets one hub process run a job; another takes over when it expires.
On SQLite and on PostgreSQL (where several hub processes on several machines share one database)."""

from __future__ import annotations

import signal
from pathlib import Path

import pytest

from hub.core import leases
from hub.core.db import connect, open_database
from tests.support.processes import Proc, spawn
from tests.support.waiting import wait_for

pytestmark = pytest.mark.both_databases  # SQLite and PostgreSQL


def test_a_lease_is_one_holders_until_it_expires_then_anyones(hub_target: Path | str) -> None:
    db = open_database(hub_target)
    assert leases.take(db, "upload-planner", "hub-a", lease_s=30, now=1000.0)
    assert not leases.take(db, "upload-planner", "hub-b", lease_s=30, now=1029.0), "not expired yet"
    assert leases.take(db, "upload-planner", "hub-a", lease_s=30, now=1029.0), "renewed by its holder"
    assert not leases.take(db, "upload-planner", "hub-b", lease_s=30, now=1058.0)
    assert leases.take(db, "upload-planner", "hub-b", lease_s=30, now=1059.0), "expired: taken over"
    assert leases.holder_of(db, "upload-planner", now=1060.0) == "hub-b"
    assert leases.take(db, "notifier", "hub-a", now=1060.0), "each job has its own lease"


def test_a_restarted_hub_takes_its_own_lease_back_at_once(hub_target: Path | str) -> None:
    """The holder's name survives a restart (host and client id), so a crash costs no lease time."""
    db = open_database(hub_target)
    me = leases.holder_name("aanwezig-hub")
    assert leases.take(db, "notifier", me, now=1000.0)
    assert leases.take(db, "notifier", leases.holder_name("aanwezig-hub"), now=1001.0)
    assert not leases.take(db, "notifier", leases.holder_name("aanwezig-portal-2"), now=1002.0)


def test_held_runs_a_short_job_in_one_process_and_gives_the_lease_back(hub_target: Path | str) -> None:
    db = open_database(hub_target)
    other = connect(hub_target)
    with leases.held(db, "retention", "machine-1") as mine:
        assert mine
        with leases.held(other, "retention", "machine-2") as also_mine:
            assert not also_mine, "the daily erase runs on one machine"
    with leases.held(other, "retention", "machine-2") as mine:
        assert mine, "given back when the first was done"


def _holder(tmp_path: Path, database: Path | str, name: str, lease_s: float) -> Proc:
    args = ["-m", "tests.support.lease_holder", str(database), "mail-outbox", name]
    return spawn(name, [*args, str(tmp_path / "ran.txt"), str(lease_s)], tmp_path)


def _ran(tmp_path: Path) -> list[tuple[str, float]]:
    path = tmp_path / "ran.txt"
    lines = path.read_text().splitlines() if path.exists() else []
    return [(holder, float(at)) for holder, at in (line.split() for line in lines if line.count(" ") == 1)]


def test_of_two_processes_one_runs_the_job_and_the_other_takes_over_after_the_holder_is_killed(
    tmp_path: Path, hub_target: Path | str
) -> None:
    open_database(hub_target).close()
    lease_s = 2.0
    procs = {name: _holder(tmp_path, hub_target, name, lease_s) for name in ("hub-a", "hub-b")}
    try:
        wait_for(lambda: len(_ran(tmp_path)) >= 40, timeout=30, what="the job running a while")
        runners = {holder for holder, _ in _ran(tmp_path)}
        assert len(runners) == 1, f"exactly one process runs the job: {runners}"
        (first,) = runners
        second = next(name for name in procs if name != first)
        db = connect(hub_target)
        procs[first].stop(signal.SIGKILL)
        (expires_at,) = db.execute("SELECT expires_at FROM job_leases WHERE name = 'mail-outbox'").fetchone()
        took_over = wait_for(
            lambda: [at for holder, at in _ran(tmp_path) if holder == second],
            timeout=30,
            what="the other process taking the job over",
        )
        assert min(took_over) >= expires_at, "not before the dead holder's lease ran out"
        assert leases.holder_of(db, "mail-outbox") == second
        procs[second].stop()  # SIGTERM: a clean stop gives the lease back
        assert leases.holder_of(db, "mail-outbox") is None
        db.close()
    finally:
        for proc in procs.values():
            proc.stop()
