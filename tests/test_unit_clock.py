"""The unit's clock: the machine's clock, or (for fault runs) a wall clock that starts far off and
is unsynced until "NTP answers"; the monotonic clock and boot id are always the machine's."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from device.clock import CLOCK_START_ENV, CLOCK_SYNCED_WHEN_ENV, SkewedClock, SystemClock, open_clock


def test_without_the_environment_the_unit_uses_the_machines_clock_with_the_configured_sync() -> None:
    clock = open_clock(synced_override=False)
    assert isinstance(clock, SystemClock)
    assert clock.synced() is False
    assert open_clock(synced_override=True).synced() is True
    assert clock.boot_id and clock.now().tzinfo is not None


def test_a_unit_started_with_a_1970_clock_runs_on_from_there_unsynced_until_ntp_answers(
    tmp_path: Path, monkeypatch
) -> None:
    answered = tmp_path / "ntp-answered"
    monkeypatch.setenv(CLOCK_START_ENV, "1970-01-01T00:00:05+00:00")
    monkeypatch.setenv(CLOCK_SYNCED_WHEN_ENV, str(answered))
    clock = open_clock()
    assert isinstance(clock, SkewedClock)
    assert clock.now().year == 1970 and not clock.synced()
    before = clock.monotonic()
    assert clock.monotonic() >= before, "the monotonic clock is the machine's and never goes back"
    answered.touch()
    assert clock.synced() and clock.now().year >= 2026
    assert clock.boot_id == SystemClock().boot_id


def test_the_skewed_clock_keeps_the_offset_it_started_with() -> None:
    clock = SkewedClock(datetime.fromisoformat("2030-06-01T08:00:00+02:00"), Path("/nonexistent/never"))
    assert datetime.fromisoformat("2030-06-01T08:00:00+02:00") <= clock.now()
    assert (clock.now() - datetime.fromisoformat("2030-06-01T08:00:00+02:00")).total_seconds() < 60
