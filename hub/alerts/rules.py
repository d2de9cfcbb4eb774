"""What is wrong now, and which alerts open or resolve. No I/O: the facts come in as values.

An alert is keyed ("unit-offline:unit-zonnebloem-in", "disk-low"): the same key open twice is one
alert; when its condition is gone, it resolves (one "resolved" mail), and a later occurrence is a
new alert.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from hub.alerts.settings import AlertSettings
from hub.core.localtime import fmt_time, local


@dataclass(frozen=True)
class Condition:
    """Something wrong now: its key, the location it concerns (None: the whole hub), the Dutch
    sentence for the mail and the banner."""

    key: str
    location_id: str | None
    text: str


@dataclass(frozen=True)
class UnitFact:
    id: str
    location_id: str
    online: bool
    last_seen: datetime | None
    backlog: int | None
    location_open_now: bool  # the location's opening hours include this moment


@dataclass(frozen=True)
class Facts:
    now: datetime
    units: tuple[UnitFact, ...] = ()
    refused_uploads: tuple[tuple[str, str, str], ...] = ()  # (location id, month "2026-03", reason)
    disk_free_bytes: int | None = None
    disk_total_bytes: int | None = None
    locked_locations: tuple[tuple[str, datetime], ...] = ()  # (location id, locked until)
    location_names: Mapping[str, str] | None = None


def _name(facts: Facts, location_id: str) -> str:
    return (facts.location_names or {}).get(location_id, location_id)


def unit_conditions(facts: Facts, settings: AlertSettings) -> list[Condition]:
    """A unit offline, or with more than ``backlog_over`` check-ins waiting, while its location is open."""
    found = []
    stale = facts.now - timedelta(minutes=settings.offline_after_minutes)
    for unit in facts.units:
        if not unit.location_open_now:
            continue  # a scanner switched off at night is no alarm
        where = _name(facts, unit.location_id)
        if not unit.online or unit.last_seen is None or unit.last_seen < stale:
            since = f" (laatst gezien om {fmt_time(unit.last_seen)})" if unit.last_seen else ""
            found.append(
                Condition(
                    f"unit-offline:{unit.id}",
                    unit.location_id,
                    f"De scanner {unit.id} van {where} is offline tijdens de openingsuren{since}.",
                )
            )
        elif unit.backlog is not None and unit.backlog > settings.backlog_over:
            found.append(
                Condition(
                    f"unit-backlog:{unit.id}",
                    unit.location_id,
                    f"De scanner {unit.id} van {where} heeft {unit.backlog} registraties die nog niet "
                    "bij de hub zijn aangekomen.",
                )
            )
    return found


def upload_conditions(facts: Facts) -> list[Condition]:
    return [
        Condition(
            f"upload-refused:{location_id}:{month}",
            location_id,
            f"Kind en Gezin weigerde de gegevens van {_name(facts, location_id)} voor {month}: {reason}",
        )
        for location_id, month, reason in facts.refused_uploads
    ]


def disk_conditions(facts: Facts, settings: AlertSettings) -> list[Condition]:
    if facts.disk_free_bytes is None or not facts.disk_total_bytes:
        return []
    percent = 100 * facts.disk_free_bytes / facts.disk_total_bytes
    megabytes = facts.disk_free_bytes // (1024 * 1024)
    if percent >= settings.disk_free_min_percent and megabytes >= settings.disk_free_min_mb:
        return []
    return [
        Condition(
            "disk-low",
            None,
            f"De schijf van de hub is bijna vol: nog {megabytes} MB vrij ({percent:.0f} %). "
            "Zonder vrije ruimte kan de hub geen registraties meer bewaren.",
        )
    ]


def lock_conditions(facts: Facts) -> list[Condition]:
    return [
        Condition(
            f"location-locked:{location_id}",
            location_id,
            f"{_name(facts, location_id)} is vergrendeld na te veel foute pincodes, tot "
            f"{local(until):%d/%m/%Y} om {fmt_time(until)}.",
        )
        for location_id, until in facts.locked_locations
    ]


def conditions(facts: Facts, settings: AlertSettings) -> dict[str, Condition]:
    """Everything wrong now, by key."""
    found = [
        *unit_conditions(facts, settings),
        *upload_conditions(facts),
        *disk_conditions(facts, settings),
        *lock_conditions(facts),
    ]
    return {condition.key: condition for condition in found}


def changes(
    open_keys: Iterable[str], now_wrong: Mapping[str, Condition]
) -> tuple[list[Condition], list[str]]:
    """(alerts to open, keys to resolve): new conditions, and open alerts whose condition is gone."""
    kept = set(open_keys)
    opening = [condition for key, condition in sorted(now_wrong.items()) if key not in kept]
    resolving = sorted(kept - set(now_wrong))
    return opening, resolving
