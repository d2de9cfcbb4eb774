"""Running tests under libfaketime: the clock-proof check (``make test-clock``).

The Python test process and the hub and unit processes it starts run with libfaketime preloaded:
their wall clock starts at a chosen moment and keeps running (a relative offset, ``FAKETIME=+Ns``),
their monotonic clock is the real one (``DONT_FAKE_MONOTONIC=1``). Mosquitto, Playwright's driver
and Chromium run on the real clock: :func:`real_time_env` is the environment without libfaketime,
which the helpers that start them pass on.

The moments, in Brussels time: half a minute before midnight on the last day of a month and of
the year, and half a minute before 02:00 and 03:00 on the nights the clocks change (on the last
Sunday of March 02:59:30 does not exist; :mod:`zoneinfo` reads it as 01:59:30 UTC, just after the
change; on the last Sunday of October it is the first 02:59:30, half a minute before the change).
"""

from __future__ import annotations

import os
import time
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

BRUSSELS = ZoneInfo("Europe/Brussels")
LIBRARIES = (
    "/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1",
    "/usr/lib/aarch64-linux-gnu/faketime/libfaketime.so.1",
    "/usr/lib/faketime/libfaketime.so.1",
)
SITE = str(Path(__file__).resolve().parent / "faketime_site")
FAKE_TIME_VARS = ("FAKETIME", "DONT_FAKE_MONOTONIC", "FAKETIME_DONT_RESET", "FAKETIME_NO_CACHE")

MOMENTS = {
    "end-of-november": datetime(2026, 11, 30, 23, 59, 30, tzinfo=BRUSSELS),
    "end-of-year": datetime(2026, 12, 31, 23, 59, 30, tzinfo=BRUSSELS),
    "march-0159": datetime(2027, 3, 28, 1, 59, 30, tzinfo=BRUSSELS),
    "march-0259": datetime(2027, 3, 28, 2, 59, 30, tzinfo=BRUSSELS),
    "october-0159": datetime(2026, 10, 25, 1, 59, 30, tzinfo=BRUSSELS),
    "october-0259": datetime(2026, 10, 25, 2, 59, 30, tzinfo=BRUSSELS),
}


def library() -> str | None:
    """The libfaketime shared object, when installed (Debian: ``libfaketime``)."""
    return next((path for path in LIBRARIES if Path(path).exists()), None)


def fake_time_env(moment: datetime, lead_s: float = 0.0) -> dict[str, str]:
    """Variables that make a process's wall clock read ``moment`` ``lead_s`` seconds from now, running on."""
    lib = library()
    if lib is None:
        raise RuntimeError("libfaketime is missing: run scripts/install-test-deps")
    offset = moment.timestamp() - lead_s - time.time()
    preload = " ".join(p for p in (os.environ.get("LD_PRELOAD", ""), lib) if p)
    # time.sleep() on select() (see faketime_site/sitecustomize.py): libfaketime breaks it otherwise
    path = os.pathsep.join(p for p in (SITE, os.environ.get("PYTHONPATH", "")) if p)
    return {
        "LD_PRELOAD": preload,
        "FAKETIME": f"{offset:+.3f}s",
        "DONT_FAKE_MONOTONIC": "1",
        "PYTHONPATH": path,
    }


def real_time_env(env: dict[str, str] | None = None) -> dict[str, str]:
    """``env`` (default: this process's) without libfaketime, for Mosquitto and Chromium."""
    env = dict(os.environ if env is None else env)
    preload = " ".join(p for p in env.get("LD_PRELOAD", "").split() if "faketime" not in p)
    if preload:
        env["LD_PRELOAD"] = preload
    else:
        env.pop("LD_PRELOAD", None)
    for name in FAKE_TIME_VARS:
        env.pop(name, None)
    return env
