"""Care plans on a real hub database: versions from a date, settling-in days, and the grid's "afwezig"."""

from __future__ import annotations

from datetime import date, time, timedelta

import pytest

from hub.accounts.actors import NoAccess, Refused
from hub.attendance.cells import CellState
from hub.attendance.grid import month_grid
from hub.careplan.rules import PlanDay, Size
from hub.careplan.service import (
    capacity,
    change_plan,
    create_plan,
    end_plan,
    plan_of,
    planned_at,
    set_settling_in,
)
from tests.support.attendance import at, child_id, day_at_the_creche, location_actor, row_of, second_location
from tests.support.attendance import db as db  # the fixtures, on the demo database
from tests.support.attendance import door as door

pytestmark = pytest.mark.both_databases  # SQLite and PostgreSQL

FULL = PlanDay(Size.FULL, time(7, 30), time(17, 30))
HALF = PlanDay(Size.HALF, time(8, 0), time(12, 0))


def test_a_change_from_a_date_keeps_the_days_before_it_as_they_were_planned(db, demo) -> None:
    actor, jules = location_actor(demo), child_id(db, "Jules")
    create_plan(db, actor, jules, demo.location_id, date(2026, 3, 2), None, {0: FULL, 2: FULL, 4: HALF})
    change_plan(db, actor, jules, demo.location_id, date(2026, 4, 6), {1: FULL}, today=date(2026, 3, 20))

    plan = plan_of(db, jules, demo.location_id).plan
    assert plan.planned(date(2026, 3, 30)) == FULL  # a Monday before the change
    assert plan.planned(date(2026, 4, 6)) is None  # the Monday it starts
    assert plan.planned(date(2026, 4, 7)) == FULL
    assert [h[2] for h in plan_of(db, jules, demo.location_id).history] == ["2026-03-02", "2026-04-06"]


def test_a_change_cannot_start_in_the_past_so_billed_days_never_change(db, demo) -> None:
    actor, jules = location_actor(demo), child_id(db, "Jules")
    create_plan(db, actor, jules, demo.location_id, date(2026, 3, 2), None, {0: FULL})
    with pytest.raises(Refused, match="nooit in het verleden"):
        change_plan(db, actor, jules, demo.location_id, date(2026, 3, 19), {1: FULL}, today=date(2026, 3, 20))
    assert plan_of(db, jules, demo.location_id).plan.planned(date(2026, 3, 16)) == FULL


def test_settling_in_days_lie_before_the_start_and_are_no_planned_days(db, demo) -> None:
    actor, jules = location_actor(demo), child_id(db, "Jules")
    with pytest.raises(Refused, match="Wendagen"):
        create_plan(db, actor, jules, demo.location_id, date(2026, 3, 2), None, {0: FULL}, [date(2026, 3, 2)])
    create_plan(db, actor, jules, demo.location_id, date(2026, 3, 9), None, {0: FULL}, [date(2026, 3, 2)])
    stored = plan_of(db, jules, demo.location_id)
    assert stored.plan.settling_in == {date(2026, 3, 2)} and stored.plan.planned(date(2026, 3, 2)) is None


def test_hours_and_days_are_checked_and_a_second_plan_is_refused(db, demo) -> None:
    actor, jules = location_actor(demo), child_id(db, "Jules")
    with pytest.raises(Refused, match="minstens één dag"):
        create_plan(db, actor, jules, demo.location_id, date(2026, 3, 2), None, {})
    with pytest.raises(Refused, match="einduur"):
        create_plan(
            db,
            actor,
            jules,
            demo.location_id,
            date(2026, 3, 2),
            None,
            {0: PlanDay(Size.FULL, time(9), time(8))},
        )
    create_plan(db, actor, jules, demo.location_id, date(2026, 3, 2), None, {0: FULL})
    with pytest.raises(Refused, match="al een opvangplan"):
        create_plan(db, actor, jules, demo.location_id, date(2026, 3, 2), None, {0: FULL})


def test_a_location_cannot_plan_a_child_of_another_location(db, demo) -> None:
    second_location(db, demo)  # "De Regenboog", without Jules
    with pytest.raises(NoAccess):
        create_plan(
            db, location_actor(demo), child_id(db, "Jules"), "regenboog", date(2026, 3, 2), None, {0: FULL}
        )


def test_the_grid_shows_a_planned_day_gone_by_without_registration_as_afwezig(db, door, demo) -> None:
    actor, jules = location_actor(demo), child_id(db, "Jules")
    create_plan(db, actor, jules, demo.location_id, date(2026, 3, 2), date(2026, 3, 31), {1: FULL, 2: FULL})
    day_at_the_creche(door, "Jules", "2026-03-10")  # a Tuesday: came
    grid = month_grid(db, demo.location_id, 2026, 3, now=at("2026-03-18", "09:00"))
    cells = {c.day: c.state for c in row_of(grid, "Jules").cells}
    assert cells[date(2026, 3, 10)] is CellState.COMPLETE
    assert cells[date(2026, 3, 11)] is CellState.MISSED  # Wednesday, planned, nobody came
    assert cells[date(2026, 3, 12)] is CellState.ABSENT  # Thursday, not planned: just grey
    assert cells[date(2026, 3, 18)] is CellState.ABSENT  # today, planned: may still come
    assert cells[date(2026, 3, 24)] is CellState.FUTURE
    assert cells[date(2026, 3, 3)] is CellState.MISSED
    noah = {c.day: c.state for c in row_of(grid, "Noah").cells}
    assert noah[date(2026, 3, 11)] is CellState.ABSENT  # no plan, no absence
    assert len(planned_at(db, demo.location_id, date(2026, 3, 1), date(2026, 3, 31))) == 9
    assert (jules, date(2026, 3, 3) + timedelta(days=28)) in planned_at(
        db, demo.location_id, date(2026, 3, 1), date(2026, 3, 31)
    )


def test_capacity_counts_the_children_planned_each_day_against_the_places(db, demo) -> None:
    actor = location_actor(demo)
    for name in ("Jules", "Lotte"):
        create_plan(
            db, actor, child_id(db, name), demo.location_id, date(2026, 3, 2), None, {0: FULL, 1: HALF}
        )
    create_plan(db, actor, child_id(db, "Noah"), demo.location_id, date(2026, 3, 2), None, {1: FULL})
    days = capacity(db, demo.location_id, date(2026, 3, 9), 3, 2)  # Monday 9 March, 2 places
    assert days == [(date(2026, 3, 9), 2, 2), (date(2026, 3, 10), 3, 2), (date(2026, 3, 11), 0, 2)]


def test_ending_a_plan_that_has_started_takes_a_months_notice(db, demo) -> None:
    actor, jules = location_actor(demo), child_id(db, "Jules")
    create_plan(db, actor, jules, demo.location_id, date(2026, 3, 2), None, {0: FULL})
    with pytest.raises(Refused, match="ten vroegste 14/04/2026"):
        end_plan(db, actor, jules, demo.location_id, date(2026, 3, 31), today=date(2026, 3, 15))
    end_plan(db, actor, jules, demo.location_id, date(2026, 4, 14), today=date(2026, 3, 15))
    assert plan_of(db, jules, demo.location_id).plan.end == date(2026, 4, 14)


def test_settling_in_days_can_be_changed_after_the_plan_is_made_but_not_those_gone_by(db, demo) -> None:
    actor, jules = location_actor(demo), child_id(db, "Jules")
    create_plan(
        db,
        actor,
        jules,
        demo.location_id,
        date(2026, 3, 16),
        None,
        {0: FULL},
        [date(2026, 3, 2), date(2026, 3, 9)],
    )
    # on 05/03: 02/03 is gone by and stays, 09/03 is dropped, 10/03 and 11/03 are added
    kept = set_settling_in(
        db, actor, jules, demo.location_id, [date(2026, 3, 10), date(2026, 3, 11)], today=date(2026, 3, 5)
    )
    assert kept == [date(2026, 3, 2), date(2026, 3, 10), date(2026, 3, 11)]
    assert plan_of(db, jules, demo.location_id).plan.settling_in == set(kept)
    with pytest.raises(Refused, match="in het verleden"):
        set_settling_in(db, actor, jules, demo.location_id, [date(2026, 3, 3)], today=date(2026, 3, 5))
    with pytest.raises(Refused, match="vóór de startdatum"):
        set_settling_in(db, actor, jules, demo.location_id, [date(2026, 3, 16)], today=date(2026, 3, 5))
    assert plan_of(db, jules, demo.location_id).plan.settling_in == set(kept)
