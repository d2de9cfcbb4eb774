"""The demo location's door on a real hub database: scans go in through ``Ingest.handle_batch``,
the same code the MQTT ingest runs. Fixtures ``db`` and ``door`` (import them into a test module
as ``from tests.support.attendance import db as db``), and small helpers for times and actors.
"""

from __future__ import annotations

from datetime import date, datetime, time
from pathlib import Path

import pytest

from hub.accounts.actors import Actor
from hub.core.db import connect
from hub.core.localtime import BRUSSELS
from hub.demo import DemoData
from hub.ingest.pipeline import Ingest
from tests.support.messages import checkin, delivery
from wire import Ack, Direction, encode

ARRIVAL, DEPARTURE = Direction.ARRIVAL, Direction.DEPARTURE


def at(day: str, hhmm: str) -> datetime:
    """A Brussels moment: ``at("2026-03-10", "08:12")``."""
    return datetime.combine(date.fromisoformat(day), time.fromisoformat(hhmm), BRUSSELS)


class Door:
    """The demo location's scanner, feeding scans to the hub's ingest."""

    def __init__(self, db, demo: DemoData) -> None:
        self.db, self.demo = db, demo
        self.ingest = Ingest(":unused:", publish=lambda t, p: True, settle=lambda d: None)
        self.seq = 0
        self.hub_now: datetime | None = None

    def hub_clock(self, moment: datetime) -> None:
        """The hub's clock for judging the scans' times, instead of each scan's own time."""
        self.hub_now = moment
        self.ingest.clock.hub_now = lambda: moment

    def scan(self, who: str, moment: datetime, direction: Direction, **changes) -> Ack:
        code = self.demo.cards.get(who, who)
        self.seq += 1
        if self.hub_now is None:  # received as scanned, unless a test set the hub's clock
            self.ingest.clock.hub_now = lambda: moment
        event = checkin(
            unit=self.demo.unit_id,
            location=self.demo.location_id,
            code=code,
            direction=direction,
            seq=self.seq,
            wall_time=moment.isoformat(timespec="milliseconds"),
            **changes,
        )
        [outcome] = self.ingest.handle_batch(
            self.db, [delivery(encode(event), self.demo.location_id, self.demo.unit_id)]
        )
        assert not outcome.dead, outcome
        return outcome.ack


@pytest.fixture
def db(hub_target: Path | str, demo: DemoData):
    db = connect(hub_target)
    yield db
    db.close()


@pytest.fixture
def door(db, demo: DemoData) -> Door:
    return Door(db, demo)


def child_id(db, first_name: str) -> int:
    return db.execute("SELECT id FROM children WHERE first_name = ?", (first_name,)).fetchone()[0]


def row_of(grid, first_name: str):
    return next(row for row in grid.rows if row.child.first_name == first_name)


def location_actor(demo: DemoData) -> Actor:
    return Actor.location(demo.location_id, "Kinderdagverblijf De Zonnebloem")


def organisator_actor(db) -> Actor:
    (org,) = db.execute("SELECT id FROM organisators").fetchone()
    return Actor.organisator(org, "An Peeters")


def day_at_the_creche(
    door: Door, who: str, day: str, arrival: str = "08:00", departure: str = "16:30"
) -> None:
    door.scan(who, at(day, arrival), ARRIVAL)
    door.scan(who, at(day, departure), DEPARTURE)


def second_location(db, demo: DemoData, *children: str) -> Door:
    """The organisation's second location, "De Regenboog", with some of the demo children; its door."""
    (org,) = db.execute("SELECT id FROM organisators").fetchone()
    db["locations"].insert(
        {"id": "regenboog", "organisator_id": org, "dossier_number": "903999111", "name": "De Regenboog"}
    )
    db["units"].insert({"id": "unit-regenboog", "location_id": "regenboog"})
    for name in children:
        db.execute("INSERT INTO child_locations VALUES (?, 'regenboog')", (child_id(db, name),))
    db.conn.commit()
    return Door(db, DemoData("regenboog", "unit-regenboog", demo.cards))
