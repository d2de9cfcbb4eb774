"""The spring mailing of the fiscal attests: each child's attest for a calendar year, to the debtor.

``aanwezig-hub fiscal-attests [YEAR]`` (started each 1 March by ``aanwezig-hub-fiscal-attests.timer``)
queues one mail per child and location with invoices paid in that year, its attest PDF attached, in
the durable mail outbox. Each is recorded in ``fiscal_attest_mails`` in the same transaction, so a
second run, or a run after a crash, mails only what has not gone. Parents find the same PDF in
their account ("Facturen") at any time.
"""

from __future__ import annotations

from datetime import UTC, datetime

import sqlite_utils

from hub.billing.fiscal import care_months
from hub.billing.pdf import euro
from hub.billing.service import fiscal_attest
from hub.core.db import open_database, write_transaction
from hub.core.localtime import today, utc_iso
from hub.core.settings import HubSettings
from hub.mail import Attachment, Mail
from hub.mail.outbox import enqueue
from hub.mail.texts import SIGNATURE


def due(db: sqlite_utils.Database, year: int) -> list[tuple[str, int, str]]:
    """(location, child, debtor's address) of every attest of ``year`` not mailed yet.

    The address is that of the child's latest invoice of the care year; a child without one is left
    to the location (the attest stays in the parent's account and on the location's screen).
    """
    (first_y, first_m), (last_y, last_m) = care_months(year)[0], care_months(year)[-1]
    rows = db.execute(
        """
        SELECT i.location_id, i.child_id, i.debtor_email FROM invoices i
        WHERE (i.year * 100 + i.month) BETWEEN ? AND ?
          AND NOT EXISTS (SELECT 1 FROM fiscal_attest_mails f
                          WHERE f.location_id = i.location_id AND f.child_id = i.child_id AND f.year = ?)
        ORDER BY i.location_id, i.child_id, i.year, i.month, i.id
        """,
        (first_y * 100 + first_m, last_y * 100 + last_m, year),
    ).fetchall()
    latest: dict[tuple[str, int], str] = {}
    for location_id, child_id, email in rows:
        latest[(location_id, child_id)] = email  # ordered: the last one wins
    return [(loc, child, email) for (loc, child), email in latest.items() if email]


def mail_fiscal_attests(db: sqlite_utils.Database, year: int, base_url: str, now: datetime) -> int:
    """Queue the attests of ``year`` not mailed yet; returns how many were queued."""
    queued = 0
    for location_id, child_id, email in due(db, year):
        figures, pdf = fiscal_attest(db, location_id, child_id, year, now)
        if figures.amount <= 0:
            continue  # nothing paid that year: no attest to send
        (child,) = db.execute("SELECT first_name FROM children WHERE id = ?", (child_id,)).fetchone()
        text = (
            f"Beste ouder,\n\nIn bijlage het fiscaal attest {year} voor de opvang van {child}: "
            f"{euro(figures.amount)} voor {figures.days} dagen (boetes niet inbegrepen).\n\n"
            f"Je vindt het ook in je account: {base_url.rstrip('/')}/ouders/facturen" + SIGNATURE
        )
        mail = Mail(
            email,
            f"Fiscaal attest {year}: {child}",
            text,
            (Attachment(f"fiscaal-attest-{year}-{child_id}.pdf", "application/pdf", bytes(pdf)),),
        )
        with write_transaction(db):
            claimed = db.execute(
                "INSERT INTO fiscal_attest_mails (location_id, child_id, year, to_address, mailed_at) "
                "VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
                (location_id, child_id, year, email, utc_iso(now)),
            ).rowcount
            if claimed:  # another run took it meanwhile: it queued the mail
                enqueue(db, mail, now, kind="fiscal-attest")
                queued += claimed
    return queued


def run_command(settings: HubSettings, year: int | None) -> int:
    """``aanwezig-hub fiscal-attests [YEAR]``: queue what has not gone; the hub's mail thread sends."""
    year = year or today().year - 1
    db = open_database(settings.database_path)
    try:
        queued = mail_fiscal_attests(db, year, settings.portal_base_url, datetime.now(UTC))
    finally:
        db.close()
    print(f"fiscal attests {year}: {queued} mail(s) queued")
    return 0
