"""One child's month invoice as values: from days present, planned days missed, fees and discounts.

Pure: the service gathers the month (minutes per day, planned days, absences with their reasons,
late pickups, the day prices, the amounts table) and this module adds it up. The same code bills an
inkomenstarief location (bands of the family's day price, child discount) and a "vrije prijs"
location (its own full-day and half-day price: 300 minutes or more is a full day, less a half day;
no bands, no child discount). Every amount is rounded to the cent per day; a line is a count of
equal days.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from fractions import Fraction

from hub.billing.absences import Absence, JudgedAbsence, Outcome, fmt_days, judge_absences
from hub.billing.bands import band_percentage, planned_minutes
from hub.billing.fees import (
    admin_cost,
    child_discount,
    discounted_day_price,
    late_fine,
    share,
    waste_fee,
)
from hub.billing.policy import BillingPolicy
from hub.careplan.rules import PlanDay
from hub.prices.amounts import AmountTable, DatedAmounts
from hub.prices.income_tariff import FULL_DAY_FROM

ZERO = Decimal("0.00")


class MissingAmount(ValueError):
    """An amount the invoice needs is not known for a day (no attest, no table row): no invoice."""


@dataclass(frozen=True)
class Line:
    text: str  # Dutch, as printed
    count: int
    unit: Decimal  # euro per item
    amount: Decimal
    fiscal: bool = True  # counts for the fiscal attest (a fine does not)
    kind: str = "day"  # day, absence, waste, admin, fine


@dataclass(frozen=True)
class Attest:
    """An "attest inkomenstarief": the family's day price from a day, until a day or the next attest."""

    valid_from: date
    valid_until: date | None
    day_price: Decimal


class AttestPrices:
    """A child's attests as a dated price (same ``on`` as :class:`DatedAmounts`), with their ends."""

    def __init__(self, attests: Sequence[Attest]) -> None:
        self.attests = tuple(sorted(attests, key=lambda a: a.valid_from))

    def on(self, day: date) -> Decimal | None:
        found = None
        for attest in self.attests:
            if attest.valid_from <= day and (attest.valid_until is None or day <= attest.valid_until):
                found = attest.day_price
        return found


@dataclass(frozen=True)
class FreePrices:
    """A "vrije prijs" location's own prices, dated: the full day and the half day."""

    full_day: DatedAmounts
    half_day: DatedAmounts


@dataclass(frozen=True)
class ChildMonth:
    """What the service knows of one child's month at one location."""

    year: int
    month: int
    minutes: Mapping[date, int]  # days present: minutes within 06:00-20:00
    planned: Mapping[date, PlanDay]  # the plan's days of the calendar year up to the month's end
    missed: Sequence[Absence]  # planned days of the year gone by without attendance, with reasons
    late_pickups: Sequence[date]
    allowance: Fraction  # the year's justified absences / respite days
    school_full_time: bool = False
    dependent_children: int = 1
    multiple_birth: bool = False
    digital: bool = True


@dataclass(frozen=True)
class Draft:
    year: int
    month: int
    lines: tuple[Line, ...]
    balance: Fraction  # left of the allowance after the month
    allowance: Fraction
    judged: tuple[JudgedAbsence, ...] = field(default=())  # this month's missed days

    @property
    def total(self) -> Decimal:
        return sum((line.amount for line in self.lines), ZERO)

    @property
    def fiscal(self) -> Decimal:
        return sum((line.amount for line in self.lines if line.fiscal), ZERO)


def _nl(amount: Decimal) -> str:
    return f"{amount:.2f}".replace(".", ",")


def draft_invoice(
    policy: BillingPolicy,
    table: AmountTable,
    month: ChildMonth,
    day_prices: DatedAmounts | AttestPrices | None = None,
    free_prices: FreePrices | None = None,
) -> Draft:
    """The invoice of one child's month: ``day_prices`` (the attests) or ``free_prices`` (vrije prijs)."""
    if (day_prices is None) == (free_prices is None):
        raise ValueError("an invoice bills either the income-related price or the location's own prices")
    first = date(month.year, month.month, 1)

    def amount(name: str, day: date) -> Decimal:
        found = table.billing_amount(name, day)
        if found is None:
            raise MissingAmount(f"geen bedrag ‘{name}’ in de tabel voor {day:%d/%m/%Y}")
        return found

    def price_of(day: date, minutes: int) -> tuple[str, Decimal]:
        """(what, euro) of a day with ``minutes``: its band's share, or the own full/half price."""
        if free_prices is not None:
            full = minutes >= FULL_DAY_FROM
            price = (free_prices.full_day if full else free_prices.half_day).on(day)
            if price is None:
                raise MissingAmount(f"geen eigen prijs voor {day:%d/%m/%Y}")
            return ("volledige dag" if full else "halve dag"), price
        price = day_prices.on(day)  # type: ignore[union-attr]
        if price is None:
            raise MissingAmount(f"geen attest inkomenstarief voor {day:%d/%m/%Y}")
        discount = child_discount(
            month.dependent_children, month.multiple_birth, amount("child_discount", day)
        )
        base = discounted_day_price(price, discount)
        percentage = band_percentage(minutes, month.school_full_time)
        return f"{percentage} % van {_nl(base)}", share(base, percentage)

    grouped: dict[tuple[str, str, Decimal], int] = {}
    present = sorted(
        d for d, m in month.minutes.items() if m > 0 and (d.year, d.month) == (month.year, month.month)
    )
    for day in present:
        what, euro = price_of(day, month.minutes[day])
        key = ("day", f"opvangdag, {what}", euro)
        grouped[key] = grouped.get(key, 0) + 1

    judged_year = judge_absences(policy, month.allowance, month.missed)
    judged_month = tuple(
        j for j in judged_year if (j.absence.day.year, j.absence.day.month) == (month.year, month.month)
    )
    charged = [j.absence for j in judged_month if j.outcome is Outcome.CHARGED]
    for absence in charged:
        plan = month.planned.get(absence.day)
        minutes = planned_minutes(plan.start, plan.end) if plan else FULL_DAY_FROM
        what, euro = price_of(absence.day, max(minutes, 1))
        key = ("absence", f"geplande dag afwezig, aangerekend, {what}", euro)
        grouped[key] = grouped.get(key, 0) + 1

    lines = [
        Line(text, count, euro, (euro * count).quantize(Decimal("0.01")), True, kind)
        for (kind, text, euro), count in sorted(grouped.items(), key=lambda kv: (kv[0][0] != "day", kv[0][1]))
    ]
    if policy.waste_fee:
        waste_days = len(present) + (len(charged) if policy.waste_fee_on_charged_absence else 0)
        if waste_days:
            per_day = amount("waste_fee_per_day", first)
            lines.append(
                Line("afvalverwerking", waste_days, per_day, waste_fee(waste_days, per_day), True, "waste")
            )
    if present or judged_month:
        cost = admin_cost(
            policy.admin_cost,
            1,
            month.digital,
            table.billing_amount("admin_per_child_month", first),
            table.billing_amount("admin_per_invoice", first),
            policy.digital_discount_percent,
        )
        lines.append(Line("administratiekost", 1, cost, cost, True, "admin"))
    if policy.late_fine:
        for day in sorted(d for d in month.late_pickups if (d.year, d.month) == (month.year, month.month)):
            base = (day_prices or free_prices.full_day).on(day)  # type: ignore[union-attr]
            if base is None:
                raise MissingAmount(f"geen dagprijs voor de boete van {day:%d/%m/%Y}")
            fine = late_fine(base, amount("late_fine_minimum", day))
            lines.append(Line(f"boete laat opgehaald {day:%d/%m/%Y}", 1, fine, fine, False, "fine"))

    in_month = [
        j for j in judged_year if (j.absence.day.year, j.absence.day.month) <= (month.year, month.month)
    ]
    balance = in_month[-1].balance_after if in_month else month.allowance
    return Draft(month.year, month.month, tuple(lines), balance, month.allowance, judged_month)


def balance_text(policy: BillingPolicy, draft: Draft) -> str:
    """The counter as printed: "Saldo respijtdagen: 26 van 30"."""
    return f"{policy.counter_nl.capitalize()}: nog {fmt_days(draft.balance)} van {fmt_days(draft.allowance)}"
