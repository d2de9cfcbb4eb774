"""The two price models as plain rules: KO-toeslag days (vrije prijs) and the income-related day price."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from fractions import Fraction

import pytest

from hub.prices.amounts import AmountTable, DatedAmount, DatedAmounts, parse_amounts
from hub.prices.income_tariff import day_charge, day_percentage, month_charges
from hub.prices.ko_toeslag import (
    Credit,
    NoSubsidy,
    add_months,
    day_credit,
    first_day_without,
    subsidy_age_day,
    subsidy_month,
)

H = 60  # minutes


# -- KO-toeslag ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("minutes", "credit"),
    [
        (0, Credit.NONE),
        (2 * H + 59, Credit.NONE),
        (3 * H, Credit.HALF),  # "minstens 3 uur": exactly three hours is a half day
        (4 * H + 59, Credit.HALF),
        (5 * H, Credit.WHOLE),  # "minstens 5 uur": exactly five hours is a whole day
        (11 * H, Credit.WHOLE),
    ],
)
def test_a_day_counts_whole_from_5_hours_half_from_3_hours_and_not_below(minutes, credit) -> None:
    assert day_credit(minutes) is credit


def test_hours_at_two_locations_on_one_day_add_up_before_the_day_is_judged() -> None:
    march = subsidy_month(
        2026,
        3,
        here={date(2026, 3, 10): 2 * H, date(2026, 3, 11): 3 * H},
        elsewhere={date(2026, 3, 10): 1 * H, date(2026, 3, 11): 2 * H},
        birth_date=date(2024, 3, 14),  # Jules
        school_start=None,
    )
    assert [d.credit for d in march.days] == [Credit.HALF, Credit.WHOLE]  # 2 h + 1 h; 3 h + 2 h
    assert march.paid_days == Fraction(3, 2)


def test_a_month_never_pays_more_days_than_it_has_even_at_two_locations_every_day() -> None:
    every_day = {date(2026, 3, d): 6 * H for d in range(1, 32)}
    march = subsidy_month(2026, 3, every_day, every_day, date(2024, 3, 14), None)
    assert march.paid_days == 31 and march.whole_days == 31


def test_the_subsidy_stops_at_2_and_a_half_years_unless_the_child_goes_to_school_later() -> None:
    mila = date(2023, 9, 30)  # the demo's Mila turns 2.5 on 30/03/2026
    assert subsidy_age_day(mila) == date(2026, 3, 30)
    days = {date(2026, 3, 27): 8 * H, date(2026, 3, 30): 8 * H, date(2026, 3, 31): 8 * H}
    normally = subsidy_month(2026, 3, days, {}, mila, school_start=None)
    assert [d.credit for d in normally.days] == [Credit.WHOLE, Credit.NONE, Credit.NONE]
    assert normally.days[1].why_not is NoSubsidy.AGE and normally.ends == date(2026, 3, 30)
    later = subsidy_month(2026, 3, days, {}, mila, school_start=date(2026, 9, 1))
    assert later.paid_days == 3
    at_school = subsidy_month(2026, 3, days, {}, mila, school_start=date(2026, 3, 31))
    assert [d.credit for d in at_school.days] == [Credit.WHOLE, Credit.WHOLE, Credit.NONE]
    assert at_school.days[2].why_not is NoSubsidy.SCHOOL


def test_2_and_a_half_years_from_the_end_of_a_month_ends_on_the_last_day_of_a_short_month() -> None:
    assert add_months(date(2023, 8, 31), 30) == date(2026, 2, 28)
    assert add_months(date(2021, 8, 31), 30) == date(2024, 2, 29)
    assert first_day_without(None, None) is None


def test_a_child_marked_geen_ko_toeslag_gets_no_days() -> None:
    march = subsidy_month(2026, 3, {date(2026, 3, 10): 8 * H}, {}, date(2024, 3, 14), None, no_subsidy=True)
    assert march.paid_days == 0 and march.days[0].why_not is NoSubsidy.FLAGGED


def test_euros_come_from_the_dated_table_and_a_half_day_is_cut_to_the_cent() -> None:
    table = parse_amounts(
        """
        [[ko_toeslag]]
        from = 2019-01-01
        whole_day = "3.23"

        [[ko_toeslag]]
        from = 2026-03-11
        whole_day = "3.29"
        """
    )
    assert table.ko_toeslag_whole_day.on(date(2018, 12, 31)) is None
    march = subsidy_month(
        2026,
        3,
        {date(2026, 3, 10): 4 * H, date(2026, 3, 11): 4 * H, date(2026, 3, 12): 9 * H},
        {},
        date(2024, 3, 14),
        None,
        amounts=table,
    )
    assert [d.amount for d in march.days] == [Decimal("1.61"), Decimal("1.64"), Decimal("3.29")]
    assert march.amount == Decimal("6.54")
    without_table = subsidy_month(2026, 3, {date(2026, 3, 10): 9 * H}, {}, date(2024, 3, 14), None)
    assert without_table.amount is None and without_table.paid_days == 1


def test_a_malformed_amount_table_says_which_row() -> None:
    with pytest.raises(ValueError, match="ko_toeslag row 1"):
        parse_amounts("[[ko_toeslag]]\nfrom = 2026-01-01\n")
    with pytest.raises(ValueError, match="same day"):
        AmountTable(
            DatedAmounts(
                [DatedAmount(date(2026, 1, 1), Decimal(1)), DatedAmount(date(2026, 1, 1), Decimal(2))]
            )
        )


# -- inkomenstarief ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("minutes", "percentage"),
    [
        (1, 60),
        (4 * H + 59, 60),
        (5 * H, 100),  # "tussen 5 uur en minder dan 11 uur"
        (11 * H, 100),  # exactly 11 h is not "langer dan 11 uren"
        (11 * H + 1, 160),
        (13 * H, 160),
    ],
)
def test_the_income_related_day_price_goes_by_the_hours_of_the_day(minutes, percentage) -> None:
    assert day_percentage(minutes) == percentage


def test_a_short_day_of_a_child_at_school_full_time_costs_40_percent() -> None:
    assert day_percentage(2 * H + 59, school_full_time=True) == 40
    assert day_percentage(3 * H, school_full_time=True) == 60
    assert day_percentage(2 * H + 59) == 60


def test_the_day_price_is_the_share_of_the_familys_price_valid_that_day() -> None:
    attest = DatedAmounts(
        [DatedAmount(date(2026, 1, 1), Decimal("24.35")), DatedAmount(date(2026, 3, 1), Decimal("25.10"))]
    )
    assert day_charge(date(2026, 2, 27), 8 * H, attest).amount == Decimal("24.35")
    assert day_charge(date(2026, 3, 2), 4 * H, attest).amount == Decimal("15.06")  # 60 % of 25.10
    assert day_charge(date(2026, 3, 3), 12 * H, attest).amount == Decimal("40.16")  # 160 %
    charges = month_charges({date(2026, 3, 2): 4 * H, date(2026, 3, 4): 0}, DatedAmounts())
    assert [(c.percentage, c.amount) for c in charges] == [(60, None)]
    with pytest.raises(ValueError):
        day_percentage(0)
