"""Retention periods turned into cut-off points (pure): what is older than these has expired.

A period counts whole Brussels months back from the current one, so a month's registrations go
together and never while the organisator may still correct them (up to 5 years back); a child's
own periods count from the day they left.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from hub.core.localtime import BRUSSELS, utc_iso


@dataclass(frozen=True)
class Cutoffs:
    events_before: str  # UTC ISO: registrations that occurred before it
    corrections_before: str  # ISO date: corrections of days before it
    uploads_before: str  # YYYY-MM: months sent to Kind en Gezin before it
    contacts_left_on_or_before: str  # ISO date: contacts of children who left on or before it
    children_left_on_or_before: str  # ISO date: children who left on or before it
    mail_before: str  # UTC ISO


def years_back(day: date, years: int) -> date:
    """The same calendar day ``years`` earlier (29 February becomes 28 February)."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


def month_start_years_back(now: datetime, years: int) -> date:
    """The first day of the Brussels month ``years`` before the current one."""
    today = now.astimezone(BRUSSELS).date()
    return date(today.year - years, today.month, 1)


def cutoffs(now: datetime, periods) -> Cutoffs:
    """The cut-off points for ``periods`` (a ``RetentionSettings`` of hub.operations) at ``now``."""
    today = now.astimezone(BRUSSELS).date()
    attendance = month_start_years_back(now, periods.attendance_years)
    corrections = month_start_years_back(now, periods.corrections_years)
    uploads = month_start_years_back(now, periods.uploads_years)
    return Cutoffs(
        events_before=utc_iso(datetime.combine(attendance, time(0), BRUSSELS)),
        corrections_before=corrections.isoformat(),
        uploads_before=f"{uploads.year:04d}-{uploads.month:02d}",
        contacts_left_on_or_before=years_back(today, periods.left_child_contacts_years).isoformat(),
        children_left_on_or_before=years_back(today, periods.left_child_years).isoformat(),
        mail_before=utc_iso(now - timedelta(days=periods.mail_outbox_days)),
    )
