"""What a month gives under the location's price model: the preview per child and the CSV for the
organisation's own administration.
"""

from __future__ import annotations

from dataclasses import dataclass

from hub.children.queries import Child
from hub.prices.amounts import AmountTable, DatedAmounts
from hub.prices.income_tariff import DayCharge, month_charges
from hub.prices.ko_toeslag import SubsidyMonth, subsidy_month
from hub.upload.batch import ChildRecord, DayPresence
from hub.upload.csv_export import month_csv
from hub.upload.month import PreparedMonth


@dataclass(frozen=True)
class ChildPreview:
    """What one child's month gives under the location's price model."""

    child: Child
    held_back: bool  # the record waits for a fix; the preview shows what it will give once sent
    subsidy: SubsidyMonth | None = None  # vrije prijs: KO-toeslag days
    charges: tuple[DayCharge, ...] | None = None  # inkomenstarief: share of the day price per day


def preview(prepared: PreparedMonth, amounts: AmountTable | None = None) -> list[ChildPreview]:
    """Per child, the KO-toeslag days (vrije prijs) or the day price shares (inkomenstarief) of the month."""
    result = []
    for record in prepared.records:
        child = prepared.children[int(record.child.ref)]
        here = {day.date: day.minutes for day in record.days}
        held = child.id in prepared.held_back
        if prepared.price_model == "inkomenstarief":
            # the family's day price is on its attest; the hub does not keep it yet: shares only
            result.append(ChildPreview(child, held, charges=month_charges(here, DatedAmounts())))
        else:
            subsidy = subsidy_month(
                prepared.year,
                prepared.month,
                here,
                prepared.elsewhere.get(child.id, {}),
                child.birth_date,
                child.school_start,
                child.no_subsidy,
                amounts,
            )
            result.append(ChildPreview(child, held, subsidy=subsidy))
    return result


CREDIT_NL = {"whole": "hele dag", "half": "halve dag", "none": "geen"}


def administration_csv(prepared: PreparedMonth, amounts: AmountTable | None = None) -> str:
    """The month as CSV for the organisation's own administration, with what each day gives."""
    by_child = {p.child.id: p for p in preview(prepared, amounts)}

    def problems(record: ChildRecord, day: DayPresence) -> str:
        child_id = int(record.child.ref)
        return " / ".join(
            issue.text
            for issue in prepared.issues
            if issue.child_id == child_id and issue.open and (issue.day is None or issue.day == day.date)
        )

    def ko_toeslag(record: ChildRecord, day: DayPresence) -> str:
        subsidy = by_child[int(record.child.ref)].subsidy
        found = next((d for d in subsidy.days if d.day == day.date), None) if subsidy else None
        if found is None:
            return ""
        return CREDIT_NL[found.credit.value] + (f" ({found.why_not.value})" if found.why_not else "")

    def share(record: ChildRecord, day: DayPresence) -> str:
        charges = by_child[int(record.child.ref)].charges or ()
        found = next((c for c in charges if c.day == day.date), None)
        return f"{found.percentage} %" if found else ""

    price = (
        ("Inkomenstarief", share) if prepared.price_model == "inkomenstarief" else ("KO-toeslag", ko_toeslag)
    )
    return month_csv(prepared.location, prepared.calendar, prepared.records, [("Fouten", problems), price])
