"""Closed months: a location marks a whole month without childcare ("gesloten maand").

A closed month expects no attendance: its cells are grey without a +, nothing in it counts as
missing, and no attendance can be corrected into it until it is opened again. A month that
already has registrations cannot be marked closed.
"""

from __future__ import annotations

import calendar
from datetime import UTC, date, datetime

import sqlite_utils

from hub.accounts.actors import Actor, Refused, may_manage
from hub.attendance.days import attendance
from hub.attendance.unknown_cards import unknown_cards
from hub.attendance.windows import month_change_refusal
from hub.core.db import write_transaction
from hub.core.localtime import fmt_month, local, now_utc_iso


def close_month(
    db: sqlite_utils.Database,
    actor: Actor,
    location_id: str,
    year: int,
    month: int,
    now: datetime | None = None,
) -> None:
    """Mark a month closed; raises :class:`Refused` with the reason in Dutch."""
    with write_transaction(db):
        _check(db, actor, location_id, year, month, now)
        first, last = date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1])
        registered = any(
            day.intervals for day in attendance(db, first, last, location_id=location_id).values()
        )
        if registered or unknown_cards(db, location_id, first, last):
            raise Refused(
                f"Er zijn registraties in {fmt_month(year, month)}; een maand met aanwezigheden kan niet "
                "als gesloten maand aangeduid worden."
            )
        db.execute(
            """
            INSERT INTO closed_months (location_id, month, closed_by, closed_at) VALUES (?, ?, ?, ?)
            ON CONFLICT DO NOTHING
            """,
            (location_id, f"{year:04d}-{month:02d}", actor.name, now_utc_iso()),
        )


def reopen_month(
    db: sqlite_utils.Database,
    actor: Actor,
    location_id: str,
    year: int,
    month: int,
    now: datetime | None = None,
) -> None:
    """Take the closed mark off a month; raises :class:`Refused` with the reason in Dutch."""
    with write_transaction(db):
        _check(db, actor, location_id, year, month, now)
        db.execute(
            "DELETE FROM closed_months WHERE location_id = ? AND month = ?",
            (location_id, f"{year:04d}-{month:02d}"),
        )


def _check(
    db: sqlite_utils.Database, actor: Actor, location_id: str, year: int, month: int, now: datetime | None
) -> None:
    if not may_manage(db, actor, location_id):
        raise Refused("Je hebt geen toegang tot deze opvanglocatie.")
    refusal = month_change_refusal(actor.role, year, month, local(now or datetime.now(UTC)).date())
    if refusal:
        raise Refused(refusal)
