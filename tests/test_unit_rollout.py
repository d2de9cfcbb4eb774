"""A staged rollout of the units' software, on real parts: Mosquitto, the hub as a process, the
technician's ``aanwezig-hub rollout`` and ``aanwezig-provision sign-update`` as processes, and
scanner units (the device code in this process) that fetch the wheel from the hub over HTTP,
verify it with the organisation's key and install it with pip into their own venv. Only the
restart is a hook: a unit "restarts" by reporting the version its venv now has, or, for the unit
that never comes back, by stopping.
"""

from __future__ import annotations

import json
import logging
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from device import update
from device.config import from_dict
from device.feedback.fake import RecordingFeedback
from device.frames.files import FolderFrames
from device.keypad import Absent
from device.service import UnitService
from device.updater import BOOT_TRIES, mark_pending
from hub.core.db import connect, open_database
from hub.demo import seed
from hub.units.registry import new_staff_key
from provisioning.mosquitto import UnitAccount
from tests.support.processes import ROOT, start_hub
from tests.support.waiting import wait_for
from tests.test_unit_update import dummy_wheel, provision, sign
from wire import staffcode

UNITS = ("deur-1", "deur-2", "deur-3")
OLD, NEW = "0.2.0", "0.3.0"


@pytest.fixture(scope="module")
def keys(tmp_path_factory) -> tuple[Path, Path]:
    """The organisation's update key, and another organisation's."""
    ours, theirs = tmp_path_factory.mktemp("our-key"), tmp_path_factory.mktemp("their-key")
    for folder in (ours, theirs):
        assert provision("update-key", "--key-dir", str(folder)).returncode == 0
    return ours, theirs


@pytest.fixture(scope="module")
def old_install(tmp_path_factory, keys) -> tuple[Path, Path]:
    """A venv with version OLD installed from the store (so that there is something to go back to);
    each unit gets a copy, which is cheaper than a venv and a pip run per unit."""
    ours, _theirs = keys
    root = tmp_path_factory.mktemp("old-install")
    venv, store = root / "venv", root / "store"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=300)
    wheel = dummy_wheel(root / "dist", OLD)
    sign(wheel, ours)
    update.install(wheel, (ours / "update-key.pub").read_bytes(), venv, store)
    return venv, store


class Fleet:
    """The hub, its broker and the units, for one test."""

    def __init__(self, tmp_path: Path, start_mosquitto, keys, old_install) -> None:
        self.tmp_path = tmp_path
        self.hub_dir = tmp_path / "hub"
        db = open_database(self.hub_dir / "hub.sqlite3")
        self.location = seed(db, UNITS).location_id
        self.staff_keys = {unit: new_staff_key(db, unit) for unit in UNITS}
        db.close()
        self.mosquitto = start_mosquitto(*(UnitAccount(u, self.location, f"secret-{u}") for u in UNITS))
        self.hub, _url = start_hub(self.hub_dir, broker_url=self.mosquitto.hub_url)
        self.keys, self.old_install = keys, old_install
        self.units: dict[str, tuple[UnitService, threading.Thread]] = {}

    def venv(self, unit: str) -> Path:
        return self.tmp_path / unit / "venv"

    def start_unit(self, unit: str, comes_back: bool = True) -> UnitService:
        folder = self.tmp_path / unit
        if not folder.exists():
            venv, store = self.old_install
            shutil.copytree(venv, folder / "venv", symlinks=True)
            shutil.copytree(store, folder / "store")
        settings = from_dict(
            {
                "unit": unit,
                "location": self.location,
                "broker": self.mosquitto.unit_url(unit),
                "data_dir": str(folder / "data"),
                "delivery": {"status_every_s": 1.0},
                "update": {
                    "venv": str(folder / "venv"),
                    "store": str(folder / "store"),
                    "key": str(self.keys[0] / "update-key.pub"),
                },
            }
        )
        settings = type(settings)(
            **{**settings.__dict__, "staff_key": staffcode.parse_key(self.staff_keys[unit])}
        )
        holder: list[UnitService] = []

        def restart() -> None:  # a unit that comes back runs what its venv now has
            if comes_back:
                holder[0].version = update.installed_version(folder / "venv")
            else:
                holder[0].stop()

        service = UnitService(
            settings,
            feedback=RecordingFeedback(),
            frames=FolderFrames(folder / "camera", fps=5),
            keypad=Absent(),
            restart=restart,
        )
        holder.append(service)
        service.version = update.installed_version(folder / "venv")
        runner = threading.Thread(target=service.run, name=f"unit-{unit}")
        runner.start()
        self.units[unit] = (service, runner)
        return service

    def stop_unit(self, unit: str) -> None:
        service, runner = self.units.pop(unit)
        service.stop()
        runner.join(15)

    def rollout(self, *args: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "-m", "hub", "rollout", *args, "--config", str(self.hub_dir / "hub.toml")],
            cwd=ROOT, capture_output=True, text=True, timeout=120,
        )  # fmt: skip

    def state(self) -> tuple[str, str | None]:
        db = connect(self.hub_dir / "hub.sqlite3")
        try:
            return db.execute("SELECT state, reason FROM rollouts ORDER BY id DESC LIMIT 1").fetchone()
        finally:
            db.close()

    def versions(self) -> dict[str, str | None]:
        db = connect(self.hub_dir / "hub.sqlite3")
        try:
            return dict(db.execute("SELECT id, version FROM units ORDER BY id").fetchall())
        finally:
            db.close()

    def stop(self) -> None:
        for unit in list(self.units):
            self.stop_unit(unit)
        self.hub.stop()


@pytest.fixture
def fleet(tmp_path: Path, start_mosquitto, keys, old_install):
    made = Fleet(tmp_path, start_mosquitto, keys, old_install)
    yield made
    made.stop()


def new_wheel(fleet: Fleet, key_dir: Path) -> Path:
    wheel = dummy_wheel(fleet.tmp_path / "dist", NEW)
    sign(wheel, key_dir)
    return wheel


def test_a_rollout_to_three_units_with_one_first_reaches_all_of_them(fleet: Fleet, caplog) -> None:
    for unit in UNITS:
        fleet.start_unit(unit)
    wait_for(lambda: set(fleet.versions().values()) == {OLD}, timeout=30, what="the units' old version")
    started = fleet.rollout("start", str(new_wheel(fleet, fleet.keys[0])), "--first", "1", "--timeout", "240")
    assert started.returncode == 0, started.stderr

    wait_for(
        lambda: fleet.versions()["deur-1"] == NEW,
        timeout=240,
        what="the first stage's unit on the new version",
    )
    wait_for(lambda: fleet.state()[0] == "done", timeout=240, what="the rollout done")
    assert fleet.versions() == dict.fromkeys(UNITS, NEW)
    assert all(update.installed_version(fleet.venv(u)) == NEW for u in UNITS)
    status = fleet.rollout("status")
    assert status.returncode == 0 and ", done" in status.stdout and status.stdout.count(f"runs {NEW}") == 3
    assert "Traceback" not in fleet.hub.log()

    # the command stays retained: a unit that restarts gets it again and does nothing but report
    fetched = fleet.tmp_path / "deur-1" / "store" / "incoming" / f"aanwezig-{NEW}-py3-none-any.whl"
    before = fetched.stat().st_mtime_ns
    fleet.stop_unit("deur-1")
    with caplog.at_level(logging.INFO, logger="device.updater"):
        fleet.start_unit("deur-1")
        wait_for(
            lambda: f"already running version {NEW}" in caplog.text, timeout=60, what="the command again"
        )
    assert fetched.stat().st_mtime_ns == before, "not fetched again"
    assert fleet.state()[0] == "done" and fleet.versions()["deur-1"] == NEW


def test_a_unit_that_never_comes_back_stops_the_rollout_and_the_first_stage_rolls_back(fleet: Fleet) -> None:
    fleet.start_unit("deur-1")
    fleet.start_unit("deur-2", comes_back=False)  # installs, then never reports the new version
    fleet.start_unit("deur-3")
    wait_for(lambda: set(fleet.versions().values()) == {OLD}, timeout=30, what="the units' old version")
    started = fleet.rollout("start", str(new_wheel(fleet, fleet.keys[0])), "--first", "2", "--timeout", "45")
    assert started.returncode == 0, started.stderr

    wait_for(lambda: fleet.state()[0] == "stopped", timeout=240, what="the rollout stopped")
    assert "deur-2" in fleet.state()[1]
    wait_for(
        lambda: update.installed_version(fleet.venv("deur-1")) == OLD and fleet.versions()["deur-1"] == OLD,
        timeout=120,
        what="deur-1 back on the old version",
    )
    fleet.stop_unit("deur-2")
    fleet.start_unit("deur-2")  # it comes up at last: the retained command tells it to go back
    wait_for(lambda: update.installed_version(fleet.venv("deur-2")) == OLD, timeout=120, what="deur-2 back")
    assert update.installed_version(fleet.venv("deur-3")) == OLD, "the second stage was never sent it"
    assert fleet.versions()["deur-3"] == OLD


def test_a_wheel_with_a_bad_signature_is_refused_by_the_unit_and_stops_the_rollout(fleet: Fleet) -> None:
    for unit in UNITS:
        fleet.start_unit(unit)
    wait_for(lambda: set(fleet.versions().values()) == {OLD}, timeout=30, what="the units' old version")
    foreign = new_wheel(fleet, fleet.keys[1])  # signed, but by another organisation's key
    started = fleet.rollout("start", str(foreign), "--first", "1", "--timeout", "240")
    assert started.returncode == 0, started.stderr

    wait_for(lambda: fleet.state()[0] == "stopped", timeout=120, what="the rollout stopped")
    _state, reason = fleet.state()
    assert "deur-1: update refused" in reason and "not signed by this organisation's update key" in reason
    assert all(update.installed_version(fleet.venv(u)) == OLD for u in UNITS)
    assert fleet.versions() == dict.fromkeys(UNITS, OLD)
    assert not (fleet.tmp_path / "deur-2" / "store" / "incoming").exists(), "stage 2 was never sent it"


def test_a_new_version_that_never_connects_is_replaced_by_the_previous_one_at_the_next_start(
    tmp_path: Path, keys, old_install
) -> None:
    ours, _theirs = keys
    venv, store = tmp_path / "venv", tmp_path / "store"
    shutil.copytree(old_install[0], venv, symlinks=True)
    shutil.copytree(old_install[1], store)
    config = tmp_path / "unit.toml"
    config.write_text(
        f'unit = "deur-1"\nlocation = "l1"\nbroker = "mqtt://u:p@127.0.0.1:9"\n\n[update]\n'
        f'venv = "{venv}"\nstore = "{store}"\nkey = "{ours / "update-key.pub"}"\n'
    )
    wheel = dummy_wheel(tmp_path / "dist", NEW)
    sign(wheel, ours)
    update.install(wheel, (ours / "update-key.pub").read_bytes(), venv, store)
    mark_pending(store, "01JABCDEFGHJKMNPQRSTVWXYZ0", NEW)

    def start_check() -> subprocess.CompletedProcess:  # as systemd runs it before each start
        return subprocess.run(
            [sys.executable, "-m", "device.updater", "boot-check", "--config", str(config)],
            cwd=ROOT, capture_output=True, text=True, timeout=300,
        )  # fmt: skip

    for _start in range(BOOT_TRIES):
        assert start_check().returncode == 0
        assert update.installed_version(venv) == NEW, "a few starts to come up and connect"
    done = start_check()
    assert done.returncode == 0, done.stderr
    assert update.installed_version(venv) == OLD
    report = json.loads((store / "report.json").read_text())
    assert report["outcome"] == "failed" and f"back on {OLD}" in report["detail"]

    update.install(wheel, (ours / "update-key.pub").read_bytes(), venv, store)
    mark_pending(store, "01JABCDEFGHJKMNPQRSTVWXYZ1", NEW)
    (store / "pending.json").unlink()  # what the unit does once it connected (Updater.confirm)
    for _start in range(BOOT_TRIES + 1):
        assert start_check().returncode == 0
    assert update.installed_version(venv) == NEW, "a version that connected stays"
