"""KO-toeslag (kinderopvangtoeslag): what a month of attendance gives parents at a "vrije prijs" location.

The Groeipakket pays it per child per day of childcare, from the attendance the location sends to
Kind en Gezin (DESIGN.md; groeipakket.be):

- a day of at least 5 hours counts whole; at least 3 hours and less than 5, half; less than 3
  hours, not at all. Exactly 5:00 is whole and exactly 3:00 half ("minstens 5 uur", "minstens
  3 uur"); minutes are whole minutes as the grid shows them, so 2:59 gives nothing.
- hours at two locations on one calendar day add up: the day is judged once, on the sum. A day
  therefore pays at most one day, and a month never more paid days than it has calendar days.
- it stops when the child goes to school. The right lapses at 2.5 years "tenzij het kind later
  naar school gaat" (AARON guide): with a school start date the last paid day is the day before
  it; without one, the day before the child turns 2.5.
- a child marked "geen KO-toeslag" gets none; nor does anyone at an inkomenstarief location.

Amounts: half a day pays half the whole-day amount, cut to the cent (3,23 -> 1,61; 3,29 -> 1,64,
as the Groeipakket pays them). Without an amount table only the days are given.
"""

from __future__ import annotations

import calendar
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_DOWN, Decimal
from enum import StrEnum
from fractions import Fraction

from hub.prices.amounts import AmountTable

WHOLE_DAY_FROM = 5 * 60  # minutes
HALF_DAY_FROM = 3 * 60
SCHOOL_AGE_MONTHS = 30  # 2.5 years


class Credit(StrEnum):
    WHOLE = "whole"
    HALF = "half"
    NONE = "none"

    @property
    def days(self) -> Fraction:
        return {Credit.WHOLE: Fraction(1), Credit.HALF: Fraction(1, 2), Credit.NONE: Fraction(0)}[self]


def day_credit(minutes: int) -> Credit:
    """Whole, half or no day for the minutes present on one calendar day (all locations together)."""
    if minutes >= WHOLE_DAY_FROM:
        return Credit.WHOLE
    if minutes >= HALF_DAY_FROM:
        return Credit.HALF
    return Credit.NONE


def add_months(day: date, months: int) -> date:
    """The same day ``months`` later; the month's last day when it is shorter (31/08 + 6 -> 28/02)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    return date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


def subsidy_age_day(birth_date: date) -> date:
    """The day a child turns 2.5 years, when the subsidy normally ends."""
    return add_months(birth_date, SCHOOL_AGE_MONTHS)


def first_day_without(birth_date: date | None, school_start: date | None) -> date | None:
    """The first day without KO-toeslag: the school start if known, else the day the child turns 2.5.

    None when neither is known (no birth date): the day cannot be told.
    """
    if school_start is not None:
        return school_start
    return subsidy_age_day(birth_date) if birth_date else None


class NoSubsidy(StrEnum):
    """Why a day with attendance gives no KO-toeslag (Dutch, for the screen)."""

    SHORT = "minder dan 3 uur"
    SCHOOL = "gaat naar school"
    AGE = "2,5 jaar"
    FLAGGED = "geen KO-toeslag"
    NO_BIRTH_DATE = "geboortedatum ontbreekt"


@dataclass(frozen=True)
class SubsidyDay:
    day: date
    minutes_here: int
    minutes_elsewhere: int  # at other locations the same day
    credit: Credit
    why_not: NoSubsidy | None = None  # when the credit is NONE though the child was there
    amount: Decimal | None = None

    @property
    def minutes(self) -> int:
        return self.minutes_here + self.minutes_elsewhere


@dataclass(frozen=True)
class SubsidyMonth:
    year: int
    month: int
    days: tuple[SubsidyDay, ...]  # the days with attendance here, in order
    ends: date | None  # first day without subsidy (school start or 2.5 years), if known

    @property
    def whole_days(self) -> int:
        return sum(1 for d in self.days if d.credit is Credit.WHOLE)

    @property
    def half_days(self) -> int:
        return sum(1 for d in self.days if d.credit is Credit.HALF)

    @property
    def paid_days(self) -> Fraction:
        """Whole days plus half of the half days; at most the month's number of days."""
        return sum((d.credit.days for d in self.days), Fraction(0))

    @property
    def amount(self) -> Decimal | None:
        """Euros over the month, or None when an amount is missing for a paid day."""
        paid = [d for d in self.days if d.credit is not Credit.NONE]
        if any(d.amount is None for d in paid):
            return None
        return sum((d.amount for d in paid), Decimal("0.00"))  # type: ignore[misc]


def subsidy_month(
    year: int,
    month: int,
    here: Mapping[date, int],
    elsewhere: Mapping[date, int],
    birth_date: date | None,
    school_start: date | None,
    no_subsidy: bool = False,
    amounts: AmountTable | None = None,
) -> SubsidyMonth:
    """The KO-toeslag of one child for one month at one location.

    ``here`` holds the minutes present per day at this location, ``elsewhere`` the same child's
    minutes at other locations; each day is judged on their sum and listed once, here.
    """
    ends = first_day_without(birth_date, school_start)
    days = []
    for day in sorted(d for d, minutes in here.items() if minutes > 0 and (d.year, d.month) == (year, month)):
        minutes_here, minutes_elsewhere = here[day], elsewhere.get(day, 0)
        credit = day_credit(minutes_here + minutes_elsewhere)
        why_not = None
        if no_subsidy:
            why_not = NoSubsidy.FLAGGED
        elif ends is None:
            why_not = NoSubsidy.NO_BIRTH_DATE
        elif day >= ends:
            why_not = NoSubsidy.SCHOOL if school_start is not None else NoSubsidy.AGE
        elif credit is Credit.NONE:
            why_not = NoSubsidy.SHORT
        if why_not is not None:
            credit = Credit.NONE
        days.append(
            SubsidyDay(day, minutes_here, minutes_elsewhere, credit, why_not, _amount(credit, day, amounts))
        )
    return SubsidyMonth(year, month, tuple(days), ends)


def _amount(credit: Credit, day: date, amounts: AmountTable | None) -> Decimal | None:
    if credit is Credit.NONE:
        return Decimal("0.00")
    whole_day = amounts.ko_toeslag_whole_day.on(day) if amounts else None
    if whole_day is None:
        return None
    if credit is Credit.WHOLE:
        return whole_day
    return (whole_day / 2).quantize(Decimal("0.01"), rounding=ROUND_DOWN)
