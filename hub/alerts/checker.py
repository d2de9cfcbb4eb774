"""The periodic alert check the hub service runs: read the facts, decide with the rules, keep the
alerts and queue their mails."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from hub.alerts import store
from hub.alerts.facts import read_facts
from hub.alerts.rules import changes, conditions
from hub.alerts.settings import AlertSettings
from hub.core.db import connect

log = logging.getLogger(__name__)


class AlertChecker:
    def __init__(
        self,
        database: str | Path,
        settings: AlertSettings,
        portal: str,
        disk: Path | None,
        wake_mail: threading.Event | None = None,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.database = database
        self.settings = settings
        self.portal = portal
        self.disk = disk
        self.wake_mail = wake_mail
        self.clock = clock

    def step(self) -> tuple[list[store.Alert], list[store.Alert]]:
        """One check: (alerts opened, alerts resolved)."""
        db = connect(self.database)
        try:
            now = self.clock()
            wrong = conditions(read_facts(db, now, self.disk), self.settings)
            opening, resolving = changes(store.open_alerts(db), wrong)
            if not opening and not resolving:
                return [], []
            opened, resolved = store.apply(db, opening, resolving, now, self.portal)
        finally:
            db.close()
        for alert in opened:
            log.warning("alert: %s", alert.key)
        for alert in resolved:
            log.info("alert resolved: %s", alert.key)
        if self.wake_mail is not None:
            self.wake_mail.set()
        return opened, resolved

    def run(self, stop: threading.Event) -> None:
        while not stop.wait(self.settings.check_every_seconds):
            try:
                self.step()
            except Exception:  # a busy database now: the next round tries again
                log.exception("the alert check failed; trying again")
