"""A hub database with two organisators, each with a location, children and cards, and the
portal serving it on loopback: what the portal tests try their logins and tampering against."""

from __future__ import annotations

import functools
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest

from hub.accounts.passwords import hash_secret
from hub.children.queries import add_child
from hub.core.db import open_database
from hub.core.settings import HubSettings
from hub.demo import seed
from hub.locations.queries import set_opening_hours
from hub.locations.schedule import weekdays
from hub.mail.folder import FolderMailer
from hub.web.app import create_app
from hub.web.channel import RecordingChannel
from tests.support.portal import PortalClient, serve
from wire import cardcode

OTHER_EMAIL = "info@klavertje.example"
OTHER_PASSWORD = "klavertje-vier-2026"
OTHER_DOSSIER = "904555111"
OTHER_PIN = "7391"


# Hashed once per test process: argon2 is slow on purpose and every portal test seeds this world.
_cached_hash = functools.cache(hash_secret)


@dataclass
class PortalWorld:
    url: str
    database: Path | str  # the SQLite file, or a PostgreSQL URL (hub_target)
    units: RecordingChannel
    mail_dir: Path
    other_child: int  # a child at the other organisator's location
    other_card: str
    data_dir: Path  # the hub's folder for its files (photos, keys); on SQLite the database's as well

    def client(self) -> PortalClient:
        return PortalClient(self.url)

    def settings(self, **options) -> HubSettings:
        """The hub's settings for this world: its data folder, and its database when that is PostgreSQL."""
        database = self.database if isinstance(self.database, str) else ""
        return HubSettings(data_dir=self.data_dir, database=database, **options)


def seed_other_organisator(database: Path | str) -> tuple[int, str]:
    """A second organisator with location "klavertje" and one child (with a card)."""
    db = open_database(database)
    with db.atomic():
        org = (
            db["organisators"]
            .insert(
                {"name": "Vzw Klavertje", "email": OTHER_EMAIL, "password_hash": _cached_hash(OTHER_PASSWORD)}
            )
            .last_pk
        )
        db["locations"].insert(
            {
                "id": "klavertje",
                "organisator_id": org,
                "dossier_number": OTHER_DOSSIER,
                "name": "Kinderopvang Klavertje",
                "address": "Dorpsplein 3, 9000 Gent",
                "pin_hash": _cached_hash(OTHER_PIN),
            }
        )
    set_opening_hours(db, "klavertje", weekdays("07:00", "18:00"))
    child = add_child(db, "klavertje", "Geheim", "Kind", date(2024, 5, 1), "v")
    code = cardcode.new_code()
    with db.atomic():
        db["cards"].insert({"code": code, "organisator_id": org, "child_id": child, "state": "active"})
    db.close()
    return child, code


def build_world(
    hub_dir: Path, history_days: int = 8, database: Path | str | None = None
) -> tuple[Path | str, int, str]:
    """The world's database: ``hub_dir``'s SQLite file, or ``database`` (a PostgreSQL URL) when given."""
    database = database or hub_dir / "hub.sqlite3"
    db = open_database(database)
    seed(db, ("unit-zonnebloem-in", "unit-zonnebloem-uit"), history_days=history_days)
    db.close()
    child, code = seed_other_organisator(database)
    return database, child, code


@pytest.fixture
def world(hub_dir: Path, hub_target: Path | str, tmp_path: Path) -> Iterator[PortalWorld]:
    """The portal on the world's database (``hub_target``: both databases in a both_databases test)."""
    database, child, code = build_world(hub_dir, database=hub_target)
    units = RecordingChannel()
    mail_dir = tmp_path / "mail"
    app = create_app(
        database, units=units, mailer=FolderMailer(mail_dir), settings=HubSettings(data_dir=hub_dir)
    )
    with serve(app) as url:
        yield PortalWorld(url, database, units, mail_dir, child, code, hub_dir)
