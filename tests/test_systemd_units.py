"""The production files in systemd/: checked by systemd's own tools, not by eye.

``systemd-analyze verify`` must accept each unit without a word, and ``systemd-analyze security``
rates how exposed each service is (0 = locked down, 10 = wide open). A missing systemd-analyze
fails the test: scripts/install-test-deps installs it.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.processes import ROOT

SYSTEMD = ROOT / "systemd"
SERVICES = sorted(p.name for p in SYSTEMD.glob("*.service"))
# The highest exposure each service may reach (systemd-analyze security, 0-10); the unit needs
# its devices and the network, so it cannot be as closed as the others.
EXPOSURE_LIMIT = {
    "aanwezig-unit.service": 3.0,
    "aanwezig-hub.service": 2.0,
    "aanwezig-hub-ingest@.service": 2.0,
    "aanwezig-install-bundle.service": 2.0,
    "aanwezig-hub-backup.service": 2.0,
    "aanwezig-hub-retention.service": 2.0,
    "aanwezig-hub-fiscal-attests.service": 2.0,
}
TIMERS = sorted(p.name for p in SYSTEMD.glob("*.timer"))


def systemd_analyze() -> str:
    path = shutil.which("systemd-analyze")
    if path is None:
        raise AssertionError(
            "systemd-analyze is not installed: run scripts/install-test-deps (make test does)"
        )
    return path


def installed_copy(name: str, folder: Path) -> Path:
    """The unit file with /opt/aanwezig/.venv replaced by this checkout's venv, whose programs exist."""
    text = (SYSTEMD / name).read_text().replace("/opt/aanwezig/.venv/bin/", f"{Path(sys.executable).parent}/")
    copy = folder / name
    copy.write_text(text)
    return copy


def settings(name: str) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for line in (SYSTEMD / name).read_text().splitlines():
        if "=" in line and not line.startswith("#"):
            key, value = line.split("=", 1)
            found.setdefault(key.strip(), []).append(value.strip())
    return found


def test_every_service_has_an_exposure_limit() -> None:
    assert set(SERVICES) == set(EXPOSURE_LIMIT)


@pytest.mark.parametrize("name", SERVICES)
def test_systemd_analyze_verify_accepts_the_unit_without_a_warning(name: str, tmp_path: Path) -> None:
    copy = installed_copy(name, tmp_path)
    done = subprocess.run(
        [systemd_analyze(), "verify", "--man=no", str(copy)], capture_output=True, text=True, timeout=60
    )
    complaints = [line for line in (done.stdout + done.stderr).splitlines() if name in line]
    assert done.returncode == 0 and not complaints, done.stdout + done.stderr


@pytest.mark.parametrize("name", SERVICES)
def test_the_service_is_locked_down(name: str, tmp_path: Path) -> None:
    copy = installed_copy(name, tmp_path)
    done = subprocess.run(
        [systemd_analyze(), "security", "--offline=true", "--no-pager", str(copy)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    match = re.search(r"Overall exposure level for \S+: (\d+\.\d+)", done.stdout)
    assert match, done.stdout + done.stderr
    assert float(match.group(1)) <= EXPOSURE_LIMIT[name], done.stdout
    found = settings(name)
    assert found["NoNewPrivileges"] == ["yes"] and found["ProtectSystem"] == ["strict"]


@pytest.mark.parametrize("name", TIMERS)
def test_systemd_analyze_verify_accepts_the_timer_and_its_service(name: str, tmp_path: Path) -> None:
    service = name.removesuffix(".timer") + ".service"
    installed_copy(service, tmp_path)
    timer = tmp_path / name
    timer.write_text((SYSTEMD / name).read_text())
    done = subprocess.run(
        [systemd_analyze(), "verify", "--man=no", str(timer), str(tmp_path / service)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    output = (done.stdout + done.stderr).splitlines()
    complaints = [line for line in output if name in line or service in line]
    assert done.returncode == 0 and not complaints, done.stdout + done.stderr
    assert "Persistent=true" in timer.read_text().splitlines(), "a night the machine was off runs at boot"


def test_the_scanner_runs_unprivileged_with_only_its_device_groups() -> None:
    unit = settings("aanwezig-unit.service")
    assert unit["User"] == ["aanwezig"]
    assert unit["SupplementaryGroups"][0].split() == ["video", "gpio", "i2c", "input"]
    assert unit["CapabilityBoundingSet"] == [""]
    assert "PrivateDevices" not in unit, "the camera, pins, display and keypad are devices"
    hub = settings("aanwezig-hub.service")
    assert hub["User"] == ["aanwezig-hub"] and hub["PrivateDevices"] == ["yes"]


def test_an_ingest_worker_instance_runs_the_worker_of_its_number_as_the_hub_user() -> None:
    worker = settings("aanwezig-hub-ingest@.service")
    assert worker["ExecStart"] == ["/opt/aanwezig/.venv/bin/aanwezig-hub ingest-worker --index %i"]
    assert worker["User"] == ["aanwezig-hub"] and worker["Restart"] == ["always"]
    assert worker["Environment"] == settings("aanwezig-hub.service")["Environment"], "the same hub.toml"


def test_the_shipped_mosquitto_snippet_is_what_broker_conf_writes_for_the_defaults(tmp_path: Path) -> None:
    config = tmp_path / "provision.toml"
    config.write_text('unit_broker = "mqtts://mqtt.example.org:8883"\n')
    done = subprocess.run(
        [sys.executable, "-m", "provisioning", "--config", str(config), "broker-conf"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert (SYSTEMD / "mosquitto-aanwezig.conf").read_text() == done.stdout, (
        "regenerate: python -m provisioning --config FILE broker-conf > systemd/mosquitto-aanwezig.conf"
    )
    for line in ("allow_anonymous false", "listener 8883", "listener 1883 127.0.0.1", "persistence true"):
        assert line in done.stdout.splitlines()
