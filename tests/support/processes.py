"""Starting the hub and units as real processes, each with its own config file and log."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import httpx

from hub.core.ports import free_port
from provisioning.bundle import toml_value
from tests.support.waiting import wait_for

ROOT = Path(__file__).resolve().parents[2]


@dataclass
class Proc:
    name: str
    popen: subprocess.Popen
    log_path: Path

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 15) -> int:
        if self.popen.poll() is None:
            self.popen.send_signal(sig)
            try:
                self.popen.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.popen.kill()
                self.popen.wait(timeout=5)
        return self.popen.returncode

    def kill(self) -> None:
        self.stop(signal.SIGKILL)


def spawn(name: str, args: list[str], workdir: Path, env: dict[str, str] | None = None) -> Proc:
    log_path = workdir / f"{name}.log"
    popen = subprocess.Popen(
        [sys.executable, *args],
        cwd=ROOT,
        stdout=log_path.open("ab"),
        stderr=subprocess.STDOUT,
        env={**os.environ, "PYTHONUNBUFFERED": "1", **(env or {})},
    )
    return Proc(name, popen, log_path)


def healthy(proc: Proc, url: str) -> bool:
    """True once ``url``/health is answered by ``proc`` itself, not by whoever holds the port.

    A port picked free and bound later can be taken meanwhile by another process that also
    answers /health (another test's hub); the hub puts its pid in the answer, so compare it.
    """
    if proc.popen.poll() is not None:
        raise AssertionError(f"{proc.name} exited with {proc.popen.returncode}:\n{proc.log()[-3000:]}")
    answer = httpx.get(f"{url}/health", timeout=1)
    if answer.status_code != 200:
        return False
    pid = answer.json().get("pid")
    if pid != proc.popen.pid:
        raise AssertionError(
            f"{url}/health is answered by another process (pid {pid}), not by {proc.name} "
            f"(pid {proc.popen.pid}):\n{proc.log()[-3000:]}"
        )
    return True


def start_hub(
    workdir: Path,
    broker_url: str = "",
    embedded_port: int = 0,
    extra_settings: str = "",
    env: dict[str, str] | None = None,
    wait: bool = True,
    http_port: int = 0,
) -> tuple[Proc, str]:
    """A hub process; returns it and its portal URL once /health answers (at once with ``wait=False``).

    ``extra_settings`` are more lines for its hub.toml (e.g. the SMTP server of a mail test);
    ``env`` adds environment variables (e.g. a fault hook). A restart appends to the same log.
    ``http_port`` 0 picks a free one.
    """
    workdir.mkdir(parents=True, exist_ok=True)
    http_port = http_port or free_port()
    config = workdir / "hub.toml"
    config.write_text(
        f'data_dir = "{workdir}"\nbroker = "{broker_url}"\nembedded_broker_port = {embedded_port}\n'
        f"http_port = {http_port}\n{extra_settings}"
    )
    proc = spawn("hub", ["-m", "hub", "serve", "--config", str(config)], workdir, env)
    url = f"http://127.0.0.1:{http_port}"
    if wait:
        try:
            wait_for(lambda: healthy(proc, url), timeout=30, what="the hub's /health")
        except BaseException:
            proc.stop()  # a hub that did not come up (or lost its port) must not outlive the test
            raise
    return proc, url


def unit_config(
    workdir: Path, unit: str, location: str, broker_url: str, data_dir: Path | None = None, **sections: dict
) -> Path:
    """Write a unit's TOML config; ``sections`` adds tables such as camera={"folder": ...}.
    The outbox goes in ``data_dir``, by default ``workdir``.

    The unit's clock counts as synced unless a test says otherwise: this machine's clock is right,
    but a container's kernel does not say so, and the hub keeps unsynced scans without an anchor
    aside as "tijd onzeker". (A skewed clock, ``AANWEZIG_CLOCK_START``, has its own sync state.)"""
    workdir.mkdir(parents=True, exist_ok=True)
    sections = {**sections, "scan": {"clock_synced": True, **sections.get("scan", {})}}
    lines = [
        f'unit = "{unit}"',
        f'location = "{location}"',
        f'broker = "{broker_url}"',
        f'data_dir = "{data_dir or workdir}"',
    ]
    for section, values in sections.items():
        lines.append(f"\n[{section}]")
        for key, value in values.items():
            lines.append(f"{key} = {toml_value(value)}")
    path = workdir / "unit.toml"
    path.write_text("\n".join(lines) + "\n")
    return path


def start_unit(workdir: Path, config: Path, env: dict[str, str] | None = None) -> Proc:
    """A unit process; a restart with the same workdir appends to the same log."""
    return spawn(f"unit-{workdir.name}", ["-m", "device", "run", "--config", str(config)], workdir, env)
