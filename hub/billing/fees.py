"""What an invoice adds to or takes off the day prices. Amounts are passed in from the dated table.

- waste fee: per day present (Gezinsbond: "0,19 EUR afvalverwerking per aanwezigheid");
- administration: per child per month (AG: 3,5 EUR) or per invoice (Gezinsbond: 2 EUR, "50% korting
  als de factuur digitaal mag verzonden worden");
- child discount (kindkorting): with at least 2 dependent children, the amount per child from the
  second, and one extra for a multiple birth; our reading is that it comes off the day price per
  billed day (as Kind en Gezin applies it), before the band's percentage, never below zero.
  The FAQ's second example says "10,02 euro" for 3 x 3,43: that is 10,29 (a typo in the source);
- late-pickup fine: 50 % of the day price, at least the minimum (AG: 5 EUR), on top of the day
  price and never on the fiscal attest.
Amounts are rounded to the cent, halves up.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from hub.billing.policy import AdminCost

CENT = Decimal("0.01")
LATE_FINE_PERCENT = 50  # "50% van uw dagprijs"


def cents(amount: Decimal) -> Decimal:
    """``amount`` rounded to the cent, halves up."""
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


def waste_fee(days: int, per_day: Decimal) -> Decimal:
    """The waste fee for ``days`` days (present, or charged absences where the rules say so)."""
    return cents(per_day * days)


def admin_cost(
    mode: AdminCost,
    children: int,
    digital: bool,
    per_child_month: Decimal | None,
    per_invoice: Decimal | None,
    digital_discount_percent: int,
) -> Decimal:
    """The administration cost of one month's invoice covering ``children`` children."""
    if mode is AdminCost.PER_CHILD_MONTH:
        if per_child_month is None:
            raise ValueError("no admin_per_child_month in the amounts table for this month")
        return cents(per_child_month * children)
    if per_invoice is None:
        raise ValueError("no admin_per_invoice in the amounts table for this month")
    if digital:
        return cents(per_invoice * (100 - digital_discount_percent) / 100)
    return cents(per_invoice)


def child_discount(dependent_children: int, multiple_birth: bool, per_child: Decimal) -> Decimal:
    """The kindkorting per day: ``per_child`` per dependent child from the second, +1 for a multiple birth.

    Dependent children count up to and including the year they turn 12, whether in care or not
    (the location enters the number); with fewer than 2 there is none.
    """
    if dependent_children < 2:
        return Decimal("0.00")
    shares = dependent_children - 1 + (1 if multiple_birth else 0)
    return cents(per_child * shares)


def discounted_day_price(day_price: Decimal, discount: Decimal) -> Decimal:
    """The day price after the child discount, never below zero."""
    return max(Decimal("0.00"), day_price - discount)


def share(day_price: Decimal, percentage: int) -> Decimal:
    """``percentage`` of ``day_price``, to the cent."""
    return cents(day_price * percentage / 100)


def late_fine(day_price: Decimal, minimum: Decimal) -> Decimal:
    """The fine for one late pickup: half the day price, at least ``minimum``."""
    return max(cents(day_price * LATE_FINE_PERCENT / 100), cents(minimum))
