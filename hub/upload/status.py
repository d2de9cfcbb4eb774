"""The state of a location's month on the "Opgeladen" screen, from what is sent and what is waiting. No I/O.

    fouten               the receiver reported errors, refused a version, or records are held back
                         by errors after the upload day
    wachtend             something is still to go: not sent yet, changes since, held-back records
                         before the upload day, or a version that has not been answered yet
    verzonden            everything went; the receiver has not processed every record yet
    aanvaard             everything went and the receiver accepted every record
    niets te versturen   no attendance this month (and not a closed month)

The markers: a red clock for time errors, here or reported by the receiver; a red cloud for data
errors, here or reported by the receiver (a refused version counts as one).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from hub.core.localtime import fmt_time
from hub.upload.batch import ErrorKind, Location
from hub.upload.month import PreparedMonth
from hub.upload.plan import Plan
from hub.upload.store import MonthHistory, SendRequest, Submission
from hub.upload.timing import due_date
from hub.upload.validation import Issue, Marker


class Status(StrEnum):
    WAITING = "wachtend"
    SENT = "verzonden"
    ACCEPTED = "aanvaard"
    ERRORS = "fouten"
    NOTHING = "niets te versturen"


@dataclass(frozen=True)
class ReceiverError:
    child_id: int
    child_name: str
    version: int
    marker: Marker
    code: str | None
    message: str


@dataclass(frozen=True)
class MonthStatus:
    location: Location
    year: int
    month: int
    status: Status
    markers: frozenset[Marker]
    issues: tuple[Issue, ...]  # found here, before sending
    receiver_errors: tuple[ReceiverError, ...]
    waiting: int  # records that changed and are not sent yet
    held_back: int  # children whose record waits for a fix
    version: int | None  # the latest version sent
    due: date  # the upload day of the month
    next_sending: date | None  # when the hub sends by itself next; None: only on demand, or nothing to send
    note: str | None = None  # about the last sending, in Dutch
    sending: bool = False  # a "Nu versturen" waits for the hub's upload thread

    @property
    def clock(self) -> bool:
        return Marker.CLOCK in self.markers

    @property
    def cloud(self) -> bool:
        return Marker.CLOUD in self.markers


@dataclass(frozen=True)
class _Month:
    """What the status of a month is decided from (gathered once by :func:`month_status`)."""

    history: MonthHistory
    plan: Plan
    today: date
    due: date
    held: int  # children whose record waits for a fix
    to_go: bool  # something is still to send: changes, an unanswered version, or a request
    automatic: bool
    last_failure: str | None
    requested: SendRequest | None
    enabled: bool

    @property
    def latest(self) -> Submission | None:
        return self.history.latest

    @property
    def refused(self) -> bool:
        return self.latest is not None and self.latest.state == "refused"


def month_status(
    prepared: PreparedMonth,
    history: MonthHistory,
    plan: Plan,
    today: date,
    upload_day: int,
    automatic: bool,
    last_failure: str | None = None,
    requested: SendRequest | None = None,
    enabled: bool = True,
) -> MonthStatus:
    """The status of one month.

    ``automatic`` tells whether the hub sends this month by itself now, ``last_failure`` what went
    wrong on the last try of a version still unanswered, ``requested`` a "Nu versturen" not handled
    yet, ``enabled`` whether this hub sends to Kind en Gezin at all.
    """
    month = _Month(
        history,
        plan,
        today,
        due_date(prepared.year, prepared.month, upload_day),
        len(prepared.held_back),
        plan.send or history.pending is not None or requested is not None,
        automatic,
        last_failure,
        requested,
        enabled,
    )
    errors = receiver_errors(prepared, history)
    latest = history.latest
    return MonthStatus(
        prepared.location,
        prepared.year,
        prepared.month,
        _status(month, errors),
        _markers(prepared, month, errors),
        prepared.issues,
        errors,
        len(plan.records),
        month.held,
        latest.version if latest else None,
        month.due,
        _next_sending(month),
        _note(month),
        requested is not None,
    )


def receiver_errors(prepared: PreparedMonth, history: MonthHistory) -> tuple[ReceiverError, ...]:
    """The errors the receiver reported on the records it has, with the child's name."""
    names = {cid: child.name for cid, child in prepared.children.items()}
    return tuple(
        ReceiverError(
            record.child_id,
            names.get(record.child_id, f"kind {record.child_id}"),
            record.version,
            Marker.CLOCK if record.error_kind == ErrorKind.TIME else Marker.CLOUD,
            record.error_code,
            record.error_message or "Kind en Gezin meldt een fout zonder uitleg.",
        )
        for record in history.delivered.values()
        if record.status == "error"
    )


def _status(month: _Month, errors: tuple[ReceiverError, ...]) -> Status:
    if errors or month.refused or (month.held and month.today >= month.due):
        return Status.ERRORS
    if month.to_go or month.held:
        return Status.WAITING
    if any(r.status in ("pending", "received") for r in month.history.delivered.values()):
        return Status.SENT
    if month.history.answered:
        return Status.ACCEPTED
    return Status.NOTHING


def _markers(prepared: PreparedMonth, month: _Month, errors: tuple[ReceiverError, ...]) -> frozenset[Marker]:
    """The red clock and cloud: found here, reported by the receiver, or a refused version (a cloud)."""
    markers = set(prepared.markers) | {error.marker for error in errors}
    if month.refused:
        markers.add(Marker.CLOUD)
    return frozenset(markers)


def _next_sending(month: _Month) -> date | None:
    """When the hub sends the month by itself next; None: only on demand, or nothing to send."""
    if not month.enabled:
        return None
    if month.requested is not None:
        return month.today
    if month.today < month.due:
        return month.due if (month.to_go or month.held) else None
    latest = month.latest
    # a refused version is not sent again as it is
    stuck = month.refused and latest is not None and latest.content() == month.plan.content()
    return month.today if month.to_go and month.automatic and not stuck else None


def _note(month: _Month) -> str | None:
    """About the last sending, in Dutch; None when there is nothing to say."""
    latest, pending, requested = month.latest, month.history.pending, month.requested
    if not month.enabled:
        return "Versturen naar Kind en Gezin is niet ingesteld op deze hub."
    if requested is not None:
        return f"Versturen aangevraagd door {requested.requested_by} om {fmt_time(requested.requested_at)}."
    if month.refused and latest is not None:
        return f"Kind en Gezin weigerde versie {latest.version}: {latest.refusal}"
    if pending is not None and month.last_failure:
        again = (
            "het systeem probeert opnieuw"
            if month.automatic
            else "verstuur de maand opnieuw met ‘Nu versturen’"  # the planning retries only its own months
        )
        return f"Versie {pending.version} is nog niet aangekomen ({month.last_failure}); {again}."
    if month.to_go and month.today >= month.due and not month.automatic:
        return (
            "Er zijn wijzigingen sinds het versturen; verstuur de maand opnieuw."
            if month.history.submissions
            else "Deze maand werd nog niet verstuurd; verstuur ze met 'Nu versturen'."
        )
    return None
