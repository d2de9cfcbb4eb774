"""systemd's notify protocol over a real datagram socket."""

from __future__ import annotations

import configparser
import os
import socket
from pathlib import Path

from device.sdnotify import Notifier


def listen(path: Path) -> socket.socket:
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind(str(path))
    sock.settimeout(5)
    return sock


def test_ready_status_watchdog_and_stopping_reach_systemd(tmp_path: Path) -> None:
    with listen(tmp_path / "notify") as systemd:
        notifier = Notifier({"NOTIFY_SOCKET": str(tmp_path / "notify"), "WATCHDOG_USEC": "20000000"})
        assert notifier.watchdog_every_s == 10
        notifier.ready("backlog 0")
        assert systemd.recv(4096) == b"READY=1\nSTATUS=backlog 0"
        notifier.watchdog()
        notifier.watchdog()  # within half the interval: no second ping
        notifier.stopping()
        assert systemd.recv(4096) == b"WATCHDOG=1"
        assert systemd.recv(4096) == b"STOPPING=1"
        notifier.close()


def test_an_abstract_socket_name_starts_with_an_at_sign(tmp_path: Path) -> None:
    name = f"aanwezig-test-{os.getpid()}"
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as systemd:
        systemd.bind("\0" + name)
        systemd.settimeout(5)
        Notifier({"NOTIFY_SOCKET": "@" + name}).ready()
        assert systemd.recv(4096) == b"READY=1"


def test_outside_systemd_nothing_is_sent_and_nothing_fails() -> None:
    notifier = Notifier({})
    assert not notifier.enabled
    notifier.ready()
    notifier.watchdog()
    assert notifier.watchdog_every_s is None


def test_a_watchdog_meant_for_another_process_is_not_ours(tmp_path: Path) -> None:
    env = {"NOTIFY_SOCKET": str(tmp_path / "n"), "WATCHDOG_USEC": "1000000", "WATCHDOG_PID": "1"}
    assert Notifier(env).watchdog_every_s is None


def test_the_systemd_unit_waits_for_ready_watches_the_loop_and_always_restarts() -> None:
    unit = configparser.ConfigParser(strict=False, interpolation=None)
    unit.read(Path(__file__).resolve().parents[1] / "systemd" / "aanwezig-unit.service")
    service = unit["Service"]
    assert (service["Type"], service["NotifyAccess"], service["Restart"]) == ("notify", "main", "always")
    assert int(service["WatchdogSec"]) >= 10
    assert unit["Unit"]["StartLimitIntervalSec"] == "0"
