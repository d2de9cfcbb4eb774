"""What every benchmark shares: a results file with the machine and date, and a printed table."""

from __future__ import annotations

import json
import os
import platform
import statistics
from datetime import date
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
