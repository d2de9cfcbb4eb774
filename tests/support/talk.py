"""A third family and staff helpers for the talk features (issue 21): messages, diary, photos, news.

Carla's child is Noah at De Zonnebloem; with the two families of tests/support/parents.py she is
the "third parent" who must see nothing of Jules's or Lotte's.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from hub.children.queries import add_contact
from hub.core.db import open_database, write_transaction
from hub.demo import DEMO_DOSSIER, DEMO_PIN
from hub.parents import accounts
from tests.support.parents import PASSWORD, Families
from tests.support.portal import PortalClient

CARLA = "carla.claes@gezin-c.example"


def add_third_family(database: Path, families: Families) -> None:
    """Carla, Noah's mother, with an account."""
    db = open_database(database)
    add_contact(db, families.noah, "Carla Claes", CARLA, "moeder")
    with write_transaction(db):
        accounts.make_account(db, CARLA, PASSWORD, datetime.now(UTC))
    db.close()


def staff_client(url: str, dossier: str = DEMO_DOSSIER, pin: str = DEMO_PIN) -> PortalClient:
    """A location logged in with its PIN (the group's tablet)."""
    staff = PortalClient(url)
    staff.login_location(dossier, pin)
    return staff
