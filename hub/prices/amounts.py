"""Amounts that are indexed yearly, as a dated table: configuration, not constants.

The table is a TOML file (the hub setting ``upload.amounts_file``); each row holds from its date
until the next row's::

    # KO-toeslag per child per whole day of childcare (a half day gets half).
    [[ko_toeslag]]
    from = 2019-01-01       # the Groeipakket's first amount (groeipakket.be, February 2019)
    whole_day = "3.23"
    # one row per indexation, from the day it applies: see groeipakket.be every January

    # What an invoice adds to the day prices (hub/billing). A row names the amounts that change
    # from its date; each amount holds until a later row names it again.
    [[billing]]
    from = 2022-01-01
    waste_fee_per_day = "0.19"        # afvalverwerking per day present (Gezinsbond FAQ)
    admin_per_child_month = "3.50"    # administratie per child per month (AG Antwerpen, section 6)
    admin_per_invoice = "2.00"        # administratieve kost per invoice (Gezinsbond FAQ)
    child_discount = "3.43"           # kindkorting per child from the second, per day (2022)
    late_fine_minimum = "5.00"        # least fine for a late pickup (AG Antwerpen, section 21)

Amounts are written as strings (or numbers) and kept as :class:`~decimal.Decimal`. Without a
table the hub shows days, not euros: a stale amount shown as today's would mislead more than none.
No I/O here: :mod:`hub.prices.loader` reads the file.
"""

from __future__ import annotations

import bisect
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation


@dataclass(frozen=True, order=True)
class DatedAmount:
    valid_from: date
    amount: Decimal  # euro


class DatedAmounts:
    """One amount through time: each row holds from its date until the next row's."""

    def __init__(self, rows: Iterable[DatedAmount] = ()) -> None:
        self.rows = tuple(sorted(rows))
        self._starts = [row.valid_from for row in self.rows]
        if len(set(self._starts)) != len(self._starts):
            raise ValueError("two amounts start on the same day")

    def on(self, day: date) -> Decimal | None:
        """The amount valid on ``day``; None before the first row."""
        index = bisect.bisect_right(self._starts, day)
        return self.rows[index - 1].amount if index else None

    def __bool__(self) -> bool:
        return bool(self.rows)


BILLING_AMOUNTS = (
    "waste_fee_per_day",
    "admin_per_child_month",
    "admin_per_invoice",
    "child_discount",
    "late_fine_minimum",
)


@dataclass(frozen=True)
class AmountTable:
    """The hub's configured amounts."""

    ko_toeslag_whole_day: DatedAmounts = field(default_factory=DatedAmounts)
    # the [[billing]] rows, one dated series per name in BILLING_AMOUNTS (absent: empty series)
    billing: dict[str, DatedAmounts] = field(default_factory=dict)

    def billing_amount(self, name: str, day: date) -> Decimal | None:
        """A billing amount valid on ``day``; None when the table has none for that day."""
        if name not in BILLING_AMOUNTS:
            raise KeyError(name)
        series = self.billing.get(name)
        return series.on(day) if series else None


def parse_amounts(text: str, source: str = "amounts") -> AmountTable:
    """An :class:`AmountTable` from TOML text; a malformed row raises ValueError naming it."""
    raw = tomllib.loads(text)
    unknown = set(raw) - {"ko_toeslag", "billing"}
    if unknown:
        raise ValueError(f"{source}: unknown table(s): {', '.join(sorted(unknown))}")
    rows = []
    for n, row in enumerate(raw.get("ko_toeslag", []), start=1):
        try:
            valid_from, amount = row["from"], Decimal(str(row["whole_day"]))
        except (KeyError, InvalidOperation) as exc:
            raise ValueError(f"{source}: ko_toeslag row {n} needs from = YYYY-MM-DD and whole_day") from exc
        if not isinstance(valid_from, date) or amount <= 0:
            raise ValueError(f"{source}: ko_toeslag row {n}: a TOML date and a positive amount, please")
        rows.append(DatedAmount(valid_from, amount))
    return AmountTable(DatedAmounts(rows), _billing_rows(raw.get("billing", []), source))


def _billing_rows(rows: list[dict], source: str) -> dict[str, DatedAmounts]:
    series: dict[str, list[DatedAmount]] = {}
    for n, row in enumerate(rows, start=1):
        valid_from = row.get("from")
        if not isinstance(valid_from, date):
            raise ValueError(f"{source}: billing row {n} needs from = YYYY-MM-DD")
        unknown = set(row) - {"from", *BILLING_AMOUNTS}
        if unknown:
            raise ValueError(f"{source}: billing row {n}: unknown amount(s): {', '.join(sorted(unknown))}")
        for name in BILLING_AMOUNTS:
            if name not in row:
                continue
            try:
                amount = Decimal(str(row[name]))
            except InvalidOperation as exc:
                raise ValueError(f"{source}: billing row {n}: {name} is not an amount") from exc
            if amount < 0:
                raise ValueError(f"{source}: billing row {n}: {name} may not be negative")
            series.setdefault(name, []).append(DatedAmount(valid_from, amount))
    return {name: DatedAmounts(amounts) for name, amounts in series.items()}
