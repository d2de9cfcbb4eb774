"""The ticket that lets a location link a known child: only a child its own search just found.

"Kind toevoegen" first searches for a known child by name (AARON); the result carries a signed,
short-lived ticket naming the actor, the location and the child. Linking takes that ticket, never
a bare child id, so a location cannot link a sibling location's child by guessing ids. Pure: the
signing is passed in (the portal's HMAC key), no I/O.
"""

from __future__ import annotations

from collections.abc import Callable

VALID_S = 15 * 60  # a search result stays usable this long


def issue(sign: Callable[[str], str], actor: str, location_id: str, child_id: int, now: float) -> str:
    """A ticket for ``actor`` (role:id) to link ``child_id`` to ``location_id`` until ``now`` + VALID_S."""
    return sign(f"link|{actor}|{location_id}|{child_id}|{int(now) + VALID_S}")


def child_of(
    unsign: Callable[[str], str | None], ticket: str, actor: str, location_id: str, now: float
) -> int | None:
    """The child id of a valid ticket for this actor and location, or None (forged, stale, another's)."""
    value = unsign(ticket) if ticket else None
    parts = value.split("|") if value else []
    if len(parts) != 5 or parts[0] != "link" or not parts[3].isdigit() or not parts[4].isdigit():
        return None
    _, whose, where, child, until = parts
    if whose != actor or where != location_id or int(until) < now:
        return None
    return int(child)
