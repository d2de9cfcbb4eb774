"""The daily retention job: erase what has passed its period (``aanwezig-hub retention``).

One transaction. It declares its bounds in ``retention_erasing`` (the only way past the delete
triggers of the event log, the corrections and the versions sent; see migration 0015_operations), deletes what
is older, removes the bounds again and commits; on any error nothing is erased. Erasing a child who
left: their contacts go after ``left_child_contacts_years``; after ``left_child_years`` their cards
are unlinked and their record deleted, or anonymised when something kept still refers to it.
"""

from __future__ import annotations

import logging
import sqlite3
from dataclasses import dataclass, field
from datetime import UTC, datetime

import sqlite_utils

from hub.core.db import connect, migrate, write_transaction
from hub.core.settings import HubSettings
from hub.messages.attachments import erase_orphans, message_folder
from hub.operations.retention_rules import Cutoffs, cutoffs
from hub.operations.settings import RetentionSettings
from hub.photos.settings import photo_folder
from hub.photos.store import erase_expired_originals

log = logging.getLogger(__name__)

ERASED_NAME = "Gewist"  # what an anonymised child is called on every screen


@dataclass
class RetentionReport:
    cutoffs: Cutoffs
    erased: dict[str, int] = field(default_factory=dict)
    dry_run: bool = False

    def summary(self) -> str:
        done = ", ".join(f"{kind} {count}" for kind, count in self.erased.items() if count) or "nothing"
        verb = "would erase" if self.dry_run else "erased"
        return f"retention {verb}: {done} (events before {self.cutoffs.events_before})"


def run_retention(
    settings: HubSettings, now: datetime | None = None, dry_run: bool = False
) -> RetentionReport:
    """Open the hub's database (SQLite or PostgreSQL) and erase what has expired at ``now``."""
    db = connect(settings.database_path)
    try:
        migrate(db)
        moment = now or datetime.now(UTC)
        report = erase_expired(db, settings.retention, moment, dry_run=dry_run)
        # photos' originals: the period is the organisator's [photos] originals_days; the files go
        # after their rows are cleared (hub/photos/store.py)
        report.erased["photo_originals"] = erase_expired_originals(
            db, photo_folder(settings.data_dir), settings.section("photos").originals_days, moment, dry_run
        )
        # attachments of threads that went with an erased child (the rows cascade, the files stay)
        report.erased["message_files"] = erase_orphans(
            db, message_folder(settings.data_dir), moment, dry_run=dry_run
        )
    finally:
        db.close()
    log.info("%s", report.summary())
    return report


class _DryRun(Exception):
    pass


def erase_expired(
    db: sqlite_utils.Database, periods: RetentionSettings, now: datetime, dry_run: bool = False
) -> RetentionReport:
    """Erase everything past its period at ``now`` in one transaction; returns what went, per kind."""
    cut = cutoffs(now, periods)
    report = RetentionReport(cut, dry_run=dry_run)
    counts = report.erased
    try:
        with write_transaction(db):
            run = db.conn.execute
            run(
                "INSERT INTO retention_erasing (kind, before) VALUES ('events', ?), ('corrections', ?), "
                "('uploads', ?)",
                (cut.events_before, cut.corrections_before, cut.uploads_before),
            )
            # an anchor that re-timed a kept event stays with it
            expired = (
                "SELECT id FROM events WHERE occurred_at < :cut AND id NOT IN "
                "(SELECT retimed_by FROM events WHERE retimed_by IS NOT NULL AND occurred_at >= :cut)"
            )
            params = {"cut": cut.events_before}
            run(f"DELETE FROM clock_anchors WHERE event_id IN ({expired})", params)
            counts["events"] = run(f"DELETE FROM events WHERE id IN ({expired})", params).rowcount
            counts["corrections"] = run(
                "DELETE FROM corrections WHERE day < ?", (cut.corrections_before,)
            ).rowcount
            counts["closed_months"] = run(
                "DELETE FROM closed_months WHERE month < ?", (cut.corrections_before[:7],)
            ).rowcount
            months = "SELECT id FROM upload_submissions WHERE month < ?"
            run(f"DELETE FROM upload_records WHERE submission_id IN ({months})", (cut.uploads_before,))
            run(f"DELETE FROM upload_attempts WHERE submission_id IN ({months})", (cut.uploads_before,))
            counts["upload_versions"] = run(
                "DELETE FROM upload_submissions WHERE month < ?", (cut.uploads_before,)
            ).rowcount
            run("DELETE FROM upload_confirmations WHERE month < ?", (cut.uploads_before,))
            run(
                "DELETE FROM upload_requests WHERE month < ? AND handled_at IS NOT NULL",
                (cut.uploads_before,),
            )
            counts["mails"] = _erase_mail_outbox(db, cut.mail_before)
            counts["contacts"] = run(
                "DELETE FROM contacts WHERE child_id IN "
                "(SELECT child_id FROM children_left WHERE left_on <= ?)",
                (cut.contacts_left_on_or_before,),
            ).rowcount
            erased, anonymised = _erase_children(db, cut.children_left_on_or_before)
            counts["children"], counts["children_anonymised"] = erased, anonymised
            run("DELETE FROM retention_erasing")
            if dry_run:
                raise _DryRun
    except _DryRun:
        pass
    return report


def _erase_children(db: sqlite_utils.Database, left_on_or_before: str) -> tuple[int, int]:
    run = db.conn.execute
    ids = [
        r[0]
        for r in run(
            "SELECT id FROM children WHERE id IN (SELECT child_id FROM children_left WHERE left_on <= ?)"
            " AND first_name != ?",
            (left_on_or_before, ERASED_NAME),
        )
    ]
    erased = anonymised = 0
    for child in ids:
        run("DELETE FROM contacts WHERE child_id = ?", (child,))
        run("DELETE FROM child_stays WHERE child_id = ?", (child,))
        run("DELETE FROM child_locations WHERE child_id = ?", (child,))
        run("DELETE FROM link_requests WHERE child_id = ?", (child,))
        # what staff and parents wrote about the child (issue 21) goes too, also when the record
        # itself must stay anonymised; message files go after the commit (run_retention)
        run("DELETE FROM message_threads WHERE child_id = ?", (child,))
        run("DELETE FROM diary_entries WHERE child_id = ?", (child,))
        run("DELETE FROM photo_tags WHERE child_id = ?", (child,))
        # the card may not be given to another child by mistake: it stays 'lost', without its owner
        run("UPDATE cards SET child_id = NULL, state = 'lost' WHERE child_id = ?", (child,))
        run("SAVEPOINT erase_child")
        try:
            run("DELETE FROM children WHERE id = ?", (child,))
            erased += 1
        except sqlite3.IntegrityError:  # something kept still names the child: keep a nameless row
            run("ROLLBACK TO erase_child")
            run(
                "UPDATE children SET first_name = ?, last_name = '#' || id, birth_date = NULL, sex = NULL, "
                "school_start = NULL WHERE id = ?",
                (ERASED_NAME, child),
            )
            anonymised += 1
        run("RELEASE erase_child")
    return erased, anonymised


def _erase_mail_outbox(db: sqlite_utils.Database, before: str) -> int:
    """Mails older than the period that are no longer waiting to go (the outbox of issue 13c).

    Written before that table existed on this branch: it erases only when the table has a
    ``created_at`` column, and keeps rows whose ``state`` says they still wait.
    """
    if "mail_outbox" not in db.table_names():
        return 0
    columns = set(db["mail_outbox"].columns_dict)
    if "created_at" not in columns:
        log.warning("retention: mail_outbox has no created_at column; mails are not erased")
        return 0
    waiting = " AND state NOT IN ('pending', 'queued', 'retry')" if "state" in columns else ""
    return db.conn.execute(f"DELETE FROM mail_outbox WHERE created_at < ?{waiting}", (before,)).rowcount
