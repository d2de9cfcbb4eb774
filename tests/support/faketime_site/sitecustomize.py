"""Loaded by every Python process of the clock-proof check (its folder is on PYTHONPATH there only).

libfaketime 0.9.10 (Debian 12) with DONT_FAKE_MONOTONIC=1 makes clock_nanosleep(TIMER_ABSTIME)
fail with EINVAL, and that is how time.sleep waits; select() with a timeout is not affected, so
under libfaketime time.sleep waits with select() on the real monotonic clock.
"""

import os
import select
import time

if "faketime" in os.environ.get("LD_PRELOAD", "") and os.environ.get("DONT_FAKE_MONOTONIC") == "1":

    def _sleep(seconds: float, _select=select.select, _monotonic=time.monotonic) -> None:
        if seconds < 0:
            raise ValueError("sleep length must be non-negative")
        end = _monotonic() + seconds
        while (left := end - _monotonic()) > 0:
            _select([], [], [], left)

    time.sleep = _sleep
