"""A real Mosquitto process for one test: its own port on loopback, config, passwords and ACL.

The password file and ACL come from ``provisioning.mosquitto``, the same code that writes them
for production. A missing ``mosquitto`` binary fails the test loudly; it never skips.
"""

from __future__ import annotations

import getpass
import shutil
import signal
import socket
import subprocess
from pathlib import Path

from hub.core.ports import free_port
from provisioning.mosquitto import MAX_PACKET_BYTES, UnitAccount, acl_file, password_file
from tests.support.faketime import real_time_env
from tests.support.waiting import wait_for

HUB_USER = "aanwezig-hub"


class Mosquitto:
    def __init__(self, workdir: Path, units: list[UnitAccount], hub_password: str = "hub-secret") -> None:
        binary = shutil.which("mosquitto") or (
            "/usr/sbin/mosquitto" if Path("/usr/sbin/mosquitto").exists() else None
        )
        if binary is None:
            raise RuntimeError(
                "the mosquitto binary is not installed: run scripts/install-test-deps (make test does)"
            )
        self.binary = binary
        self.workdir = workdir
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.units = list(units)
        self.hub_password = hub_password
        self.port = free_port()
        self.process: subprocess.Popen | None = None
        self.write_files()

    @property
    def config_path(self) -> Path:
        return self.workdir / "mosquitto.conf"

    def write_files(self) -> None:
        (self.workdir / "passwd").write_text(password_file(HUB_USER, self.hub_password, self.units))
        (self.workdir / "acl").write_text(acl_file(HUB_USER, self.units))
        (self.workdir / "passwd").chmod(0o600)
        (self.workdir / "acl").chmod(0o600)
        self.config_path.write_text(
            f"listener {self.port} 127.0.0.1\n"
            # run as whoever runs the tests: as root, Mosquitto would otherwise switch to its own
            # user and could not read the files in the test's private folder
            f"user {getpass.getuser()}\n"
            "allow_anonymous false\n"
            f"password_file {self.workdir / 'passwd'}\n"
            f"acl_file {self.workdir / 'acl'}\n"
            "persistence true\n"
            f"persistence_location {self.workdir}/\n"
            "autosave_interval 1\n"
            "max_queued_messages 100000\n"
            # as in production: small packets (acks) leave at once instead of waiting up to 40 ms
            # for Nagle's algorithm, and the hub may hold a whole batch of unsettled events
            "set_tcp_nodelay true\n"
            "max_inflight_messages 1000\n"
            f"max_packet_size {MAX_PACKET_BYTES}\n"  # as broker-conf writes it
            f"log_dest file {self.workdir / 'mosquitto.log'}\n"
            "log_type error\nlog_type warning\nlog_type notice\n"
        )

    def start(self) -> Mosquitto:
        self.process = subprocess.Popen(
            [self.binary, "-c", str(self.config_path)],
            env=real_time_env(),  # the broker keeps the real clock under the clock-proof check
            stdout=subprocess.DEVNULL,
            stderr=(self.workdir / "stderr.log").open("ab"),
        )
        wait_for(self._accepting, timeout=10, what=f"mosquitto on port {self.port}")
        return self

    def stop(self, kill: bool = False) -> None:
        if self.process is None:
            return
        self.process.send_signal(signal.SIGKILL if kill else signal.SIGTERM)
        self.process.wait(timeout=10)
        self.process = None

    def reload(self, withhold: str | None = None) -> None:
        """Re-read the password file and ACL (what ``systemctl reload mosquitto`` does).

        ``withhold`` takes one line out of the ACL until the next reload: ``topic read T`` of a
        unit keeps the messages on T from it (the broker checks the ACL at each delivery).
        """
        self.write_files()
        if withhold is not None:
            acl = self.workdir / "acl"
            lines = acl.read_text().splitlines()
            assert withhold in lines, f"{withhold!r} is not in the ACL"
            acl.write_text("\n".join(line for line in lines if line != withhold) + "\n")
        assert self.process is not None
        self.process.send_signal(signal.SIGHUP)

    def url(self, user: str, password: str) -> str:
        return f"mqtt://{user}:{password}@127.0.0.1:{self.port}"

    @property
    def hub_url(self) -> str:
        return self.url(HUB_USER, self.hub_password)

    def unit_url(self, unit: str) -> str:
        account = next(u for u in self.units if u.unit == unit)
        return self.url(account.unit, account.password)

    def _accepting(self) -> bool:
        if self.process is not None and self.process.poll() is not None:
            log = (
                (self.workdir / "mosquitto.log").read_text()
                if (self.workdir / "mosquitto.log").exists()
                else ""
            )
            raise AssertionError(f"mosquitto exited with {self.process.returncode}: {log[-2000:]}")
        with socket.socket() as sock:
            sock.settimeout(0.2)
            return sock.connect_ex(("127.0.0.1", self.port)) == 0
