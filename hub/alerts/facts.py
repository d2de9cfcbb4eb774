"""Reading what the alert rules need: the units and their locations' hours now, refused uploads,
PIN locks, and the hub's disk."""

from __future__ import annotations

import shutil
from datetime import datetime
from pathlib import Path

import sqlite_utils

from hub.alerts.rules import Facts, UnitFact
from hub.core.localtime import local, parse_utc, utc_iso
from hub.locations.queries import location_schedule

RECENT_MONTHS = 3  # a refusal of an older month is history, not an alarm (also on a hub's first check)


def read_facts(db: sqlite_utils.Database, now: datetime, disk: Path | None) -> Facts:
    names = dict(db.execute("SELECT id, name FROM locations").fetchall())
    moment = local(now)
    open_now: dict[str, bool] = {}
    units = []
    for unit_id, location_id, online, last_seen, backlog in db.execute(
        "SELECT id, location_id, online, last_seen, backlog FROM units WHERE state = 'active' ORDER BY id"
    ).fetchall():
        if location_id not in open_now:
            open_now[location_id] = location_schedule(db, location_id).on(moment.date()).within(moment.time())
        seen = parse_utc(last_seen) if last_seen else None
        units.append(UnitFact(unit_id, location_id, bool(online), seen, backlog, open_now[location_id]))
    index = moment.year * 12 + moment.month - 1 - RECENT_MONTHS
    year, month = index // 12, index % 12 + 1
    refused = db.execute(
        """
        SELECT s.location_id, s.month, coalesce(s.refusal, '') FROM upload_submissions s
        WHERE s.state = 'refused' AND s.month >= ?
          AND s.version = (SELECT max(version) FROM upload_submissions t
                           WHERE t.location_id = s.location_id AND t.month = s.month)
        ORDER BY s.location_id, s.month
        """,
        (f"{year:04d}-{month:02d}",),
    ).fetchall()
    locked = [
        (location_id, parse_utc(until))
        for location_id, until in db.execute(
            "SELECT id, pin_locked_until FROM locations WHERE pin_locked_until > ?", (utc_iso(now),)
        ).fetchall()
    ]
    free = total = None
    if disk is not None:
        usage = shutil.disk_usage(disk)
        free, total = usage.free, usage.total
    return Facts(
        now=now,
        units=tuple(units),
        refused_uploads=tuple((r[0], r[1], r[2]) for r in refused),
        disk_free_bytes=free,
        disk_total_bytes=total,
        locked_locations=tuple(locked),
        location_names=names,
    )
