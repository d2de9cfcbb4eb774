"""The yearly fiscal attest: what a debtor paid in a calendar year for a child's care, fines excluded.

An invoice is paid in the month after the care, so the payments of calendar year Y are the invoices
of the care months December Y-1 to November Y (Gezinsbond: "loopt van december tot december"). A
credit note counts against the invoice it credits (its fiscal part is negative). Days of care are
the days present and the charged absences on the invoices of those months. Pure: no I/O.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal


def care_months(year: int) -> list[tuple[int, int]]:
    """The care months whose invoices are paid in ``year``: the December before, then January to November."""
    return [(year - 1, 12)] + [(year, month) for month in range(1, 12)]


@dataclass(frozen=True)
class Billed:
    year: int
    month: int
    fiscal: Decimal  # the invoice's (or credit note's) part for the attest
    days: int  # days of care on it (negative on a credit note)


@dataclass(frozen=True)
class FiscalYear:
    year: int
    amount: Decimal
    days: int


def fiscal_year(year: int, billed: Iterable[Billed]) -> FiscalYear:
    """The attest's amount and days for ``year`` from one child's invoices and credit notes."""
    months = set(care_months(year))
    counted = [b for b in billed if (b.year, b.month) in months]
    return FiscalYear(year, sum((b.fiscal for b in counted), Decimal("0.00")), sum(b.days for b in counted))
