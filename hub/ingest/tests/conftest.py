"""Fixtures of the ingest's tests."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from pathlib import Path

import pytest

from hub.cards.codes import register_unassigned
from hub.children.queries import add_contact
from hub.core.db import connect
from hub.core.localtime import local
from hub.demo import DemoData
from hub.ingest.pipeline import Ingest
from tests.support.clock import clear_of_midnight


@pytest.fixture
def rita_world(hub_target: Path | str, demo: DemoData):
    """The demo hub with an ingest, where Jules's grandmother Oma Rita holds a collector card:
    (ingest, db, Jules's id, Rita's contact id, her card's code). Clear of midnight: the tests'
    scans lie seconds back, all on today."""
    clear_of_midnight(60)
    while local(datetime.now(UTC)).time().hour == 0 and local(datetime.now(UTC)).time().minute == 0:
        time.sleep(1)
    ingest = Ingest(hub_target, publish=lambda t, p: True, settle=lambda d: None)
    db = connect(hub_target)
    jules = db.execute("SELECT id FROM children WHERE first_name = 'Jules'").fetchone()[0]
    (org,) = db.execute("SELECT organisator_id FROM locations WHERE id = ?", (demo.location_id,)).fetchone()
    rita = add_contact(db, jules, "Oma Rita", None, "grootmoeder")
    [card] = register_unassigned(db, org, 1)
    db.execute("UPDATE cards SET contact_id = ?, state = 'active' WHERE code = ?", (rita, card))
    yield ingest, db, jules, rita, card
    db.close()
