"""The month run on a real database: preview, finalise numbered without gaps, correct with a credit note."""

from __future__ import annotations

import sqlite3
import threading
from datetime import date, time
from decimal import Decimal
from fractions import Fraction

import pytest

from hub.accounts.actors import Refused
from hub.billing.absences import Outcome
from hub.billing.data import add_plan_stop
from hub.billing.policy import AG_ANTWERPEN
from hub.billing.service import correct_invoice, counter_of, finalise_month, invoice_pdf_of, issued, month_run
from hub.careplan.rules import PlanDay, Size
from hub.careplan.service import create_plan
from hub.core.db import connect
from tests.support.attendance import at, child_id, day_at_the_creche, location_actor, second_location
from tests.support.attendance import db as db  # the fixtures, on the demo database
from tests.support.attendance import door as door
from tests.support.billing import TABLE, billable

pytestmark = pytest.mark.both_databases  # SQLite and PostgreSQL

FULL = PlanDay(Size.FULL, time(7, 30), time(17, 30))
APRIL = at("2026-04-02", "10:00")  # the hub's clock when March is billed


def test_a_march_of_ag_rules_previewed_finalised_and_corrected_with_a_credit_note(db, door, demo) -> None:
    jules = billable(db, "Jules")
    weekdays = {n: FULL for n in range(5)}
    create_plan(db, location_actor(demo), jules, demo.location_id, date(2026, 3, 2), None, weekdays)
    for day in range(2, 7):
        day_at_the_creche(door, "Jules", f"2026-03-0{day}", "08:00", "16:30")  # 8 h 30: 100 %
    db.execute(
        "INSERT INTO billing_absences (child_id, location_id, day, reason, reported_at)"
        " VALUES (?, 'zonnebloem', '2026-03-09', 'ziek', '')",
        (jules,),
    )
    db.conn.commit()

    run = month_run(db, demo.location_id, 2026, 3, TABLE, APRIL)
    [preview] = run.previews
    lines = {line.text: (line.count, line.amount) for line in preview.draft.lines}
    # 10 months in care x 5 days: 20 x 10/12 = 16,67 -> 16,5 days; 17 planned days missed: the last is charged
    assert preview.draft.allowance == Decimal("16.5")
    assert lines == {
        "opvangdag, 100 % van 25,34": (5, Decimal("126.70")),
        "geplande dag afwezig, aangerekend, 100 % van 25,34": (1, Decimal("25.34")),
        "administratiekost": (1, Decimal("3.50")),
    }
    assert preview.draft.total == Decimal("155.54") and run.problems == []

    [invoice] = finalise_month(db, location_actor(demo), demo.location_id, 2026, 3, TABLE, APRIL)
    number, kind, pdf = invoice_pdf_of(db, demo.location_id, invoice)
    assert (number, kind) == (1, "factuur") and pdf.startswith(b"%PDF")
    with pytest.raises(Refused, match="al gefinaliseerd"):
        finalise_month(db, location_actor(demo), demo.location_id, 2026, 3, TABLE, APRIL)
    with pytest.raises(Refused, match="niets te corrigeren"):
        correct_invoice(db, location_actor(demo), demo.location_id, invoice, TABLE, APRIL)

    # a doctor's note comes in for 31 March: that day is free, the balance covers the last one
    db.execute(
        "INSERT INTO billing_absences (child_id, location_id, day, reason, reported_at)"
        " VALUES (?, 'zonnebloem', '2026-03-31', 'ziek_attest', '')",
        (jules,),
    )
    db.conn.commit()
    credit, new = correct_invoice(db, location_actor(demo), demo.location_id, invoice, TABLE, APRIL)
    rows = {r["id"]: r for r in issued(db, demo.location_id, 2026, 3)}
    assert [(r["number"], r["kind"], r["total"]) for r in rows.values()] == [
        (1, "factuur", "155.54"),
        (2, "creditnota", "-155.54"),
        (3, "factuur", "130.20"),  # 126,70 + 3,50: no charged day left
    ]
    assert rows[invoice]["replaced_by"] == new and rows[credit]["corrects"] == invoice
    assert invoice_pdf_of(db, demo.location_id, invoice)[2] == pdf  # byte for byte as it was
    with pytest.raises(sqlite3.IntegrityError, match="never changes"):
        db.execute("UPDATE invoices SET total = '0.00' WHERE id = ?", (invoice,))
    with pytest.raises(sqlite3.IntegrityError, match="never deleted"):
        db.execute("DELETE FROM invoices WHERE id = ?", (invoice,))


def test_a_child_without_attest_or_debtor_stops_the_run_with_the_reason(db, door, demo) -> None:
    day_at_the_creche(door, "Noah", "2026-03-03")
    db.execute("UPDATE locations SET price_model = 'inkomenstarief' WHERE id = 'zonnebloem'")
    db.conn.commit()
    run = month_run(db, demo.location_id, 2026, 3, TABLE, APRIL)
    assert run.problems == [
        "Noah Maes: geen debiteur ingevuld",
        "Noah Maes: geen attest inkomenstarief voor 03/03/2026",
    ]
    with pytest.raises(Refused, match="Los eerst op"):
        finalise_month(db, location_actor(demo), demo.location_id, 2026, 3, TABLE, APRIL)
    assert issued(db, demo.location_id, 2026, 3) == []


def test_two_runs_finalised_at_the_same_moment_leave_no_gap_and_no_double(db, door, demo, hub_target) -> None:
    elsewhere = second_location(db, demo, "Lotte", "Mila")
    for name in ("Jules", "Noah", "Louis", "Olivia"):
        billable(db, name)
        for day in ("2026-03-03", "2026-03-04"):
            day_at_the_creche(door, name, day)
    for name in ("Lotte", "Mila"):
        billable(db, name, location="regenboog")
        for day in ("2026-03-03", "2026-03-05"):
            day_at_the_creche(elsewhere, name, day)

    start = threading.Barrier(2)
    results: dict[str, object] = {}

    def finalise(location: str) -> None:
        conn = connect(hub_target)  # each its own connection on the same file
        try:
            start.wait()
            results[location] = finalise_month(conn, location_actor(demo), location, 2026, 3, TABLE, APRIL)
        except Exception as exc:  # reported below
            results[location] = exc
        finally:
            conn.close()

    threads = [threading.Thread(target=finalise, args=(loc,)) for loc in ("zonnebloem", "regenboog")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert all(isinstance(r, list) for r in results.values()), results
    numbers = sorted(n for (n,) in db.execute("SELECT number FROM invoices"))
    assert numbers == list(range(1, 7))  # 4 + 2 invoices: 1..6, none twice, none skipped
    assert db.execute("SELECT last_number FROM invoice_counters").fetchone() == (6,)


def test_the_counter_shows_the_days_left_this_year_up_to_yesterday(db, door, demo) -> None:
    jules = child_id(db, "Jules")
    assert counter_of(db, demo.location_id, jules, at("2026-03-12", "10:00")) is None  # no plan, no counter
    create_plan(
        db, location_actor(demo), jules, demo.location_id, date(2026, 3, 2), None, {n: FULL for n in range(5)}
    )
    for day in range(2, 7):
        day_at_the_creche(door, "Jules", f"2026-03-0{day}")
    counter = counter_of(db, demo.location_id, jules, at("2026-03-12", "10:00"))
    # 16,5 days for 10 months of 5 days; missed 9, 10 and 11 March (today, the 12th, does not count yet)
    assert counter.text == "Gerechtvaardigde afwezigheden: nog 13,5 van 16,5" and counter.used == 3
    db.execute(
        "INSERT INTO billing_absences (child_id, location_id, day, reason, reported_at)"
        " VALUES (?, 'zonnebloem', '2026-03-10', 'ziek_attest', '')",
        (jules,),
    )
    db.conn.commit()
    assert counter_of(db, demo.location_id, jules, at("2026-03-12", "10:00")).balance == Fraction(29, 2)


def test_a_plan_stop_makes_its_week_free_and_counts_against_the_three_weeks(db, door, demo) -> None:
    jules = child_id(db, "Jules")
    actor = location_actor(demo)
    create_plan(db, actor, jules, demo.location_id, date(2026, 3, 2), None, {n: FULL for n in range(5)})
    add_plan_stop(db, actor, jules, demo.location_id, date(2026, 5, 4), 1, date(2026, 3, 9), AG_ANTWERPEN)
    with pytest.raises(Refused, match="nog 2 over"):
        add_plan_stop(db, actor, jules, demo.location_id, date(2026, 6, 1), 3, date(2026, 3, 9), AG_ANTWERPEN)
    days = db.execute("SELECT day FROM billing_absences WHERE reason = 'opvangstop' ORDER BY day").fetchall()
    assert [d for (d,) in days] == [f"2026-05-{d:02d}" for d in range(4, 11)]
    # the stop's planned days are free: they neither use justified days nor cost
    billable(db, "Jules")
    [preview] = month_run(db, demo.location_id, 2026, 5, TABLE, at("2026-05-11", "09:00")).previews
    stop_week = {j.absence.day: j.outcome for j in preview.draft.judged if j.absence.day >= date(2026, 5, 4)}
    assert stop_week == {date(2026, 5, d): Outcome.FREE for d in range(4, 9)}
