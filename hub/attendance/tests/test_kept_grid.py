"""The month grid kept per location and month (hub/attendance/kept.py): what the screen shows is
what a fresh computation shows, whatever changed (a scan, a correction, a setting, a child), at
once, on SQLite and on PostgreSQL; and the clock alone turns a child still present red.

The property test reuses the world of the "Opgeladen" summaries' tests (the demo organisation, a
marked month two months back, a second location), since the two keep their data by the same
change counters.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hub.accounts.actors import Actor
from hub.attendance.corrections import apply_correction
from hub.attendance.grid import month_grid
from hub.attendance.kept import forget_grids, kept_month_grid
from hub.children.queries import add_child
from hub.core.db import connect, open_database
from hub.core.localtime import fmt_date, local
from hub.demo import DEMO_DOSSIER, DEMO_PIN, DemoData
from hub.locations.queries import location_schedule, set_opening_hours
from hub.locations.schedule import weekdays
from tests.support.attendance import ARRIVAL, DEPARTURE, Door, at, day_at_the_creche
from tests.support.changing_month import (
    World,
    apply_change,
    build,
    copied_world,
    demo_ids,
    marked_month,
    steps,
)
from tests.support.portal_world import PortalWorld
from wire import cardcode

pytestmark = pytest.mark.both_databases  # SQLite and PostgreSQL (the property test: SQLite)


def same_as_fresh(db, location_id: str, year: int, month: int, now: datetime | None = None) -> None:
    """The kept grid equals one computed anew, the pencil of corrected cells included."""
    now = now or datetime.now(UTC)
    kept = kept_month_grid(db, location_id, year, month, now).grid
    fresh = month_grid(db, location_id, year, month, now)
    assert kept == fresh
    pencils = [[cell.corrected for cell in row.cells] for row in kept.rows]
    assert pencils == [[cell.corrected for cell in row.cells] for row in fresh.rows]


# -- the screen, on both databases ------------------------------------------------------------------


def _last_open_day(database) -> date:
    """The last day before today the demo location is open (a correction of it is allowed)."""
    db = connect(database)
    schedule = location_schedule(db, "zonnebloem")
    db.close()
    day = local(datetime.now(UTC)).date() - timedelta(days=1)
    while not schedule.on(day).is_open:
        day -= timedelta(days=1)
    return day


def _row(page: str, name: str) -> str:
    found = re.search(rf'<tr data-name="{name}">(.*?)</tr>', page, re.DOTALL)
    assert found, f"no row of {name} in the grid"
    return found[1]


def _cell(row: str, day: date) -> str:
    """The title of one day's cell (it names the date, the state, the times and the marks)."""
    found = re.search(rf'title="({re.escape(fmt_date(day))}[^"]*)"', row)
    assert found, f"no cell of {day} in the row"
    return found[1]


def test_a_new_child_a_scan_a_correction_and_new_opening_hours_show_in_the_grid_at_once(
    world: PortalWorld,
) -> None:
    day = _last_open_day(world.database)
    page = f"/locaties/zonnebloem?maand={day:%Y-%m}"
    client = world.client()
    client.login_location(DEMO_DOSSIER, DEMO_PIN)
    assert 'data-name="zoë kept"' not in client.get(page).text
    assert client.get(page).status_code == 200  # kept now

    db = connect(world.database)
    child = add_child(db, "zonnebloem", "Zoë", "Kept", date(2025, 1, 1), "v")
    code = cardcode.new_code()
    (org,) = db.execute("SELECT organisator_id FROM locations WHERE id = 'zonnebloem'").fetchone()
    db["cards"].insert({"code": code, "organisator_id": org, "child_id": child, "state": "active"})
    db.conn.commit()
    assert "· niet aanwezig" in _cell(_row(client.get(page).text, "zoë kept"), day), "a new child"

    (unit,) = db.execute("SELECT id FROM units WHERE location_id = 'zonnebloem' ORDER BY id").fetchone()
    door = Door(db, DemoData("zonnebloem", unit, {"Zoë": code}))
    day_at_the_creche(door, "Zoë", day.isoformat(), "08:00", "16:30")
    assert "in orde · 08:00–16:30" in _cell(_row(client.get(page).text, "zoë kept"), day), "a scan"

    actor = Actor.location("zonnebloem", "Kinderdagverblijf De Zonnebloem")
    apply_correction(db, actor, "zonnebloem", child, day, [(time(9, 0), time(15, 0))])
    title = _cell(_row(client.get(page).text, "zoë kept"), day)
    assert "09:00–15:00" in title and "gecorrigeerd" in title, "a correction"

    set_opening_hours(db, "zonnebloem", weekdays("10:00", "18:00"))
    db.conn.commit()
    title = _cell(_row(client.get(page).text, "zoë kept"), day)
    assert "buiten openingsuren" in title, "new opening hours: 09:00 is before opening time"
    db.close()


# -- the kept grid itself ---------------------------------------------------------------------------


@pytest.fixture
def summaries_world(hub_target: Path | str):
    database = build(hub_target)
    db = connect(database)
    demo = DemoData(*demo_ids(db))
    yield World(db, demo, marked_month(db, demo))
    db.close()


def test_an_unchanged_month_is_not_computed_again_and_a_scan_elsewhere_is_seen(summaries_world) -> None:
    """Olivia goes to both locations: her stay at De Regenboog (08:00 to 16:30) is compared with the
    one scanned now at De Zonnebloem; and De Regenboog's kept grid sees the scan elsewhere too."""
    w = summaries_world
    year, month = w.ym
    first = kept_month_grid(w.db, "zonnebloem", year, month).grid
    assert kept_month_grid(w.db, "zonnebloem", year, month).grid.rows is first.rows, "kept"
    day = w.marked.days[0]
    regenboog = kept_month_grid(w.db, "regenboog", year, month).grid
    w.door.scan("Olivia", at(day.isoformat(), "09:00"), ARRIVAL)
    w.door.scan("Olivia", at(day.isoformat(), "10:00"), DEPARTURE)
    again = kept_month_grid(w.db, "zonnebloem", year, month).grid
    assert again.rows is not first.rows and again.errors > first.errors, "the overlap is red"
    same_as_fresh(w.db, "zonnebloem", year, month)
    assert kept_month_grid(w.db, "regenboog", year, month).grid.errors > regenboog.errors
    same_as_fresh(w.db, "regenboog", year, month)


def test_a_collection_after_the_scan_turns_the_kept_cell_as_a_fresh_one(summaries_world) -> None:
    """A collector's departure changes how an event reads without changing the event (0032)."""
    w = summaries_world
    year, month = w.ym
    day = w.marked.days[1]
    w.door.scan("Louis", at(day.isoformat(), "08:00"), ARRIVAL)
    # a second arrival: without a collector it stays one, the first stay has no departure (red)
    event_id = w.door.scan("Louis", at(day.isoformat(), "16:00"), ARRIVAL).id
    kept_month_grid(w.db, "zonnebloem", year, month)
    w.db.execute(
        "INSERT INTO collector_departures (event_id, location_id, child_id, collector_code, name, "
        "received_at) VALUES (?, 'zonnebloem', (SELECT child_id FROM events WHERE id = ?), 'OMA', "
        "'Oma Rita', ?)",
        (event_id, event_id, datetime.now(UTC).isoformat()),
    )
    w.db.conn.commit()
    same_as_fresh(w.db, "zonnebloem", year, month)


def test_a_child_still_present_turns_red_after_closing_time_without_any_change(summaries_world) -> None:
    w = summaries_world
    year, month = w.ym
    day = w.marked.days[1]
    w.door.scan("Louis", at(day.isoformat(), "08:00"), ARRIVAL)
    morning, evening = at(day.isoformat(), "10:00"), at(day.isoformat(), "20:00")
    assert kept_month_grid(w.db, "zonnebloem", year, month, morning).grid.present_now
    later = kept_month_grid(w.db, "zonnebloem", year, month, evening).grid
    assert not later.present_now
    same_as_fresh(w.db, "zonnebloem", year, month, evening)
    same_as_fresh(w.db, "zonnebloem", year, month, morning)  # a clock that goes back is not trusted


def test_a_database_made_anew_at_the_same_place_is_not_shown_the_old_grid(tmp_path: Path) -> None:
    database = tmp_path / "hub.sqlite3"
    build(database)
    db = connect(database)
    marked = marked_month(db, DemoData(*demo_ids(db)))
    year, month = marked.year, marked.month
    old = kept_month_grid(db, "zonnebloem", year, month).grid
    db.close()
    database.unlink()
    Path(f"{database}-wal").unlink(missing_ok=True)
    Path(f"{database}-shm").unlink(missing_ok=True)
    open_database(database).close()  # empty: the same counters (none), another database
    db = connect(database)
    assert kept_month_grid(db, "zonnebloem", year, month).grid.rows == ()
    assert old.rows
    db.close()


# -- the property: any sequence of changes -------------------------------------------------------


@pytest.fixture(scope="module")
def template(tmp_path_factory) -> Path:
    return build(tmp_path_factory.mktemp("kept-grid-template") / "hub" / "hub.sqlite3")


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(steps, min_size=1, max_size=6))
def test_after_any_sequence_of_changes_the_kept_grid_equals_a_fresh_one(template, tmp_path, sequence):
    forget_grids()
    with copied_world(template, tmp_path) as (w, months, days):
        both_locations_same_as_fresh(w.db, months)
        for step in sequence:
            apply_change(w, step, days)
            both_locations_same_as_fresh(w.db, months)


def both_locations_same_as_fresh(db, months: list[tuple[int, int]]) -> None:
    for ym in months:
        same_as_fresh(db, "zonnebloem", *ym)
        same_as_fresh(db, "regenboog", *ym)
