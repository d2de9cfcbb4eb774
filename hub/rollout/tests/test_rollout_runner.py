"""The hub's rollout thread on a real database: what it publishes, retained, and when."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from hub.core.db import open_database, write_transaction
from hub.demo import seed
from hub.rollout import rules, store
from hub.rollout.runner import RolloutRunner
from hub.rollout.tests.test_rollout_start_and_download import FILE, signed_wheel
from wire import Topic, UpdateAction, UpdateCommand, decode

pytestmark = pytest.mark.both_databases  # SQLite and PostgreSQL


class Broker:
    """Records what the runner publishes; ``up`` False: the broker takes nothing."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, UpdateCommand, bool]] = []
        self.up = True

    def publish(self, topic: str, payload: bytes, retain: bool) -> bool:
        if self.up:
            self.sent.append((Topic.parse(topic).unit, decode(payload), retain))
        return self.up

    def take(self) -> list[tuple[str, str]]:
        taken = [(unit, str(command.action)) for unit, command, _retain in self.sent]
        self.sent.clear()
        return taken


def report(db, unit: str, version: str) -> None:
    db.execute("UPDATE units SET version = ? WHERE id = ?", (version, unit))


def test_the_runner_sends_retained_commands_stage_by_stage_and_rolls_back_on_abort(
    tmp_path: Path, hub_target: Path | str
) -> None:
    database = hub_target
    db = open_database(database)
    seed(db, ("b1", "b2", "b3"))
    with write_transaction(db):
        rollout_id = store.start(db, signed_wheel(tmp_path / "dist"), tmp_path / "updates", 1, 600)
    broker = Broker()
    runner = RolloutRunner(database, broker.publish, "https://hub.example/")
    now = datetime.now(UTC)

    broker.up = False
    runner.tick(now)
    assert broker.take() == [], "the broker is away: nothing taken"
    broker.up = True
    runner.tick(now)
    [(unit, command, retained)] = broker.sent
    assert (unit, retained) == ("b1", True), "retained: a unit that is offline gets it when it connects"
    assert (
        command.rollout == rollout_id
        and command.action is UpdateAction.INSTALL
        and command.version == "0.3.0"
    )
    assert command.url == f"https://hub.example/units/updates/{FILE}"
    broker.take()
    runner.tick(now)
    assert broker.take() == [], "sent once"

    report(db, "b1", "0.3.0")
    runner.tick(now + timedelta(seconds=5))
    assert broker.take() == [("b2", "install"), ("b3", "install")]
    runner.republish()
    runner.tick(now + timedelta(seconds=6))
    assert sorted(broker.take()) == [("b1", "install"), ("b2", "install"), ("b3", "install")], (
        "after a reconnect"
    )

    with write_transaction(db):
        store.save(db, rules.abort(store.rollout(db, rollout_id)), {}, store.now_utc_iso())
    runner.tick(now + timedelta(seconds=7))
    assert sorted(broker.take()) == [("b1", "rollback"), ("b2", "rollback"), ("b3", "rollback")]
    runner.tick(now + timedelta(seconds=8))
    assert broker.take() == [] and store.needing_attention(db) == []
    db.close()
