"""The spring mailing of the fiscal attests, on a real database: once per child and year, PDF attached."""

from __future__ import annotations

import subprocess
import sys
from datetime import date, time
from pathlib import Path

from hub.billing.fiscal_mails import mail_fiscal_attests
from hub.billing.service import finalise_month
from hub.careplan.rules import PlanDay, Size
from hub.careplan.service import create_plan
from hub.mail.outbox import attachments_of
from tests.support.attendance import at, day_at_the_creche, location_actor
from tests.support.attendance import db as db  # the fixtures, on the demo database
from tests.support.attendance import door as door
from tests.support.billing import TABLE, billable

FULL = PlanDay(Size.FULL, time(7, 30), time(17, 30))
MARCH_NEXT_YEAR = at("2027-03-01", "09:00")


def test_each_debtor_gets_the_years_attest_once_with_the_pdf_attached(db, door, demo) -> None:
    jules = billable(db, "Jules")
    create_plan(
        db, location_actor(demo), jules, demo.location_id, date(2026, 3, 2), None, {n: FULL for n in range(5)}
    )
    for day in range(2, 7):
        day_at_the_creche(door, "Jules", f"2026-03-0{day}", "08:00", "16:30")
    finalise_month(db, location_actor(demo), demo.location_id, 2026, 3, TABLE, at("2026-04-02", "10:00"))

    assert mail_fiscal_attests(db, 2026, "https://hub.example/", MARCH_NEXT_YEAR) == 1
    [(mail_id, to, subject, body)] = db.execute(
        "SELECT id, to_address, subject, body FROM mail_outbox WHERE kind = 'fiscal-attest'"
    ).fetchall()
    assert to == "ouder@example.org" and subject == "Fiscaal attest 2026: Jules"
    assert "https://hub.example/ouders/facturen" in body and "boetes niet inbegrepen" in body
    [attachment] = attachments_of(db, mail_id)
    assert attachment.media_type == "application/pdf" and attachment.data.startswith(b"%PDF")
    assert mail_fiscal_attests(db, 2026, "https://hub.example/", MARCH_NEXT_YEAR) == 0, "once"
    assert mail_fiscal_attests(db, 2025, "https://hub.example/", MARCH_NEXT_YEAR) == 0, "nothing paid in 2025"


def test_the_command_queues_the_attests_the_timer_asks_for(tmp_path: Path) -> None:
    config = tmp_path / "hub.toml"
    config.write_text(f'data_dir = "{tmp_path / "data"}"\n')
    done = subprocess.run(
        [sys.executable, "-m", "hub", "fiscal-attests", "2026", "--config", str(config)],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "fiscal attests 2026: 0 mail(s) queued" in done.stdout
