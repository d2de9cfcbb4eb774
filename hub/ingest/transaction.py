"""One write transaction of the ingest: the deliveries taken together, and what they share.

It holds the database, the hub time the deliveries arrived, look-ups made once (units, their
predecessors), the check-ins to store together at the end, the units heard from, and what must wait
for the commit (``after_commit``). It also turns a delivery into junk or a kept refusal, with the
outcome to answer.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable

import sqlite_utils

from hub.ingest import deadletters, refused
from hub.ingest.link import Delivery
from hub.ingest.outcome import Outcome
from hub.units import registry as units
from wire import Ack, CheckIn, Collection, Topic, TopicKind, Verdict
from wire.contract import EVENT_ID_PATTERN

log = logging.getLogger(__name__)


class Transaction:
    """Units are looked up once per transaction (a unit revoked between two is refused from the next
    on); the units heard from are marked seen when it ends."""

    def __init__(
        self,
        db: sqlite_utils.Database,
        received_at: str,
        refused_per_unit_day: int = refused.DEFAULT_PER_UNIT_DAY,
    ) -> None:
        self.db = db
        self.received_at = received_at
        self.refused_per_unit_day = refused_per_unit_day
        self.seen: set[str] = set()
        self.checkins: list[tuple[CheckIn, str]] = []  # (event, ack topic), stored at the end
        self.collections: list[tuple[Collection, Delivery, Topic]] = []  # stored after the check-ins
        self.after_commit: list[Callable[[], None]] = []  # e.g. republish configs after a card link
        self._units: dict[str, units.Unit | None] = {}
        self._predecessors: dict[str, dict[str, str | None]] = {}

    def unit(self, unit_id: str) -> units.Unit | None:
        if unit_id not in self._units:
            self._units[unit_id] = units.registered_unit(self.db, unit_id)
        return self._units[unit_id]

    def predecessors(self, unit_id: str) -> dict[str, str | None]:
        if unit_id not in self._predecessors:
            self._predecessors[unit_id] = units.predecessors(self.db, unit_id)
        return self._predecessors[unit_id]

    def dead(self, d: Delivery, reason: str, detail: str = "", ack_topic: str | None = None) -> Outcome:
        """Count a junk message (rolled up, a prefix kept); answer "refused" when it has an event id.

        That verdict carries no ``kept``: a unit of this version holds the event (see
        device/publisher.py); a unit of the previous version deletes it, as it always did.
        """
        deadletters.record(self.db, d.topic, d.payload, reason, detail, self.received_at)
        log.debug("dead letter on %.80s: %s %s", d.topic, reason, detail[:120])
        event_id = _salvage_event_id(d.payload) if ack_topic else None
        if event_id is None:
            return Outcome(dead=True)
        return Outcome(ack_topic, Ack(id=event_id, verdict=Verdict.REFUSED, reason=reason), dead=True)

    @staticmethod
    def ack_topic(topic: Topic) -> str:
        """The ack topic of the unit that published on ``topic``."""
        return str(Topic(topic.location, topic.unit, TopicKind.ACK))

    def refuse(
        self, d: Delivery, event: CheckIn | Collection, topic: Topic, reason: str, detail: str = ""
    ) -> Outcome:
        """Keep a well-formed check-in the hub does not take, whole; answer "refused", kept.

        Past the unit's quota for the day only a dead letter counts it and no verdict goes out: the
        unit holds the event and offers it again.
        """
        ack_topic = str(Topic(topic.location, topic.unit, TopicKind.ACK))
        kept = refused.keep(
            self.db, event, d.payload, topic.unit, topic.location, reason, detail, self.received_at,
            self.refused_per_unit_day,
        )  # fmt: skip
        if not kept:
            deadletters.record(self.db, d.topic, d.payload, "refused_over_quota", reason, self.received_at)
            return Outcome(dead=True)
        log.info("check-in %s via %s refused and kept: %s %s", event.id, topic.unit, reason, detail[:120])
        return Outcome(ack_topic, Ack(id=event.id, verdict=Verdict.REFUSED, reason=reason, kept=True))


def ack_topic_of(event_topic: str) -> str | None:
    """The ack topic of the unit that published on ``event_topic``, if that is one of ours."""
    try:
        topic = Topic.parse(event_topic)
    except ValueError:
        return None
    return str(Topic(topic.location, topic.unit, TopicKind.ACK))


def _salvage_event_id(payload: bytes) -> str | None:
    """The event id of a rejected message, when it has a usable one, so the unit can stop resending."""
    if len(payload) > 4 * 1024:
        return None
    try:
        body = json.loads(payload)
    except (ValueError, RecursionError):
        return None
    event_id = body.get("id") if isinstance(body, dict) else None
    return event_id if isinstance(event_id, str) and re.fullmatch(EVENT_ID_PATTERN, event_id) else None
