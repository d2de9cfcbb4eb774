"""The hub's upload planning: a thread that sends due months and their changes, check after check.

Started by :class:`hub.service.Hub` when ``[upload] endpoint`` is set. Each check runs
:func:`hub.upload.service.run_due`; its pauses between retries wait on the hub's stop event, so
stopping the hub ends a round of retries at once. A failing check is logged, never fatal.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from hub.db import connect
from hub.upload.service import SendResult, run_due
from hub.upload.settings import UploadSettings

log = logging.getLogger(__name__)


class UploadScheduler:
    def __init__(
        self,
        database_path: str | Path,
        settings: UploadSettings,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.database_path = database_path
        self.settings = settings
        self.clock = clock
        self.last_check: datetime | None = None

    def run(self, stop: threading.Event) -> None:
        """Check now, then every ``check_every_s`` seconds, until ``stop`` is set."""
        db = connect(self.database_path)
        try:
            while not stop.is_set():
                self.check(db, stop)
                stop.wait(self.settings.check_every_s)
        finally:
            db.close()

    def check(self, db, stop: threading.Event) -> list[SendResult]:
        try:
            results = run_due(
                db, self.settings.to_endpoint(), self.settings.day, self.clock(), pause=stop.wait
            )
        except Exception:
            log.exception("upload check failed; the next check tries again")
            return []
        finally:
            self.last_check = self.clock()
        for result in results:
            log.info(
                "upload %s %s: %s, version %s",
                result.location_id,
                result.month,
                result.outcome,
                result.version,
            )
        return results
