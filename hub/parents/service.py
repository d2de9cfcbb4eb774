"""Parent requests ("Klopt er iets niet?"): sent by a parent, decided by the location.

Accepting applies the correction through the attendance feature's own service
(:func:`hub.attendance.corrections.apply_correction`), so its checks, windows and history apply;
the correction's note names the request. The parent gets a mail either way.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

import sqlite_utils

from hub.accounts.actors import may_manage
from hub.attendance.corrections import apply_correction
from hub.attendance.windows import correction_refusal
from hub.billing.absences import reported_in_time
from hub.billing.data import record_absence
from hub.billing.policy import REASON_NL, Reason
from hub.careplan.rules import PlanDay, Size
from hub.careplan.service import change_day, plan_of
from hub.core.actors import Actor, NoAccess, Refused, Role
from hub.core.db import write_transaction
from hub.core.localtime import fmt_date, local, utc_iso
from hub.locations.queries import location_schedule
from hub.mail import Mail
from hub.mail.texts import SIGNATURE
from hub.parents.accounts import Account
from hub.parents.queries import ParentChild, Place
from hub.parents.rules import STATUS_NL, Status, parse_hhmm, proposal_problem

ABSENCE = "afwezigheid"
EXTRA_DAY = "extra_dag"
SWAP_DAY = "ruildag"
KIND_NL = {
    ABSENCE: "afwezigheid",
    EXTRA_DAY: "dag aangevraagd",
    SWAP_DAY: "ruildag",
    "correctie": "correctie",
}
# what a parent may give as the reason of an absence (the location records accidents, stops, closures)
PARENT_REASONS = (Reason.SICK, Reason.SICK_NOTE, Reason.HOLIDAY, Reason.OTHER)
NOTE_TYPES = {b"%PDF": "application/pdf", b"\xff\xd8\xff": "image/jpeg", b"\x89PNG\r\n\x1a\n": "image/png"}
FULL_DAY_MINUTES = 5 * 60  # an extra day of 5 hours or more is a full day, shorter a half day
MAX_NOTE_BYTES = 200 * 1024  # within the portal's body limit (hub/core/bounds.py MAX_BODY_BYTES)


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
    kind: str = "correctie"  # or "afwezigheid" (issue 20)
    absence_reason: str | None = None  # hub.billing.policy.Reason value
    in_time: bool | None = None  # an absence reported before 08:00 that day
    has_note: bool = False  # a doctor's note was uploaded
    swap_from: date | None = None  # a swap day: the planned day given up for ``day``
    expires_on: date | None = None  # an extra day: lapses unanswered after this day
    group_id: int | None = None  # extra days asked together share the first row's id
    as_whole: bool = False  # "als geheel beoordelen": all days of the group approved or refused at once

    @property
    def status_nl(self) -> str:
        return STATUS_NL[self.status]

    @property
    def is_absence(self) -> bool:
        return self.kind == ABSENCE

    @property
    def reason_nl(self) -> str:
        return REASON_NL.get(Reason(self.absence_reason), "") if self.absence_reason else ""


_SELECT = """
    SELECT r.id, r.email, r.location_id, l.name, r.child_id, c.first_name || ' ' || c.last_name, r.day,
           coalesce(r.arrival, ''), coalesce(r.departure, ''), r.comment, r.status, r.reason, r.created_at,
           r.decided_at, r.decided_by, r.correction_id, r.kind, r.absence_reason, r.in_time,
           EXISTS (SELECT 1 FROM parent_request_notes n WHERE n.request_id = r.id), r.swap_from, r.expires_on,
           r.group_id, r.as_whole
    FROM parent_requests r JOIN locations l ON l.id = r.location_id JOIN children c ON c.id = r.child_id
"""


def _request(row: tuple) -> ParentRequest:
    values = list(row)
    values[6] = date.fromisoformat(values[6])
    values[10] = Status(values[10])
    values[18] = None if values[18] is None else bool(values[18])
    values[19] = bool(values[19])
    values[20] = date.fromisoformat(values[20]) if values[20] else None
    values[21] = date.fromisoformat(values[21]) if values[21] else None
    values[23] = bool(values[23])
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


def note_type(data: bytes) -> str:
    """The content type of an uploaded note from its first bytes (PDF, JPEG, PNG); Refused otherwise."""
    if len(data) > MAX_NOTE_BYTES:
        raise Refused(f"Het attest is te groot: hoogstens {MAX_NOTE_BYTES // 1024} kB.")
    for magic, content_type in NOTE_TYPES.items():
        if data.startswith(magic):
            return content_type
    raise Refused("Het attest moet een PDF, JPEG of PNG zijn.")


def submit_absence(
    db: sqlite_utils.Database,
    account: Account,
    child: ParentChild,
    place: Place,
    day: date,
    reason: str,
    comment: str,
    note: bytes | None,
    now: datetime,
) -> int:
    """A parent reports a planned day missed, with a reason and (when ill) a doctor's note.

    In time when reported before 08:00 Brussels that day; later it is marked late, which the
    location may act on. A day gone by more than the correction window cannot be reported.
    """
    if reason not in {r.value for r in PARENT_REASONS}:
        raise Refused("Kies een reden: ziek, ziek met doktersattest, vakantie of andere.")
    comment = comment.strip()
    if len(comment) > 1000:
        raise Refused("Je opmerking is te lang: hoogstens 1000 tekens.")
    content_type = note_type(note) if note else None
    if Reason(reason) is Reason.SICK_NOTE and note is None:
        raise Refused("Voeg het doktersattest toe (PDF of foto).")
    if day < local(now).date():
        month_closed = location_schedule(db, place.id).month_closed(day.year, day.month)
        if correction_refusal(Role.LOCATION, day, local(now).date(), month_closed):
            raise Refused("Deze dag is te lang geleden om nog afwezig te melden.")
    with write_transaction(db):
        cursor = db.execute(
            """
            INSERT INTO parent_requests (kind, account_id, email, location_id, child_id, day, comment,
                                         created_at, absence_reason, in_time)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """,
            (
                ABSENCE,
                account.id,
                account.email,
                place.id,
                child.id,
                day.isoformat(),
                comment,
                utc_iso(now),
                reason,
                int(reported_in_time(now, day)),
            ),
        )
        request_id = int(cursor.lastrowid)
        if note is not None:
            db.execute(
                "INSERT INTO parent_request_notes (request_id, content_type, data) VALUES (?, ?, ?)",
                (request_id, content_type, note),
            )
    return request_id


def submit_extra_day(
    db: sqlite_utils.Database,
    account: Account,
    child: ParentChild,
    place: Place,
    day: date,
    arrival: str,
    departure: str,
    comment: str,
    expires_on: date | None,
    now: datetime,
) -> int:
    """ "Dag aanvragen": care on a day that is not planned, from ``arrival`` to ``departure``."""
    [request_id] = submit_extra_days(
        db, account, child, place, [day], arrival, departure, comment, expires_on, False, now
    )
    return request_id


MAX_EXTRA_DAYS = 31  # days in one request: a month at most


def submit_extra_days(
    db: sqlite_utils.Database,
    account: Account,
    child: ParentChild,
    place: Place,
    days: list[date],
    arrival: str,
    departure: str,
    comment: str,
    expires_on: date | None,
    as_whole: bool,
    now: datetime,
) -> list[int]:
    """Extra days asked together, with the same hours; one request the location judges day by day,
    or as a whole (``as_whole``). "Vervalt automatisch op" is one date for the whole request, at
    the latest its first day (the default): all its days lapse together."""
    proposal, problem = proposal_problem(arrival, departure, comment)
    if problem:
        raise Refused(problem)
    days = sorted(set(days))
    if not days:
        raise Refused("Kies minstens één dag.")
    if len(days) > MAX_EXTRA_DAYS:
        raise Refused(f"Vraag hoogstens {MAX_EXTRA_DAYS} dagen tegelijk aan.")
    today = local(now).date()
    if days[0] <= today:
        raise Refused("Een extra dag vraag je aan voor een dag na vandaag.")
    if expires_on is not None and not today <= expires_on <= days[0]:
        raise Refused("‘Vervalt automatisch op’ ligt tussen vandaag en de (eerste) gevraagde dag.")
    stored = plan_of(db, child.id, place.id)
    for day in days:
        if stored is not None and stored.plan.planned(day) is not None:
            raise Refused(f"Op {fmt_date(day)} is er al opvang gepland.")
    assert proposal is not None and proposal.arrival and proposal.departure
    ids: list[int] = []
    with write_transaction(db):
        for day in days:
            ids.append(
                _insert_plan_request(
                    db,
                    account,
                    child,
                    place,
                    EXTRA_DAY,
                    day,
                    proposal.arrival.strftime("%H:%M"),
                    proposal.departure.strftime("%H:%M"),
                    proposal.comment,
                    None,
                    expires_on or days[0],
                    now,
                )
            )
        if len(ids) > 1:
            marks = ",".join("?" * len(ids))
            db.execute(
                f"UPDATE parent_requests SET group_id = ?, as_whole = ? WHERE id IN ({marks})",
                (ids[0], int(as_whole), *ids),
            )
    return ids


def submit_swap(
    db: sqlite_utils.Database,
    account: Account,
    child: ParentChild,
    place: Place,
    planned_day: date,
    new_day: date,
    comment: str,
    now: datetime,
) -> int:
    """ "Ruildag": give up a planned day for another day, with the same hours."""
    today = local(now).date()
    if planned_day <= today or new_day <= today:
        raise Refused("Een ruildag vraag je aan voor dagen na vandaag.")
    if new_day == planned_day:
        raise Refused("Kies een andere dag dan de geplande dag.")
    stored = plan_of(db, child.id, place.id)
    planned = stored.plan.planned(planned_day) if stored else None
    if planned is None:
        raise Refused(f"Op {fmt_date(planned_day)} is er geen opvang gepland om te ruilen.")
    if stored.plan.planned(new_day) is not None:  # type: ignore[union-attr]
        raise Refused(f"Op {fmt_date(new_day)} is er al opvang gepland.")
    with write_transaction(db):
        return _insert_plan_request(
            db,
            account,
            child,
            place,
            SWAP_DAY,
            new_day,
            f"{planned.start:%H:%M}",
            f"{planned.end:%H:%M}",
            comment.strip()[:1000],
            planned_day,
            new_day,
            now,
        )


def _insert_plan_request(
    db: sqlite_utils.Database,
    account: Account,
    child: ParentChild,
    place: Place,
    kind: str,
    day: date,
    arrival: str,
    departure: str,
    comment: str,
    swap_from: date | None,
    expires_on: date,
    now: datetime,
) -> int:
    """Insert one extra-day or swap request; the caller holds the write transaction."""
    cursor = db.execute(
        """
        INSERT INTO parent_requests (kind, account_id, email, location_id, child_id, day, arrival,
                                     departure, comment, created_at, swap_from, expires_on)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
        """,
        (
            kind,
            account.id,
            account.email,
            place.id,
            child.id,
            day.isoformat(),
            arrival,
            departure,
            comment,
            utc_iso(now),
            swap_from.isoformat() if swap_from else None,
            expires_on.isoformat(),
        ),
    )
    return int(cursor.lastrowid)


def expire(db: sqlite_utils.Database, now: datetime) -> int:
    """Open extra-day and swap requests past their "vervalt automatisch op" day become "vervallen"."""
    with write_transaction(db):
        return db.execute(
            "UPDATE parent_requests SET status = ?, decided_at = ? WHERE status = ? AND expires_on < ?",
            (Status.EXPIRED.value, utc_iso(now), Status.SUBMITTED.value, local(now).date().isoformat()),
        ).rowcount


def note_of(db: sqlite_utils.Database, actor: Actor, location_id: str, request_id: int) -> tuple[str, bytes]:
    """The note of a request at this location (content type, bytes); NoAccess otherwise."""
    request_at(db, actor, location_id, request_id)
    row = db.execute(
        "SELECT content_type, data FROM parent_request_notes WHERE request_id = ?", (request_id,)
    ).fetchone()
    if row is None:
        raise NoAccess(request_id)
    return row[0], bytes(row[1])


def requests_of_children(db: sqlite_utils.Database, children: list[ParentChild]) -> list[ParentRequest]:
    """Every request about these children (the parent's view: all contacts see them), newest first."""
    if not children:
        return []
    expire(db, datetime.now(UTC))
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


def open_request_notes(
    db: sqlite_utils.Database, location_id: str, first: date, last: date
) -> dict[tuple[int, date], tuple[str, str]]:
    """The grid's mark on each cell with a parent's open request (its count is in the menu too)."""
    rows = db.execute(
        "SELECT child_id, day FROM parent_requests "
        "WHERE location_id = ? AND status = ? AND day BETWEEN ? AND ?",
        (location_id, Status.SUBMITTED.value, first.isoformat(), last.isoformat()),
    )
    mark = ("✉", "open verzoek van een ouder")
    return {(child_id, date.fromisoformat(day)): mark for child_id, day in rows}


def requests_at(db: sqlite_utils.Database, actor: Actor, location_id: str) -> list[ParentRequest]:
    """A location's requests: open ones first (oldest first), then the decided ones, newest first."""
    if not may_manage(db, actor, location_id):
        raise NoAccess(location_id)
    expire(db, datetime.now(UTC))
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
    if found.as_whole:
        return _accept_whole(db, actor, location_id, found, now)
    if found.kind in (ABSENCE, EXTRA_DAY, SWAP_DAY):
        if found.is_absence:  # the reason goes to billing: it decides whether the day costs or uses days
            record_absence(db, actor, found.child_id, location_id, found.day, Reason(found.absence_reason))
        with write_transaction(db):
            if found.kind in (EXTRA_DAY, SWAP_DAY):  # the plan changes for those days only
                start, end = parse_hhmm(found.arrival), parse_hhmm(found.departure)
                minutes = (end.hour * 60 + end.minute) - (start.hour * 60 + start.minute)
                size = Size.FULL if minutes >= FULL_DAY_MINUTES else Size.HALF
                change_day(
                    db, actor, found.child_id, location_id, found.day, PlanDay(size, start, end), found.id
                )
                if found.swap_from is not None:
                    change_day(db, actor, found.child_id, location_id, found.swap_from, None, found.id)
            db.execute(
                "UPDATE parent_requests SET status = ?, decided_at = ?, decided_by = ?"
                " WHERE id = ? AND status = ?",
                (Status.ACCEPTED.value, utc_iso(now), actor.name, request_id, Status.SUBMITTED.value),
            )
        decided = request_at(db, actor, location_id, request_id)
        return decided, decision_mail(decided)
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
    group = group_of(db, actor, location_id, found) if found.as_whole else [found]
    with write_transaction(db):
        for member in group:
            changed = db.execute(
                """
                UPDATE parent_requests SET status = ?, decided_at = ?, decided_by = ?, reason = ?
                WHERE id = ? AND status = ?
                """,
                (Status.REFUSED.value, utc_iso(now), actor.name, reason, member.id, Status.SUBMITTED.value),
            ).rowcount
            if not changed:
                raise Refused("Dit verzoek is al behandeld.")
    decided = request_at(db, actor, location_id, request_id)
    return decided, decision_mail(decided, [m.day for m in group])


def group_of(
    db: sqlite_utils.Database, actor: Actor, location_id: str, found: ParentRequest
) -> list[ParentRequest]:
    """The days of a request judged as a whole, in order; Refused when one of them is decided or
    lapsed already (the whole request is then no longer open)."""
    group = sorted(
        (r for r in requests_at(db, actor, location_id) if r.group_id == found.group_id),
        key=lambda r: r.day,
    )
    if any(r.status is not Status.SUBMITTED for r in group):
        raise Refused("Dit verzoek is al behandeld.")
    return group


def _accept_whole(
    db: sqlite_utils.Database, actor: Actor, location_id: str, found: ParentRequest, now: datetime
) -> tuple[ParentRequest, Mail]:
    """All days of a request judged as a whole change the plan in one transaction, or none does."""
    group = group_of(db, actor, location_id, found)
    with write_transaction(db):
        for member in group:
            start, end = parse_hhmm(member.arrival), parse_hhmm(member.departure)
            minutes = (end.hour * 60 + end.minute) - (start.hour * 60 + start.minute)
            size = Size.FULL if minutes >= FULL_DAY_MINUTES else Size.HALF
            change_day(
                db, actor, member.child_id, location_id, member.day, PlanDay(size, start, end), member.id
            )
            changed = db.execute(
                "UPDATE parent_requests SET status = ?, decided_at = ?, decided_by = ?"
                " WHERE id = ? AND status = ?",
                (Status.ACCEPTED.value, utc_iso(now), actor.name, member.id, Status.SUBMITTED.value),
            ).rowcount
            if not changed:
                raise Refused("Dit verzoek is al behandeld.")
    decided = request_at(db, actor, location_id, found.id)
    return decided, decision_mail(decided, [m.day for m in group])


def decision_mail(found: ParentRequest, days: list[date] | None = None) -> Mail:
    """The mail to the parent who asked, in Dutch; ``days``: all days of a request judged as a whole."""
    what = (
        f"je verzoek om de registratie van {found.child_name} op {fmt_date(found.day)} aan te passen "
        f"(aankomst {found.arrival}, vertrek {found.departure})"
    )
    if found.is_absence:
        what = (
            f"je melding van afwezigheid van {found.child_name} op {fmt_date(found.day)} ({found.reason_nl})"
        )
    if found.kind == EXTRA_DAY:
        what = f"je aanvraag van een extra dag voor {found.child_name} op {fmt_date(found.day)}"
    if found.kind == EXTRA_DAY and days and len(days) > 1:
        listed = ", ".join(fmt_date(d) for d in days)
        what = f"je aanvraag van extra dagen voor {found.child_name} (als geheel) op {listed}"
    if found.kind == SWAP_DAY and found.swap_from:
        swapped = f"{fmt_date(found.swap_from)} geruild voor {fmt_date(found.day)}"
        what = f"je ruildag voor {found.child_name}: {swapped}"
    if found.status is Status.ACCEPTED and found.kind != "correctie":
        text = f"{found.location_name} heeft {what} goedgekeurd."
        subject = f"{KIND_NL[found.kind].capitalize()} goedgekeurd: {found.child_name}, {fmt_date(found.day)}"
    elif found.status is Status.ACCEPTED:
        text = f"{found.location_name} heeft {what} goedgekeurd. De registratie is aangepast."
        subject = f"Verzoek goedgekeurd: {found.child_name}, {fmt_date(found.day)}"
    else:
        text = f"{found.location_name} heeft {what} afgewezen.\n\nReden: {found.reason}"
        subject = f"Verzoek afgewezen: {found.child_name}, {fmt_date(found.day)}"
    return Mail(found.email, subject, "Beste ouder,\n\n" + text + SIGNATURE)


DECISION_KEY = "besluit:{}"  # the notifier's outbox key of a decision: the request, or its group


def queue_decision_push(db: sqlite_utils.Database, decided: ParentRequest, mail: Mail, now: datetime) -> bool:
    """The decision as a Web Push message too, through the notifier's outbox (the tables of
    hub/notify, written here as data: notify imports parents, not the other way round).

    Only for the parent who asked, and only when they chose push for this child on "Meldingen"
    (a mode other than "geen", push on); the notifier's thread sends it to their browsers. The key
    names the decision (a request judged as a whole is one decision), so a decision gives at most
    one push per parent; the mail goes as before. True when a row was added."""
    (account_id,) = db.execute(
        "SELECT account_id FROM parent_requests WHERE id = ?", (decided.id,)
    ).fetchone()
    pref = db.execute(
        "SELECT mode, by_push FROM notify_prefs WHERE account_id = ? AND child_id = ?",
        (account_id, decided.child_id),
    ).fetchone()
    if account_id is None or pref is None or pref[0] == "geen" or not pref[1]:
        return False
    key = DECISION_KEY.format(decided.group_id if decided.as_whole else decided.id)
    body = mail.text.removeprefix("Beste ouder,\n\n").removesuffix(SIGNATURE).strip()
    moment = utc_iso(now)
    with write_transaction(db):
        cursor = db.execute(
            """
            INSERT INTO notify_outbox (key, account_id, channel, child_id, title, body, stored_at,
                created_at, expires_at, next_attempt_at)
            VALUES (?, ?, 'push', ?, ?, ?, ?, ?, NULL, ?)
            ON CONFLICT DO NOTHING
            """,
            (key, account_id, decided.child_id, mail.subject, body[:1000], moment, moment, moment),
        )
    return cursor.rowcount == 1
