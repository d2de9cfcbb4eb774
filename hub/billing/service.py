"""The month run of a location: gather each child's month, preview the invoices, finalise, correct.

Final invoices are numbered per organisator without gaps: the numbers are taken and the invoices
written in one write transaction (BEGIN IMMEDIATE), so two runs finalised at the same moment, in two
threads or two processes, are put one after the other. A final invoice never changes (the database
refuses it); a correction is a credit note for it and a new invoice, with the next two numbers.
"""

from __future__ import annotations

import calendar
import json
import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from fractions import Fraction

import sqlite_utils

from hub.attendance.cells import CellState, Mark, counted_stays
from hub.attendance.days import attendance
from hub.attendance.grid import period_grid
from hub.billing.absences import Absence, Outcome, fmt_days, judge_absences, yearly_allowance
from hub.billing.bands import minutes_by_day
from hub.billing.fiscal import Billed, FiscalYear, care_months, fiscal_year
from hub.billing.invoice_rules import (
    Attest,
    AttestPrices,
    ChildMonth,
    Draft,
    FreePrices,
    MissingAmount,
    balance_text,
    draft_invoice,
)
from hub.billing.pdf import PdfFiscal, PdfInvoice, PdfLine, fiscal_pdf, invoice_pdf
from hub.billing.policy import POLICIES, BillingPolicy, Reason, policy_named
from hub.billing.sepa import Collection, Creditor, direct_debit, sequence_type
from hub.careplan.rules import months_in_care, planned_days
from hub.careplan.service import plans_at
from hub.children.records import Child
from hub.core.actors import Actor, NoAccess, Refused
from hub.core.db import write_transaction
from hub.core.localtime import fmt_date, fmt_month, local, now_utc_iso, utc_iso
from hub.locations.queries import location_schedule
from hub.mail import Attachment, Mail
from hub.mail.texts import SIGNATURE
from hub.prices.amounts import AmountTable, DatedAmount, DatedAmounts

FINALISE_TRIES = 3


@dataclass(frozen=True)
class Debtor:
    name: str
    email: str = ""
    iban: str = ""
    bic: str = ""
    mandate_ref: str = ""
    mandate_date: date | None = None
    digital: bool = True


@dataclass(frozen=True)
class Preview:
    """One child's invoice as it would be now, or why there can be none."""

    child: Child
    debtor: Debtor | None
    draft: Draft | None
    problems: tuple[str, ...] = ()
    red_days: int = 0  # days with a registration error: not billed until fixed


@dataclass(frozen=True)
class MonthRun:
    location_id: str
    year: int
    month: int
    policy: BillingPolicy
    previews: tuple[Preview, ...]
    finalised: tuple[dict, ...] = field(default=())  # the invoices already issued for the month

    @property
    def problems(self) -> list[str]:
        return [f"{p.child.name}: {problem}" for p in self.previews for problem in p.problems]

    @property
    def total(self) -> Decimal:
        return sum((p.draft.total for p in self.previews if p.draft), Decimal("0.00"))


def location_row(db: sqlite_utils.Database, location_id: str) -> tuple:
    row = db.execute(
        """
        SELECT l.name, l.price_model, COALESCE(l.billing_rules, o.billing_rules), o.id, o.name
        FROM locations l JOIN organisators o ON o.id = l.organisator_id WHERE l.id = ?
        """,
        (location_id,),
    ).fetchone()
    if row is None:
        raise NoAccess("location")
    return row


def policy_for(db: sqlite_utils.Database, location_id: str) -> BillingPolicy:
    """The billing rules of a location: its own setting, else its organisator's."""
    return policy_named(location_row(db, location_id)[2])


def debtor_of(db: sqlite_utils.Database, child_id: int) -> Debtor | None:
    row = db.execute(
        "SELECT name, email, iban, bic, mandate_ref, mandate_date, digital FROM child_debtors"
        " WHERE child_id = ?",
        (child_id,),
    ).fetchone()
    if row is None:
        return None
    name, email, iban, bic, ref, when, digital = row
    return Debtor(name, email, iban, bic, ref, date.fromisoformat(when) if when else None, bool(digital))


def attests_of(db: sqlite_utils.Database, child_id: int) -> list[Attest]:
    return [
        Attest(date.fromisoformat(f), date.fromisoformat(u) if u else None, Decimal(p))
        for f, u, p in db.execute(
            "SELECT valid_from, valid_until, day_price FROM income_attests WHERE child_id = ? ORDER BY id",
            (child_id,),
        )
    ]


def free_prices(db: sqlite_utils.Database, location_id: str) -> FreePrices:
    rows = db.execute(
        "SELECT valid_from, full_day, half_day FROM location_prices WHERE location_id = ?", (location_id,)
    ).fetchall()
    return FreePrices(
        DatedAmounts([DatedAmount(date.fromisoformat(f), Decimal(full)) for f, full, _ in rows]),
        DatedAmounts([DatedAmount(date.fromisoformat(f), Decimal(half)) for f, _, half in rows]),
    )


def _child_flags(db: sqlite_utils.Database, child_id: int) -> tuple[bool, int, bool]:
    school, dependent, multiple = db.execute(
        "SELECT school_full_time, dependent_children, multiple_birth FROM children WHERE id = ?", (child_id,)
    ).fetchone()
    return bool(school), int(dependent), bool(multiple)


def _reasons(
    db: sqlite_utils.Database, location_id: str, first: date, last: date
) -> dict[tuple[int, date], Reason]:
    return {
        (child, date.fromisoformat(day)): Reason(reason)
        for child, day, reason in db.execute(
            "SELECT child_id, day, reason FROM billing_absences"
            " WHERE location_id = ? AND day BETWEEN ? AND ?",
            (location_id, first.isoformat(), last.isoformat()),
        )
    }


def month_run(
    db: sqlite_utils.Database, location_id: str, year: int, month: int, table: AmountTable, now: datetime
) -> MonthRun:
    """The preview of a location's month: each child's invoice as it would be issued now."""
    _name, price_model, rules, _org, _org_name = location_row(db, location_id)
    policy = policy_named(rules)
    first_of_year = date(year, 1, 1)
    last = date(year, month, calendar.monthrange(year, month)[1])
    grid = period_grid(db, location_id, first_of_year, last, now)
    plans = plans_at(db, location_id)
    reasons = _reasons(db, location_id, first_of_year, last)
    own = free_prices(db, location_id) if price_model == "vrije_prijs" else None
    previews = []
    for row in grid.rows:
        child = row.child
        stored = plans.get(child.id)
        minutes: dict[date, int] = {}
        missed, late, red = [], [], 0
        for cell in row.cells:
            in_month = (cell.day.year, cell.day.month) == (year, month)
            if cell.state is CellState.COMPLETE and in_month:
                stays = [(i.arrival, i.departure) for i in counted_stays(cell)]
                minutes.update(minutes_by_day(stays))
                if Mark.LATE_PICKUP in cell.marked:
                    late.append(cell.day)
            elif cell.state is CellState.ERROR and in_month:
                red += 1
            elif cell.state is CellState.MISSED and stored is not None:
                planned = stored.plan.planned(cell.day)
                if planned is not None:
                    reason = reasons.get((child.id, cell.day), Reason.UNREPORTED)
                    missed.append(Absence(cell.day, planned.size.days, reason))
        minutes = {d: m for d, m in minutes.items() if (d.year, d.month) == (year, month)}
        if not minutes and not any((a.day.year, a.day.month) == (year, month) for a in missed):
            continue  # nothing to bill this month
        school, dependent, multiple = _child_flags(db, child.id)
        allowance = yearly_allowance(policy, months_in_care(stored.plan, year)) if stored else 0
        plan_of_missed = {}
        if stored:
            plan_of_missed = {a.day: stored.plan.planned(a.day) for a in missed}
        debtor = debtor_of(db, child.id)
        data = ChildMonth(
            year,
            month,
            minutes,
            plan_of_missed,
            missed,
            late,
            allowance,  # type: ignore[arg-type]
            school,
            dependent,
            multiple,
            debtor.digital if debtor else True,
        )
        problems = []
        if debtor is None:
            problems.append("geen debiteur ingevuld")
        draft = None
        try:
            if own is not None:
                draft = draft_invoice(policy, table, data, free_prices=own)
            else:
                draft = draft_invoice(policy, table, data, day_prices=AttestPrices(attests_of(db, child.id)))
        except MissingAmount as missing:
            problems.append(str(missing))
        previews.append(Preview(child, debtor, draft, tuple(problems), red))
    return MonthRun(
        location_id, year, month, policy, tuple(previews), tuple(issued(db, location_id, year, month))
    )


def issued(db: sqlite_utils.Database, location_id: str, year: int, month: int) -> list[dict]:
    """The invoices and credit notes of a location's month, by number."""
    rows = db.execute(
        """
        SELECT i.id, i.number, i.kind, i.child_id, c.first_name || ' ' || c.last_name, i.debtor_name,
               i.total, i.fiscal, i.issued_at, i.corrects, i.replaced_by
        FROM invoices i JOIN children c ON c.id = i.child_id
        WHERE i.location_id = ? AND i.year = ? AND i.month = ? ORDER BY i.number
        """,
        (location_id, year, month),
    ).fetchall()
    keys = (
        "id",
        "number",
        "kind",
        "child_id",
        "child",
        "debtor",
        "total",
        "fiscal",
        "issued_at",
        "corrects",
        "replaced_by",
    )
    return [dict(zip(keys, row, strict=True)) for row in rows]


def _body(draft: Draft, sign: int = 1) -> str:
    return json.dumps(
        {
            "lines": [
                {
                    "text": ln.text,
                    "count": ln.count,
                    "unit": str(ln.unit),
                    "amount": str(ln.amount * sign),
                    "fiscal": ln.fiscal,
                    "kind": ln.kind,
                }
                for ln in draft.lines
            ],
            "balance": str(draft.balance),
            "allowance": str(draft.allowance),
        },
        sort_keys=True,
    )


def _last_number(db: sqlite_utils.Database, organisator_id: int) -> int:
    row = db.execute(
        "SELECT last_number FROM invoice_counters WHERE organisator_id = ?", (organisator_id,)
    ).fetchone()
    return row[0] if row else 0


def _set_last_number(db: sqlite_utils.Database, organisator_id: int, number: int) -> None:
    db.execute(
        "INSERT INTO invoice_counters (organisator_id, last_number) VALUES (?, ?)"
        " ON CONFLICT (organisator_id) DO UPDATE SET last_number = excluded.last_number",
        (organisator_id, number),
    )


def _next_number(db: sqlite_utils.Database, organisator_id: int) -> int:
    number = _last_number(db, organisator_id) + 1
    _set_last_number(db, organisator_id, number)
    return number


def _render(
    db: sqlite_utils.Database,
    location_id: str,
    preview: Preview,
    policy: BillingPolicy,
    kind: str,
    now: datetime,
    number: int,
    sign: int = 1,
    note: str = "",
) -> bytes:
    """The PDF of an invoice or credit note with ``number``."""
    loc_name, _model, _rules, _org_id, org_name = location_row(db, location_id)
    draft, debtor = preview.draft, preview.debtor
    assert draft is not None and debtor is not None
    total, fiscal = draft.total * sign, draft.fiscal * sign
    mandate = ""
    if debtor.iban and debtor.mandate_ref:
        mandate = f"Domiciliering: mandaat {debtor.mandate_ref}, IBAN {debtor.iban}"
    return invoice_pdf(
        PdfInvoice(
            kind,
            number,
            fmt_date(local(now).date()),
            org_name,
            loc_name,
            fmt_month(draft.year, draft.month),
            preview.child.name,
            debtor.name,
            tuple(PdfLine(ln.text, ln.count, ln.unit, ln.amount * sign) for ln in draft.lines),
            total,
            fiscal,
            balance_text(policy, draft),
            note,
            mandate,
        )
    )


def _issue(
    db: sqlite_utils.Database,
    actor: Actor,
    location_id: str,
    preview: Preview,
    policy: BillingPolicy,
    kind: str,
    now: datetime,
    sign: int = 1,
    corrects: int | None = None,
    note: str = "",
    numbered: tuple[int, bytes] | None = None,
) -> int:
    """Write one invoice or credit note in the caller's transaction: with the organisator's next
    number, or with ``numbered`` (a number the caller took and the PDF rendered with it)."""
    _loc_name, _model, _rules, org_id, _org_name = location_row(db, location_id)
    draft, debtor = preview.draft, preview.debtor
    assert draft is not None and debtor is not None
    if numbered is None:
        number = _next_number(db, org_id)
        pdf = _render(db, location_id, preview, policy, kind, now, number, sign, note)
    else:
        number, pdf = numbered
    total, fiscal = draft.total * sign, draft.fiscal * sign
    cursor = db.execute(
        """
        INSERT INTO invoices (organisator_id, number, kind, location_id, child_id, year, month, debtor_name,
                              debtor_email, total, fiscal, body, pdf, corrects, issued_at, issued_by)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
        """,
        (
            org_id,
            number,
            kind,
            location_id,
            preview.child.id,
            draft.year,
            draft.month,
            debtor.name,
            debtor.email,
            str(total),
            str(fiscal),
            _body(draft, sign),
            pdf,
            corrects,
            now_utc_iso(),
            actor.name,
        ),
    )
    return int(cursor.lastrowid)


def finalise_month(
    db: sqlite_utils.Database,
    actor: Actor,
    location_id: str,
    year: int,
    month: int,
    table: AmountTable,
    now: datetime,
) -> list[int]:
    """Issue the month's invoices, numbered on; refused with problems left or when already finalised."""
    run = month_run(db, location_id, year, month, table, now)
    if run.problems:
        raise Refused("Los eerst op: " + "; ".join(run.problems))
    org_id = location_row(db, location_id)[3]
    # The PDFs are rendered before the write lock is taken, with the numbers that would be next,
    # so that the lock (which the ingest waits for) is held for the inserts only. When another run
    # took numbers meanwhile, they are rendered anew; the last try renders inside the lock.
    for attempt in range(FINALISE_TRIES):
        last = _last_number(db, org_id)
        rendered = []
        if attempt < FINALISE_TRIES - 1:
            rendered = [
                _render(db, location_id, preview, run.policy, "factuur", now, last + n)
                for n, preview in enumerate(run.previews, start=1)
            ]
        with write_transaction(db):
            already = db.execute(
                "SELECT 1 FROM invoices WHERE location_id = ? AND year = ? AND month = ? LIMIT 1",
                (location_id, year, month),
            ).fetchone()
            if already:
                raise Refused(f"{fmt_month(year, month).capitalize()} is al gefinaliseerd.")
            if rendered and _last_number(db, org_id) != last:
                continue  # another run numbered meanwhile: render with the new numbers
            ids = []
            for n, preview in enumerate(run.previews, start=1):
                numbered = (last + n, rendered[n - 1]) if rendered else None
                ids.append(
                    _issue(db, actor, location_id, preview, run.policy, "factuur", now, numbered=numbered)
                )
            if rendered:
                _set_last_number(db, org_id, last + len(rendered))
            return ids
    raise AssertionError("unreachable: the last try numbers inside the lock")


def correct_invoice(
    db: sqlite_utils.Database,
    actor: Actor,
    location_id: str,
    invoice_id: int,
    table: AmountTable,
    now: datetime,
) -> tuple[int, int]:
    """A credit note for a final invoice and a new invoice as the month is now; the old one stays."""
    row = db.execute(
        "SELECT child_id, year, month, kind, replaced_by, number, body FROM invoices"
        " WHERE id = ? AND location_id = ?",
        (invoice_id, location_id),
    ).fetchone()
    if row is None:
        raise NoAccess("invoice")
    child_id, year, month, kind, replaced_by, number, body = row
    if kind != "factuur" or replaced_by is not None:
        raise Refused("Enkel een geldige factuur kan gecorrigeerd worden.")
    run = month_run(db, location_id, year, month, table, now)
    preview = next((p for p in run.previews if p.child.id == child_id), None)
    if preview is None or preview.draft is None or preview.problems:
        raise Refused(
            "Los eerst op: " + "; ".join(preview.problems if preview else ["niets meer te factureren"])
        )
    if _body(preview.draft) == body:
        raise Refused(f"Factuur {number} klopt nog: er is niets te corrigeren.")
    old = _old_preview(db, invoice_id, preview)
    with write_transaction(db):
        if (
            db.execute("SELECT replaced_by FROM invoices WHERE id = ?", (invoice_id,)).fetchone()[0]
            is not None
        ):
            raise Refused("Deze factuur is intussen al gecorrigeerd.")
        credit = _issue(
            db,
            actor,
            location_id,
            old,
            run.policy,
            "creditnota",
            now,
            -1,
            invoice_id,
            f"Crediteert factuur {number}",
        )
        new = _issue(
            db, actor, location_id, preview, run.policy, "factuur", now, 1, None, f"Vervangt factuur {number}"
        )
        db.execute("UPDATE invoices SET replaced_by = ? WHERE id = ?", (new, invoice_id))
    return credit, new


def _old_preview(db: sqlite_utils.Database, invoice_id: int, current: Preview) -> Preview:
    """The invoice as it was issued, to credit it line by line."""
    from hub.billing.invoice_rules import Line

    (body,) = db.execute("SELECT body FROM invoices WHERE id = ?", (invoice_id,)).fetchone()
    data = json.loads(body)
    lines = tuple(
        Line(ln["text"], ln["count"], Decimal(ln["unit"]), Decimal(ln["amount"]), ln["fiscal"], ln["kind"])
        for ln in data["lines"]
    )
    draft = current.draft
    assert draft is not None
    old = Draft(draft.year, draft.month, lines, Fraction(data["balance"]), Fraction(data["allowance"]))
    return Preview(current.child, current.debtor, old)


def invoice_pdf_of(db: sqlite_utils.Database, location_id: str, invoice_id: int) -> tuple[int, str, bytes]:
    """(number, kind, PDF) of an invoice of this location; NoAccess otherwise."""
    row = db.execute(
        "SELECT number, kind, pdf FROM invoices WHERE id = ? AND location_id = ?", (invoice_id, location_id)
    ).fetchone()
    if row is None:
        raise NoAccess("invoice")
    return row[0], row[1], bytes(row[2])


def invoices_of_children(db: sqlite_utils.Database, child_ids: list[int]) -> list[dict]:
    """Every invoice and credit note of these children, newest first (for the parents' account)."""
    if not child_ids:
        return []
    marks = ",".join("?" * len(child_ids))
    rows = db.execute(
        f"""
        SELECT i.id, i.number, i.kind, i.year, i.month, c.first_name, i.total, i.replaced_by, i.child_id
        FROM invoices i JOIN children c ON c.id = i.child_id
        WHERE i.child_id IN ({marks}) ORDER BY i.year DESC, i.month DESC, i.number DESC
        """,
        child_ids,
    ).fetchall()
    keys = ("id", "number", "kind", "year", "month", "child", "total", "replaced_by", "child_id")
    return [dict(zip(keys, row, strict=True)) for row in rows]


def pdf_for_children(
    db: sqlite_utils.Database, child_ids: list[int], invoice_id: int
) -> tuple[int, str, bytes]:
    """An invoice's PDF when it is of one of these children (a parent's); NoAccess otherwise."""
    row = db.execute(
        "SELECT number, kind, pdf, child_id FROM invoices WHERE id = ?", (invoice_id,)
    ).fetchone()
    if row is None or row[3] not in child_ids:
        raise NoAccess("invoice")
    return row[0], row[1], bytes(row[2])


def accountant_csv(db: sqlite_utils.Database, location_id: str, year: int, month: int) -> str:
    """The month's invoices and credit notes for the accountant: one row each, amounts with a comma."""
    out = ["nummer;soort;datum;kind;debiteur;totaal;fiscaal;crediteert"]
    numbers = {r["id"]: r["number"] for r in issued(db, location_id, year, month)}
    for r in issued(db, location_id, year, month):
        cells = [
            str(r["number"]),
            r["kind"],
            fmt_date(local(r["issued_at"]).date()),
            r["child"],
            r["debtor"],
            r["total"].replace(".", ","),
            r["fiscal"].replace(".", ","),
            str(numbers.get(r["corrects"], "")),
        ]
        out.append(";".join(_csv_cell(c) for c in cells))
    return "\r\n".join(out) + "\r\n"


def _csv_cell(text: str) -> str:
    """A cell that a spreadsheet cannot take for a formula, quoted when it holds the separator."""
    if text[:1] in ("=", "+", "@") or (text[:1] == "-" and not text[1:2].isdigit()):
        text = "'" + text
    if ";" in text or '"' in text:
        text = '"' + text.replace('"', '""') + '"'
    return text


def creditor_of(db: sqlite_utils.Database, location_id: str) -> Creditor | None:
    """The organisator's SEPA creditor data; None until its identifier and IBAN are set."""
    row = db.execute(
        """
        SELECT o.name, o.creditor_iban, o.creditor_bic, o.creditor_id
        FROM organisators o JOIN locations l ON l.organisator_id = o.id WHERE l.id = ?
        """,
        (location_id,),
    ).fetchone()
    if row is None or not row[1] or not row[3]:
        return None
    return Creditor(*row)


def save_creditor(db: sqlite_utils.Database, location_id: str, identifier: str, iban: str, bic: str) -> None:
    """The organisator's creditor identifier and account, for its direct debits."""
    from hub.billing.data import valid_iban

    iban, identifier, bic = (
        iban.replace(" ", "").upper(),
        identifier.replace(" ", "").upper(),
        bic.strip().upper(),
    )
    if not valid_iban(iban):
        raise Refused("Dat is geen geldig IBAN-nummer.")
    if not re.fullmatch(r"[A-Z]{2}[0-9]{2}[A-Z0-9]{3}[A-Z0-9]{1,28}", identifier):
        raise Refused("Dat is geen geldig incassant-ID (bijvoorbeeld BE69ZZZ0123456789).")
    if bic and not re.fullmatch(r"[A-Z]{6}[A-Z0-9]{2}([A-Z0-9]{3})?", bic):
        raise Refused("Dat is geen geldige BIC.")
    (org,) = db.execute("SELECT organisator_id FROM locations WHERE id = ?", (location_id,)).fetchone()
    with write_transaction(db):
        db.execute(
            "UPDATE organisators SET creditor_id = ?, creditor_iban = ?, creditor_bic = ? WHERE id = ?",
            (identifier, iban, bic, org),
        )


@dataclass(frozen=True)
class DirectDebit:
    xml: bytes
    total: Decimal
    count: int
    without_mandate: tuple[str, ...]  # children whose invoice is paid otherwise (no IBAN or mandate)


def direct_debit_for_month(
    db: sqlite_utils.Database, location_id: str, year: int, month: int, collect_on: date, now: datetime
) -> DirectDebit:
    """The SEPA file collecting the month's valid invoices (not replaced, more than zero) under a mandate."""
    creditor = creditor_of(db, location_id)
    if creditor is None:
        raise Refused("Vul eerst het incassant-ID en het rekeningnummer van de organisator in.")
    rows = db.execute(
        """
        SELECT i.number, i.total, c.first_name || ' ' || c.last_name, d.name, d.iban, d.bic, d.mandate_ref,
               d.mandate_date, i.id, i.organisator_id
        FROM invoices i JOIN children c ON c.id = i.child_id
        LEFT JOIN child_debtors d ON d.child_id = i.child_id
        WHERE i.location_id = ? AND i.year = ? AND i.month = ? AND i.kind = 'factuur'
          AND i.replaced_by IS NULL
        ORDER BY i.number
        """,
        (location_id, year, month),
    ).fetchall()
    items, without = [], []
    period = fmt_month(year, month)
    with write_transaction(db):  # the sequence types are decided and remembered at once
        for number, total, child, debtor, iban, bic, ref, signed, invoice_id, organisator_id in rows:
            amount = Decimal(total)
            if amount <= 0:
                continue
            if not (iban and ref and signed):
                without.append(child)
                continue
            items.append(
                Collection(
                    f"FACTUUR-{number}",
                    amount,
                    debtor,
                    iban,
                    bic or "",
                    ref,
                    date.fromisoformat(signed),
                    f"Factuur {number} {period} {child}",
                    _sequence(db, invoice_id, organisator_id, ref, now),
                )
            )
    if not items:
        raise Refused("Geen facturen met een mandaat om te innen in deze maand.")
    message_id = f"AANW-{location_id[:12]}-{year:04d}{month:02d}-{local(now):%Y%m%d%H%M%S}"
    xml = direct_debit(creditor, message_id, local(now), collect_on, items)
    return DirectDebit(xml, sum((i.amount for i in items), Decimal("0.00")), len(items), tuple(without))


def _sequence(
    db: sqlite_utils.Database, invoice_id: int, organisator_id: int, mandate: str, now: datetime
) -> str:
    """FRST or RCUR for this invoice's collection (:func:`hub.billing.sepa.sequence_type`), kept."""
    found = db.execute("SELECT sequence FROM sepa_collections WHERE invoice_id = ?", (invoice_id,)).fetchone()
    used = db.execute(
        """
        SELECT 1 FROM sepa_collections s JOIN invoices i ON i.id = s.invoice_id
        WHERE s.organisator_id = ? AND s.mandate_ref = ? AND s.invoice_id != ? AND i.replaced_by IS NULL
        LIMIT 1
        """,
        (organisator_id, mandate, invoice_id),
    ).fetchone()
    sequence = sequence_type(found[0] if found else None, used is not None)
    db.execute(
        "INSERT INTO sepa_collections (invoice_id, organisator_id, mandate_ref, sequence, collected_at)"
        " VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
        (invoice_id, organisator_id, mandate, sequence, utc_iso(now)),
    )
    return sequence


def fiscal_attest(
    db: sqlite_utils.Database, location_id: str, child_id: int, year: int, now: datetime
) -> tuple[FiscalYear, bytes]:
    """The fiscal attest of a child at a location for calendar ``year``: its figures and its PDF."""
    loc_name, _model, _rules, _org, org_name = location_row(db, location_id)
    rows = db.execute(
        "SELECT year, month, fiscal, body, debtor_name FROM invoices WHERE location_id = ? AND child_id = ?",
        (location_id, child_id),
    ).fetchall()
    billed, debtors = [], []
    for y, m, fiscal, body, debtor in rows:
        days = sum(
            ln["count"] for ln in json.loads(body).get("lines", []) if ln.get("kind") in ("day", "absence")
        )
        amount = Decimal(fiscal)
        billed.append(Billed(y, m, amount, -days if amount < 0 else days))
        debtors.append(debtor)
    figures = fiscal_year(year, billed)
    child = db.execute(
        "SELECT first_name || ' ' || last_name, birth_date FROM children WHERE id = ?", (child_id,)
    )
    name, born = child.fetchone()
    (first_y, first_m), (last_y, last_m) = care_months(year)[0], care_months(year)[-1]
    pdf = fiscal_pdf(
        PdfFiscal(
            year,
            org_name,
            loc_name,
            name,
            fmt_date(date.fromisoformat(born)) if born else "",
            debtors[-1] if debtors else "",
            fmt_month(first_y, first_m),
            fmt_month(last_y, last_m),
            figures.days,
            figures.amount,
            fmt_date(local(now).date()),
        )
    )
    return figures, pdf


@dataclass(frozen=True)
class Counter:
    """A child's justified absences or respite days this calendar year, as screens show them."""

    name: str  # "gerechtvaardigde afwezigheden", "saldo respijtdagen"
    balance: Fraction
    allowance: Fraction
    used: int  # missed planned days so far that used days

    @property
    def text(self) -> str:
        return f"{self.name.capitalize()}: nog {fmt_days(self.balance)} van {fmt_days(self.allowance)}"


def counter_of(db: sqlite_utils.Database, location_id: str, child_id: int, now: datetime) -> Counter | None:
    """A child's counter at the location from 1 January to yesterday; None without a care plan.

    A missed day is a planned day gone by, on which the location was open, with no registration here.
    """
    stored = plans_at(db, location_id).get(child_id)
    if stored is None:
        return None
    policy = policy_for(db, location_id)
    today = local(now).date()
    first = date(today.year, 1, 1)
    allowance = yearly_allowance(policy, months_in_care(stored.plan, today.year))
    if today == first:
        return Counter(policy.counter_nl, allowance, allowance, 0)
    last = today - timedelta(days=1)
    registered = {key[2] for key in attendance(db, first, last, location_id, [child_id])}
    schedule = location_schedule(db, location_id)
    reasons = _reasons(db, location_id, first, last)
    missed = [
        Absence(day, planned.size.days, reasons.get((child_id, day), Reason.UNREPORTED))
        for day, planned in planned_days(stored.plan, first, last).items()
        if day not in registered and schedule.on(day).is_open
    ]
    judged = judge_absences(policy, allowance, missed)
    balance = judged[-1].balance_after if judged else allowance
    used = sum(1 for j in judged if j.outcome is Outcome.JUSTIFIED)
    return Counter(policy.counter_nl, balance, allowance, used)


def invoice_mails(db: sqlite_utils.Database, invoice_ids: list[int], base_url: str) -> list[Mail]:
    """One mail per issued invoice or credit note with a debtor's address: where to find it, with
    its PDF attached (the same bytes as in the parent's account)."""
    mails = []
    for invoice_id in invoice_ids:
        row = db.execute(
            """
            SELECT i.number, i.kind, i.year, i.month, i.total, i.debtor_email, c.first_name, l.name, i.pdf
            FROM invoices i JOIN children c ON c.id = i.child_id JOIN locations l ON l.id = i.location_id
            WHERE i.id = ?
            """,
            (invoice_id,),
        ).fetchone()
        number, kind, year, month, total, email, child, location, pdf = row
        if not email:
            continue
        what = "Creditnota" if kind == "creditnota" else "Factuur"
        period, amount = fmt_month(year, month), total.replace(".", ",")
        text = (
            f"Beste ouder,\n\n{what} {number} van {location} voor {child}, {period}, staat klaar: "
            f"{amount} euro.\n\nJe vindt ze in je account: {base_url.rstrip('/')}/ouders/facturen"
        )
        attached = (Attachment(f"{kind}-{number}.pdf", "application/pdf", bytes(pdf)),) if pdf else ()
        if attached:
            text += f"\nDe {what.lower()} zit ook in bijlage (PDF)."
        text += SIGNATURE
        mails.append(Mail(email, f"{what} {number}: {child}, {fmt_month(year, month)}", text, attached))
    return mails


def save_rules(db: sqlite_utils.Database, location_id: str, name: str, for_location_only: bool) -> None:
    """Which preset a location follows: its organisator's setting, or this location's own."""
    policy_named(name)  # an unknown name is refused here
    if name not in POLICIES:
        raise Refused("Kies de regels van een van de organisaties.")
    with write_transaction(db):
        if for_location_only:
            db.execute("UPDATE locations SET billing_rules = ? WHERE id = ?", (name, location_id))
        else:
            db.execute(
                "UPDATE organisators SET billing_rules = ? WHERE id = (SELECT organisator_id FROM locations"
                " WHERE id = ?)",
                (name, location_id),
            )
            db.execute("UPDATE locations SET billing_rules = NULL WHERE id = ?", (location_id,))
