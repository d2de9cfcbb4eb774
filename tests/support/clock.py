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


def clear_of_midnight(margin_s: float = 90.0) -> None:
    """Wait until Brussels midnight has passed when it is less than ``margin_s`` away: a test whose
    scans must fall on one day (presence starts afresh at midnight) then runs on the new day."""
    import time
    from datetime import UTC
    from zoneinfo import ZoneInfo

    now = datetime.now(UTC).astimezone(ZoneInfo("Europe/Brussels"))
    midnight = (now + timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0)
    left = (midnight - now).total_seconds()
    if left < margin_s:
        time.sleep(left + 1.0)
