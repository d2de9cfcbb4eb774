"""Storing and reading care plans. Versions are appended, never rewritten: a change holds from its date."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, time, timedelta

import sqlite_utils

from hub.careplan.rules import CarePlan, PlanDay, PlanVersion, Size, earliest_end, planned_days, with_change
from hub.core.actors import Actor, NoAccess, Refused
from hub.core.db import write_transaction
from hub.core.localtime import fmt_date, now_utc_iso

MAX_SETTLING_IN = 31  # "maximum één maand vóór de startdatum" (Gezinsbond FAQ)


@dataclass(frozen=True)
class StoredPlan:
    id: int
    child_id: int
    location_id: str
    plan: CarePlan
    history: tuple[tuple[str, str, str, PlanVersion], ...]  # (created_at, by, valid_from iso, version)


def encode_weekdays(weekdays: Mapping[int, PlanDay]) -> str:
    return json.dumps(
        {
            str(n): {"size": d.size.value, "start": f"{d.start:%H:%M}", "end": f"{d.end:%H:%M}"}
            for n, d in sorted(weekdays.items())
        }
    )


def decode_weekdays(text: str) -> dict[int, PlanDay]:
    return {
        int(n): PlanDay(Size(d["size"]), time.fromisoformat(d["start"]), time.fromisoformat(d["end"]))
        for n, d in json.loads(text).items()
    }


def _check_week(weekdays: Mapping[int, PlanDay]) -> None:
    if not weekdays:
        raise Refused("Een opvangplan heeft minstens één dag.")
    for n, day in weekdays.items():
        if not 0 <= n <= 6:
            raise Refused("Een weekdag is 0 (maandag) tot 6 (zondag).")
        if day.end <= day.start:
            raise Refused("Het einduur van een dag ligt na het beginuur.")


def _child_here(db: sqlite_utils.Database, child_id: int, location_id: str) -> None:
    row = db.execute(
        "SELECT 1 FROM child_locations WHERE child_id = ? AND location_id = ?", (child_id, location_id)
    ).fetchone()
    if row is None:
        raise NoAccess("child")


def create_plan(
    db: sqlite_utils.Database,
    actor: Actor,
    child_id: int,
    location_id: str,
    start: date,
    end: date | None,
    weekdays: Mapping[int, PlanDay],
    settling_in: Iterable[date] = (),
) -> int:
    """A new plan from ``start``; settling-in days must lie before it."""
    _child_here(db, child_id, location_id)
    _check_week(weekdays)
    if end is not None and end < start:
        raise Refused("De einddatum ligt na de startdatum.")
    settling = sorted(set(settling_in))
    if len(settling) > MAX_SETTLING_IN:
        raise Refused(f"Hoogstens {MAX_SETTLING_IN} wendagen.")
    if any(day >= start for day in settling):
        raise Refused("Wendagen liggen vóór de startdatum van het opvangplan.")
    with write_transaction(db):
        if plan_row(db, child_id, location_id) is not None:
            raise Refused("Dit kind heeft hier al een opvangplan; wijzig het vanaf een datum.")
        stamp = now_utc_iso()
        cursor = db.execute(
            "INSERT INTO care_plans (child_id, location_id, start, end_day, created_at, created_by)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            (child_id, location_id, start.isoformat(), end.isoformat() if end else None, stamp, actor.name),
        )
        plan_id = cursor.lastrowid
        db.execute(
            "INSERT INTO care_plan_versions (plan_id, valid_from, weekdays, created_at, created_by)"
            " VALUES (?, ?, ?, ?, ?)",
            (plan_id, start.isoformat(), encode_weekdays(weekdays), stamp, actor.name),
        )
        for day in settling:
            db.execute(
                "INSERT INTO care_plan_settling_in (plan_id, day) VALUES (?, ?)", (plan_id, day.isoformat())
            )
    return int(plan_id)


def change_plan(
    db: sqlite_utils.Database,
    actor: Actor,
    child_id: int,
    location_id: str,
    valid_from: date,
    weekdays: Mapping[int, PlanDay],
    today: date,
) -> None:
    """The plan's days from ``valid_from`` on; the days before it stay as they were planned.

    A change cannot start in the past (before ``today``, the hub's day): that would rewrite days
    already lived, and billed.
    """
    _check_week(weekdays)
    if valid_from < today:
        raise Refused(
            f"Een wijziging gaat in vanaf vandaag ({fmt_date(today)}) of later, nooit in het verleden."
        )
    with write_transaction(db):
        stored = plan_of(db, child_id, location_id)
        if stored is None:
            raise NoAccess("plan")
        if valid_from < stored.plan.start:
            raise Refused("Een wijziging gaat in na de startdatum van het opvangplan.")
        db.execute(
            "INSERT INTO care_plan_versions (plan_id, valid_from, weekdays, created_at, created_by)"
            " VALUES (?, ?, ?, ?, ?)",
            (stored.id, valid_from.isoformat(), encode_weekdays(weekdays), now_utc_iso(), actor.name),
        )


def end_plan(
    db: sqlite_utils.Database, actor: Actor, child_id: int, location_id: str, end: date, today: date
) -> None:
    """The plan's last day, given notice today: a month's notice (both documents), never before the start."""
    stored = plan_of(db, child_id, location_id)
    if stored is None:
        raise NoAccess("plan")
    if end < stored.plan.start:
        raise Refused("De einddatum ligt na de startdatum.")
    earliest = earliest_end(today)
    if stored.plan.start <= today and end < earliest:  # a plan not started yet needs no notice
        raise Refused(
            f"De opzegtermijn is 1 maand: de laatste opvangdag is ten vroegste {fmt_date(earliest)}."
        )
    with write_transaction(db):
        db.execute("UPDATE care_plans SET end_day = ? WHERE id = ?", (end.isoformat(), stored.id))


def set_settling_in(
    db: sqlite_utils.Database,
    actor: Actor,
    child_id: int,
    location_id: str,
    days: Iterable[date],
    today: date,
) -> list[date]:
    """The settling-in days after the plan is made: ``days`` are today's and later ones, before the
    start. Days gone by stay as they were (they may be billed), whatever the form says. Returns all."""
    stored = plan_of(db, child_id, location_id)
    if stored is None:
        raise NoAccess("plan")
    wanted = set(days)
    past = {day for day in stored.plan.settling_in if day < today}
    if any(day < today for day in wanted - past):
        raise Refused("Een wendag in het verleden voeg je niet meer toe.")
    if any(day >= stored.plan.start for day in wanted):
        raise Refused("Wendagen liggen vóór de startdatum van het opvangplan.")
    settling = sorted(past | {day for day in wanted if day >= today})
    if len(settling) > MAX_SETTLING_IN:
        raise Refused(f"Hoogstens {MAX_SETTLING_IN} wendagen.")
    with write_transaction(db):
        db.execute(
            "DELETE FROM care_plan_settling_in WHERE plan_id = ? AND day >= ?", (stored.id, today.isoformat())
        )
        for day in settling:
            db.execute(
                "INSERT INTO care_plan_settling_in (plan_id, day) VALUES (?, ?) ON CONFLICT DO NOTHING",
                (stored.id, day.isoformat()),
            )
    return settling


def plan_row(db: sqlite_utils.Database, child_id: int, location_id: str) -> tuple | None:
    return db.execute(
        "SELECT id, start, end_day FROM care_plans WHERE child_id = ? AND location_id = ?",
        (child_id, location_id),
    ).fetchone()


def _stored(db: sqlite_utils.Database, row: tuple, child_id: int, location_id: str) -> StoredPlan:
    plan_id, start, end = row
    versions = db.execute(
        "SELECT valid_from, weekdays, created_at, created_by FROM care_plan_versions"
        " WHERE plan_id = ? ORDER BY id",
        (plan_id,),
    ).fetchall()
    settling = frozenset(
        date.fromisoformat(d)
        for (d,) in db.execute("SELECT day FROM care_plan_settling_in WHERE plan_id = ?", (plan_id,))
    )
    changes = {
        date.fromisoformat(day): (None if planned == "null" else decode_weekdays(f'{{"0": {planned}}}')[0])
        for day, planned in db.execute(
            "SELECT day, planned FROM care_plan_day_changes WHERE plan_id = ?", (plan_id,)
        )
    }
    plan = CarePlan(
        date.fromisoformat(start), date.fromisoformat(end) if end else None, (), settling, changes
    )
    history = []
    for valid_from, weekdays, created_at, created_by in versions:
        version = PlanVersion(date.fromisoformat(valid_from), decode_weekdays(weekdays))
        plan = with_change(plan, version)  # replayed in the order they were made
        history.append((created_at, created_by, valid_from, version))
    return StoredPlan(plan_id, child_id, location_id, plan, tuple(history))


def plan_of(db: sqlite_utils.Database, child_id: int, location_id: str) -> StoredPlan | None:
    """The child's plan at the location, or None."""
    row = plan_row(db, child_id, location_id)
    return _stored(db, row, child_id, location_id) if row else None


def plans_at(db: sqlite_utils.Database, location_id: str) -> dict[int, StoredPlan]:
    """Every plan of a location, by child id."""
    rows = db.execute(
        "SELECT id, start, end_day, child_id FROM care_plans WHERE location_id = ?", (location_id,)
    ).fetchall()
    return {child: _stored(db, (pid, start, end), child, location_id) for pid, start, end, child in rows}


def planned_at(
    db: sqlite_utils.Database, location_id: str, first: date, last: date
) -> dict[tuple[int, date], PlanDay]:
    """Every planned (child, day) of a location from ``first`` to ``last``: what the grid is given."""
    found = {}
    for child_id, stored in plans_at(db, location_id).items():
        for day, planned in planned_days(stored.plan, first, last).items():
            found[(child_id, day)] = planned
    return found


def change_day(
    db: sqlite_utils.Database,
    actor: Actor,
    child_id: int,
    location_id: str,
    day: date,
    planned: PlanDay | None,
    request_id: int | None = None,
) -> None:
    """The plan for one day only (an approved extra day or swap): ``planned``, or no care that day.

    Runs in the caller's transaction when there is one (a request is approved in one go).
    """
    stored = plan_of(db, child_id, location_id)
    if stored is None:
        raise Refused("Dit kind heeft hier geen opvangplan: maak er eerst een.")
    encoded = "null" if planned is None else json.dumps(json.loads(encode_weekdays({0: planned}))["0"])
    db.execute(
        """
        INSERT INTO care_plan_day_changes (plan_id, day, planned, request_id, created_at, created_by)
        VALUES (?, ?, ?, ?, ?, ?)
        ON CONFLICT (plan_id, day) DO UPDATE SET planned = excluded.planned, request_id = excluded.request_id,
            created_at = excluded.created_at, created_by = excluded.created_by
        """,
        (stored.id, day.isoformat(), encoded, request_id, now_utc_iso(), actor.name),
    )


def capacity(
    db: sqlite_utils.Database, location_id: str, first: date, days: int, places: int | None
) -> list[tuple[date, int, int | None]]:
    """Per day from ``first``: (day, children planned, places), for the screens that judge requests."""
    last = first + timedelta(days=days - 1)
    planned = planned_at(db, location_id, first, last)
    counts: dict[date, int] = {}
    for _child, day in planned:
        counts[day] = counts.get(day, 0) + 1
    return [
        (first + timedelta(days=n), counts.get(first + timedelta(days=n), 0), places) for n in range(days)
    ]
