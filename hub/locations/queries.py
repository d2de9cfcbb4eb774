"""Locations in the database: the location itself, its opening hours and closing days."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

import sqlite_utils

from hub.locations.schedule import Hours, LocationSchedule


@dataclass(frozen=True)
class Location:
    id: str
    organisator_id: int
    dossier_number: str
    name: str
    address: str
    price_model: str  # "vrije_prijs" or "inkomenstarief"


def get_location(db: sqlite_utils.Database, location_id: str) -> Location | None:
    row = db.execute(
        "SELECT id, organisator_id, dossier_number, name, address, price_model FROM locations WHERE id = ?",
        (location_id,),
    ).fetchone()
    return Location(*row) if row else None


def location_schedule(db: sqlite_utils.Database, location_id: str) -> LocationSchedule:
    """Opening hours, closing days and closed months of a location."""
    weekly = {
        weekday: Hours.parse(opens, closes)
        for weekday, opens, closes in db.execute(
            "SELECT weekday, opens, closes FROM location_opening_hours WHERE location_id = ?", (location_id,)
        )
    }
    closing_days = {
        date.fromisoformat(day): reason
        for day, reason in db.execute(
            "SELECT day, reason FROM location_closing_days WHERE location_id = ?", (location_id,)
        )
    }
    closed_months = frozenset(
        (int(month[:4]), int(month[5:]))
        for (month,) in db.execute("SELECT month FROM closed_months WHERE location_id = ?", (location_id,))
    )
    return LocationSchedule(weekly, closing_days, closed_months)


def set_opening_hours(db: sqlite_utils.Database, location_id: str, weekly: Mapping[int, Hours]) -> None:
    """Replace a location's week: ISO weekday -> hours; a weekday left out is a closed weekday."""
    with db.atomic():
        db.execute("DELETE FROM location_opening_hours WHERE location_id = ?", (location_id,))
        db.conn.executemany(
            "INSERT INTO location_opening_hours (location_id, weekday, opens, closes) VALUES (?, ?, ?, ?)",
            [
                (location_id, weekday, f"{hours.opens:%H:%M}", f"{hours.closes:%H:%M}")
                for weekday, hours in sorted(weekly.items())
            ],
        )


def add_closing_day(db: sqlite_utils.Database, location_id: str, day: date, reason: str = "") -> None:
    with db.atomic():
        db.execute(
            """
            INSERT INTO location_closing_days (location_id, day, reason) VALUES (?, ?, ?)
            ON CONFLICT (location_id, day) DO UPDATE SET reason = excluded.reason
            """,
            (location_id, day.isoformat(), reason),
        )


def remove_closing_day(db: sqlite_utils.Database, location_id: str, day: date) -> None:
    with db.atomic():
        db.execute(
            "DELETE FROM location_closing_days WHERE location_id = ? AND day = ?",
            (location_id, day.isoformat()),
        )
