"""Scanner units as the hub knows them: which location each serves, and its last reported state."""

from __future__ import annotations

from dataclasses import dataclass, replace

import sqlite_utils

from hub.core.localtime import now_utc_iso
from wire import Status, staffcode


@dataclass(frozen=True)
class Unit:
    id: str
    location_id: str
    state: str


def registered_unit(db: sqlite_utils.Database, unit_id: str) -> Unit | None:
    row = db.execute("SELECT id, location_id, state FROM units WHERE id = ?", (unit_id,)).fetchone()
    return Unit(*row) if row else None


def refusal(unit: Unit | None, location_id: str) -> str | None:
    """Why a message from ``unit`` claiming ``location_id`` must be refused, or None when it may pass."""
    if unit is None:
        return "unknown_unit"
    if unit.state != "active":
        return "revoked_unit"
    if unit.location_id != location_id:
        return "wrong_location"
    return None


def record_status(db: sqlite_utils.Database, status: Status, seen_at: str) -> None:
    db.execute(
        "UPDATE units SET online = ?, backlog = ?, version = ?, last_scan = ?, last_seen = ? WHERE id = ?",
        (int(status.online), status.backlog, status.version, status.last_scan, seen_at, status.unit),
    )
    if status.update_rollout is not None:  # units before updates over the wire leave these out
        db.execute(
            "UPDATE units SET update_rollout = ?, update_outcome = ?, update_detail = ? WHERE id = ?",
            (status.update_rollout, status.update_outcome, status.update_detail, status.unit),
        )


def record_seen(db: sqlite_utils.Database, unit_ids: set[str], seen_at: str) -> None:
    for unit_id in unit_ids:
        db.execute("UPDATE units SET last_seen = ? WHERE id = ?", (seen_at, unit_id))


def active_units(db: sqlite_utils.Database) -> list[Unit]:
    rows = db.execute(
        "SELECT id, location_id, state FROM units WHERE state = 'active' ORDER BY id"
    ).fetchall()
    return [Unit(*row) for row in rows]


# Enrolling and revoking units (the technician's `aanwezig-provision`).


class UnitRegistryError(ValueError):
    """A unit cannot be enrolled or revoked as asked (unknown location, id taken, no such unit)."""


@dataclass(frozen=True)
class UnitState:
    """A unit as the fleet list shows it: where, whether it may connect, and what it last reported."""

    id: str
    location_id: str
    state: str
    online: bool
    last_seen: str | None
    backlog: int | None
    version: str | None
    last_scan: str | None
    junk: int = 0  # messages that were not well-formed check-ins (dead letters), within the kept age
    junk_last: str | None = None  # hub time (UTC ISO) the last one arrived
    over_mqtt: bool = True  # takes the hub's commands (link_card); a browser scanner does not


def enrol(db: sqlite_utils.Database, unit_id: str, location_id: str) -> Unit:
    """Register a new, active unit for a location; a unit id is never reused, not even after revocation."""
    if db.execute("SELECT 1 FROM locations WHERE id = ?", (location_id,)).fetchone() is None:
        raise UnitRegistryError(f"unknown location {location_id!r}")
    if registered_unit(db, unit_id) is not None:
        raise UnitRegistryError(f"unit {unit_id!r} already exists")
    db.execute("INSERT INTO units (id, location_id, state) VALUES (?, ?, 'active')", (unit_id, location_id))
    return Unit(unit_id, location_id, "active")


def new_staff_key(db: sqlite_utils.Database, unit_id: str) -> str:
    """A new staff key for a unit (enrolment, rekey), stored; returns it for the unit's bundle.

    The unit's staff code hash is dropped with the old key; hub/units/staff.py makes the new one.
    """
    key = staffcode.new_key()
    db.execute("UPDATE units SET staff_key = ?, staff_code_hash = NULL WHERE id = ?", (key, unit_id))
    return key


def revoke(db: sqlite_utils.Database, unit_id: str) -> Unit:
    """Mark a unit revoked: the ingest refuses what it still sends; the events already stored stay."""
    unit = registered_unit(db, unit_id)
    if unit is None:
        raise UnitRegistryError(f"unknown unit {unit_id!r}")
    db.execute(
        "UPDATE units SET state = 'revoked', online = 0, revoked_at = coalesce(revoked_at, ?) WHERE id = ?",
        (now_utc_iso(), unit_id),
    )
    return Unit(unit.id, unit.location_id, "revoked")


def fleet(db: sqlite_utils.Database, location_id: str | None = None) -> dict[str, list[UnitState]]:
    """Location id -> its units (active first, then by id); locations without units map to [].

    A unit without a last will (a browser scanner, ``offline_after_s`` set) is online while it
    was heard from within that many seconds.
    """
    rows = db.execute(
        """
        SELECT l.id, u.id, u.state,
               CASE WHEN u.offline_after_s IS NULL THEN u.online
                    WHEN u.state = 'active' AND u.last_seen >= strftime(
                        '%Y-%m-%dT%H:%M:%f+00:00', ?, printf('-%d seconds', u.offline_after_s)) THEN 1
                    ELSE 0 END,
               u.last_seen, u.backlog, u.version, u.last_scan, u.offline_after_s IS NULL,
               (SELECT sum(count) FROM dead_letters d WHERE d.unit_id = u.id),
               (SELECT max(last_seen) FROM dead_letters d WHERE d.unit_id = u.id)
        FROM locations l LEFT JOIN units u ON u.location_id = l.id
        WHERE ? IS NULL OR l.id = ?
        ORDER BY l.id, u.state = 'revoked', u.id
        """,
        (now_utc_iso(), location_id, location_id),
    ).fetchall()
    result: dict[str, list[UnitState]] = {}
    for (
        location,
        unit_id,
        state,
        online,
        last_seen,
        backlog,
        version,
        last_scan,
        mqtt,
        junk,
        junk_last,
    ) in rows:
        found = result.setdefault(location, [])
        if unit_id is not None:
            found.append(
                UnitState(unit_id, location, state, bool(online), last_seen, backlog, version, last_scan)
            )
            found[-1] = replace(found[-1], junk=junk or 0, junk_last=junk_last, over_mqtt=bool(mqtt))
    return result


# Succession: which unit takes over from which (replace, or re-key of a revoked unit).


def revoked_at(db: sqlite_utils.Database, unit_id: str) -> str | None:
    row = db.execute("SELECT revoked_at FROM units WHERE id = ?", (unit_id,)).fetchone()
    return row[0] if row else None


def record_succession(db: sqlite_utils.Database, successor: str, predecessor: str, how: str, at: str) -> None:
    """Note that ``successor`` delivers what ``predecessor`` still holds (its outbox, on the same SD card)."""
    db.execute(
        "INSERT INTO unit_successions (successor, predecessor, how, revoked_at, at) "
        "VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
        (successor, predecessor, how, revoked_at(db, predecessor), at),
    )


def reinstate(db: sqlite_utils.Database, unit_id: str, at: str) -> Unit:
    """Bring a revoked unit back (a re-key after it was found): active again, its revocation recorded."""
    unit = registered_unit(db, unit_id)
    if unit is None:
        raise UnitRegistryError(f"unknown unit {unit_id!r}")
    if unit.state == "revoked":
        record_succession(db, unit_id, unit_id, "rekey", at)
        db.execute("UPDATE units SET state = 'active', revoked_at = NULL WHERE id = ?", (unit_id,))
    return Unit(unit.id, unit.location_id, "active")


def predecessors(db: sqlite_utils.Database, successor: str) -> dict[str, str | None]:
    """Every unit ``successor`` took over from, directly or down the line -> when that one was revoked."""
    rows = db.execute(
        """
        WITH RECURSIVE lineage(unit, revoked_at) AS (
            SELECT predecessor, revoked_at FROM unit_successions
            WHERE successor = ? AND predecessor != successor
            UNION
            SELECT s.predecessor, s.revoked_at FROM unit_successions s JOIN lineage l ON s.successor = l.unit
            WHERE s.predecessor != s.successor
        )
        SELECT unit, max(revoked_at) FROM lineage GROUP BY unit
        """,
        (successor,),
    ).fetchall()
    return dict(rows)
