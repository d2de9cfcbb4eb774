"""The kept summaries of the "Opgeladen" overview: whatever changes a location's month (a scan, a
correction, a setting, a child's data, the upload's own steps), the overview shows what a fresh
preparation of the month shows, and only the changed months are prepared again.

The months are one and two months back at the demo location "De Zonnebloem" and the organisation's
second location "De Regenboog" (tests/support/upload_month.py), so every day is gone by whatever
the date the tests run on.
"""

from __future__ import annotations

from datetime import date, time, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hub.attendance.closed_months import close_month
from hub.attendance.corrections import apply_correction
from hub.careplan.rules import PlanDay, Size
from hub.careplan.service import create_plan
from hub.children.queries import Stay, set_stay
from hub.children.service import NewChild, update_child
from hub.core.db import connect
from hub.demo import DemoData
from hub.locations.queries import (
    LocationSettings,
    add_closing_day,
    remove_closing_day,
    set_location_settings,
    set_opening_hours,
)
from hub.locations.schedule import weekdays
from hub.upload import store
from hub.upload.batch import month_key
from hub.upload.confirmations import confirm_warning
from hub.upload.month import prepare_month
from hub.upload.plan import plan_version
from hub.upload.sending import request_sending
from hub.upload.summary import month_summaries
from hub.upload.validation import DataRule
from tests.support.attendance import (
    ARRIVAL,
    DEPARTURE,
    at,
    child_id,
    day_at_the_creche,
)
from tests.support.changing_month import (
    UPLOAD_DAY,
    World,
    apply_change,
    build,
    copied_world,
    demo_ids,
    fresh,
    kept,
    marked_month,
    steps,
)
from tests.support.upload_month import open_days

pytestmark = pytest.mark.both_databases  # SQLite and PostgreSQL (the property test: SQLite)


def changes(db, location_id: str, month: str) -> int:
    row = db.execute(
        "SELECT changes FROM upload_summary_changes WHERE location_id = ? AND month = ?", (location_id, month)
    ).fetchone()
    return row[0] if row else 0


def computed(db) -> dict[tuple[str, str], str]:
    return {
        (loc, month): at
        for loc, month, at in db.execute("SELECT location_id, month, computed_at FROM upload_month_summaries")
    }


@pytest.fixture
def world(hub_target: Path | str):
    database = build(hub_target)
    db = connect(database)
    demo = DemoData(*demo_ids(db))
    marked = marked_month(db, demo)
    yield World(db, demo, marked)
    db.close()


def line(summaries, location_id: str):
    return next(s for s in summaries if s.location.id == location_id)


# -- what the overview shows -----------------------------------------------------------------------


def test_the_overview_shows_the_same_as_preparing_every_month_and_prepares_a_month_only_once(world):
    year, month = world.ym
    first = kept(world.db, world.actor, year, month)
    assert first == fresh(world.db, world.actor, year, month)
    zonnebloem = line(first, "zonnebloem")
    assert zonnebloem.clock and zonnebloem.cloud and zonnebloem.time_errors == 1 and zonnebloem.red_cells == 1
    assert zonnebloem.data_errors >= 1 and zonnebloem.minutes > 0
    before = computed(world.db)
    assert set(before) == {("zonnebloem", world.marked.key), ("regenboog", world.marked.key)}
    assert kept(world.db, world.actor, year, month) == first
    assert computed(world.db) == before, "nothing changed: nothing was prepared again"


def test_a_scan_at_the_door_shows_at_once_and_only_its_location_is_prepared_again(world):
    year, month = world.ym
    kept(world.db, world.actor, year, month)
    before = computed(world.db)
    third = open_days(world.db, "zonnebloem", year, month)[2]
    day_at_the_creche(world.door, "Lotte", third.isoformat())
    after = kept(world.db, world.actor, year, month)
    assert after == fresh(world.db, world.actor, year, month)
    assert (
        line(after, "zonnebloem").minutes
        == line(fresh(world.db, world.actor, year, month), "zonnebloem").minutes
    )
    again = computed(world.db)
    assert again[("regenboog", world.marked.key)] == before[("regenboog", world.marked.key)]
    assert again[("zonnebloem", world.marked.key)] >= before[("zonnebloem", world.marked.key)]


def test_a_scan_elsewhere_counts_for_every_location_of_the_child(world):
    """Olivia goes to both locations: her stays at one are compared with those at the other."""
    year, month = world.ym
    kept(world.db, world.actor, year, month)
    first = world.marked.days[0]
    zonnebloem = changes(world.db, "zonnebloem", world.marked.key)
    # an overlapping stay at De Zonnebloem, while Olivia was at De Regenboog from 08:00 to 16:30
    world.door.scan("Olivia", at(first.isoformat(), "09:00"), ARRIVAL)
    world.door.scan("Olivia", at(first.isoformat(), "10:00"), DEPARTURE)
    assert changes(world.db, "zonnebloem", world.marked.key) > zonnebloem
    after = kept(world.db, world.actor, year, month)
    assert after == fresh(world.db, world.actor, year, month)
    assert line(after, "zonnebloem").red_cells == 2, "the overlap with De Regenboog is red"


def test_a_scan_in_the_last_hour_of_a_month_counts_for_that_month(world):
    """23:30 in Brussels on the last day is 21:30 or 22:30 UTC: still the month in Brussels."""
    year, month = world.ym
    last = date(year, month, 1).replace(day=28)
    while (last + timedelta(days=1)).month == month:
        last += timedelta(days=1)
    before = changes(world.db, "zonnebloem", world.marked.key)
    world.door.scan("Lotte", at(last.isoformat(), "23:30"), ARRIVAL)
    assert changes(world.db, "zonnebloem", world.marked.key) > before
    world.check()


def test_a_correction_turns_the_red_clock_off_in_the_kept_overview(world):
    year, month = world.ym
    assert line(kept(world.db, world.actor, year, month), "zonnebloem").clock
    apply_correction(
        world.db,
        world.actor,
        "zonnebloem",
        world.marked.red_child,
        world.marked.days[0],
        [(time(8, 5), time(16, 0))],
    )
    after = line(kept(world.db, world.actor, year, month), "zonnebloem")
    assert not after.clock and after.time_errors == 0 and after.red_cells == 0
    world.check()


def _opening_hours(w: World) -> None:
    set_opening_hours(w.db, "zonnebloem", weekdays("09:00", "12:00"))


def _closing_day(w: World) -> None:
    add_closing_day(w.db, "zonnebloem", w.marked.days[1], "pedagogische studiedag")


def _closing_day_removed(w: World) -> None:
    add_closing_day(w.db, "zonnebloem", w.marked.days[1], "pedagogische studiedag")
    w.check()
    remove_closing_day(w.db, "zonnebloem", w.marked.days[1])


def _closed_month(w: World) -> None:
    year, month = w.ym
    w.db.execute(
        "INSERT INTO closed_months (location_id, month, closed_by, closed_at) "
        "VALUES (?, ?, 'test', '2026-01-01')",
        ("regenboog", month_key(year, month)),
    )
    w.db.conn.commit()


def _closed_month_by_service(w: World) -> None:
    # a month without registrations can be closed: the month before the marked one at De Regenboog
    year, month = w.ym
    close_month(w.db, w.actor, "regenboog", *_month_before(year, month))


def _month_before(year: int, month: int) -> tuple[int, int]:
    return (year - 1, 12) if month == 1 else (year, month - 1)


def _stay(w: World) -> None:
    set_stay(w.db, w.marked.red_child, "zonnebloem", Stay(w.marked.days[1], None))
    w.db.conn.commit()


def _care_plan(w: World) -> None:
    week = {n: PlanDay(Size.FULL, time(8, 0), time(17, 0)) for n in range(1, 6)}
    create_plan(w.db, w.actor, child_id(w.db, "Louis"), "zonnebloem", date(*w.ym, 1), None, week)


def _child_data(w: World) -> None:
    born = date(*w.ym, 1) - timedelta(days=400)
    update_child(
        w.db, w.actor, "zonnebloem", w.marked.undated_child, NewChild("Noah", "Peeters", born, "m", False)
    )


def _child_linked(w: World) -> None:
    w.db.execute("INSERT INTO child_locations VALUES (?, 'regenboog')", (child_id(w.db, "Lotte"),))
    w.db.conn.commit()


def _location_renamed(w: World) -> None:
    w.db.execute("UPDATE locations SET name = 'De Regenboog (Gent)' WHERE id = 'regenboog'")
    w.db.conn.commit()


def _pickup_margin(w: World) -> None:
    set_location_settings(w.db, "zonnebloem", LocationSettings(None, 5))
    w.db.conn.commit()


def _confirmation(w: World) -> None:
    confirm_warning(w.db, w.actor, "zonnebloem", *w.ym, w.marked.older_child, DataRule.SUBSIDY_AGE.value)


def _request(w: World) -> None:
    request_sending(w.db, w.actor, "zonnebloem", *w.ym)


def _request_handled(w: World) -> None:
    request_sending(w.db, w.actor, "zonnebloem", *w.ym)
    w.check()
    w.db.execute(
        "UPDATE upload_requests SET handled_at = '2026-01-01T00:00:00.000+00:00', outcome = 'nothing'"
    )
    w.db.conn.commit()


CHANGES = {  # each with the location whose months it must count for
    "opening hours": (_opening_hours, "zonnebloem"),
    "a closing day": (_closing_day, "zonnebloem"),
    "a closing day taken back": (_closing_day_removed, "zonnebloem"),
    "a closed month": (_closed_month, "regenboog"),
    "a closed month, by the service": (_closed_month_by_service, "regenboog"),
    "a child's first day": (_stay, "zonnebloem"),
    "a care plan": (_care_plan, "zonnebloem"),
    "a child's data": (_child_data, "regenboog"),  # the organisation's children are checked together
    "a child linked to a second location": (_child_linked, "zonnebloem"),
    "a location renamed": (_location_renamed, "zonnebloem"),
    "the pickup margin": (_pickup_margin, "zonnebloem"),
    "a warning confirmed": (_confirmation, "zonnebloem"),
    "Nu versturen asked": (_request, "zonnebloem"),
    "Nu versturen handled": (_request_handled, "zonnebloem"),
}


def counted(db, location_id: str) -> int:
    """Every change counted for a location, its months and the location as a whole."""
    (total,) = db.execute(
        "SELECT coalesce(sum(changes), 0) FROM upload_summary_changes WHERE location_id = ?", (location_id,)
    ).fetchone()
    return total


@pytest.mark.parametrize(("change", "location"), CHANGES.values(), ids=CHANGES.keys())
def test_every_kind_of_change_reaches_the_kept_overview(world, change, location):
    """Counted for the location (so a change that alters no figure today still cannot be missed),
    and the kept overview then equals a fresh one."""
    year, month = world.ym
    months = [(year, month), _month_before(year, month)]
    world.check(*months)  # kept now
    before = counted(world.db, location)
    change(world)
    assert counted(world.db, location) > before
    world.check(*months)


def test_a_version_sent_and_answered_reaches_the_kept_overview(world):
    """The upload's own steps: a new version (wachtend -> verzonden), the receiver's answer, a try."""
    year, month = world.ym
    key = world.marked.key
    world.check()
    prepared = prepare_month(world.db, "zonnebloem", year, month)
    plan = plan_version(prepared, store.history(world.db, "zonnebloem", key))
    assert plan.send
    world.db.execute(
        """
        INSERT INTO upload_submissions (id, location_id, month, version, trigger, requested_by, created_at,
                                        calendar_hash, body, state)
        VALUES ('01TESTSUBMISSION0000000000', 'zonnebloem', ?, 1, 'on_demand', 'test',
                '2026-01-01T00:00:00.000+00:00', 'x', '{}', 'pending')
        """,
        (key,),
    )
    world.db.execute(
        "INSERT INTO upload_records (submission_id, child_id, record, content_hash) VALUES (?, ?, ?, 'h')",
        (
            "01TESTSUBMISSION0000000000",
            world.marked.older_child,
            f"zonnebloem/{key}/{world.marked.older_child}",
        ),
    )
    world.db.conn.commit()
    world.check()
    assert line(kept(world.db, world.actor, year, month), "zonnebloem").version == 1
    before = changes(world.db, "zonnebloem", key)
    world.db.execute(
        "UPDATE upload_records SET status = 'error', error_kind = 'time', error_message = 'fout'"
    )
    world.db.execute("UPDATE upload_submissions SET state = 'answered'")
    world.db.conn.commit()
    assert changes(world.db, "zonnebloem", key) >= before + 2
    assert line(kept(world.db, world.actor, year, month), "zonnebloem").time_errors == 2
    world.check()
    before = changes(world.db, "zonnebloem", key)
    world.db.execute(
        "INSERT INTO upload_attempts (submission_id, attempt, started_at, finished_at, outcome, detail) "
        "VALUES ('01TESTSUBMISSION0000000000', 1, '2026-01-01', '2026-01-01', 'failed', 'geen verbinding')"
    )
    world.db.conn.commit()
    assert changes(world.db, "zonnebloem", key) > before
    world.check()


def test_a_child_still_present_turns_red_after_closing_time_without_any_change(world):
    """The clock changes a month too: at closing time plus the margin "nog aanwezig" becomes red."""
    year, month = world.ym
    day = open_days(world.db, "zonnebloem", year, month)[3]
    world.door.scan("Louis", at(day.isoformat(), "08:00"), ARRIVAL)
    morning, evening = at(day.isoformat(), "10:00"), at(day.isoformat(), "20:00")
    seen = line(kept(world.db, world.actor, year, month, morning), "zonnebloem")
    assert seen.red_cells == 1, "only Jules: Louis is still present"
    later = kept(world.db, world.actor, year, month, evening)
    assert later == fresh(world.db, world.actor, year, month, evening)
    assert line(later, "zonnebloem").red_cells == 2


def test_summaries_kept_with_other_upload_settings_are_not_used(world):
    year, month = world.ym
    kept(world.db, world.actor, year, month)
    other = month_summaries(world.db, world.actor, year, month, UPLOAD_DAY, False)
    assert all(s.next_sending is None for s in other), "not sending: nothing is planned"


# -- the property: any sequence of changes -------------------------------------------------------


@pytest.fixture(scope="module")
def template(tmp_path_factory) -> Path:
    return build(tmp_path_factory.mktemp("summary-template") / "hub" / "hub.sqlite3")


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(steps, min_size=1, max_size=6))
def test_after_any_sequence_of_changes_the_kept_overview_equals_a_fresh_one(template, tmp_path, sequence):
    with copied_world(template, tmp_path) as (w, months, days):
        w.check(*months)
        for step in sequence:
            apply_change(w, step, days)
            w.check(*months)
