"""The billing rules with every number of the two documents (pure: fixed dates are safe here)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from decimal import Decimal
from fractions import Fraction
from zoneinfo import ZoneInfo

import pytest

from hub.billing.absences import (
    RESPITE_TABLE,
    Absence,
    Outcome,
    fmt_days,
    judge_absences,
    plan_stop_problem,
    reported_in_time,
    respite_table,
    round_half_day,
    yearly_allowance,
)
from hub.billing.bands import band_percentage, minutes_by_day, planned_minutes
from hub.billing.fees import admin_cost, child_discount, discounted_day_price, late_fine, share, waste_fee
from hub.billing.policy import AG_ANTWERPEN, GEZINSBOND, AdminCost, Reason, policy_named
from hub.careplan.rules import (
    CarePlan,
    PlanDay,
    PlanVersion,
    Size,
    earliest_end,
    months_in_care,
    planned_days,
    with_change,
)
from hub.prices.amounts import parse_amounts

BXL = ZoneInfo("Europe/Brussels")
H = 60
F = Fraction


def at(day: date, hh: int, mm: int = 0, ss: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hh, mm, ss, tzinfo=BXL)


# -- bands --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("minutes", "school", "percent"),
    [
        (1, True, 40),
        (179, True, 40),  # under 180: 40 % for a child at school full time
        (180, True, 60),
        (179, False, 60),  # ... and 60 % for any other child
        (299, False, 60),
        (300, False, 100),  # "tussen 5 uur en minder dan 11 uur": 5:00 is a full day
        (659, False, 100),
        (660, False, 100),  # exactly 11 h: our reading, 100 % (the FAQ leaves it open)
        (661, False, 160),  # "langer dan 11 uren"
        (661, True, 160),
        (14 * H, False, 160),
    ],
)
def test_a_day_is_billed_by_its_band_with_the_edges_as_documented(minutes, school, percent) -> None:
    assert band_percentage(minutes, school) == percent


def test_only_minutes_between_06_00_and_20_00_brussels_count_and_stays_of_a_day_add_up() -> None:
    day = date(2026, 3, 10)
    stays = [(at(day, 5, 30), at(day, 9, 0)), (at(day, 13, 0), at(day, 20, 45))]
    assert minutes_by_day(stays) == {day: 3 * H + 7 * H}  # 06:00-09:00 and 13:00-20:00


def test_a_long_day_from_06_00_to_20_00_is_160_percent_and_seconds_are_cut_to_the_minute() -> None:
    day = date(2026, 3, 10)
    assert minutes_by_day([(at(day, 6, 0), at(day, 17, 0, 59))]) == {day: 11 * H}
    assert band_percentage(11 * H) == 100
    assert minutes_by_day([(at(day, 6, 0), at(day, 17, 1))]) == {day: 11 * H + 1}


def test_minutes_are_brussels_minutes_across_the_summer_time_change() -> None:
    day = date(2026, 3, 29)  # clocks go from 02:00 to 03:00
    utc_arrival = at(day, 7, 0).astimezone(ZoneInfo("UTC"))
    assert minutes_by_day([(utc_arrival, at(day, 12, 0))]) == {day: 5 * H}


def test_a_missed_planned_day_is_judged_by_its_planned_hours_within_the_day_window() -> None:
    assert planned_minutes(time(7, 30), time(17, 30)) == 10 * H
    assert planned_minutes(time(5, 0), time(21, 0)) == 14 * H
    assert planned_minutes(time(8, 0), time(12, 0)) == 4 * H
    assert planned_minutes(time(20, 0), time(21, 0)) == 0


# -- justified absences (AG Antwerpen, seed 003) ---------------------------------------------------


@pytest.mark.parametrize(("days_a_week", "days"), [(5, 20), (4, 16), (3, 12), (2, 8)])
def test_a_full_day_plan_gives_4_justified_days_a_year_per_planned_weekday(days_a_week, days) -> None:
    assert yearly_allowance(AG_ANTWERPEN, [F(days_a_week)] * 12) == days


@pytest.mark.parametrize(("days_a_week", "half_days"), [(5, 20), (4, 16), (3, 12), (2, 8)])
def test_a_half_day_plan_gives_the_same_number_of_half_days(days_a_week, half_days) -> None:
    assert yearly_allowance(AG_ANTWERPEN, [F(days_a_week, 2)] * 12) == F(half_days, 2)


def test_justified_absences_are_pro_rata_by_months_in_care_rounded_to_the_half_day() -> None:
    assert yearly_allowance(AG_ANTWERPEN, [F(5)] * 6) == 10  # 20 x 6/12
    assert yearly_allowance(AG_ANTWERPEN, [F(5)] * 7) == F(23, 2)  # 11,67 -> 11,5
    assert yearly_allowance(AG_ANTWERPEN, [F(2)] * 1) == F(1, 2)  # 0,67 -> 0,5
    assert yearly_allowance(AG_ANTWERPEN, [F(3)] * 1) == 1  # 12/12
    assert yearly_allowance(AG_ANTWERPEN, [F(4)] * 9) == 12  # 16 x 9/12
    assert round_half_day(F(3, 4)) == 1 and round_half_day(F(1, 4)) == F(1, 2)  # halves up
    assert round_half_day(F(1, 5)) == 0


def test_sickness_uses_a_day_unless_a_doctors_note_and_an_accident_or_plan_stop_uses_none() -> None:
    absences = [
        Absence(date(2026, 2, 2), F(1), Reason.SICK),
        Absence(date(2026, 2, 3), F(1), Reason.SICK_NOTE),
        Absence(date(2026, 2, 4), F(1), Reason.ACCIDENT),
        Absence(date(2026, 2, 5), F(1), Reason.PLAN_STOP),
        Absence(date(2026, 2, 6), F(1), Reason.CLOSURE),
        Absence(date(2026, 2, 9), F(1), Reason.HOLIDAY),
    ]
    judged = judge_absences(AG_ANTWERPEN, F(20), absences)
    assert [j.outcome for j in judged] == [
        Outcome.JUSTIFIED, Outcome.FREE, Outcome.FREE, Outcome.FREE, Outcome.FREE, Outcome.JUSTIFIED,
    ]  # fmt: skip
    assert judged[-1].balance_after == 18


def test_with_no_justified_days_left_a_missed_planned_day_is_charged() -> None:
    absences = [Absence(date(2026, 1, d), F(1), Reason.SICK) for d in (5, 6, 7)]
    judged = judge_absences(AG_ANTWERPEN, F(2), absences)
    assert [j.outcome for j in judged] == [Outcome.JUSTIFIED, Outcome.JUSTIFIED, Outcome.CHARGED]
    assert judged[-1].balance_after == 0


def test_half_a_day_left_covers_a_half_day_but_not_a_full_one() -> None:
    judged = judge_absences(
        AG_ANTWERPEN,
        F(1, 2),
        [Absence(date(2026, 1, 5), F(1), Reason.OTHER), Absence(date(2026, 1, 6), F(1, 2), Reason.OTHER)],
    )
    assert [j.outcome for j in judged] == [Outcome.CHARGED, Outcome.JUSTIFIED]
    assert judged[-1].balance_after == 0


def test_an_absence_reported_before_08_00_brussels_is_in_time_at_08_00_it_is_late() -> None:
    day = date(2026, 3, 10)
    assert reported_in_time(at(day, 7, 59, 59), day)
    assert not reported_in_time(at(day, 8, 0), day)
    assert reported_in_time(at(date(2026, 3, 9), 21, 0), day)  # the evening before


# -- respite days (Gezinsbond, seed 004) ---------------------------------------------------------

FAQ_TABLE = """\
5 30 27,5 25 22,5 20 17,5 15 12,5 10 7,5 5 2,5
4,5 27 24,5 22,5 20 18 15,5 13,5 11 9 6,5 4,5 2,5
4 24 22 20 18 16 14 12 10 8 6 4 2
3,5 21 19 17,5 15,5 14 12 10,5 8,5 7 5 3,5 2
3 18 16,5 15 13,5 12 10,5 9 7,5 6 4,5 3 1,5
2,5 15 13,5 12,5 11 10 8,5 7,5 6 5 3,5 2,5 1,5
2 12 11 10 9 8 7 6 5 4 3 2 1
"""


def _nl(value: str) -> Fraction:
    return Fraction(value.replace(",", "."))


def test_every_cell_of_the_faqs_respite_table_from_30_for_5_days_12_months_to_1_for_2_days_1_month() -> None:
    cells = 0
    for line in FAQ_TABLE.splitlines():
        rate, *row = line.split()
        for months, value in zip(range(12, 0, -1), row, strict=True):
            assert respite_table(_nl(rate), months) == _nl(value), (rate, months)
            assert yearly_allowance(GEZINSBOND, [_nl(rate)] * months) == _nl(value)
            cells += 1
    assert cells == 84 == sum(len(row) for row in RESPITE_TABLE.values())
    assert respite_table(F(5), 12) == 30 and respite_table(F(2), 1) == 1


def test_faq_example_start_in_january_monday_tuesday_thursday_full_days_gives_18() -> None:
    days = {d: PlanDay(Size.FULL, time(7, 30), time(17, 0)) for d in (0, 1, 3)}
    plan = CarePlan(date(2026, 1, 5), None, [PlanVersion(date(2026, 1, 5), days)])
    assert yearly_allowance(GEZINSBOND, months_in_care(plan, 2026)) == 18


def test_faq_example_start_in_july_with_2_days_a_week_gives_7() -> None:
    two_halves_and_one = {0: PlanDay(Size.FULL, time(8), time(17)), 2: PlanDay(Size.HALF, time(8), time(12)),
                          4: PlanDay(Size.HALF, time(13), time(17))}  # fmt: skip  # "wisselend plan"
    plan = CarePlan(date(2026, 7, 1), None, [PlanVersion(date(2026, 7, 1), two_halves_and_one)])
    assert months_in_care(plan, 2026) == [F(2)] * 6  # July to December is 6 months in 2026 ...
    assert yearly_allowance(GEZINSBOND, [F(2)] * 7) == 7  # ... the FAQ counts 7: "nog 7 maanden"


def test_faq_example_4_days_then_2_days_in_july_and_august_gives_22() -> None:
    four = {d: PlanDay(Size.FULL, time(8), time(17)) for d in (0, 1, 2, 3)}
    two = {d: PlanDay(Size.FULL, time(8), time(17)) for d in (0, 1)}
    plan = CarePlan(date(2026, 1, 1), None, [PlanVersion(date(2026, 1, 1), four)])
    plan = with_change(plan, PlanVersion(date(2026, 7, 1), two))
    plan = with_change(plan, PlanVersion(date(2026, 9, 1), four))
    assert yearly_allowance(GEZINSBOND, months_in_care(plan, 2026)) == 22  # 20 (10 months) + 2 (2 months)


def test_respite_days_below_2_days_a_week_are_none_and_third_days_are_taken_as_thirds() -> None:
    assert respite_table(F(3, 2), 12) == 0
    judged = judge_absences(
        GEZINSBOND, F(1), [Absence(date(2026, 5, d), F(1, 3), Reason.OTHER) for d in (4, 5, 6, 7)]
    )
    assert [j.outcome for j in judged] == [Outcome.JUSTIFIED] * 3 + [Outcome.CHARGED]
    assert fmt_days(F(23, 2)) == "11,5" and fmt_days(F(2, 3)) == "0,67" and fmt_days(F(7)) == "7"


def test_respite_days_count_every_absence_except_sickness_with_a_doctors_note_or_a_closure() -> None:
    absences = [Absence(date(2026, 2, d), F(1), r) for d, r in
                ((2, Reason.SICK), (3, Reason.SICK_NOTE), (4, Reason.ACCIDENT), (5, Reason.HOLIDAY),
                 (6, Reason.CLOSURE), (9, Reason.UNREPORTED))]  # fmt: skip
    judged = judge_absences(GEZINSBOND, F(30), absences)
    J, FREE = Outcome.JUSTIFIED, Outcome.FREE
    assert [j.outcome for j in judged] == [J, FREE, J, J, FREE, J]
    assert judged[-1].balance_after == 26


# -- the care plan ---------------------------------------------------------------------------------


def test_a_plan_change_from_a_date_never_rewrites_the_days_before_it() -> None:
    full = PlanDay(Size.FULL, time(7, 30), time(17, 30))
    plan = CarePlan(date(2026, 1, 5), date(2026, 12, 31), [PlanVersion(date(2026, 1, 5), {0: full, 2: full})])
    changed = with_change(plan, PlanVersion(date(2026, 3, 2), {1: full}))
    assert changed.planned(date(2026, 2, 23)) == full  # a Monday before the change
    assert changed.planned(date(2026, 3, 2)) is None  # Monday after: no longer planned
    assert changed.planned(date(2026, 3, 3)) == full
    assert changed.planned(date(2026, 1, 4)) is None  # before the start
    assert len(planned_days(changed, date(2026, 2, 23), date(2026, 3, 8))) == 3  # Mon, Wed; Tue


# -- fees, discounts, fine -------------------------------------------------------------------------

TABLE = parse_amounts(
    """
    [[billing]]
    from = 2022-01-01
    waste_fee_per_day = "0.19"
    admin_per_child_month = "3.50"
    admin_per_invoice = "2.00"
    child_discount = "3.43"
    late_fine_minimum = "5.00"
    """
)
ON = date(2026, 3, 1)


def test_the_amounts_come_from_the_dated_billing_rows() -> None:
    assert TABLE.billing_amount("waste_fee_per_day", ON) == Decimal("0.19")
    assert TABLE.billing_amount("child_discount", date(2021, 12, 31)) is None
    later = parse_amounts('[[billing]]\nfrom = 2022-01-01\nchild_discount = "3.43"\n'
                          '[[billing]]\nfrom = 2026-01-01\nchild_discount = "3.60"\n')  # fmt: skip
    assert later.billing_amount("child_discount", date(2025, 12, 31)) == Decimal("3.43")
    assert later.billing_amount("child_discount", ON) == Decimal("3.60")
    with pytest.raises(ValueError, match="billing row 1: unknown"):
        parse_amounts('[[billing]]\nfrom = 2022-01-01\ncoffee = "1"\n')


def test_the_waste_fee_is_0_19_per_day_present() -> None:
    assert waste_fee(1, TABLE.billing_amount("waste_fee_per_day", ON)) == Decimal("0.19")
    assert waste_fee(17, TABLE.billing_amount("waste_fee_per_day", ON)) == Decimal("3.23")


def test_administration_is_3_50_a_child_a_month_or_2_an_invoice_half_off_when_digital() -> None:
    month, invoice = (
        TABLE.billing_amount("admin_per_child_month", ON),
        TABLE.billing_amount("admin_per_invoice", ON),
    )
    assert admin_cost(AdminCost.PER_CHILD_MONTH, 1, False, month, invoice, 0) == Decimal("3.50")
    assert admin_cost(AdminCost.PER_CHILD_MONTH, 2, True, month, invoice, 0) == Decimal("7.00")
    assert admin_cost(AdminCost.PER_INVOICE, 2, False, month, invoice, 50) == Decimal("2.00")
    assert admin_cost(AdminCost.PER_INVOICE, 2, True, month, invoice, 50) == Decimal("1.00")


def test_child_discount_3_43_per_child_from_the_second_and_one_extra_for_a_multiple_birth() -> None:
    per_child = TABLE.billing_amount("child_discount", ON)
    assert child_discount(1, False, per_child) == 0
    assert child_discount(2, False, per_child) == Decimal("3.43")
    assert child_discount(3, False, per_child) == Decimal("6.86")  # FAQ: "6,86 euro korting"
    # FAQ: 3 children with a twin: 3,43 + 3,43 + 3,43 extra; the FAQ prints "10,02", which is 10,29
    assert child_discount(3, True, per_child) == Decimal("10.29")
    assert child_discount(1, True, per_child) == 0
    assert discounted_day_price(Decimal("25.00"), Decimal("6.86")) == Decimal("18.14")
    assert discounted_day_price(Decimal("3.00"), Decimal("3.43")) == 0
    assert share(Decimal("18.14"), 60) == Decimal("10.88")  # 10,884
    assert share(Decimal("18.14"), 160) == Decimal("29.02")  # 29,024


def test_the_late_pickup_fine_is_half_the_day_price_at_least_5_euro() -> None:
    minimum = TABLE.billing_amount("late_fine_minimum", ON)
    assert late_fine(Decimal("8.00"), minimum) == Decimal("5.00")
    assert late_fine(Decimal("10.00"), minimum) == Decimal("5.00")  # exactly the minimum
    assert late_fine(Decimal("10.02"), minimum) == Decimal("5.01")
    assert late_fine(Decimal("31.45"), minimum) == Decimal("15.73")  # 15,725 halves up


def test_the_two_organisations_are_two_presets_of_one_policy() -> None:
    assert policy_named(None) is AG_ANTWERPEN and policy_named("gezinsbond") is GEZINSBOND
    with pytest.raises(ValueError, match="unknown billing rules"):
        policy_named("elders")


def test_a_plan_stop_is_1_or_3_weeks_from_a_monday_at_most_3_a_year_asked_8_weeks_ahead() -> None:
    asked = date(2026, 3, 2)
    monday = asked + timedelta(weeks=8)  # 27/04/2026, exactly 8 weeks ahead
    assert plan_stop_problem(AG_ANTWERPEN, monday, 3, asked, 0) is None  # one block of 3 weeks
    assert plan_stop_problem(AG_ANTWERPEN, monday, 1, asked, 2) is None  # the third single week
    assert "8 weken" in plan_stop_problem(AG_ANTWERPEN, monday - timedelta(weeks=1), 1, asked, 0)
    assert "nog 0 over" in plan_stop_problem(AG_ANTWERPEN, monday, 1, asked, 3)
    assert "nog 2 over" in plan_stop_problem(AG_ANTWERPEN, monday, 3, asked, 1)
    assert "1 week of 3 weken" in plan_stop_problem(AG_ANTWERPEN, monday, 2, asked, 0)
    assert "maandag" in plan_stop_problem(AG_ANTWERPEN, monday + timedelta(days=1), 1, asked, 0)
    assert "geen tijdelijke stopzetting" in plan_stop_problem(GEZINSBOND, monday, 1, asked, 0)


def test_notice_of_a_month_gives_the_earliest_last_day() -> None:
    assert earliest_end(date(2026, 3, 15)) == date(2026, 4, 14)
    assert earliest_end(date(2026, 1, 31)) == date(2026, 2, 27)
    assert earliest_end(date(2026, 12, 1)) == date(2026, 12, 31)
