"""A clock the test sets by hand: the unit's wall time, monotonic time and sync state."""

from __future__ import annotations

from datetime import datetime, timedelta


class FakeClock:
    boot_id = "0f4c2a6e-5a7d-4e4b-9d2e-7a0b6c1d2e3f"

    def __init__(self, at: datetime) -> None:
        self.at = at
        self.mono = 100.0
        self.is_synced = True

    def now(self) -> datetime:
        return self.at

    def monotonic(self) -> float:
        return self.mono

    def synced(self) -> bool:
        return self.is_synced

    def advance(self, seconds: float) -> None:
        self.at += timedelta(seconds=seconds)
        self.mono += seconds
