"""An organisator's billing rules as one value: the two source documents are two presets of it.

    AG Kinderopvang Antwerpen (huishoudelijk reglement, group care)
        justified absences by planned weekdays (4 a year per planned weekday, pro rata by months);
        free: sickness with a doctor's note, an accident at the care, a plan stop, a closure;
        administration per child per month; no waste fee; late-pickup fine.
    Kinderopvang Gezinsbond (FAQ, family day care)
        respite days by the FAQ's table (days a week x months in care);
        free: sickness with a doctor's note, a closure ("alle afwezigheden" count otherwise);
        administration per invoice, 50 % off when sent digitally; waste fee per day present, also on
        a planned day charged after the respite days are used up ("inclusief de vergoeding voor
        afvalverwerking"); no fine in the FAQ.

A location takes its organisator's preset (its ``billing_rules`` column may name another).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Reason(StrEnum):
    """Why a planned day was missed (stored as these values)."""

    SICK = "ziek"
    SICK_NOTE = "ziek_attest"  # sick, covered by a doctor's note
    HOLIDAY = "vakantie"
    OTHER = "andere"
    ACCIDENT = "ongeval"  # an accident at the care (AG: the plan is stopped meanwhile)
    PLAN_STOP = "opvangstop"  # a temporary stop of the plan (AG: at most 3 weeks a year)
    CLOSURE = "sluiting"  # the care was closed
    UNREPORTED = "niet_gemeld"


REASON_NL = {
    Reason.SICK: "ziek",
    Reason.SICK_NOTE: "ziek met doktersattest",
    Reason.HOLIDAY: "vakantie",
    Reason.OTHER: "andere",
    Reason.ACCIDENT: "ongeval in de opvang",
    Reason.PLAN_STOP: "opvangstop",
    Reason.CLOSURE: "opvang gesloten",
    Reason.UNREPORTED: "niet gemeld",
}


class Allowance(StrEnum):
    PER_WEEKDAY = "per_weekday"  # AG: 5/4/3/2 days a week -> 20/16/12/8 days a year
    RESPITE_TABLE = "respite_table"  # Gezinsbond: the FAQ's table


class AdminCost(StrEnum):
    PER_CHILD_MONTH = "per_child_month"
    PER_INVOICE = "per_invoice"


@dataclass(frozen=True)
class BillingPolicy:
    """What differs between organisations; every amount is in the dated table, not here."""

    name: str
    allowance: Allowance
    free_reasons: frozenset[Reason]  # absences that neither cost nor use a day
    admin_cost: AdminCost
    digital_discount_percent: int  # off the administration cost when the invoice goes digitally
    waste_fee: bool  # the waste fee per day present
    waste_fee_on_charged_absence: bool
    late_fine: bool
    counter_nl: str  # the counter's name on screens and invoices
    plan_stop_weeks: int = 0  # a temporary stop of the plan: weeks a calendar year (AG: 3), 0 none


AG_ANTWERPEN = BillingPolicy(
    name="ag-antwerpen",
    allowance=Allowance.PER_WEEKDAY,
    free_reasons=frozenset({Reason.SICK_NOTE, Reason.ACCIDENT, Reason.PLAN_STOP, Reason.CLOSURE}),
    admin_cost=AdminCost.PER_CHILD_MONTH,
    digital_discount_percent=0,
    waste_fee=False,
    waste_fee_on_charged_absence=False,
    late_fine=True,
    counter_nl="gerechtvaardigde afwezigheden",
    plan_stop_weeks=3,  # "maximum 3 weken per jaar", 8 weeks ahead, one block of 3 or single weeks
)

GEZINSBOND = BillingPolicy(
    name="gezinsbond",
    allowance=Allowance.RESPITE_TABLE,
    free_reasons=frozenset({Reason.SICK_NOTE, Reason.CLOSURE}),
    admin_cost=AdminCost.PER_INVOICE,
    digital_discount_percent=50,
    waste_fee=True,
    waste_fee_on_charged_absence=True,
    late_fine=False,
    counter_nl="saldo respijtdagen",
)

POLICIES = {p.name: p for p in (AG_ANTWERPEN, GEZINSBOND)}


def policy_named(name: str | None) -> BillingPolicy:
    """The preset called ``name``; AG Antwerpen's when none is set."""
    if not name:
        return AG_ANTWERPEN
    try:
        return POLICIES[name]
    except KeyError:
        raise ValueError(f"unknown billing rules {name!r}; known: {', '.join(sorted(POLICIES))}") from None
