"""The hub's service to its operators: the one module the technician's CLI (``provisioning/``) and
the hub's own command line use to reach the hub's settings, database, units and card codes.

Everything provisioning needs of the hub goes through here, so the hub's internals can move
without breaking the technician's tool: open the hub's settings and database, enrol, revoke and
list units, the retained configuration a unit gets, and fresh card codes for an organisator.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

import sqlite_utils

from hub.cards.codes import register_unassigned
from hub.core.db import connect, migrate, open_database
from hub.core.localtime import BRUSSELS, fmt_date, fmt_time, local, now_utc_iso
from hub.core.settings import HubSettings, load
from hub.units.config import config_for
from hub.units.registry import (
    Unit,
    UnitRegistryError,
    UnitState,
    active_units,
    enrol,
    fleet,
    new_staff_key,
    record_succession,
    registered_unit,
    reinstate,
    revoke,
)
from wire import Topic, TopicKind, encode

__all__ = [
    "Unit",
    "UnitRegistryError",
    "UnitState",
    "active_units",
    "config_payload",
    "config_topic",
    "database",
    "enrol",
    "fleet",
    "load_settings",
    "local_now",
    "local_stamp",
    "location_name",
    "location_names",
    "migrate_database",
    "new_staff_key",
    "now_utc_iso",
    "open_database",
    "organisator",
    "record_succession",
    "register_unassigned",
    "registered_unit",
    "reinstate",
    "revoke",
]


def load_settings(path: str | Path | None) -> HubSettings:
    """The hub's settings from its TOML file (defaults when ``path`` is None)."""
    return load(path)


@contextmanager
def database(path: Path) -> Iterator[sqlite_utils.Database]:
    """The hub database (migrated) for the length of a with-block."""
    db = open_database(path)
    try:
        yield db
    finally:
        db.close()


def migrate_database(path: Path) -> list[str]:
    """Create or upgrade the hub database at ``path``; the names of the migrations applied."""
    path.parent.mkdir(parents=True, exist_ok=True)
    return migrate(connect(path))


def location_name(db: sqlite_utils.Database, location_id: str) -> str | None:
    row = db.execute("SELECT name FROM locations WHERE id = ?", (location_id,)).fetchone()
    return row[0] if row else None


def location_names(db: sqlite_utils.Database) -> dict[str, str]:
    """Location id -> name, every location, ordered by id."""
    return dict(db.execute("SELECT id, name FROM locations ORDER BY id").fetchall())


def organisator(db: sqlite_utils.Database, key: str) -> tuple[int, str] | None:
    """(id, name) of the organisator with this number or e-mail address, or None."""
    row = db.execute(
        "SELECT id, name FROM organisators WHERE id = ? OR email = ? COLLATE NOCASE",
        (int(key) if key.isdigit() else None, key),
    ).fetchone()
    return (row[0], row[1]) if row else None


def config_topic(unit: Unit) -> str:
    """The retained topic a unit reads its configuration from."""
    return str(Topic(unit.location_id, unit.id, TopicKind.CONFIG))


def config_payload(db: sqlite_utils.Database, unit: Unit) -> bytes:
    """The encoded configuration (location name, roster, PIN hash) the hub publishes for ``unit``."""
    return encode(config_for(db, unit))


def local_stamp(iso: str) -> str:
    """A stored UTC instant as DD/MM/YYYY HH:MM in Brussels."""
    return f"{fmt_date(local(iso).date())} {fmt_time(iso)}"


def local_now() -> datetime:
    """Now, in Brussels."""
    return datetime.now(BRUSSELS)
