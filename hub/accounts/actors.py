"""Who may manage what. The actor values themselves (:class:`Actor`, :class:`Role`, :class:`Refused`,
:class:`NoAccess`) live in :mod:`hub.core.actors` and are re-exported here, where they always were.
"""

from __future__ import annotations

import sqlite_utils

from hub.core.actors import Actor, NoAccess, Refused, Role

__all__ = ["Actor", "NoAccess", "Refused", "Role", "may_manage"]


def may_manage(db: sqlite_utils.Database, actor: Actor, location_id: str) -> bool:
    """A location manages only itself; a staff member only its own locations; an organisator only
    its own locations."""
    if actor.role is Role.LOCATION:
        return actor.id == location_id
    if actor.role is Role.STAFF:
        return location_id in actor.locations
    row = db.execute("SELECT organisator_id FROM locations WHERE id = ?", (location_id,)).fetchone()
    return row is not None and str(row[0]) == actor.id
