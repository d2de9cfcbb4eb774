"""What the "Opgeladen" screens read: a location's month (what would go now, its status), the
overview of every visible location, and a month's sending history.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import sqlite_utils

from hub.accounts.actors import Actor, Role
from hub.core.localtime import local
from hub.upload import store
from hub.upload.access import check_access
from hub.upload.batch import month_key
from hub.upload.month import PreparedMonth, prepare_month
from hub.upload.plan import plan_version
from hub.upload.status import MonthStatus, month_status
from hub.upload.timing import automatic_months


def month_detail(
    db: sqlite_utils.Database,
    actor: Actor,
    location_id: str,
    year: int,
    month: int,
    upload_day: int,
    sending_enabled: bool,
    now: datetime | None = None,
) -> tuple[PreparedMonth, MonthStatus]:
    """One location's month for the screen: what would go now, and its status."""
    check_access(db, actor, location_id)
    now = now or datetime.now(UTC)
    today = local(now).date()
    history = store.history(db, location_id, month_key(year, month))
    prepared = prepare_month(
        db, location_id, year, month, now, include=set(history.delivered) | history.uncertain
    )
    plan = plan_version(prepared, history)
    pending = history.pending
    last_failure = None
    if pending is not None:
        attempts = store.attempts_of(db, pending.id)
        if attempts and attempts[-1].outcome == "failed":
            last_failure = attempts[-1].detail
    automatic = sending_enabled and (year, month) in automatic_months(today, upload_day)
    key = month_key(year, month)
    requested = next((r for r in store.open_requests(db, location_id) if r.month == key), None)
    status = month_status(
        prepared, history, plan, today, upload_day, automatic, last_failure, requested, sending_enabled
    )
    return prepared, status


def month_overview(
    db: sqlite_utils.Database,
    actor: Actor,
    year: int,
    month: int,
    upload_day: int,
    sending_enabled: bool,
    now: datetime | None = None,
) -> list[MonthStatus]:
    """The status of the month at every location the actor may see, each month prepared now.

    The overview screen reads the kept summaries instead (:func:`hub.upload.summary.month_summaries`);
    this is the fresh recomputation they are checked against (tests, ``bench/scale_screens.py``).
    """
    return [
        month_detail(db, actor, location_id, year, month, upload_day, sending_enabled, now)[1]
        for location_id in visible_locations(db, actor)
    ]


@dataclass(frozen=True)
class SentVersion:
    """A version of the month as the history shows it: what it carried and every try to deliver it."""

    submission: store.Submission
    attempts: tuple[store.AttemptRow, ...]


@dataclass(frozen=True)
class MonthLog:
    """What happened to a location's month: the versions and the "Nu versturen" requests, newest first."""

    versions: tuple[SentVersion, ...]
    requests: tuple[store.SendRequest, ...]


def month_log(db: sqlite_utils.Database, actor: Actor, location_id: str, year: int, month: int) -> MonthLog:
    """The sending history of a location's month, for the screen."""
    check_access(db, actor, location_id)
    key = month_key(year, month)
    history = store.history(db, location_id, key)
    return MonthLog(
        tuple(
            SentVersion(submission, tuple(store.attempts_of(db, submission.id)))
            for submission in reversed(history.submissions)
        ),
        tuple(store.requests_of(db, location_id, key)),
    )


def visible_locations(db: sqlite_utils.Database, actor: Actor) -> list[str]:
    """An organisator sees its own locations, a location itself, a staff member its own."""
    if actor.role is Role.LOCATION:
        return [actor.id]
    if actor.role is Role.STAFF:
        return sorted(actor.locations)
    return [
        row[0]
        for row in db.execute(
            "SELECT id FROM locations WHERE organisator_id = ? ORDER BY name", (int(actor.id),)
        )
    ]
