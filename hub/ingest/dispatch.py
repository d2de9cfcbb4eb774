"""Routing one delivery inside a transaction: by topic, then by message type, each to its handler.

Junk (not a well-formed message of a type the topic takes, or a status or card read that names
another unit) becomes a dead letter. A well-formed check-in goes through
:mod:`hub.ingest.admission`: taken (stored with the transaction's other check-ins), or refused and
kept for a person. Other event types (a card read) pass only from an active unit of the location in
the topic.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from hub.cards import codes, collectors
from hub.ingest import admission
from hub.ingest.collections import PENDING_COLLECTION
from hub.ingest.link import Delivery
from hub.ingest.outcome import PENDING, Outcome
from hub.ingest.transaction import Transaction
from hub.units import registry as units
from wire import (
    COLLECTOR_NOT_ALLOWED,
    CheckIn,
    Collection,
    ContractError,
    DirectionBy,
    Status,
    Topic,
    TopicKind,
    decode,
)
from wire.contract import Message

EventHandler = Callable[[Transaction, Any, str], Outcome]  # (transaction, message, ack topic) -> outcome


TimeRefusal = Callable[[Transaction, CheckIn], Any]  # a reason and detail, or None when the time is fine


class Dispatch:
    def __init__(self, time_refusal: TimeRefusal | None = None) -> None:
        self.event_handlers: dict[type[Message], EventHandler] = {CheckIn: _take_checkin}
        self._time_refusal = time_refusal

    def _collection(self, tx: Transaction, d: Delivery, topic: Topic, c: Collection) -> Outcome:
        """A collection (collector card after the child's) from an active unit of the topic's
        location: stored after the transaction's check-ins (:mod:`hub.ingest.collections`)."""
        ack_topic = tx.ack_topic(topic)
        if (c.unit, c.location) != (topic.unit, topic.location):
            return tx.dead(
                d, "topic_mismatch", f"collection of {c.unit}@{c.location} on {d.topic}", ack_topic
            )
        reason = units.refusal(tx.unit(c.unit), c.location)
        if reason:
            return tx.dead(d, reason, f"unit {c.unit} for location {c.location}", ack_topic)
        tx.seen.add(topic.unit)
        tx.collections.append((c, d, topic))
        return PENDING_COLLECTION

    def __call__(self, tx: Transaction, d: Delivery) -> Outcome:
        try:
            topic = Topic.parse(d.topic)
        except ValueError as exc:
            return tx.dead(d, "wrong_topic", str(exc))
        if topic.kind is TopicKind.EVENT:
            return self._event(tx, d, topic)
        if topic.kind is TopicKind.STATUS:
            return _status(tx, d, topic)
        return tx.dead(d, "wrong_topic", f"the hub does not take {topic.kind} messages")

    def _event(self, tx: Transaction, d: Delivery, topic: Topic) -> Outcome:
        ack_topic = str(Topic(topic.location, topic.unit, TopicKind.ACK))
        try:
            message = decode(d.payload)
        except ContractError as exc:
            return tx.dead(d, exc.reason, exc.detail, ack_topic)
        if isinstance(message, Collection):
            invalid = codes.code_refusal(message)
            if invalid:
                return tx.dead(d, invalid, f"card code of {message.unit}@{message.location}", ack_topic)
            return self._collection(tx, d, topic, message)
        handler = self.event_handlers.get(type(message))
        if handler is None:
            detail = f"{message.TYPE} is not handled on the event topic"
            return tx.dead(d, "unexpected_type", detail, ack_topic)
        invalid = codes.code_refusal(message)  # a wrong check digit: no honest unit sends it
        if invalid:
            return tx.dead(d, invalid, f"card code of {message.unit}@{message.location}", ack_topic)
        if isinstance(message, CheckIn):
            reason = _checkin_refusal(tx, message, topic)
            if reason:
                detail = f"{message.unit}@{message.location} via {d.topic}"
                return tx.refuse(d, message, topic, reason, detail)
            late = self._time_refusal(tx, message) if self._time_refusal else None
            if late:  # a time the hub cannot accept: kept whole for a person, with the reason
                return tx.refuse(d, message, topic, late.reason, late.detail)
            not_allowed = _collector_refusal(tx, message)
            if not_allowed:  # kept for the opvang: it shows on the location's overview at once
                return tx.refuse(d, message, topic, COLLECTOR_NOT_ALLOWED, not_allowed)
        else:
            if (message.unit, message.location) != (topic.unit, topic.location):
                return tx.dead(
                    d, "topic_mismatch", f"{message.TYPE} of {message.unit}@{message.location} on {d.topic}",
                    ack_topic,
                )  # fmt: skip
            reason = units.refusal(tx.unit(message.unit), message.location)
            if reason:
                return tx.dead(d, reason, f"unit {message.unit} for location {message.location}", ack_topic)
        tx.seen.add(topic.unit)
        return handler(tx, message, ack_topic)


def _take_checkin(tx: Transaction, event: CheckIn, ack_topic: str) -> Outcome:
    tx.checkins.append((event, ack_topic))
    return PENDING  # stored with the transaction's other check-ins in one go


def _collector_refusal(tx: Transaction, event: CheckIn) -> str | None:
    """Why a departure made with a collector card is not allowed (for people), or None.

    Only a child's card is judged (an unknown card is stored as one); a departure stored before
    is not judged again, so a resend is a duplicate whatever changed since."""
    if event.direction_by is not DirectionBy.COLLECTOR or event.collector is None:
        return None
    owner = codes.card_owner(tx.db, event.code)
    if owner is None or collectors.is_recorded(tx.db, event.id):
        return None
    verdict = collectors.judge(tx.db, event.collector, owner[0])
    return None if verdict.allowed else f"{verdict.reason} (kind: {owner[1]})"


def _checkin_refusal(tx: Transaction, event: CheckIn, topic: Topic) -> str | None:
    deliverer = _facts(tx.unit(topic.unit))
    if event.unit == topic.unit:  # the common case: a unit delivering its own check-in
        return admission.refusal(
            deliverer, topic.location, event.unit, event.location, _EPOCH, deliverer, None, False
        )
    lineage = tx.predecessors(topic.unit)
    revoked = lineage.get(event.unit)
    return admission.refusal(
        deliverer,
        topic.location,
        event.unit,
        event.location,
        datetime.fromisoformat(event.wall_time),
        _facts(tx.unit(event.unit)),
        datetime.fromisoformat(revoked) if revoked else None,
        event.unit in lineage,
    )


_EPOCH = datetime.fromisoformat("1970-01-01T00:00:00+00:00")


def _facts(unit: units.Unit | None) -> admission.UnitFacts | None:
    return admission.UnitFacts(unit.id, unit.location_id, unit.state == "active") if unit else None


def _status(tx: Transaction, d: Delivery, topic: Topic) -> Outcome:
    try:
        status = decode(d.payload, Status)
    except ContractError as exc:
        return tx.dead(d, exc.reason, exc.detail)
    reason = units.refusal(tx.unit(status.unit), status.location)
    if (status.unit, status.location) != (topic.unit, topic.location) or reason:
        return tx.dead(d, reason or "topic_mismatch", f"status of {status.unit}@{status.location}")
    units.record_status(tx.db, status, tx.received_at)
    return Outcome()
