"""What every benchmark shares: a results file with the machine and date, and a printed table."""

from __future__ import annotations

import json
import os
import platform
import statistics
from datetime import date, datetime, time, timedelta
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results"


def machine() -> str:
    """A one-line description of this machine: CPU model, cores, Python."""
    model = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{model}, {os.cpu_count()} cores, Python {platform.python_version()}, {platform.node()}"


def percentile(values: list[float], pct: float) -> float:
    """The ``pct``-th percentile (0-100) by linear interpolation; NaN for no values."""
    if not values:
        return float("nan")
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=1000, method="inclusive")[max(0, min(998, round(pct * 10) - 1))]


def write_results(name: str, figures: dict[str, float | int | str]) -> Path:
    """Write ``bench/results/NAME.json``: a flat object of named numbers plus machine and date."""
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"{name}.json"
    body = {**figures, "machine": machine(), "date": date.today().isoformat()}
    path.write_text(json.dumps(body, indent=2) + "\n")
    return path


def print_table(title: str, rows: list[tuple[str, object]]) -> None:
    width = max(len(name) for name, _ in rows)
    print(f"\n{title}\n{'-' * len(title)}")
    for name, value in rows:
        shown = f"{value:,.2f}" if isinstance(value, float) else str(value)
        print(f"{name:<{width}}  {shown:>14}")
    print()


def month_of_checkins(
    rng, location: str, code: str, child: int, days, leaves_from: time, leaves_within_min: int
) -> list:
    """A child's arrivals (07:30 + up to 2 h) and departures (``leaves_from`` + up to
    ``leaves_within_min``) over ``days``, one day in ten absent: check-ins as the ingest stores them."""
    from hub.attendance.events import NewCheckIn
    from hub.core.localtime import BRUSSELS, utc_iso
    from wire import CheckIn, Direction, Source
    from wire.ids import new_event_id

    checkins = []
    for day in days:
        if rng.random() < 0.1:
            continue
        arrival = datetime.combine(day, time(7, 30), BRUSSELS) + timedelta(minutes=rng.randrange(0, 120))
        departure = datetime.combine(day, leaves_from, BRUSSELS) + timedelta(
            minutes=rng.randrange(0, leaves_within_min)
        )
        for seq, (moment, direction) in enumerate(
            ((arrival, Direction.ARRIVAL), (departure, Direction.DEPARTURE))
        ):
            event = CheckIn(
                id=new_event_id(),
                unit=f"unit-{location}",
                location=location,
                seq=seq,
                direction=direction,
                code=code,
                source=Source.QR,
                wall_time=moment.isoformat(timespec="milliseconds"),
                clock_synced=True,
                boot_id="00000000-0000-4000-8000-00000000be0c",
                monotonic=0.0,
            )
            checkins.append(NewCheckIn(event, child, utc_iso(moment)))
    return checkins
