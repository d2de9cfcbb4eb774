"""A month's invoice added up by hand: the rules of both organisations and a "vrije prijs" location."""

from __future__ import annotations

from datetime import date, time
from decimal import Decimal
from fractions import Fraction

import pytest

from hub.billing.absences import Absence
from hub.billing.fiscal import Billed, FiscalYear, care_months, fiscal_year
from hub.billing.invoice_rules import ChildMonth, FreePrices, MissingAmount, balance_text, draft_invoice
from hub.billing.policy import AG_ANTWERPEN, GEZINSBOND, Reason
from hub.careplan.rules import PlanDay, Size
from hub.prices.amounts import DatedAmount, DatedAmounts, parse_amounts

TABLE = parse_amounts(
    '[[billing]]\nfrom = 2022-01-01\nwaste_fee_per_day = "0.19"\nadmin_per_child_month = "3.50"\n'
    'admin_per_invoice = "2.00"\nchild_discount = "3.43"\nlate_fine_minimum = "5.00"\n'
)
FULL = PlanDay(Size.FULL, time(7, 30), time(17, 30))
H = 60


def prices(amount: str) -> DatedAmounts:
    return DatedAmounts([DatedAmount(date(2026, 1, 1), Decimal(amount))])


def test_an_ag_month_with_bands_child_discount_a_charged_absence_and_a_late_pickup_fine() -> None:
    days = [date(2026, 3, d) for d in (2, 3, 4, 5, 6, 9, 10, 11, 12, 13)]
    minutes = {d: 8 * H for d in days} | {date(2026, 3, 16): 4 * H, date(2026, 3, 17): 4 * H}
    minutes[date(2026, 3, 18)] = 11 * H + 1
    month = ChildMonth(
        2026,
        3,
        minutes,
        planned={date(2026, 3, 19): FULL, date(2026, 3, 20): FULL},
        missed=[
            Absence(date(2026, 3, 19), Fraction(1), Reason.SICK),
            Absence(date(2026, 3, 20), Fraction(1), Reason.SICK),
        ],
        late_pickups=[date(2026, 3, 18)],
        allowance=Fraction(1),
        dependent_children=2,
    )
    draft = draft_invoice(AG_ANTWERPEN, TABLE, month, day_prices=prices("25.34"))
    by_text = {line.text: line for line in draft.lines}
    # 25,34 - 3,43 kindkorting = 21,91 the day
    assert by_text["opvangdag, 100 % van 21,91"].amount == Decimal("219.10")  # 10 x 21,91
    assert by_text["opvangdag, 60 % van 21,91"].amount == Decimal("26.30")  # 2 x 13,146 -> 13,15
    assert by_text["opvangdag, 160 % van 21,91"].amount == Decimal("35.06")  # 35,056
    assert by_text["geplande dag afwezig, aangerekend, 100 % van 21,91"].amount == Decimal("21.91")
    assert by_text["administratiekost"].amount == Decimal("3.50")
    fine = by_text["boete laat opgehaald 18/03/2026"]
    assert fine.amount == Decimal("12.67") and not fine.fiscal  # half of 25,34, not on the attest
    assert "afvalverwerking" not in by_text  # AG bills no waste fee
    assert draft.total == Decimal("318.54") and draft.fiscal == Decimal("305.87")
    assert (
        draft.balance == 0
        and balance_text(AG_ANTWERPEN, draft) == "Gerechtvaardigde afwezigheden: nog 0 van 1"
    )


def test_a_gezinsbond_month_with_waste_fee_also_on_a_charged_day_and_half_price_administration() -> None:
    minutes = {date(2026, 3, d): 9 * H for d in (2, 3, 4)}
    month = ChildMonth(
        2026,
        3,
        minutes,
        planned={date(2026, 3, 5): FULL, date(2026, 3, 6): FULL},
        missed=[
            Absence(date(2026, 3, 5), Fraction(1), Reason.HOLIDAY),
            Absence(date(2026, 3, 6), Fraction(1), Reason.SICK_NOTE),
        ],
        late_pickups=[date(2026, 3, 4)],
        allowance=Fraction(0),
        digital=True,
    )
    draft = draft_invoice(GEZINSBOND, TABLE, month, day_prices=prices("20.00"))
    by_text = {line.text: line.amount for line in draft.lines}
    assert by_text == {
        "opvangdag, 100 % van 20,00": Decimal("60.00"),
        "geplande dag afwezig, aangerekend, 100 % van 20,00": Decimal("20.00"),  # respite days used up
        "afvalverwerking": Decimal("0.76"),  # 4 x 0,19: 3 present + the charged day
        "administratiekost": Decimal("1.00"),  # 2,00 with 50 % off: digital
    }  # the day with a doctor's note is free; Gezinsbond has no fine
    assert draft.total == Decimal("81.76")
    assert balance_text(GEZINSBOND, draft) == "Saldo respijtdagen: nog 0 van 0"


def test_a_vrije_prijs_location_bills_its_own_full_and_half_day_without_income_rules() -> None:
    minutes = {date(2026, 3, 2): 5 * H, date(2026, 3, 3): 11 * H + 30, date(2026, 3, 4): 4 * H + 59}
    month = ChildMonth(2026, 3, minutes, {}, [], [], Fraction(0), school_full_time=True, dependent_children=3)
    own = FreePrices(prices("30.00"), prices("18.00"))
    draft = draft_invoice(AG_ANTWERPEN, TABLE, month, free_prices=own)
    assert {line.text: line.amount for line in draft.lines} == {
        "opvangdag, volledige dag": Decimal("60.00"),
        "opvangdag, halve dag": Decimal("18.00"),
        "administratiekost": Decimal("3.50"),
    }
    assert draft.total == Decimal("81.50")


def test_without_an_attest_for_a_day_there_is_no_invoice() -> None:
    month = ChildMonth(2025, 12, {date(2025, 12, 1): 8 * H}, {}, [], [], Fraction(0))
    with pytest.raises(MissingAmount, match="attest inkomenstarief"):
        draft_invoice(AG_ANTWERPEN, TABLE, month, day_prices=prices("20.00"))


def test_the_fiscal_attest_counts_what_was_paid_in_the_calendar_year_december_to_november_of_care() -> None:
    assert care_months(2026) == [(2025, 12)] + [(2026, m) for m in range(1, 12)]
    billed = [
        Billed(2025, 11, Decimal("100.00"), 10),  # paid in December 2025: last year's attest
        Billed(2025, 12, Decimal("120.00"), 12),
        Billed(2026, 3, Decimal("200.00"), 20),
        Billed(2026, 3, Decimal("-200.00"), -20),  # credited ...
        Billed(2026, 3, Decimal("180.00"), 18),  # ... and billed anew
        Billed(2026, 12, Decimal("90.00"), 9),  # paid in January 2027: next year's
    ]
    assert fiscal_year(2026, billed) == FiscalYear(2026, Decimal("300.00"), 30)
