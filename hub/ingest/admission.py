"""Whether the hub takes a well-formed check-in on its own, or keeps it refused for a person.

A pure rule: no database, no clock. The ingest looks up the units and the delivering unit's
predecessors and asks :func:`refusal`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class UnitFacts:
    """A unit as the rule needs it."""

    id: str
    location_id: str
    active: bool


def refusal(
    deliverer: UnitFacts | None,
    topic_location: str,
    event_unit: str,
    event_location: str,
    made_at: datetime,
    maker: UnitFacts | None,
    maker_revoked_at: datetime | None,
    maker_is_predecessor: bool,
) -> str | None:
    """Why a check-in delivered on ``deliverer``'s topic is refused, or None when it is taken.

    Taken: the deliverer is active at the topic's location and the check-in names that location
    and either the deliverer itself, or a predecessor of it (replaced or re-keyed) at the same
    location, made before that predecessor was revoked. Everything else is refused, and kept.
    """
    if deliverer is None:
        return "unknown_unit"
    if not deliverer.active:
        return "revoked_unit"
    if deliverer.location_id != topic_location or event_location != topic_location:
        return "wrong_location"
    if event_unit == deliverer.id:
        return None
    if maker is None:
        return "unknown_unit"
    if not maker_is_predecessor:
        return "not_a_predecessor"
    if maker.location_id != topic_location:
        return "wrong_location"
    if maker.active:
        return None  # a predecessor re-keyed back into service: its own events are its own
    if maker_revoked_at is None or made_at >= maker_revoked_at:
        return "made_after_revocation"
    return None
