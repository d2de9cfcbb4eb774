"""The unit's sense of time: wall clock, monotonic clock, boot id and NTP sync state.

A Raspberry Pi has no battery-backed clock, so after a power cut its wall clock may be far off
until NTP syncs. Each event therefore carries the boot id and a monotonic reading next to the
wall time; the hub re-times unsynced events once a synced event of the same boot arrives.

Everything on the unit takes its time from a :class:`Clock`, so a test (or a fault-injection
run) can hand a unit a clock in 1970 or a year ahead without touching the machine's clock:
:func:`open_clock` gives the unit process a :class:`SkewedClock` when ``AANWEZIG_CLOCK_START`` is
set, and the machine's :class:`SystemClock` otherwise.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import time
import uuid
from datetime import datetime, timedelta
from pathlib import Path
from typing import Protocol

_TIME_ERROR = 5  # adjtimex(2): clock not synchronised
CLOCK_START_ENV = "AANWEZIG_CLOCK_START"  # ISO time the skewed wall clock starts at
CLOCK_SYNCED_WHEN_ENV = "AANWEZIG_CLOCK_SYNCED_WHEN"  # the file whose appearance is "NTP answered"


class Clock(Protocol):
    boot_id: str

    def now(self) -> datetime:
        """Wall time, timezone-aware."""

    def monotonic(self) -> float:
        """Seconds since boot, never going back."""

    def synced(self) -> bool:
        """Whether the wall time is NTP-synchronised."""


class SystemClock:
    """The real clock of this machine."""

    def __init__(self, synced_override: bool | None = None) -> None:
        self._override = synced_override
        self.boot_id = read_boot_id()

    def now(self) -> datetime:
        """Wall time, aware, in the system's local zone."""
        return datetime.now().astimezone()

    def monotonic(self) -> float:
        return time.monotonic()

    def synced(self) -> bool:
        return self._override if self._override is not None else kernel_clock_synced()


class SkewedClock:
    """This machine's clock as a Pi without a battery clock has it after a power cut, for fault runs.

    The wall clock starts at ``starts_at`` when the unit starts and runs on from there, not
    synced, until NTP "answers": the file ``synced_when`` appears. From then on it is this
    machine's real time, synced. The monotonic clock and the boot id are the machine's own, so the
    events go through the unit's real path and the hub's real clock repair.
    """

    def __init__(self, starts_at: datetime, synced_when: Path) -> None:
        self.boot_id = read_boot_id()
        self._starts_at = starts_at
        self._started = time.monotonic()
        self._synced_when = synced_when

    def now(self) -> datetime:
        if self.synced():
            return datetime.now().astimezone()
        return self._starts_at + timedelta(seconds=time.monotonic() - self._started)

    def monotonic(self) -> float:
        return time.monotonic()

    def synced(self) -> bool:
        return self._synced_when.exists()


def open_clock(synced_override: bool | None = None) -> Clock:
    """The machine's clock; a :class:`SkewedClock` when the environment asks for one."""
    start = os.environ.get(CLOCK_START_ENV)
    if start:
        return SkewedClock(datetime.fromisoformat(start), Path(os.environ[CLOCK_SYNCED_WHEN_ENV]))
    return SystemClock(synced_override)


def read_boot_id() -> str:
    try:
        return Path("/proc/sys/kernel/random/boot_id").read_text().strip()
    except OSError:
        return str(uuid.uuid4())  # not Linux: one id per process is the best we can do


def kernel_clock_synced() -> bool:
    """Whether the kernel considers the clock NTP-synchronised (as ``timedatectl`` shows it)."""
    if Path("/run/systemd/timesync/synchronized").exists():
        return True
    libc_name = ctypes.util.find_library("c")
    if not libc_name:
        return False
    buf = ctypes.create_string_buffer(512)  # larger than struct timex on every platform
    try:
        state = ctypes.CDLL(libc_name, use_errno=True).adjtimex(buf)
    except (AttributeError, OSError):
        return False
    return state not in (-1, _TIME_ERROR)
