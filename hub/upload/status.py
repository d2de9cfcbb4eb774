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
from hub.upload.store import MonthHistory, SendRequest
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
    names = {cid: child.name for cid, child in prepared.children.items()}
    receiver_errors = tuple(
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
    latest = history.latest
    refused = latest is not None and latest.state == "refused"
    pending = history.pending
    held = len(prepared.held_back)
    due = due_date(prepared.year, prepared.month, upload_day)
    to_go = plan.send or pending is not None or requested is not None

    if receiver_errors or refused or (held and today >= due):
        status = Status.ERRORS
    elif to_go or held:
        status = Status.WAITING
    elif any(r.status in ("pending", "received") for r in history.delivered.values()):
        status = Status.SENT
    elif history.answered:
        status = Status.ACCEPTED
    else:
        status = Status.NOTHING

    markers = set(prepared.markers) | {error.marker for error in receiver_errors}
    if refused:
        markers.add(Marker.CLOUD)

    stuck = refused and latest is not None and latest.content() == plan.content()  # not resent as it is
    if not enabled:
        next_sending = None
    elif requested is not None:
        next_sending = today
    elif today < due:
        next_sending = due if (to_go or held) else None
    else:
        next_sending = today if to_go and automatic and not stuck else None

    note = None
    if not enabled:
        note = "Versturen naar Kind en Gezin is niet ingesteld op deze hub."
    elif requested is not None:
        note = f"Versturen aangevraagd door {requested.requested_by} om {fmt_time(requested.requested_at)}."
    elif refused and latest is not None:
        note = f"Kind en Gezin weigerde versie {latest.version}: {latest.refusal}"
    elif pending is not None and last_failure:
        again = (
            "het systeem probeert opnieuw"
            if automatic
            else "verstuur de maand opnieuw met ‘Nu versturen’"  # the planning retries only its own months
        )
        note = f"Versie {pending.version} is nog niet aangekomen ({last_failure}); {again}."
    elif to_go and today >= due and not automatic:
        note = (
            "Er zijn wijzigingen sinds het versturen; verstuur de maand opnieuw."
            if history.submissions
            else "Deze maand werd nog niet verstuurd; verstuur ze met 'Nu versturen'."
        )

    return MonthStatus(
        prepared.location,
        prepared.year,
        prepared.month,
        status,
        frozenset(markers),
        prepared.issues,
        receiver_errors,
        len(plan.records),
        held,
        latest.version if latest else None,
        due,
        next_sending,
        note,
        requested is not None,
    )
