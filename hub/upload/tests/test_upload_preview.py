"""What a month gives before it is sent: KO-toeslag days per child, or the day price shares."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pytest

from hub.prices.amounts import parse_amounts
from hub.prices.ko_toeslag import Credit, NoSubsidy
from hub.upload.month import prepare_month
from hub.upload.service import preview
from tests.support.attendance import day_at_the_creche, second_location
from tests.support.attendance import db as db  # the fixtures, on the demo database
from tests.support.attendance import door as door
from tests.support.upload_month import CHECKED

pytestmark = pytest.mark.both_databases  # SQLite and PostgreSQL


def by_name(previews) -> dict:
    return {p.child.first_name: p for p in previews}


def test_the_preview_shows_whole_half_and_no_days_with_two_locations_added(db, door, demo) -> None:
    elsewhere = second_location(db, demo, "Jules")
    day_at_the_creche(door, "Jules", "2026-03-10", "08:00", "10:00")  # 2 h here ...
    day_at_the_creche(elsewhere, "Jules", "2026-03-10", "13:00", "14:30")  # ... and 1.5 h there: half
    day_at_the_creche(door, "Jules", "2026-03-11", "08:00", "13:00")  # exactly 5 h: whole
    day_at_the_creche(door, "Noah", "2026-03-12", "08:00", "10:59")  # 2:59: none
    day_at_the_creche(door, "Noah", "2026-03-13", "08:00", "11:00")  # exactly 3 h: half
    day_at_the_creche(door, "Mila", "2026-03-27", "08:00", "16:00")
    day_at_the_creche(door, "Mila", "2026-03-30", "08:00", "16:00")  # 2.5 years today
    table = parse_amounts('[[ko_toeslag]]\nfrom = 2026-01-01\nwhole_day = "3.50"\n')
    children = by_name(preview(prepare_month(db, demo.location_id, 2026, 3, now=CHECKED), table))

    jules = children["Jules"].subsidy
    assert [(d.minutes_here, d.minutes_elsewhere, d.credit) for d in jules.days] == [
        (120, 90, Credit.HALF),
        (300, 0, Credit.WHOLE),
    ]
    assert jules.paid_days == Fraction(3, 2) and jules.amount == Decimal("5.25")
    noah = children["Noah"].subsidy
    assert [(d.credit, d.why_not) for d in noah.days] == [(Credit.NONE, NoSubsidy.SHORT), (Credit.HALF, None)]
    mila = children["Mila"].subsidy
    assert [(d.credit, d.why_not) for d in mila.days] == [(Credit.WHOLE, None), (Credit.NONE, NoSubsidy.AGE)]
    assert not children["Mila"].held_back, "the age warning does not hold Mila's month back"


def test_an_inkomenstarief_location_shows_day_price_shares_and_no_ko_toeslag(db, door, demo) -> None:
    db.execute("UPDATE locations SET price_model = 'inkomenstarief' WHERE id = ?", (demo.location_id,))
    db.conn.commit()
    elsewhere = second_location(db, demo, "Jules")
    day_at_the_creche(door, "Jules", "2026-03-10", "08:00", "12:59")  # 4:59 here
    day_at_the_creche(elsewhere, "Jules", "2026-03-10", "14:00", "15:00")  # the other location bills its own
    day_at_the_creche(door, "Jules", "2026-03-11", "07:00", "18:00")  # 11 h exactly
    [jules] = preview(prepare_month(db, demo.location_id, 2026, 3, now=CHECKED))
    assert jules.subsidy is None
    assert [(c.minutes, c.percentage, c.amount) for c in jules.charges] == [(299, 60, None), (660, 100, None)]
