"""The hub's presence broadcaster on a real hub database: what it publishes to the units, and when."""

from __future__ import annotations

from pathlib import Path

from hub.attendance.presence import PresenceBroadcaster, bump
from hub.core.db import connect
from hub.demo import DemoData
from wire import Presence, decode


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_busy_location_is_sent_at_most_once_per_gap_and_its_last_version_is_not_lost(
    hub_dir: Path, demo: DemoData
) -> None:
    db = connect(hub_dir / "hub.sqlite3")
    sent: list[tuple[str, Presence]] = []
    clock = Clock()
    broadcaster = PresenceBroadcaster(
        hub_dir / "hub.sqlite3",
        lambda topic, payload, retain: sent.append((topic, decode(payload, Presence))) or True,
        min_gap_s=2.0,
        monotonic=clock,
    )
    try:
        assert broadcaster.step(db) == 1, "the first step sends every location with units"
        assert [topic.split("/")[-1] for topic, _ in sent] == ["presence"]

        with db.atomic():
            bump(db, [demo.location_id])
        clock.now += 0.5
        assert broadcaster.step(db) == 0, "a change within the gap waits"
        with db.atomic():
            bump(db, [demo.location_id])
        clock.now += 1.6
        assert broadcaster.step(db) == 1, "after the gap the latest version goes"
        (seq,) = db.execute(
            "SELECT seq FROM presence_versions WHERE location_id = ?", (demo.location_id,)
        ).fetchone()
        assert sent[-1][1].seq == seq
        clock.now += 10
        assert broadcaster.step(db) == 0, "nothing changed: nothing sent"
    finally:
        db.close()
