"""The kept summary of a location's month for the "Opgeladen" overview, so the overview does not
prepare every location's month on each request.

What a summary holds is computed by :func:`summary_of` from :func:`hub.upload.views.month_detail`,
the same function the location's own "Opgeladen" screen uses: there is one set of rules. The
database counts every change that may alter a summary in the same transaction as the change
(triggers of migration 0029, on check-ins, corrections, settings, children and the upload's
tables); a kept summary is used only while

- the change counts it was computed at, of its month and of its location, are still the current;
- the hub's ``[upload]`` settings are the ones it was computed with;
- the clock has not reached its ``valid_until``: the next Brussels midnight (days pass: a day to
  come becomes a day gone by, the upload day comes), or sooner the moment a child still present
  today turns red (closing time plus the margin).

Otherwise the overview recomputes it, for that location only, and keeps the new one. The counts
are read before the month is, so a change that lands while it is computed leaves the summary
stale-marked, never stale-trusted. Kept summaries are cleared when the hub starts (new rules in a
new version of the hub are never hidden behind old summaries).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

import sqlite_utils

from hub.accounts.actors import Actor
from hub.attendance.cells import present_until
from hub.core.db import write_transaction
from hub.core.localtime import BRUSSELS, local, utc_iso
from hub.upload.batch import Location, month_key
from hub.upload.month import PreparedMonth
from hub.upload.status import MonthStatus, Status
from hub.upload.validation import Marker
from hub.upload.views import month_detail, visible_locations


@dataclass(frozen=True)
class MonthSummary:
    """What the overview shows of a location's month (the fields the template reads of a status)."""

    location: Location
    year: int
    month: int
    status: Status
    clock: bool
    cloud: bool
    time_errors: int  # open time errors, here and reported by the receiver
    data_errors: int  # open data errors, here and reported by the receiver
    red_cells: int  # red cells in the month grid
    minutes: int  # minutes present that count, every child
    version: int | None
    next_sending: date | None
    sending: bool


def open_errors(status: MonthStatus, marker: Marker) -> int:
    """Open errors of one kind: found here and not confirmed, and those the receiver reported."""
    here = sum(1 for issue in status.issues if issue.marker is marker and issue.open)
    return here + sum(1 for error in status.receiver_errors if error.marker is marker)


def summary_of(prepared: PreparedMonth, status: MonthStatus) -> MonthSummary:
    """The summary of a month as :func:`month_detail` gives it."""
    return MonthSummary(
        status.location,
        status.year,
        status.month,
        status.status,
        status.clock,
        status.cloud,
        open_errors(status, Marker.CLOCK),
        open_errors(status, Marker.CLOUD),
        prepared.grid.errors,
        sum(record.minutes for record in prepared.records),
        status.version,
        status.next_sending,
        status.sending,
    )


def valid_until(prepared: PreparedMonth, now: datetime) -> datetime:
    """Until when the summary stays true without any change in the database: the next Brussels
    midnight, or sooner when a child still present today turns red."""
    today = local(now).date()
    until = datetime.combine(today + timedelta(days=1), time(0), BRUSSELS).astimezone(UTC)
    for row in prepared.grid.rows:
        for day, cell in zip(prepared.grid.days, row.cells, strict=True):
            if cell.present_now:
                until = min(until, present_until(day))
    return until


def fresh_summary(
    db: sqlite_utils.Database,
    actor: Actor,
    location_id: str,
    year: int,
    month: int,
    upload_day: int,
    sending_enabled: bool,
    now: datetime,
) -> tuple[MonthSummary, datetime]:
    """A location's month summarised anew (and until when it holds), as the screen's own path does."""
    prepared, status = month_detail(db, actor, location_id, year, month, upload_day, sending_enabled, now)
    return summary_of(prepared, status), valid_until(prepared, now)


_COLUMNS = (
    "s.status, s.clock, s.cloud, s.time_errors, s.data_errors, s.red_cells, s.minutes, s.version, "
    "s.next_sending, s.sending, s.month_changes, s.location_changes, s.upload_day, s.sending_enabled, "
    "s.valid_until"
)


def month_summaries(
    db: sqlite_utils.Database,
    actor: Actor,
    year: int,
    month: int,
    upload_day: int,
    sending_enabled: bool,
    now: datetime | None = None,
) -> list[MonthSummary]:
    """The overview: every visible location's month, from the kept summaries, recomputing only
    those a change (or the clock) has made stale, and keeping the new ones."""
    now = now or datetime.now(UTC)
    key = month_key(year, month)
    ids = visible_locations(db, actor)
    if not ids:
        return []
    marks = ", ".join("?" for _ in ids)
    rows = db.execute(
        f"""
        SELECT l.id, l.dossier_number, l.name, coalesce(cm.changes, 0), coalesce(cl.changes, 0), {_COLUMNS}
        FROM locations l
        LEFT JOIN upload_month_summaries s ON s.location_id = l.id AND s.month = ?
        LEFT JOIN upload_summary_changes cm ON cm.location_id = l.id AND cm.month = ?
        LEFT JOIN upload_summary_changes cl ON cl.location_id = l.id AND cl.month = '*'
        WHERE l.id IN ({marks})
        """,
        (key, key, *ids),
    ).fetchall()
    by_id = {row[0]: row for row in rows}
    now_iso = utc_iso(now)
    result, stale = [], []
    for location_id in ids:
        row = by_id.get(location_id)
        if row is None:
            continue
        loc_id, dossier, name, month_changes, location_changes, *kept = row
        if _usable(kept, month_changes, location_changes, upload_day, sending_enabled, now_iso):
            result.append(_from_row(Location(loc_id, dossier, name), year, month, kept))
            continue
        summary, until = fresh_summary(db, actor, loc_id, year, month, upload_day, sending_enabled, now)
        result.append(summary)
        stale.append((summary, month_changes, location_changes, until))
    if stale:
        keep(db, stale, upload_day, sending_enabled, now)
    return result


def _usable(
    kept: list, month_changes: int, location_changes: int, upload_day: int, enabled: bool, now_iso: str
) -> bool:
    if kept[0] is None:
        return False
    seen_month, seen_location, day, was_enabled, until = kept[10:15]
    return (
        seen_month == month_changes
        and seen_location == location_changes
        and day == upload_day
        and bool(was_enabled) == enabled
        and until > now_iso
    )


def _from_row(location: Location, year: int, month: int, kept: list) -> MonthSummary:
    status, clock, cloud, time_errors, data_errors, red_cells, minutes, version, next_sending, sending = kept[
        :10
    ]
    return MonthSummary(
        location,
        year,
        month,
        Status(status),
        bool(clock),
        bool(cloud),
        time_errors,
        data_errors,
        red_cells,
        minutes,
        version,
        date.fromisoformat(next_sending) if next_sending else None,
        bool(sending),
    )


def keep(
    db: sqlite_utils.Database,
    summaries: list[tuple[MonthSummary, int, int, datetime]],
    upload_day: int,
    sending_enabled: bool,
    now: datetime,
) -> None:
    """Store summaries with the change counts read before they were computed."""
    with write_transaction(db):
        for summary, month_changes, location_changes, until in summaries:
            db.execute(
                """
                INSERT INTO upload_month_summaries (
                    location_id, month, month_changes, location_changes, upload_day, sending_enabled,
                    computed_at, valid_until, status, clock, cloud, time_errors, data_errors, red_cells,
                    minutes, version, next_sending, sending)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (location_id, month) DO UPDATE SET
                    month_changes = excluded.month_changes, location_changes = excluded.location_changes,
                    upload_day = excluded.upload_day, sending_enabled = excluded.sending_enabled,
                    computed_at = excluded.computed_at, valid_until = excluded.valid_until,
                    status = excluded.status, clock = excluded.clock, cloud = excluded.cloud,
                    time_errors = excluded.time_errors, data_errors = excluded.data_errors,
                    red_cells = excluded.red_cells, minutes = excluded.minutes, version = excluded.version,
                    next_sending = excluded.next_sending, sending = excluded.sending
                """,
                (
                    summary.location.id,
                    month_key(summary.year, summary.month),
                    month_changes,
                    location_changes,
                    upload_day,
                    int(sending_enabled),
                    utc_iso(now),
                    utc_iso(until),
                    summary.status.value,
                    int(summary.clock),
                    int(summary.cloud),
                    summary.time_errors,
                    summary.data_errors,
                    summary.red_cells,
                    summary.minutes,
                    summary.version,
                    summary.next_sending.isoformat() if summary.next_sending else None,
                    int(summary.sending),
                ),
            )


def forget_summaries(db: sqlite_utils.Database) -> None:
    """Drop every kept summary (at start-up: this version of the hub computes them anew)."""
    with write_transaction(db):
        db.execute("DELETE FROM upload_month_summaries")
