"""Sending a month to Kind en Gezin: by the planning (run_due), on request (run_requests) or now.

Sending holds no database transaction while it waits on the network: the version is stored first
(so a crash loses nothing: the next check sends the stored version again), each try and the
answer are stored as they come.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum

import sqlite_utils

from hub.accounts.actors import Actor, Refused
from hub.core.db import write_transaction
from hub.core.localtime import fmt_month, local
from hub.upload import store
from hub.upload.access import check_access
from hub.upload.batch import encode, month_key
from hub.upload.month import PreparedMonth, prepare_month
from hub.upload.plan import plan_version
from hub.upload.sender import DeliveryOutcome, Endpoint, deliver
from hub.upload.timing import automatic_months, month_is_over
from wire.ids import new_event_id

log = logging.getLogger(__name__)
_sending = threading.Lock()  # one sending at a time in this process; the version's UNIQUE guards the rest

Pause = Callable[[float], bool]  # wait so many seconds; True: stop now


def sleep_pause(seconds: float) -> bool:
    time.sleep(seconds)
    return False


# What came of a sending, in Dutch: for the command line and the screen's history
OUTCOME_NL = {
    "answered": "aangekomen, Kind en Gezin antwoordde",
    "refused": "geweigerd door Kind en Gezin",
    "failed": "niet aangekomen",
    "nothing": "niets te versturen: Kind en Gezin heeft alles al",
    "refused_before": "niet opnieuw verstuurd: Kind en Gezin weigerde deze inhoud al",
}


def outcome_nl(outcome: str) -> str:
    """A sending's outcome as a request stores it, in Dutch; an error's own text stays as it is."""
    code, _, count = outcome.partition(":")
    if code == SendOutcome.HELD_BACK and count.isdigit():
        n = int(count)
        return f"niets verstuurd: {n} {'kind' if n == 1 else 'kinderen'} tegengehouden door fouten"
    return OUTCOME_NL.get(outcome, outcome)


class SendOutcome(StrEnum):
    """What came of sending a month: a delivery's outcome, or why nothing went."""

    ANSWERED = DeliveryOutcome.ANSWERED.value
    REFUSED = DeliveryOutcome.REFUSED.value
    FAILED = DeliveryOutcome.FAILED.value
    NOTHING = "nothing"  # the receiver has everything already
    REFUSED_BEFORE = "refused_before"  # the planning does not resend content the receiver refused
    HELD_BACK = "held_back"  # nothing went: children wait for a fix of their errors; stored as "held_back:N"


HELD_BACK = SendOutcome.HELD_BACK.value


@dataclass(frozen=True)
class SendResult:
    location_id: str
    month: str
    outcome: SendOutcome
    version: int | None = None
    records: int = 0
    detail: str = ""
    held_back: int = 0  # children not sent because of their errors (outcome held_back)

    @property
    def stored(self) -> str:
        """The outcome as a handled request keeps it: ``held_back:N`` keeps how many were held back."""
        return f"{HELD_BACK}:{self.held_back}" if self.outcome == SendOutcome.HELD_BACK else self.outcome


def send_month(
    db: sqlite_utils.Database,
    endpoint: Endpoint,
    location_id: str,
    year: int,
    month: int,
    trigger: str = "on_demand",
    requested_by: str = "planning",
    now: datetime | None = None,
    pause: Pause = sleep_pause,
) -> SendResult:
    """Send what changed in a finished month since the receiver had it, as a new version.

    A version that was stored but never answered is sent again as it is when nothing changed
    since; otherwise a new version replaces it. Raises :class:`Refused` for a month not over yet.
    """
    now = now or datetime.now(UTC)
    if not month_is_over(year, month, local(now).date()):
        raise Refused(
            f"{fmt_month(year, month).capitalize()} is nog niet voorbij; de maand kan nog niet weg."
        )
    key = month_key(year, month)
    with _sending:
        history = store.history(db, location_id, key)
        prepared = prepare_month(
            db, location_id, year, month, now, include=set(history.delivered) | history.uncertain
        )
        plan = plan_version(prepared, history)
        pending, latest = history.pending, history.latest
        if pending is not None and pending.content() == plan.content():
            return _deliver(
                db, endpoint, location_id, key, pending.id, pending.version, len(pending.records), pause
            )
        if (
            trigger == "schedule"
            and latest
            and latest.state == "refused"
            and latest.content() == plan.content()
        ):
            refusal = latest.refusal or ""
            return SendResult(location_id, key, SendOutcome.REFUSED_BEFORE, latest.version, detail=refusal)
        if pending is None and not plan.send:
            return _nothing_sent(location_id, key, prepared)
        submission_id, version = new_event_id(), history.next_version
        with write_transaction(db):
            (current,) = db.execute(
                "SELECT coalesce(max(version), 0) FROM upload_submissions "
                "WHERE location_id = ? AND month = ?",
                (location_id, key),
            ).fetchone()
            if current != (latest.version if latest else 0):
                raise Refused("Deze maand wordt intussen al verstuurd.")
            if pending is not None:
                store.supersede(db, pending.id)
            if not plan.send:
                return _nothing_sent(location_id, key, prepared)
            batch = prepared.batch(version, submission_id, now, (record for record, _ in plan.records))
            store.create_submission(
                db,
                submission_id,
                location_id,
                key,
                version,
                trigger,
                requested_by,
                now,
                plan.calendar_hash,
                encode(batch),
                [(int(r.child.ref), r.record, content) for r, content in plan.records],
            )
        return _deliver(db, endpoint, location_id, key, submission_id, version, len(plan.records), pause)


def _nothing_sent(location_id: str, key: str, prepared: PreparedMonth) -> SendResult:
    """Nothing to send: the receiver has it all, or what is left waits for errors to be fixed."""
    held = len(prepared.held_back)
    if held:
        return SendResult(location_id, key, SendOutcome.HELD_BACK, held_back=held)
    return SendResult(location_id, key, SendOutcome.NOTHING)


def _deliver(
    db: sqlite_utils.Database,
    endpoint: Endpoint,
    location_id: str,
    key: str,
    submission_id: str,
    version: int,
    records: int,
    pause: Pause,
) -> SendResult:
    last = deliver(
        endpoint,
        store.body_of(db, submission_id),
        submission_id,
        on_attempt=lambda attempt: store.record_attempt(db, submission_id, attempt),
        pause=pause,
        first_number=store.attempts_made(db, submission_id) + 1,
    )
    if last.outcome is DeliveryOutcome.ANSWERED and last.answer is not None:
        store.store_answer(db, submission_id, last.answer)
    elif last.outcome is DeliveryOutcome.REFUSED:
        reason = last.detail + (f": {last.response[:500]}" if last.response else "")
        store.store_refusal(db, submission_id, reason)
    log.info("upload %s %s version %d: %s (%s)", location_id, key, version, last.outcome, last.detail)
    return SendResult(location_id, key, SendOutcome(last.outcome.value), version, records, last.detail)


def run_due(
    db: sqlite_utils.Database,
    endpoint: Endpoint,
    upload_day: int,
    now: datetime | None = None,
    pause: Pause = sleep_pause,
) -> list[SendResult]:
    """What the planning does at each check: send every location's due months that have changes."""
    now = now or datetime.now(UTC)
    results = []
    for (location_id,) in db.execute("SELECT id FROM locations ORDER BY id").fetchall():
        for year, month in automatic_months(local(now).date(), upload_day):
            try:
                result = send_month(
                    db, endpoint, location_id, year, month, "schedule", "planning", now, pause
                )
            except Exception:  # one location's trouble must not stop the others
                log.exception("upload of %s %s failed", location_id, month_key(year, month))
                continue
            # not logged at every check; the screen says it
            if result.outcome not in (SendOutcome.NOTHING, SendOutcome.HELD_BACK):
                results.append(result)
    return results


def request_sending(
    db: sqlite_utils.Database,
    actor: Actor,
    location_id: str,
    year: int,
    month: int,
    now: datetime | None = None,
) -> None:
    """ "Nu versturen" on a screen: the hub's upload thread sends the month within seconds.

    The screen does not wait for the receiver (retries can take minutes); the month's status
    shows the request until it is handled, then the outcome.
    """
    check_access(db, actor, location_id)
    if not month_is_over(year, month, local(now or datetime.now(UTC)).date()):
        raise Refused(
            f"{fmt_month(year, month).capitalize()} is nog niet voorbij; de maand kan nog niet weg."
        )
    store.add_request(db, location_id, month_key(year, month), actor.name)


def run_requests(
    db: sqlite_utils.Database, endpoint: Endpoint, now: datetime | None = None, pause: Pause = sleep_pause
) -> list[SendResult]:
    """Send the months people asked for, oldest request first; each request is handled once."""
    results = []
    for request in store.open_requests(db):
        year, month = int(request.month[:4]), int(request.month[5:])
        try:
            result = send_month(
                db, endpoint, request.location_id, year, month, "on_demand", request.requested_by, now, pause
            )
        except Refused as refused:
            store.finish_request(db, request.id, refused.reason)
            continue
        except Exception as error:  # kept with the request, so the screen can say what happened
            log.exception("requested upload of %s %s failed", request.location_id, request.month)
            store.finish_request(db, request.id, f"fout: {error}")
            continue
        store.finish_request(db, request.id, result.stored)
        results.append(result)
    return results


def send_now(
    db: sqlite_utils.Database,
    endpoint: Endpoint,
    actor: Actor,
    location_id: str,
    year: int,
    month: int,
    now: datetime | None = None,
    pause: Pause = sleep_pause,
) -> SendResult:
    """Send a month on demand ("Nu versturen"): what changed since, or the month if never sent."""
    check_access(db, actor, location_id)
    return send_month(db, endpoint, location_id, year, month, "on_demand", actor.name, now, pause)
