"""The fault-injection suite's table: every scenario reports produced, stored, doubled, lost and time.

Each test calls the ``fault_row`` fixture once per row before it asserts, so a failing scenario
still shows in the table. At the end of the run the rows are printed as one table and, when
``AANWEZIG_FAULTS_JSON`` names a file (``make faults`` sets it to bench/results/faults.json),
written there as a JSON list of objects, each with the machine and the date.

Sizes: ``AANWEZIG_FAULTS=full`` runs the full bursts (``make faults``); otherwise the short ones
(``make test`` and CI). :func:`size` picks between the two.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass
from datetime import date
from pathlib import Path

import pytest

from bench.common import machine

FULL = os.environ.get("AANWEZIG_FAULTS", "short") == "full"
COLUMNS = ("scenario", "produced", "stored", "doubled", "lost", "time")


def size(short: int, full: int) -> int:
    """The short size in CI and ``make test``, the full one under ``make faults``."""
    return full if FULL else short


@dataclass(frozen=True)
class FaultRow:
    scenario: str
    produced: int
    stored: int
    doubled: int
    lost: int
    time: float  # seconds, from the first fault-free state to everything delivered
    detail: str = ""


_rows: list[FaultRow] = []


class Stopwatch:
    def __init__(self) -> None:
        self.started = time.monotonic()

    def seconds(self) -> float:
        return round(time.monotonic() - self.started, 1)


@pytest.fixture
def stopwatch() -> Stopwatch:
    return Stopwatch()


@pytest.fixture
def fault_row() -> Iterator[Callable[..., FaultRow]]:
    """Record one row: ``fault_row(scenario, counts, seconds, detail)``; ``counts`` has produced,
    stored, doubled and lost (a :class:`tests.support.doors.Tally`)."""

    def record(scenario: str, counts, seconds: float, detail: str = "") -> FaultRow:
        row = FaultRow(scenario, counts.produced, counts.stored, counts.doubled, counts.lost, seconds, detail)
        _rows.append(row)
        return row

    yield record


def pytest_terminal_summary(terminalreporter) -> None:
    if not _rows:
        return
    _rows.sort(key=lambda r: r.scenario)  # the scenarios in the order: each starts with its number
    table = [COLUMNS] + [
        (r.scenario, str(r.produced), str(r.stored), str(r.doubled), str(r.lost), f"{r.time:.1f}")
        for r in _rows
    ]
    widths = [max(len(line[i]) for line in table) for i in range(len(COLUMNS))]
    terminalreporter.section(f"fault injection ({'full' if FULL else 'short'} sizes)")
    for n, line in enumerate(table):
        cells = [line[0].ljust(widths[0])] + [
            cell.rjust(w) for cell, w in zip(line[1:], widths[1:], strict=True)
        ]
        terminalreporter.write_line("  ".join(cells))
        if n == 0:
            terminalreporter.write_line("  ".join("-" * w for w in widths))
    for row in _rows:
        if row.detail:
            terminalreporter.write_line(f"{row.scenario}: {row.detail}")
    target = os.environ.get("AANWEZIG_FAULTS_JSON")
    if target:
        stamp = {"sizes": "full" if FULL else "short", "machine": machine(), "date": date.today().isoformat()}
        Path(target).parent.mkdir(parents=True, exist_ok=True)
        Path(target).write_text(json.dumps([asdict(r) | stamp for r in _rows], indent=2) + "\n")
        terminalreporter.write_line(f"written to {target}")
