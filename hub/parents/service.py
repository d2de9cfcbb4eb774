"""Parent requests ("Klopt er iets niet?"): sent by a parent, decided by the location.

Accepting applies the correction through the attendance feature's own service
(:func:`hub.attendance.corrections.apply_correction`), so its checks, windows and history apply;
the correction's note names the request. The parent gets a mail either way.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

import sqlite_utils

from hub.accounts.actors import may_manage
from hub.attendance.corrections import apply_correction
from hub.attendance.windows import correction_refusal
from hub.core.actors import Actor, NoAccess, Refused, Role
from hub.core.db import write_transaction
from hub.core.localtime import fmt_date, local, utc_iso
from hub.locations.queries import location_schedule
from hub.mail import Mail
from hub.mail.texts import SIGNATURE
from hub.parents.accounts import Account
from hub.parents.queries import ParentChild, Place
from hub.parents.rules import STATUS_NL, Status, parse_hhmm, proposal_problem


@dataclass(frozen=True)
class ParentRequest:
    id: int
    email: str
    location_id: str
    location_name: str
    child_id: int
    child_name: str
    day: date
    arrival: str
    departure: str
    comment: str
    status: Status
    reason: str
    created_at: str
    decided_at: str | None
    decided_by: str
    correction_id: int | None

    @property
    def status_nl(self) -> str:
        return STATUS_NL[self.status]


_SELECT = """
    SELECT r.id, r.email, r.location_id, l.name, r.child_id, c.first_name || ' ' || c.last_name, r.day,
           coalesce(r.arrival, ''), coalesce(r.departure, ''), r.comment, r.status, r.reason, r.created_at,
           r.decided_at, r.decided_by, r.correction_id
    FROM parent_requests r JOIN locations l ON l.id = r.location_id JOIN children c ON c.id = r.child_id
"""


def _request(row: tuple) -> ParentRequest:
    values = list(row)
    values[6] = date.fromisoformat(values[6])
    values[10] = Status(values[10])
    return ParentRequest(*values)


def submit(
    db: sqlite_utils.Database,
    account: Account,
    child: ParentChild,
    place: Place,
    day: date,
    arrival: str,
    departure: str,
    comment: str,
    now: datetime,
) -> int:
    """Store a parent's proposal for one day; raises :class:`Refused` with the reason in Dutch.

    ``child`` and ``place`` come from :mod:`hub.parents.queries` (the parent's own child and one
    of its locations). The location's correction window applies: a day the location could not
    change any more cannot be asked for either.
    """
    proposal, problem = proposal_problem(arrival, departure, comment)
    if problem:
        raise Refused(problem)
    month_closed = location_schedule(db, place.id).month_closed(day.year, day.month)
    refusal = correction_refusal(Role.LOCATION, day, local(now).date(), month_closed)
    if refusal:
        if day < local(now).date() and not month_closed:
            refusal = "Deze dag is te lang geleden: de opvang kan hem niet meer wijzigen."
        raise Refused(refusal)
    assert proposal is not None and proposal.arrival and proposal.departure
    with write_transaction(db):
        cursor = db.execute(
            """
            INSERT INTO parent_requests (account_id, email, location_id, child_id, day, arrival, departure,
                                         comment, created_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
            """,
            (
                account.id,
                account.email,
                place.id,
                child.id,
                day.isoformat(),
                proposal.arrival.strftime("%H:%M"),
                proposal.departure.strftime("%H:%M"),
                proposal.comment,
                utc_iso(now),
            ),
        )
    return int(cursor.lastrowid)


def requests_of_children(db: sqlite_utils.Database, children: list[ParentChild]) -> list[ParentRequest]:
    """Every request about these children (the parent's view: all contacts see them), newest first."""
    if not children:
        return []
    ids = [c.id for c in children]
    return [
        _request(row)
        for row in db.execute(
            f"{_SELECT} WHERE r.child_id IN ({','.join('?' * len(ids))}) ORDER BY r.id DESC", ids
        )
    ]


def cancel(db: sqlite_utils.Database, children: list[ParentChild], request_id: int, now: datetime) -> None:
    """The parent withdraws an open request of one of their children."""
    found = next((r for r in requests_of_children(db, children) if r.id == request_id), None)
    if found is None:
        raise NoAccess(request_id)
    with write_transaction(db):
        changed = db.execute(
            "UPDATE parent_requests SET status = ?, decided_at = ? WHERE id = ? AND status = ?",
            (Status.CANCELLED.value, utc_iso(now), request_id, Status.SUBMITTED.value),
        ).rowcount
    if not changed:
        raise Refused("Dit verzoek is al behandeld.")


def open_count(db: sqlite_utils.Database, location_id: str) -> int:
    (count,) = db.execute(
        "SELECT count(*) FROM parent_requests WHERE location_id = ? AND status = ?",
        (location_id, Status.SUBMITTED.value),
    ).fetchone()
    return count


def requests_at(db: sqlite_utils.Database, actor: Actor, location_id: str) -> list[ParentRequest]:
    """A location's requests: open ones first (oldest first), then the decided ones, newest first."""
    if not may_manage(db, actor, location_id):
        raise NoAccess(location_id)
    rows = [
        _request(r) for r in db.execute(f"{_SELECT} WHERE r.location_id = ? ORDER BY r.id", (location_id,))
    ]
    return [r for r in rows if r.status is Status.SUBMITTED] + [
        r for r in reversed(rows) if r.status is not Status.SUBMITTED
    ]


def request_at(db: sqlite_utils.Database, actor: Actor, location_id: str, request_id: int) -> ParentRequest:
    for found in requests_at(db, actor, location_id):
        if found.id == request_id:
            return found
    raise NoAccess(request_id)


def accept(
    db: sqlite_utils.Database, actor: Actor, location_id: str, request_id: int, now: datetime
) -> tuple[ParentRequest, Mail]:
    """Apply the proposed times as a correction (naming the request) and mark it goedgekeurd."""
    found = request_at(db, actor, location_id, request_id)
    if found.status is not Status.SUBMITTED:
        raise Refused("Dit verzoek is al behandeld.")
    times = [(parse_hhmm(found.arrival), parse_hhmm(found.departure))]
    note = f"Verzoek van ouder #{found.id} ({found.email})" + (f": {found.comment}" if found.comment else "")

    def decide(conn: sqlite_utils.Database, correction_id: int) -> None:
        # one conditional UPDATE in the correction's transaction: of two staff accepting at once,
        # one finds the request no longer 'ingediend' and its correction is rolled back
        cursor = conn.execute(
            """
            UPDATE parent_requests SET status = ?, decided_at = ?, decided_by = ?, correction_id = ?
            WHERE id = ? AND status = ?
            """,
            (
                Status.ACCEPTED.value,
                utc_iso(now),
                actor.name,
                correction_id,
                request_id,
                Status.SUBMITTED.value,
            ),
        )
        if cursor.rowcount != 1:
            raise Refused("Dit verzoek is al behandeld.")

    apply_correction(
        db, actor, location_id, found.child_id, found.day, times, note=note, now=now, also=decide
    )
    decided = request_at(db, actor, location_id, request_id)
    return decided, decision_mail(decided)


def refuse(
    db: sqlite_utils.Database, actor: Actor, location_id: str, request_id: int, reason: str, now: datetime
) -> tuple[ParentRequest, Mail]:
    """Refuse with a reason the parent reads."""
    found = request_at(db, actor, location_id, request_id)
    if found.status is not Status.SUBMITTED:
        raise Refused("Dit verzoek is al behandeld.")
    reason = reason.strip()
    if not reason:
        raise Refused("Schrijf waarom je het verzoek afwijst: de ouder leest het.")
    if len(reason) > 1000:
        raise Refused("De reden is te lang: hoogstens 1000 tekens.")
    with write_transaction(db):
        db.execute(
            """
            UPDATE parent_requests SET status = ?, decided_at = ?, decided_by = ?, reason = ?
            WHERE id = ? AND status = ?
            """,
            (Status.REFUSED.value, utc_iso(now), actor.name, reason, request_id, Status.SUBMITTED.value),
        )
    decided = request_at(db, actor, location_id, request_id)
    return decided, decision_mail(decided)


def decision_mail(found: ParentRequest) -> Mail:
    """The mail to the parent who asked, in Dutch."""
    what = (
        f"je verzoek om de registratie van {found.child_name} op {fmt_date(found.day)} aan te passen "
        f"(aankomst {found.arrival}, vertrek {found.departure})"
    )
    if found.status is Status.ACCEPTED:
        text = f"{found.location_name} heeft {what} goedgekeurd. De registratie is aangepast."
        subject = f"Verzoek goedgekeurd: {found.child_name}, {fmt_date(found.day)}"
    else:
        text = f"{found.location_name} heeft {what} afgewezen.\n\nReden: {found.reason}"
        subject = f"Verzoek afgewezen: {found.child_name}, {fmt_date(found.day)}"
    return Mail(found.email, subject, "Beste ouder,\n\n" + text + SIGNATURE)
