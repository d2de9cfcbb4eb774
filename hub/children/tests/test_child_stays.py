"""A child's stay at a location: the grid shows it within its first and last day, the units' roster
drops it after the last day, and its card then answers "niet meer ingeschreven" without counting
as attendance. Fixed dates in March 2026; "today" for the roster is the real day, long after."""

from __future__ import annotations

from datetime import date

import pytest

from hub.accounts.actors import Refused
from hub.attendance.cells import CellState
from hub.attendance.grid import month_grid
from hub.cards.codes import departed, roster
from hub.children.queries import Stay, set_stay, stay_of
from hub.units.config import config_for
from hub.units.registry import active_units
from tests.support.attendance import ARRIVAL, DEPARTURE, at, child_id, db, door, row_of
from wire import NOT_ENROLLED, Verdict

__all__ = ["db", "door"]  # fixtures


def test_after_the_last_day_the_card_answers_niet_meer_ingeschreven_not_attendance(db, door, demo) -> None:
    jules = child_id(db, "Jules")
    set_stay(db, jules, demo.location_id, Stay(None, date(2026, 3, 12)))
    assert stay_of(db, jules, demo.location_id) == Stay(None, date(2026, 3, 12))
    kept = door.scan("Jules", at("2026-03-12", "08:00"), ARRIVAL)
    assert kept.verdict is Verdict.STORED
    door.scan("Jules", at("2026-03-12", "16:00"), DEPARTURE)
    after = door.scan("Jules", at("2026-03-13", "08:00"), ARRIVAL)
    assert (after.verdict, after.reason, after.child) == (Verdict.UNKNOWN_CARD, NOT_ENROLLED, "Jules")
    grid = month_grid(db, demo.location_id, 2026, 3, now=at("2026-03-31", "20:00"))
    row = row_of(grid, "Jules")
    assert row.cells[11].state is CellState.COMPLETE  # the 12th, the last day
    assert row.cells[12].state is CellState.CLOSED and row.cells[12].closed == "niet ingeschreven"
    assert all(cell.state is CellState.CLOSED for cell in row.cells[12:]), "no grey + after the last day"
    [card] = grid.unknown_cards
    assert card.child == "Jules Peeters" and card.scans == 1
    april = month_grid(db, demo.location_id, 2026, 4, now=at("2026-04-30", "20:00"))
    assert "Jules" not in {r.child.first_name for r in april.rows}, "shown only within its stay"


def test_the_units_roster_drops_the_child_after_its_last_day(db, demo) -> None:
    jules = child_id(db, "Jules")
    code = demo.cards["Jules"]
    assert code in roster(db, demo.location_id)
    set_stay(db, jules, demo.location_id, Stay(date(2025, 9, 1), date(2026, 3, 12)))  # long before today
    assert code not in roster(db, demo.location_id)
    assert departed(db, demo.location_id) == {code: "Jules"}
    unit = next(u for u in active_units(db) if u.location_id == demo.location_id)
    assert config_for(db, unit).departed == {code: "Jules"}


def test_a_last_day_before_the_first_is_refused(db, demo) -> None:
    with pytest.raises(Refused, match="laatste opvangdag ligt voor de eerste"):
        set_stay(db, child_id(db, "Jules"), demo.location_id, Stay(date(2026, 3, 12), date(2026, 3, 1)))
