"""What the location enters for billing a child: the attest inkomenstarief, the debtor and mandate,
the flags the rules need, and the reason of a missed planned day."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal, InvalidOperation

import sqlite_utils

from hub.billing.absences import plan_stop_problem
from hub.billing.policy import BillingPolicy, Reason
from hub.core.actors import Actor, NoAccess, Refused
from hub.core.db import write_transaction
from hub.core.localtime import now_utc_iso

MAX_DAY_PRICE = Decimal("1000")


def child_at(db: sqlite_utils.Database, child_id: int, location_id: str) -> None:
    """NoAccess unless the child is linked to the location."""
    if not db.execute(
        "SELECT 1 FROM child_locations WHERE child_id = ? AND location_id = ?", (child_id, location_id)
    ).fetchone():
        raise NoAccess("child")


def parse_euro(text: str) -> Decimal:
    """An amount as typed, "25,34" or "25.34"; Refused otherwise."""
    try:
        amount = Decimal(text.strip().replace("€", "").replace(" ", "").replace(",", "."))
    except InvalidOperation:
        raise Refused(f"‘{text}’ is geen bedrag; schrijf het als 25,34.") from None
    if (
        not amount.is_finite()
        or amount <= 0
        or amount > MAX_DAY_PRICE
        or amount != amount.quantize(Decimal("0.01"))
    ):
        raise Refused(f"‘{text}’ is geen bedrag tussen 0,01 en {MAX_DAY_PRICE} euro.")
    return amount


def add_attest(
    db: sqlite_utils.Database,
    actor: Actor,
    child_id: int,
    location_id: str,
    day_price: Decimal,
    valid_from: date,
    valid_until: date | None,
) -> None:
    """The family's day price from its attest inkomenstarief, from a day (until a day)."""
    child_at(db, child_id, location_id)
    if valid_until is not None and valid_until < valid_from:
        raise Refused("‘Geldig tot’ ligt na ‘geldig vanaf’.")
    with write_transaction(db):
        db.execute(
            "INSERT INTO income_attests"
            " (child_id, day_price, valid_from, valid_until, entered_at, entered_by)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            (
                child_id,
                str(day_price),
                valid_from.isoformat(),
                valid_until.isoformat() if valid_until else None,
                now_utc_iso(),
                actor.name,
            ),
        )


def save_billing_child(
    db: sqlite_utils.Database,
    child_id: int,
    location_id: str,
    *,
    school_full_time: bool,
    dependent_children: int,
    multiple_birth: bool,
    debtor: dict,
) -> None:
    """The child's flags and its debtor with the SEPA mandate."""
    child_at(db, child_id, location_id)
    if not 1 <= dependent_children <= 20:
        raise Refused("Het aantal kinderen ten laste ligt tussen 1 en 20.")
    if not debtor.get("name", "").strip():
        raise Refused("Vul de naam van de debiteur in.")
    iban = debtor.get("iban", "").replace(" ", "").upper()
    if iban and not valid_iban(iban):
        raise Refused(f"‘{debtor['iban']}’ is geen geldig IBAN-nummer.")
    with write_transaction(db):
        db.execute(
            "UPDATE children SET school_full_time = ?, dependent_children = ?, multiple_birth = ?"
            " WHERE id = ?",
            (int(school_full_time), dependent_children, int(multiple_birth), child_id),
        )
        db.execute(
            """
            INSERT INTO child_debtors (child_id, name, email, iban, bic, mandate_ref, mandate_date, digital)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT (child_id) DO UPDATE SET name = excluded.name, email = excluded.email,
                iban = excluded.iban, bic = excluded.bic, mandate_ref = excluded.mandate_ref,
                mandate_date = excluded.mandate_date, digital = excluded.digital
            """,
            (
                child_id,
                debtor["name"].strip(),
                debtor.get("email", "").strip(),
                iban,
                debtor.get("bic", "").strip().upper(),
                debtor.get("mandate_ref", "").strip(),
                debtor.get("mandate_date") or None,
                int(bool(debtor.get("digital"))),
            ),
        )


def record_absence(
    db: sqlite_utils.Database, actor: Actor, child_id: int, location_id: str, day: date, reason: Reason
) -> None:
    """Why a planned day was missed (replacing an earlier reason for the same day)."""
    child_at(db, child_id, location_id)
    with write_transaction(db):
        db.execute(
            """
            INSERT INTO billing_absences (child_id, location_id, day, reason, reported_at, reported_by)
            VALUES (?, ?, ?, ?, ?, ?)
            ON CONFLICT (child_id, location_id, day) DO UPDATE SET reason = excluded.reason,
                reported_at = excluded.reported_at, reported_by = excluded.reported_by
            """,
            (child_id, location_id, day.isoformat(), reason.value, now_utc_iso(), actor.name),
        )


def valid_iban(iban: str) -> bool:
    """ISO 13616 check digits (mod 97), and a plausible length."""
    if not (15 <= len(iban) <= 34 and iban[:2].isalpha() and iban[2:4].isdigit() and iban.isalnum()):
        return False
    digits = "".join(str(int(ch, 36)) for ch in iban[4:] + iban[:4])
    return int(digits) % 97 == 1


def billing_child(db: sqlite_utils.Database, child_id: int) -> dict:
    school, dependent, multiple = db.execute(
        "SELECT school_full_time, dependent_children, multiple_birth FROM children WHERE id = ?", (child_id,)
    ).fetchone()
    return {
        "school_full_time": bool(school),
        "dependent_children": dependent,
        "multiple_birth": bool(multiple),
    }


def add_plan_stop(
    db: sqlite_utils.Database,
    actor: Actor,
    child_id: int,
    location_id: str,
    first_day: date,
    weeks: int,
    today: date,
    policy: BillingPolicy,
) -> None:
    """A temporary stop of the child's plan: every day of the weeks is a free "opvangstop"."""
    child_at(db, child_id, location_id)
    year = first_day.year
    (used_days,) = db.execute(
        "SELECT count(*) FROM billing_absences WHERE child_id = ? AND location_id = ? AND reason = ?"
        " AND day BETWEEN ? AND ?",
        (child_id, location_id, Reason.PLAN_STOP.value, f"{year}-01-01", f"{year}-12-31"),
    ).fetchone()
    problem = plan_stop_problem(policy, first_day, weeks, today, used_days // 7)
    if problem:
        raise Refused(problem)
    for n in range(weeks * 7):
        record_absence(db, actor, child_id, location_id, first_day + timedelta(days=n), Reason.PLAN_STOP)
