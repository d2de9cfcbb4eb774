"""Inkomenstarief: what a day of childcare costs at a location whose price depends on the family's income.

The family's income-related day price is on its "attest inkomenstarief" (Kind en Gezin computes it
and indexes it; a recalculation applies from the next month), so it is a dated series per family,
not a constant. What a day costs is a share of it by the hours present that calendar day at this
location (Gezinsbond FAQ; DESIGN.md):

    less than 5 hours                        60 %
    from 5 hours up to and including 11      100 %   ("tussen 5 uur en minder dan 11 uur")
    more than 11 hours                       160 %   ("opvang langer dan 11 uren")
    less than 3 hours, for a child that
    goes to school full-time                 40 %

The FAQ leaves exactly 11:00 in neither band; DESIGN.md's "5–11 h 100 %, > 11 h 160 %" puts it
at 100 %. Exactly 5:00 is 100 %, 4:59 is 60 %; 11:01 is 160 %. Minutes are whole minutes as the
grid shows them. Hours at another location are that location's bill and are not added here.
Amounts are rounded to the cent, halves up.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from hub.prices.amounts import DatedAmounts

LONG_DAY_OVER = 11 * 60  # minutes
FULL_DAY_FROM = 5 * 60
SHORT_SCHOOL_DAY_UNDER = 3 * 60


def day_percentage(minutes: int, school_full_time: bool = False) -> int:
    """The share of the income-related day price, in percent, for ``minutes`` present on one day."""
    if minutes <= 0:
        raise ValueError("a day price is for a day with attendance")
    if minutes > LONG_DAY_OVER:
        return 160
    if minutes >= FULL_DAY_FROM:
        return 100
    if school_full_time and minutes < SHORT_SCHOOL_DAY_UNDER:
        return 40
    return 60


@dataclass(frozen=True)
class DayCharge:
    day: date
    minutes: int
    percentage: int
    amount: Decimal | None  # None when the family's day price on that day is unknown


def day_charge(
    day: date, minutes: int, day_prices: DatedAmounts, school_full_time: bool = False
) -> DayCharge:
    """The charge of one day: its percentage of the family's day price valid on that day."""
    percentage = day_percentage(minutes, school_full_time)
    price = day_prices.on(day)
    amount = None
    if price is not None:
        amount = (price * percentage / 100).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    return DayCharge(day, minutes, percentage, amount)


def month_charges(
    minutes_by_day: Mapping[date, int], day_prices: DatedAmounts, school_full_time: bool = False
) -> tuple[DayCharge, ...]:
    """The charge of every day with attendance, in order."""
    return tuple(
        day_charge(day, minutes, day_prices, school_full_time)
        for day, minutes in sorted(minutes_by_day.items())
        if minutes > 0
    )
