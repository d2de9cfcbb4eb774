"""Justified absences (AG Antwerpen) and respite days (Gezinsbond): the yearly allowance and its use.

Allowance, per calendar year, from the care plan month by month ("months in care": a month counts
when the plan covers at least one of its days; its days a week are the plan's of the version that
covers most of its days, the later on a tie):

- ``Allowance.PER_WEEKDAY`` (AG): a full-day plan of 5/4/3/2 days a week gives 20/16/12/8 days a
  full calendar year, a half-day plan the same number of half days; so 4 days a year per planned
  day a week, a half day counting half (a mixed plan adds up). A year not fully in care is pro
  rata by months: each month gives a twelfth. Our reading of the rounding: the year's total to
  the nearest half day, halves up (5 days for 7 months: 20 x 7/12 = 11,67 -> 11,5).
- ``Allowance.RESPITE_TABLE`` (Gezinsbond): the FAQ's table of days a week (2 to 5 in half steps)
  by months in care, looked up per days-a-week with the months at that rate added up (the FAQ's
  third example: 10 months at 4 days + 2 months at 2 days = 20 + 2). Below 2 days a week there
  are none; above 5 the row of 5. A changed plan changes the count.

Use: a missed planned day takes its size (whole 1, half 1/2, third 1/3 "enkel voor buitenschoolse
opvang") from the balance unless its reason is free under the policy. When the balance cannot cover
the whole day, the day is charged at the rate it would have had and the balance stays.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from fractions import Fraction

from hub.billing.policy import Allowance, BillingPolicy, Reason
from hub.core.localtime import BRUSSELS

HALF = Fraction(1, 2)
DAYS_A_YEAR_PER_WEEKDAY = 4  # AG: 5 days a week -> 20 days a year

# Gezinsbond FAQ, "Hoeveel respijtdagen krijgt mijn kind?": days a week -> 12, 11, ... 1 months.
RESPITE_TABLE: dict[Fraction, tuple[str, ...]] = {
    Fraction(5): ("30", "27.5", "25", "22.5", "20", "17.5", "15", "12.5", "10", "7.5", "5", "2.5"),
    Fraction(9, 2): ("27", "24.5", "22.5", "20", "18", "15.5", "13.5", "11", "9", "6.5", "4.5", "2.5"),
    Fraction(4): ("24", "22", "20", "18", "16", "14", "12", "10", "8", "6", "4", "2"),
    Fraction(7, 2): ("21", "19", "17.5", "15.5", "14", "12", "10.5", "8.5", "7", "5", "3.5", "2"),
    Fraction(3): ("18", "16.5", "15", "13.5", "12", "10.5", "9", "7.5", "6", "4.5", "3", "1.5"),
    Fraction(5, 2): ("15", "13.5", "12.5", "11", "10", "8.5", "7.5", "6", "5", "3.5", "2.5", "1.5"),
    Fraction(2): ("12", "11", "10", "9", "8", "7", "6", "5", "4", "3", "2", "1"),
}


def respite_table(days_a_week: Fraction, months: int) -> Fraction:
    """The FAQ table's respite days for ``months`` (1..12) in care at ``days_a_week``."""
    if not 1 <= months <= 12:
        raise ValueError("months in care are 1 to 12")
    rate = min(Fraction(int(days_a_week * 2), 2), Fraction(5))  # down to a half step
    if rate < 2:
        return Fraction(0)
    return Fraction(RESPITE_TABLE[rate][12 - months])


def round_half_day(days: Fraction) -> Fraction:
    """To the nearest half day, halves up."""
    halves = days * 2
    whole = halves.numerator // halves.denominator
    if halves - whole >= HALF:
        whole += 1
    return Fraction(whole, 2)


def yearly_allowance(policy: BillingPolicy, months: Sequence[Fraction]) -> Fraction:
    """The allowance of a calendar year from the days a week of each month in care (one entry a month)."""
    if len(months) > 12:
        raise ValueError("a calendar year has 12 months")
    if policy.allowance is Allowance.PER_WEEKDAY:
        return round_half_day(sum((dpw * DAYS_A_YEAR_PER_WEEKDAY / 12 for dpw in months), Fraction(0)))
    by_rate: dict[Fraction, int] = {}
    for dpw in months:
        by_rate[dpw] = by_rate.get(dpw, 0) + 1
    return sum((respite_table(dpw, n) for dpw, n in by_rate.items()), Fraction(0))


class Outcome(StrEnum):
    FREE = "vrij"  # costs nothing and uses no day
    JUSTIFIED = "gerechtvaardigd"  # uses days from the balance
    CHARGED = "aangerekend"  # billed at the rate the day would have had


@dataclass(frozen=True)
class Absence:
    day: date
    size: Fraction  # of the planned day: 1, 1/2 or 1/3
    reason: Reason


@dataclass(frozen=True)
class JudgedAbsence:
    absence: Absence
    outcome: Outcome
    balance_after: Fraction


def judge_absences(
    policy: BillingPolicy, allowance: Fraction, absences: Iterable[Absence]
) -> list[JudgedAbsence]:
    """Each missed planned day of a year, in date order, with what it costs and the balance after it."""
    balance = allowance
    judged = []
    for absence in sorted(absences, key=lambda a: a.day):
        if absence.reason in policy.free_reasons:
            outcome = Outcome.FREE
        elif balance >= absence.size:
            balance -= absence.size
            outcome = Outcome.JUSTIFIED
        else:
            outcome = Outcome.CHARGED
        judged.append(JudgedAbsence(absence, outcome, balance))
    return judged


def balance_after(allowance: Fraction, judged: Iterable[JudgedAbsence]) -> Fraction:
    """What is left of the allowance after the judged absences."""
    left = allowance
    for j in judged:
        left = j.balance_after
    return left


REPORT_BEFORE = time(8, 0)  # AG: "afwezig vóór 8.00 uur"


def reported_in_time(reported_at: datetime, day: date) -> bool:
    """An absence for ``day`` reported before 08:00 Brussels that day (or earlier) is in time."""
    return reported_at.astimezone(BRUSSELS) < datetime.combine(day, REPORT_BEFORE, tzinfo=BRUSSELS)


def fmt_days(days: Fraction) -> str:
    """Days as the counters show them: 11,5; 2; 1 1/3 as 1,33."""
    if days.denominator == 1:
        return str(days.numerator)
    if days.denominator == 2:
        return f"{days.numerator // 2},5" if days >= 0 else f"-{(-days.numerator) // 2},5"
    return f"{float(days):.2f}".replace(".", ",")


STOP_NOTICE_WEEKS = 8  # AG: "vul minimum 8 weken op voorhand het formulier in"


def plan_stop_problem(
    policy: BillingPolicy, first_day: date, weeks: int, asked_on: date, used: int
) -> str | None:
    """Why a temporary stop of the plan cannot be taken (Dutch), or None.

    AG Antwerpen: at most ``policy.plan_stop_weeks`` (3) weeks a calendar year, "voor een periode van
    3 weken" or "voor 1 week; u mag dit 3 keer doen", asked at least 8 weeks ahead. A stop is whole
    weeks from a Monday; ``used`` is the weeks already stopped that year.
    """
    if policy.plan_stop_weeks == 0:
        return "Deze opvang kent geen tijdelijke stopzetting van het opvangplan."
    if first_day.weekday() != 0:
        return "Een opvangstop begint op een maandag."
    if weeks not in (1, policy.plan_stop_weeks):
        return f"Een opvangstop duurt 1 week of {policy.plan_stop_weeks} weken aan één stuk."
    if used + weeks > policy.plan_stop_weeks:
        left = policy.plan_stop_weeks - used
        verb = "is" if left == 1 else "zijn"
        return f"Hoogstens {policy.plan_stop_weeks} weken per jaar; er {verb} nog {left} over."
    if first_day < asked_on + timedelta(weeks=STOP_NOTICE_WEEKS):
        return f"Vraag een opvangstop minstens {STOP_NOTICE_WEEKS} weken op voorhand aan."
    return None
