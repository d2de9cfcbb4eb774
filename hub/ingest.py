"""MQTT ingest: validate each message, store each event once, commit, then ack.

Messages arrive on paho's thread and are queued; one writer thread takes whatever has queued
up (one message when traffic is light, hundreds under load), handles the whole batch in one
transaction, commits, and only then publishes the acks to the units and settles the deliveries
with the broker. Batching therefore costs no waiting: a lone message is committed at once.

Nothing is dropped. A message that is malformed, oversized, of the wrong version or on a wrong
topic goes to the dead-letter table with the reason; an event from a unit that is unknown,
revoked, or claiming another location is kept there too and answered "refused"; an event with
an unknown card is stored like any other and answered "unknown_card".
"""

from __future__ import annotations

import json
import logging
import queue
import re
import sqlite3
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import sqlite_utils

from hub import cards, deadletters, units
from hub.attendance.events import record_checkin
from hub.db import connect
from hub.link import Delivery
from hub.localtime import now_utc_iso
from wire import Ack, CheckIn, ContractError, Status, Topic, TopicKind, Verdict, decode, encode
from wire.contract import EVENT_ID_PATTERN

log = logging.getLogger(__name__)

SUBSCRIPTIONS = [Topic.all_units(TopicKind.EVENT), Topic.all_units(TopicKind.STATUS)]
_KEEP_PAYLOAD_BYTES = 64 * 1024  # of an oversized message, the dead letter keeps this much


@dataclass(frozen=True)
class Outcome:
    """What became of one delivery: an ack to send (or none), and whether it was dead-lettered."""

    ack_topic: str | None = None
    ack: Ack | None = None
    dead: bool = False


class Ingest:
    def __init__(
        self,
        database: str | Path,
        publish: Callable[[str, bytes], bool],
        settle: Callable[[Delivery], None],
        max_batch: int = 1000,
    ) -> None:
        self._database = database
        self._publish = publish
        self._settle = settle
        self._max_batch = max_batch
        self._queue: queue.Queue[Delivery] = queue.Queue()
        self.stored = 0
        self.batches = 0

    def submit(self, delivery: Delivery) -> None:
        """Called on the MQTT thread for every message."""
        self._queue.put(delivery)

    def run(self, stop: threading.Event) -> None:
        db = connect(self._database)
        try:
            while not stop.is_set():
                batch = self._take_batch()
                if batch:
                    self._process(db, batch, stop)
        finally:
            db.close()

    def _take_batch(self) -> list[Delivery]:
        try:
            batch = [self._queue.get(timeout=0.2)]
        except queue.Empty:
            return []
        while len(batch) < self._max_batch:
            try:
                batch.append(self._queue.get_nowait())
            except queue.Empty:
                break
        return batch

    def _process(self, db: sqlite_utils.Database, batch: list[Delivery], stop: threading.Event) -> None:
        while True:
            try:
                outcomes = self.handle_batch(db, batch)
                break
            except sqlite3.OperationalError as exc:  # disk full, I/O error, locked: the batch waits
                log.error("could not commit %d message(s), retrying: %s", len(batch), exc)
                if stop.wait(1.0):
                    return  # not settled: the broker delivers them again after restart
        for outcome in outcomes:
            if outcome.ack is not None:
                self._publish(outcome.ack_topic, encode(outcome.ack))
        for delivery in batch:
            self._settle(delivery)

    def handle_batch(self, db: sqlite_utils.Database, batch: list[Delivery]) -> list[Outcome]:
        """Store a batch in one transaction; returns per delivery what to answer. Commits."""
        received_at = now_utc_iso()
        seen: set[str] = set()
        with db.atomic():
            outcomes = [self._handle(db, d, received_at, seen) for d in batch]
            units.record_seen(db, seen, received_at)
        self.batches += 1
        self.stored += sum(
            1 for o in outcomes if o.ack and o.ack.verdict in (Verdict.STORED, Verdict.UNKNOWN_CARD)
        )
        return outcomes

    def _handle(self, db: sqlite_utils.Database, d: Delivery, received_at: str, seen: set[str]) -> Outcome:
        def dead(reason: str, detail: str = "", ack_topic: str | None = None) -> Outcome:
            payload = d.payload if len(d.payload) <= _KEEP_PAYLOAD_BYTES else d.payload[:_KEEP_PAYLOAD_BYTES]
            if len(d.payload) > _KEEP_PAYLOAD_BYTES:
                detail = f"{detail} (kept {_KEEP_PAYLOAD_BYTES} of {len(d.payload)} bytes)".strip()
            deadletters.record(db, d.topic, payload, reason, detail, received_at)
            log.warning("dead letter on %.80s: %s %s", d.topic, reason, detail[:120])
            event_id = _salvage_event_id(d.payload) if ack_topic else None
            if event_id is None:
                return Outcome(dead=True)
            return Outcome(ack_topic, Ack(id=event_id, verdict=Verdict.REFUSED, reason=reason), dead=True)

        try:
            topic = Topic.parse(d.topic)
        except ValueError as exc:
            return dead("wrong_topic", str(exc))
        ack_topic = str(Topic(topic.location, topic.unit, TopicKind.ACK))
        if topic.kind is TopicKind.EVENT:
            try:
                event = decode(d.payload)
            except ContractError as exc:
                return dead(exc.reason, exc.detail, ack_topic)
            if not isinstance(event, CheckIn):
                return dead("unexpected_type", f"{event.TYPE} is not handled on the event topic", ack_topic)
            if (event.unit, event.location) != (topic.unit, topic.location):
                return dead(
                    "topic_mismatch", f"event of {event.unit}@{event.location} on {d.topic}", ack_topic
                )
            refused = units.refusal(units.registered_unit(db, event.unit), event.location)
            if refused:
                return dead(refused, f"unit {event.unit} for location {event.location}", ack_topic)
            seen.add(event.unit)
            owner = cards.card_owner(db, event.code)
            new = record_checkin(db, event, owner[0] if owner else None, received_at)
            verdict = Verdict.DUPLICATE if not new else Verdict.STORED if owner else Verdict.UNKNOWN_CARD
            return Outcome(ack_topic, Ack(id=event.id, verdict=verdict, child=owner[1] if owner else None))
        if topic.kind is TopicKind.STATUS:
            try:
                status = decode(d.payload, Status)
            except ContractError as exc:
                return dead(exc.reason, exc.detail)
            refused = units.refusal(units.registered_unit(db, status.unit), status.location)
            if (status.unit, status.location) != (topic.unit, topic.location) or refused:
                return dead(refused or "topic_mismatch", f"status of {status.unit}@{status.location}")
            units.record_status(db, status, received_at)
            return Outcome()
        return dead("wrong_topic", f"the hub does not take {topic.kind} messages")


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
