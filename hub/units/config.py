"""The retained configuration the hub publishes for each unit: location name, roster, staff code hash.

The portal PIN's hash is never in it: a unit checks the scanner code, hashed for that unit
(hub/units/staff.py).
"""

from __future__ import annotations

import logging
from collections.abc import Callable

import sqlite_utils

from hub.cards import codes as cards
from hub.core.localtime import now_utc_iso
from hub.units import registry as units
from hub.units import staff
from wire import Topic, TopicKind, UnitConfig, encode

log = logging.getLogger(__name__)


def config_for(db: sqlite_utils.Database, unit: units.Unit) -> UnitConfig:
    (location_name,) = db.execute(
        "SELECT name FROM locations WHERE id = ?", (unit.location_id,)
    ).fetchone()
    return UnitConfig(
        unit=unit.id,
        location=unit.location_id,
        location_name=location_name,
        roster=cards.roster(db, unit.location_id),
        issued_at=now_utc_iso(),
        **staff.fields_for(db, unit.id),
        departed=cards.departed(db, unit.location_id) or None,
    )


def publish_configs(
    db: sqlite_utils.Database, publish: Callable[[str, bytes, bool], bool], location_id: str | None = None
) -> int:
    """Publish (retained) the config of every active unit, or of one location's units."""
    published = 0
    for unit in units.active_units(db):
        if location_id is None or unit.location_id == location_id:
            topic = str(Topic(unit.location_id, unit.id, TopicKind.CONFIG))
            publish(topic, encode(config_for(db, unit)), True)
            published += 1
    log.info("published the config of %d unit(s)", published)
    return published
