"""Locations in the database: the location itself, its opening hours and closing days."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date

import sqlite_utils

from hub.core.localtime import day_bounds_utc, now_utc_iso
from hub.locations.schedule import Blocks, ClosingKind, Hours, LocationSchedule, blocks_of


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
    weekly = opening_week(db, location_id)
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
    margin = db.execute("SELECT pickup_margin_min FROM locations WHERE id = ?", (location_id,)).fetchone()
    return LocationSchedule(weekly, closing_days, closed_months, margin[0] if margin else 60)


def opening_week(db: sqlite_utils.Database, location_id: str) -> dict[int, Blocks]:
    """ISO weekday -> that day's opening blocks; a weekday left out is closed."""
    found: dict[int, list[Hours]] = defaultdict(list)
    for weekday, opens, closes in db.execute(
        "SELECT weekday, opens, closes FROM location_opening_blocks WHERE location_id = ? "
        "ORDER BY weekday, opens",
        (location_id,),
    ):
        found[weekday].append(Hours.parse(opens, closes))
    return {weekday: tuple(blocks) for weekday, blocks in found.items()}


def set_opening_hours(
    db: sqlite_utils.Database, location_id: str, weekly: Mapping[int, Hours | Sequence[Hours]]
) -> None:
    """Replace a location's week: ISO weekday -> hours (one block or more); a weekday left out is closed."""
    rows = [
        (location_id, weekday, f"{block.opens:%H:%M}", f"{block.closes:%H:%M}")
        for weekday, hours in sorted(weekly.items())
        for block in blocks_of(hours)
    ]
    with db.atomic():
        db.execute("DELETE FROM location_opening_blocks WHERE location_id = ?", (location_id,))
        db.conn.executemany(
            "INSERT INTO location_opening_blocks (location_id, weekday, opens, closes) VALUES (?, ?, ?, ?)",
            rows,
        )


@dataclass(frozen=True)
class LocationSettings:
    places: int | None
    pickup_margin_min: int


def location_settings(db: sqlite_utils.Database, location_id: str) -> LocationSettings:
    row = db.execute(
        "SELECT places, pickup_margin_min FROM locations WHERE id = ?", (location_id,)
    ).fetchone()
    return LocationSettings(*row) if row else LocationSettings(None, 60)


def set_location_settings(db: sqlite_utils.Database, location_id: str, settings: LocationSettings) -> None:
    with db.atomic():
        db.execute(
            "UPDATE locations SET places = ?, pickup_margin_min = ? WHERE id = ?",
            (settings.places, settings.pickup_margin_min, location_id),
        )


@dataclass(frozen=True)
class ClosingDay:
    day: date
    kind: ClosingKind
    reason: str


def closing_days(db: sqlite_utils.Database, location_id: str) -> list[ClosingDay]:
    return [
        ClosingDay(date.fromisoformat(day), ClosingKind(kind), reason)
        for day, kind, reason in db.execute(
            "SELECT day, kind, reason FROM location_closing_days WHERE location_id = ? ORDER BY day",
            (location_id,),
        )
    ]


def add_closing_day(
    db: sqlite_utils.Database,
    location_id: str,
    day: date,
    reason: str = "",
    kind: ClosingKind = ClosingKind.OTHER,
) -> None:
    with db.atomic():
        db.execute(
            """
            INSERT INTO location_closing_days (location_id, day, reason, kind) VALUES (?, ?, ?, ?)
            ON CONFLICT (location_id, day) DO UPDATE SET reason = excluded.reason, kind = excluded.kind
            """,
            (location_id, day.isoformat(), reason, ClosingKind(kind).value),
        )


def registrations_on(db: sqlite_utils.Database, location_id: str, days: Sequence[date]) -> int:
    """How many registrations (scans and corrected days) of children fall on these local days."""
    count = 0
    for day in days:
        start, end = day_bounds_utc(day)
        count += db.execute(
            "SELECT count(*) FROM events WHERE location_id = ? AND child_id IS NOT NULL "
            "AND occurred_at >= ? AND occurred_at < ?",
            (location_id, start, end),
        ).fetchone()[0]
        count += db.execute(
            "SELECT count(DISTINCT child_id) FROM corrections WHERE location_id = ? AND day = ?",
            (location_id, day.isoformat()),
        ).fetchone()[0]
    return count


@dataclass(frozen=True)
class ScheduleChange:
    changed_at: str  # UTC ISO
    actor_name: str
    what: str


def record_schedule_change(
    db: sqlite_utils.Database, location_id: str, actor_role: str, actor_id: str, actor_name: str, what: str
) -> None:
    """Keep who changed the hours or closing days of a location, and what (Dutch, as shown)."""
    db.execute(
        "INSERT INTO location_schedule_changes "
        "(location_id, changed_at, actor_role, actor_id, actor_name, what) VALUES (?, ?, ?, ?, ?, ?)",
        (location_id, now_utc_iso(), actor_role, actor_id, actor_name, what),
    )


def schedule_changes(db: sqlite_utils.Database, location_id: str, limit: int = 50) -> list[ScheduleChange]:
    return [
        ScheduleChange(*row)
        for row in db.execute(
            "SELECT changed_at, actor_name, what FROM location_schedule_changes WHERE location_id = ? "
            "ORDER BY id DESC LIMIT ?",
            (location_id, limit),
        )
    ]


def remove_closing_day(db: sqlite_utils.Database, location_id: str, day: date) -> None:
    with db.atomic():
        db.execute(
            "DELETE FROM location_closing_days WHERE location_id = ? AND day = ?",
            (location_id, day.isoformat()),
        )
