"""Refused collector departures of a location, for its overview: someone with a collector card
("ophaalkaart") tried to take a child they may not collect. The ingest keeps each attempt among the
refused check-ins (reason ``collector_not_allowed``); it shows here until a person decides on it
on "Geweigerde registraties"."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlite_utils

from hub.core.localtime import local
from wire import COLLECTOR_NOT_ALLOWED


@dataclass(frozen=True)
class Attempt:
    at: datetime  # local time the hub received it
    unit_id: str
    detail: str  # "Oma Rita mag dit kind niet ophalen: ... (kind: Jules)"


def open_attempts(db: sqlite_utils.Database, location_id: str, limit: int = 50) -> list[Attempt]:
    """The location's undecided collector attempts, newest first (at most ``limit``)."""
    rows = db.execute(
        "SELECT received_at, via_unit, detail FROM refused_events "
        "WHERE location_id = ? AND reason = ? AND state = 'open' ORDER BY received_at DESC, id DESC LIMIT ?",
        (location_id, COLLECTOR_NOT_ALLOWED, limit),
    ).fetchall()
    return [Attempt(local(at), unit, detail) for at, unit, detail in rows]
