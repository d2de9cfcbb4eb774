"""The upload's one access rule: a location manages itself, an organisator its own locations."""

from __future__ import annotations

import sqlite_utils

from hub.accounts.actors import Actor, Refused, may_manage


def check_access(db: sqlite_utils.Database, actor: Actor, location_id: str) -> None:
    """Raise :class:`Refused` (Dutch) unless ``actor`` may see and touch the location's uploads."""
    if not may_manage(db, actor, location_id):
        raise Refused("Je hebt geen toegang tot deze opvanglocatie.")
