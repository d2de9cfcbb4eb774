"""A person confirms a warning about a child's month (an error cannot be confirmed, only fixed)."""

from __future__ import annotations

import sqlite_utils

from hub.accounts.actors import Actor, Refused
from hub.upload import store
from hub.upload.access import check_access
from hub.upload.batch import month_key
from hub.upload.validation import CONFIRMABLE


def confirm_warning(
    db: sqlite_utils.Database,
    actor: Actor,
    location_id: str,
    year: int,
    month: int,
    child_id: int,
    rule: str,
    note: str = "",
) -> None:
    """A person confirms a warning about a child's month; errors cannot be confirmed, only fixed."""
    check_access(db, actor, location_id)
    if rule not in CONFIRMABLE:
        raise Refused("Een fout kan je niet bevestigen; pas ze aan.")
    store.confirm(
        db,
        location_id,
        month_key(year, month),
        child_id,
        rule,
        actor.record_role.value,
        actor.record_id,
        actor.name,
        note,
    )
