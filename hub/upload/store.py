"""Every version sent, its records, each attempt and the answers: the upload's tables.

Versions are never changed or deleted (the migration's triggers see to it); what moves is a
version's state (pending -> answered, refused or superseded) and each record's word from the
receiver. :func:`history` reads a location's month back as :class:`MonthHistory`, from which the
next version and the month's status are worked out.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

import sqlite_utils

from hub.core.localtime import now_utc_iso, utc_iso
from hub.upload.batch import Answer, RecordStatus
from hub.upload.sender import Attempt


@dataclass(frozen=True)
class SentRecord:
    child_id: int
    record: str
    content_hash: str
    version: int
    submission_id: str
    status: str  # pending, received, accepted, error
    error_kind: str | None = None
    error_code: str | None = None
    error_message: str | None = None


@dataclass(frozen=True)
class Submission:
    id: str
    location_id: str
    month: str
    version: int
    trigger: str
    requested_by: str
    created_at: str
    calendar_hash: str
    state: str  # pending, answered, refused, superseded
    answered_at: str | None
    refusal: str | None
    records: tuple[SentRecord, ...]

    def content(self) -> tuple[str, frozenset[tuple[int, str]]]:
        """What the version carries, to compare with what would be sent now."""
        return self.calendar_hash, frozenset((r.child_id, r.content_hash) for r in self.records)


@dataclass(frozen=True)
class MonthHistory:
    """What the receiver has of a location's month, as far as the hub knows."""

    submissions: tuple[Submission, ...]  # oldest first

    @property
    def answered(self) -> tuple[Submission, ...]:
        return tuple(s for s in self.submissions if s.state == "answered")

    @property
    def delivered(self) -> dict[int, SentRecord]:
        """Per child, the latest record the receiver answered for."""
        latest: dict[int, SentRecord] = {}
        for submission in self.answered:
            for record in submission.records:
                latest[record.child_id] = record
        return latest

    @property
    def uncertain(self) -> frozenset[int]:
        """Children whose record went in a version without an answer, after their latest answered one.

        The receiver may have stored it (the answer can be lost on the way back), so the next version
        carries these records again whatever they hold.
        """
        delivered = self.delivered
        return frozenset(
            record.child_id
            for submission in self.submissions
            if submission.state in ("pending", "superseded")
            for record in submission.records
            if record.child_id not in delivered or record.version > delivered[record.child_id].version
        )

    @property
    def delivered_calendar(self) -> str | None:
        answered = self.answered
        return answered[-1].calendar_hash if answered else None

    @property
    def pending(self) -> Submission | None:
        return next((s for s in reversed(self.submissions) if s.state == "pending"), None)

    @property
    def latest(self) -> Submission | None:
        return self.submissions[-1] if self.submissions else None

    @property
    def next_version(self) -> int:
        return self.submissions[-1].version + 1 if self.submissions else 1


_SUBMISSION_COLUMNS = (
    "id, location_id, month, version, trigger, requested_by, created_at, calendar_hash, state, "
    "answered_at, refusal"
)


def history(db: sqlite_utils.Database, location_id: str, month: str) -> MonthHistory:
    rows = db.execute(
        f"SELECT {_SUBMISSION_COLUMNS} FROM upload_submissions "
        "WHERE location_id = ? AND month = ? ORDER BY version",
        (location_id, month),
    ).fetchall()
    records: dict[str, list[SentRecord]] = {row[0]: [] for row in rows}
    versions = {row[0]: row[3] for row in rows}
    for sid, child_id, record, content_hash, status, kind, code, message in db.execute(
        """
        SELECT r.submission_id, r.child_id, r.record, r.content_hash, r.status, r.error_kind, r.error_code,
               r.error_message
        FROM upload_records r JOIN upload_submissions s ON s.id = r.submission_id
        WHERE s.location_id = ? AND s.month = ? ORDER BY r.child_id
        """,
        (location_id, month),
    ):
        records[sid].append(
            SentRecord(child_id, record, content_hash, versions[sid], sid, status, kind, code, message)
        )
    return MonthHistory(tuple(Submission(*row, tuple(records[row[0]])) for row in rows))


def create_submission(
    db: sqlite_utils.Database,
    submission_id: str,
    location_id: str,
    month: str,
    version: int,
    trigger: str,
    requested_by: str,
    created_at: datetime,
    calendar_hash: str,
    body: bytes,
    records: Iterable[tuple[int, str, str]],
) -> None:
    """Keep a new version before it is sent; ``records`` are (child id, record id, content hash)."""
    db.execute(
        """
        INSERT INTO upload_submissions (id, location_id, month, version, trigger, requested_by, created_at,
                                        calendar_hash, body)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
        """,
        (
            submission_id,
            location_id,
            month,
            version,
            trigger,
            requested_by,
            utc_iso(created_at),
            calendar_hash,
            body.decode(),
        ),
    )
    db.conn.executemany(
        "INSERT INTO upload_records (submission_id, child_id, record, content_hash) VALUES (?, ?, ?, ?)",
        [(submission_id, child_id, record, content_hash) for child_id, record, content_hash in records],
    )


def supersede(db: sqlite_utils.Database, submission_id: str) -> None:
    db.execute(
        "UPDATE upload_submissions SET state = 'superseded' WHERE id = ? AND state = 'pending'",
        (submission_id,),
    )


def body_of(db: sqlite_utils.Database, submission_id: str) -> bytes:
    (body,) = db.execute("SELECT body FROM upload_submissions WHERE id = ?", (submission_id,)).fetchone()
    return body.encode()


def record_attempt(db: sqlite_utils.Database, submission_id: str, attempt: Attempt) -> None:
    with db.conn:
        db.execute(
            """
            INSERT INTO upload_attempts (submission_id, attempt, started_at, finished_at, outcome,
                                         http_status, detail, response)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?)
            """,
            (
                submission_id,
                attempt.number,
                utc_iso(attempt.started_at),
                utc_iso(attempt.finished_at),
                attempt.outcome.value,
                attempt.http_status,
                attempt.detail,
                attempt.response,
            ),
        )


def attempts_made(db: sqlite_utils.Database, submission_id: str) -> int:
    (count,) = db.execute(
        "SELECT count(*) FROM upload_attempts WHERE submission_id = ?", (submission_id,)
    ).fetchone()
    return count


def store_answer(db: sqlite_utils.Database, submission_id: str, answer: Answer) -> None:
    """The receiver's word on each record; records it did not mention count as received."""
    with db.conn:
        db.execute(
            "UPDATE upload_submissions SET state = 'answered', answered_at = ? WHERE id = ?",
            (now_utc_iso(), submission_id),
        )
        db.execute(
            "UPDATE upload_records SET status = 'received' WHERE submission_id = ? AND status = 'pending'",
            (submission_id,),
        )
        db.conn.executemany(
            """
            UPDATE upload_records SET status = ?, error_kind = ?, error_code = ?, error_message = ?
            WHERE submission_id = ? AND record = ?
            """,
            [
                (
                    item.status.value,
                    item.kind.value if item.kind and item.status is RecordStatus.ERROR else None,
                    item.code if item.status is RecordStatus.ERROR else None,
                    item.message if item.status is RecordStatus.ERROR else None,
                    submission_id,
                    item.record,
                )
                for item in answer.records
            ],
        )


def store_refusal(db: sqlite_utils.Database, submission_id: str, reason: str) -> None:
    with db.conn:
        db.execute(
            "UPDATE upload_submissions SET state = 'refused', answered_at = ?, refusal = ? WHERE id = ?",
            (now_utc_iso(), reason, submission_id),
        )


@dataclass(frozen=True)
class AttemptRow:
    attempt: int
    started_at: str
    finished_at: str
    outcome: str
    http_status: int | None
    detail: str
    response: str | None


def attempts_of(db: sqlite_utils.Database, submission_id: str) -> list[AttemptRow]:
    rows = db.execute(
        """
        SELECT attempt, started_at, finished_at, outcome, http_status, detail, response FROM upload_attempts
        WHERE submission_id = ? ORDER BY attempt
        """,
        (submission_id,),
    ).fetchall()
    return [AttemptRow(*row) for row in rows]


def confirm(
    db: sqlite_utils.Database,
    location_id: str,
    month: str,
    child_id: int,
    rule: str,
    actor_role: str,
    actor_id: str,
    actor_name: str,
    note: str = "",
) -> None:
    with db.conn:
        db.execute(
            """
            INSERT INTO upload_confirmations (location_id, month, child_id, rule, actor_role, actor_id,
                                              actor_name, note, confirmed_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT (location_id, month, child_id, rule) DO UPDATE SET
                actor_role = excluded.actor_role, actor_id = excluded.actor_id,
                actor_name = excluded.actor_name, note = excluded.note, confirmed_at = excluded.confirmed_at
            """,
            (
                location_id,
                month,
                child_id,
                rule,
                actor_role,
                actor_id,
                actor_name,
                note.strip(),
                now_utc_iso(),
            ),
        )


@dataclass(frozen=True)
class SendRequest:
    id: int
    location_id: str
    month: str
    requested_by: str
    requested_at: str  # UTC ISO
    handled_at: str | None = None  # UTC ISO; None while the upload thread has not handled it
    outcome: str | None = None  # answered, refused, failed, nothing, refused_before, or why not


def add_request(db: sqlite_utils.Database, location_id: str, month: str, requested_by: str) -> None:
    """Ask the upload thread to send a month; a request still open for that month stands."""
    with db.conn:
        db.execute(
            "INSERT INTO upload_requests (location_id, month, requested_by, requested_at) "
            "VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING",
            (location_id, month, requested_by, now_utc_iso()),
        )


def open_requests(db: sqlite_utils.Database, location_id: str | None = None) -> list[SendRequest]:
    """Requests not handled yet, oldest first; of one location when given."""
    rows = db.execute(
        "SELECT id, location_id, month, requested_by, requested_at FROM upload_requests "
        "WHERE handled_at IS NULL AND (? IS NULL OR location_id = ?) ORDER BY id",
        (location_id, location_id),
    ).fetchall()
    return [SendRequest(*row) for row in rows]


def requests_of(db: sqlite_utils.Database, location_id: str, month: str) -> list[SendRequest]:
    """Every "Nu versturen" for a location's month, handled or not, newest first."""
    rows = db.execute(
        "SELECT id, location_id, month, requested_by, requested_at, handled_at, outcome FROM upload_requests "
        "WHERE location_id = ? AND month = ? ORDER BY id DESC",
        (location_id, month),
    ).fetchall()
    return [SendRequest(*row) for row in rows]


def finish_request(db: sqlite_utils.Database, request_id: int, outcome: str) -> None:
    with db.conn:
        db.execute(
            "UPDATE upload_requests SET handled_at = ?, outcome = ? WHERE id = ?",
            (now_utc_iso(), outcome, request_id),
        )
