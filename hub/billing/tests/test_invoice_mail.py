"""The invoice mail: queued in the durable mail outbox with the invoice's PDF attached, and sent to
a real SMTP server (aiosmtpd)."""

from __future__ import annotations

from datetime import date, time

from hub.billing.service import finalise_month, invoice_mails, invoice_pdf_of
from hub.careplan.rules import PlanDay, Size
from hub.careplan.service import create_plan
from hub.mail.outbox import MailWorker, Outbox
from hub.mail.smtp import SmtpMailer
from tests.support.attendance import at, day_at_the_creche, location_actor
from tests.support.attendance import db as db  # the fixtures, on the demo database
from tests.support.attendance import door as door
from tests.support.billing import TABLE, billable
from tests.support.smtp import SmtpServer, body

FULL = PlanDay(Size.FULL, time(7, 30), time(17, 30))
APRIL = at("2026-04-02", "10:00")  # the hub's clock when March is billed


def test_the_debtor_receives_the_invoice_mail_with_the_invoices_pdf_attached(db, door, demo, hub_dir) -> None:
    jules = billable(db, "Jules")  # the debtor: ouder@example.org
    create_plan(
        db, location_actor(demo), jules, demo.location_id, date(2026, 3, 2), None, {n: FULL for n in range(5)}
    )
    for day in range(2, 7):
        day_at_the_creche(door, "Jules", f"2026-03-0{day}", "08:00", "16:30")
    [invoice] = finalise_month(db, location_actor(demo), demo.location_id, 2026, 3, TABLE, APRIL)
    number, kind, pdf = invoice_pdf_of(db, demo.location_id, invoice)

    # as the Facturatie page does after finalising: each mail to the portal's mailer, the outbox
    database = hub_dir / "hub.sqlite3"
    for mail in invoice_mails(db, [invoice], "https://hub.example"):
        Outbox(database).send(mail)
    smtp = SmtpServer().start()
    try:
        assert MailWorker(database, SmtpMailer("127.0.0.1", smtp.port, security="none")).deliver_due(db) == 1
        (mail,) = smtp.inbox.wait_for("ouder@example.org")
    finally:
        smtp.stop()
    assert mail["Subject"] == f"Factuur {number}: Jules, maart 2026"
    assert "https://hub.example/ouders/facturen" in body(mail) and "in bijlage (PDF)" in body(mail)
    (attached,) = list(mail.iter_attachments())
    assert (
        attached.get_filename() == f"{kind}-{number}.pdf" and attached.get_content_type() == "application/pdf"
    )
    assert attached.get_content() == pdf and pdf.startswith(b"%PDF")
