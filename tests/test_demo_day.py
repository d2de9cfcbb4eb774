"""The demo's replayed day shows every colour and mark: green, red, present marks, a late pickup,
an afternoon-only child and an unknown card. Replayed on a fixed Tuesday, judged the day after."""

from __future__ import annotations

from datetime import date, datetime, time
from pathlib import Path

import pytest

from hub.attendance.cells import CellState, Mark
from hub.attendance.grid import month_grid
from hub.core.db import open_database
from hub.core.localtime import BRUSSELS
from hub.demo import DEMO_DAY, demo_day, demo_settings, replay_day, seed

pytestmark = pytest.mark.both_databases  # SQLite and PostgreSQL

DAY = date(2026, 3, 10)
NEXT_MORNING = datetime.combine(date(2026, 3, 11), time(9, 0), BRUSSELS)


def test_the_demo_day_puts_every_colour_and_mark_on_the_grid(hub_target: Path | str) -> None:
    db = open_database(hub_target)
    demo = seed(db, ("unit-zonnebloem-in", "unit-zonnebloem-uit"), history_days=8)
    assert db.execute("SELECT count(*) FROM events").fetchone()[0] > 0, "eight days of history before today"
    assert replay_day(db, demo, DAY, seconds=0) == len(DEMO_DAY)
    assert replay_day(db, demo, DAY, seconds=0) == 0, "a demo started again does not register twice"
    grid = month_grid(db, demo.location_id, 2026, 3, now=NEXT_MORNING)
    cells = {row.child.first_name: row.cells[DAY.day - 1] for row in grid.rows}
    assert cells["Louis"].state is CellState.ERROR, "the forgotten departure"
    assert cells["Noah"].marked == {Mark.OUTSIDE_OPENING_HOURS, Mark.LATE_PICKUP}
    assert cells["Lotte"].marked == {Mark.OUTSIDE_OPENING_HOURS}
    assert cells["Mila"].state is CellState.COMPLETE and cells["Mila"].minutes == 300  # 12:30-17:30
    assert cells["Olivia"].minutes == 165 and cells["Jules"].state is CellState.COMPLETE
    assert [child.first_name for child, _ in grid.late_pickups] == ["Noah"]
    assert len(grid.unknown_cards) == 1
    assert demo_day(db, before=date(2026, 3, 9)) == date(2026, 3, 6), "Monday replays the Friday before"
    db.close()


def test_the_demo_runs_on_the_database_its_hub_toml_names_and_else_on_sqlite(tmp_path: Path) -> None:
    """``aanwezig-hub demo --config hub.toml`` with ``database = "postgresql://…"``: seeded there."""
    url = "postgresql://aanwezig@db.example.org/aanwezig"
    assert demo_settings(tmp_path, database=url).database_path == url
    assert demo_settings(tmp_path).database_path == tmp_path.resolve() / "hub" / "hub.sqlite3"
