"""Growing lock-outs after repeated wrong input (card codes, the staff PIN); plain rules, no I/O.

The first ``free_tries`` wrong entries cost nothing (a typo happens); every wrong entry after
that locks the keypad for ``first_s`` seconds, doubling each time up to ``max_s``. A right entry
starts the count afresh. Times are monotonic seconds, given by the caller.
"""

from __future__ import annotations

from dataclasses import dataclass


def lockout_seconds(failures: int, free_tries: int, first_s: float, max_s: float) -> float:
    """How long to lock after the ``failures``-th wrong entry in a row."""
    over = failures - free_tries
    return 0.0 if over <= 0 else min(max_s, first_s * 2 ** (over - 1))


@dataclass
class Lockout:
    free_tries: int = 3
    first_s: float = 10.0
    max_s: float = 300.0
    failures: int = 0
    until: float = float("-inf")

    def remaining(self, now: float) -> float:
        """Seconds until input is taken again; 0 when it is taken now."""
        return max(0.0, self.until - now)

    def failed(self, now: float) -> float:
        """Count a wrong entry; returns the lock-out it starts (0: none)."""
        self.failures += 1
        seconds = lockout_seconds(self.failures, self.free_tries, self.first_s, self.max_s)
        if seconds:
            self.until = now + seconds
        return seconds

    def succeeded(self) -> None:
        self.failures = 0
        self.until = float("-inf")
