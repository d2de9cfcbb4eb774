"""The hub's upload planning: a thread that sends due months, their changes, and what people ask for.

Started by :class:`hub.service.Hub` when ``[upload] endpoint`` is set. Every ``check_every_s`` it
runs :func:`hub.upload.service.run_due`; every ``poll_s`` in between it sends the months people
asked for with "Nu versturen" (:func:`hub.upload.service.run_requests`), so a screen never waits
on the receiver. Pauses between retries wait on the hub's stop event: stopping the hub ends a
round of retries at once. A failing check is logged, never fatal.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import sqlite_utils

from hub.core.db import connect
from hub.upload.service import SendResult, run_due, run_requests
from hub.upload.settings import UploadSettings

log = logging.getLogger(__name__)


class UploadScheduler:
    def __init__(
        self,
        database_path: str | Path,
        settings: UploadSettings,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        poll_s: float = 2.0,
    ) -> None:
        self.database_path = database_path
        self.settings = settings
        self.clock = clock
        self.poll_s = poll_s
        self.last_check: datetime | None = None

    def run(self, stop: threading.Event) -> None:
        """Check now and every ``check_every_s`` seconds, handle requests in between, until ``stop``."""
        db = connect(self.database_path)
        try:
            while not stop.is_set():
                due = self.last_check is None or (
                    (self.clock() - self.last_check).total_seconds() >= self.settings.check_every_s
                )
                if due:
                    self.check(db, stop)
                self._guarded(lambda: run_requests(db, self.settings.to_endpoint(), self.clock(), stop.wait))
                stop.wait(min(self.poll_s, self.settings.check_every_s))
        finally:
            db.close()

    def check(self, db: sqlite_utils.Database, stop: threading.Event) -> list[SendResult]:
        """One planning check: every location's due months that changed."""
        try:
            return self._guarded(
                lambda: run_due(db, self.settings.to_endpoint(), self.settings.day, self.clock(), stop.wait)
            )
        finally:
            self.last_check = self.clock()

    @staticmethod
    def _guarded(work: Callable[[], list[SendResult]]) -> list[SendResult]:
        try:
            results = work()
        except Exception:
            log.exception("upload check failed; the next check tries again")
            return []
        for result in results:
            log.info(
                "upload %s %s: %s, version %s",
                result.location_id,
                result.month,
                result.outcome,
                result.version,
            )
        return results
