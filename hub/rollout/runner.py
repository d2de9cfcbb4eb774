"""The hub's rollout thread: applies the rules to each running rollout every few seconds and
publishes the update commands, retained on each unit's command topic."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from hub.core.db import connect, write_transaction
from hub.rollout import rules, store
from wire import Topic, TopicKind, UpdateAction, UpdateCommand, encode

log = logging.getLogger(__name__)

Publish = Callable[[str, bytes, bool], bool]  # topic, payload, retain -> the broker took it
DOWNLOAD_PATH = "/units/updates/"


class RolloutRunner:
    def __init__(self, database: Path, publish: Publish, base_url: str, every_s: float = 1.0) -> None:
        self.database = database
        self.publish = publish
        self.base_url = base_url.rstrip("/")
        self.every_s = every_s

    def run(self, stop: threading.Event) -> None:
        while not stop.wait(self.every_s):
            try:
                self.tick()
            except Exception:  # keep the thread alive; the next tick tries again
                log.exception("rollout tick failed")

    def tick(self, now: datetime | None = None) -> None:
        """One step of every rollout that needs one."""
        now = now or datetime.now(UTC)
        db = connect(self.database)
        try:
            for rollout_id in store.needing_attention(db):
                with write_transaction(db):
                    view = store.rollout(db, rollout_id)
                    decision = rules.decide(view, store.units_of(db, rollout_id), now)
                    if decision.rollout != view or decision.commands:
                        store.save(db, decision.rollout, decision.commands, now.isoformat())
                    if decision.rollout.state != view.state:
                        log.info(
                            "rollout %s: %s -> %s %s", rollout_id, view.state, decision.rollout.state,
                            decision.rollout.reason or "",
                        )  # fmt: skip
                self._publish(db, rollout_id)
        finally:
            db.close()

    def republish(self) -> None:
        """The broker connection is back (the broker may have lost its retained messages)."""
        db = connect(self.database)
        try:
            with write_transaction(db):
                store.republish_all(db)
        finally:
            db.close()

    def _publish(self, db, rollout_id: str) -> None:
        fields = store.command_fields(db, rollout_id)
        for unit_id, location_id, command in store.unpublished(db, rollout_id):
            message = UpdateCommand(
                rollout=rollout_id,
                action=UpdateAction(command),
                url=f"{self.base_url}{DOWNLOAD_PATH}{fields['file']}",
                **fields,
            )
            topic = str(Topic(location_id, unit_id, TopicKind.COMMAND))
            if self.publish(topic, encode(message), True):
                with write_transaction(db):
                    store.mark_published(db, rollout_id, unit_id, command)
                log.info("rollout %s: %s sent to %s", rollout_id, command, unit_id)
