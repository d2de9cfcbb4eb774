"""MQTT ingest: validate each message, store each event once, commit, then ack.

Messages arrive on paho's thread and are queued; one writer thread takes whatever has queued
up (one message when traffic is light, hundreds under load), handles the whole batch in one
transaction, commits, and only then publishes the acks to the units and settles the deliveries
with the broker. Batching therefore costs no waiting: a lone message is committed at once.

Nothing is dropped. A message that is malformed, oversized, of the wrong version or on a wrong
topic goes to the dead-letter table with the reason; an event from a unit that is unknown,
revoked, or claiming another location is kept there too and answered "refused"; an event with
an unknown card is stored like any other and answered "unknown_card" (the location sees it as
"onbekende kaart").

Messages on the event topic are dispatched by type, one handler each (:meth:`Ingest.on_event`);
a check-in is stored with its time repaired when the unit's clock was not yet synced
(:mod:`hub.attendance.clock_queries`), or kept as "tijd onzeker" when it cannot be.
"""

from __future__ import annotations

import json
import logging
import os
import queue
import re
import signal
import sqlite3
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sqlite_utils

from hub.attendance.clock_queries import ClockRepair
from hub.attendance.events import NewCheckIn, record_checkins
from hub.cards import codes as cards
from hub.core.db import connect, write_transaction
from hub.core.localtime import now_utc_iso
from hub.ingest import deadletters
from hub.ingest.link import Delivery
from hub.units import registry as units
from wire import Ack, CheckIn, ContractError, Status, Topic, TopicKind, Verdict, decode, encode
from wire.contract import EVENT_ID_PATTERN, Message

log = logging.getLogger(__name__)

SUBSCRIPTIONS = [Topic.all_units(TopicKind.EVENT), Topic.all_units(TopicKind.STATUS)]
_KEEP_PAYLOAD_BYTES = 64 * 1024  # of an oversized message, the dead letter keeps this much

# Fault injection for the fault suite (tests/faults), off unless set: "before_commit:N" or
# "after_commit:N" makes the hub SIGKILL itself in its N-th batch that holds a check-in, with the
# batch written but not committed, or committed but neither acked nor settled with the broker.
FAULT_ENV = "AANWEZIG_INGEST_FAULT"


@dataclass(frozen=True)
class Outcome:
    """What became of one delivery: an ack to send (or none), and whether it was dead-lettered."""

    ack_topic: str | None = None
    ack: Ack | None = None
    dead: bool = False


EventHandler = Callable[["Batch", Any, str], Outcome]  # (batch, message, ack topic) -> outcome
_PENDING = Outcome()  # a check-in whose verdict comes when the batch's check-ins are stored


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
        self.clock = ClockRepair()
        self._event_handlers: dict[type[Message], EventHandler] = {CheckIn: self._checkin}
        self._fault = _fault_point(os.environ.get(FAULT_ENV, ""))
        self._checkin_batches = 0

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
                outcomes = self._handle_or_isolate(db, batch)
                break
            except sqlite3.OperationalError as exc:  # disk full, I/O error, locked: the batch waits
                log.error("could not commit %d message(s), retrying: %s", len(batch), exc)
                if stop.wait(1.0):
                    return  # not settled: the broker delivers them again after restart
        self._maybe_fail("after_commit", len(batch))
        for outcome in outcomes:
            if outcome.ack is not None:
                self._publish(outcome.ack_topic, encode(outcome.ack))
        for delivery in batch:
            self._settle(delivery)

    def _handle_or_isolate(self, db: sqlite_utils.Database, batch: list[Delivery]) -> list[Outcome]:
        """Handle a batch; if a message trips a bug, handle the others alone and keep that one aside.

        The ingest must outlive its own mistakes: a message that makes the code fail becomes a
        dead letter ("internal_error", answered "refused" so the unit stops resending it) and can be
        replayed from there once the bug is fixed; the rest of the batch is stored as usual.
        """
        try:
            return self.handle_batch(db, batch)
        except sqlite3.OperationalError:
            raise
        except Exception:
            log.exception("a batch of %d message(s) failed; handling them one by one", len(batch))
        outcomes = []
        for delivery in batch:
            try:
                outcomes += self.handle_batch(db, [delivery])
            except sqlite3.OperationalError:
                raise
            except Exception as exc:
                log.exception("message on %.80s could not be handled; kept as a dead letter", delivery.topic)
                with write_transaction(db):
                    outcomes.append(
                        Batch(db, now_utc_iso()).dead(
                            delivery, "internal_error", repr(exc)[:500], _ack_topic(delivery.topic)
                        )
                    )
        return outcomes

    def on_event(self, message_type: type[Message], handler: EventHandler) -> None:
        """Handle another message type on the event topic (e.g. the card read that links a card).

        The handler runs inside the batch's transaction and gets only messages that passed the
        contract and came from an active unit of the location in the topic; what must wait for
        the commit (publishing) it appends to ``batch.after_commit``.
        """
        self._event_handlers[message_type] = handler

    def handle_batch(self, db: sqlite_utils.Database, batch: list[Delivery]) -> list[Outcome]:
        """Store a batch in one transaction; returns per delivery what to answer. Commits."""
        context = Batch(db, now_utc_iso())
        self.clock.begin()
        try:
            with write_transaction(db):
                outcomes = [self._handle(context, d) for d in batch]
                stored = iter(self._store_checkins(context))
                outcomes = [next(stored) if o is _PENDING else o for o in outcomes]
                units.record_seen(db, context.seen, context.received_at)
                if context.checkins:
                    self._checkin_batches += 1
                self._maybe_fail("before_commit", len(batch))
        except BaseException:
            self.clock.begin()  # forget what the rolled-back batch taught
            raise
        self.clock.committed()
        for task in context.after_commit:
            try:
                task()
            except Exception:
                log.exception("a task after the commit failed; the batch is stored")
        self.batches += 1
        self.stored += sum(
            1 for o in outcomes if o.ack and o.ack.verdict in (Verdict.STORED, Verdict.UNKNOWN_CARD)
        )
        return outcomes

    def _maybe_fail(self, point: str, size: int) -> None:
        if self._fault == (point, self._checkin_batches):
            log.warning(
                "fault injection: SIGKILL %s, batch %d of %d message(s)", point, self._checkin_batches, size
            )
            os.kill(os.getpid(), signal.SIGKILL)

    def _handle(self, batch: Batch, d: Delivery) -> Outcome:
        try:
            topic = Topic.parse(d.topic)
        except ValueError as exc:
            return batch.dead(d, "wrong_topic", str(exc))
        if topic.kind is TopicKind.EVENT:
            return self._event(batch, d, topic)
        if topic.kind is TopicKind.STATUS:
            return self._status(batch, d, topic)
        return batch.dead(d, "wrong_topic", f"the hub does not take {topic.kind} messages")

    def _event(self, batch: Batch, d: Delivery, topic: Topic) -> Outcome:
        ack_topic = str(Topic(topic.location, topic.unit, TopicKind.ACK))
        try:
            message = decode(d.payload)
        except ContractError as exc:
            return batch.dead(d, exc.reason, exc.detail, ack_topic)
        handler = self._event_handlers.get(type(message))
        if handler is None:
            return batch.dead(
                d, "unexpected_type", f"{message.TYPE} is not handled on the event topic", ack_topic
            )
        if (message.unit, message.location) != (topic.unit, topic.location):
            return batch.dead(
                d,
                "topic_mismatch",
                f"{message.TYPE} of {message.unit}@{message.location} on {d.topic}",
                ack_topic,
            )
        refused = units.refusal(batch.unit(message.unit), message.location)
        if refused:
            return batch.dead(d, refused, f"unit {message.unit} for location {message.location}", ack_topic)
        batch.seen.add(message.unit)
        late = isinstance(message, CheckIn) and self.clock.refusal(batch.db, message, batch.received_at)
        if late:  # a time the hub cannot accept: kept with the reason for a person
            return batch.dead(d, late.reason, late.detail, ack_topic)
        return handler(batch, message, ack_topic)

    def _checkin(self, batch: Batch, event: CheckIn, ack_topic: str) -> Outcome:
        batch.checkins.append((event, ack_topic))
        return _PENDING  # stored with the batch's other check-ins in one go

    def _store_checkins(self, batch: Batch) -> list[Outcome]:
        """Store the batch's check-ins (cards looked up in one query, one insert); their outcomes in order."""
        if not batch.checkins:
            return []
        owners = cards.card_owners(batch.db, {event.code for event, _ in batch.checkins})
        records = []
        for event, _ in batch.checkins:
            owner = owners.get(event.code)
            occurred_at, retimed_by = self.clock.timing(batch.db, event)
            records.append(NewCheckIn(event, owner[0] if owner else None, occurred_at, retimed_by))
        outcomes = []
        for (event, ack_topic), new in zip(
            batch.checkins, record_checkins(batch.db, records, batch.received_at), strict=True
        ):
            if new:
                self.clock.stored(batch.db, event)
            owner = owners.get(event.code)
            verdict = Verdict.DUPLICATE if not new else Verdict.STORED if owner else Verdict.UNKNOWN_CARD
            outcomes.append(
                Outcome(ack_topic, Ack(id=event.id, verdict=verdict, child=owner[1] if owner else None))
            )
        return outcomes

    def _status(self, batch: Batch, d: Delivery, topic: Topic) -> Outcome:
        try:
            status = decode(d.payload, Status)
        except ContractError as exc:
            return batch.dead(d, exc.reason, exc.detail)
        refused = units.refusal(batch.unit(status.unit), status.location)
        if (status.unit, status.location) != (topic.unit, topic.location) or refused:
            return batch.dead(d, refused or "topic_mismatch", f"status of {status.unit}@{status.location}")
        units.record_status(batch.db, status, batch.received_at)
        return Outcome()


class Batch:
    """One batch in its transaction: the database, the hub time it arrived, and look-ups made once.

    Units are looked up once per batch (a unit revoked between two batches is refused from the
    next batch on); the units heard from are marked seen when the batch ends.
    """

    def __init__(self, db: sqlite_utils.Database, received_at: str) -> None:
        self.db = db
        self.received_at = received_at
        self.seen: set[str] = set()
        self.checkins: list[tuple[CheckIn, str]] = []  # (event, ack topic), stored at the end
        self.after_commit: list[Callable[[], None]] = []  # e.g. republish configs after a card link
        self._units: dict[str, units.Unit | None] = {}

    def unit(self, unit_id: str) -> units.Unit | None:
        if unit_id not in self._units:
            self._units[unit_id] = units.registered_unit(self.db, unit_id)
        return self._units[unit_id]

    def dead(self, d: Delivery, reason: str, detail: str = "", ack_topic: str | None = None) -> Outcome:
        """Keep a message the hub cannot take, with the reason; answer "refused" when it has an event id."""
        payload = d.payload
        if len(payload) > _KEEP_PAYLOAD_BYTES:
            detail = f"{detail} (kept {_KEEP_PAYLOAD_BYTES} of {len(payload)} bytes)".strip()
            payload = payload[:_KEEP_PAYLOAD_BYTES]
        deadletters.record(self.db, d.topic, payload, reason, detail, self.received_at)
        log.warning("dead letter on %.80s: %s %s", d.topic, reason, detail[:120])
        event_id = _salvage_event_id(d.payload) if ack_topic else None
        if event_id is None:
            return Outcome(dead=True)
        return Outcome(ack_topic, Ack(id=event_id, verdict=Verdict.REFUSED, reason=reason), dead=True)


def _fault_point(spec: str) -> tuple[str, int] | None:
    """("before_commit" | "after_commit", N) from the fault environment variable; None when unset."""
    if not spec:
        return None
    point, _, batch = spec.partition(":")
    if point not in ("before_commit", "after_commit") or not batch.isdigit():
        raise ValueError(f"{FAULT_ENV}={spec!r}: expected before_commit:N or after_commit:N")
    log.warning("fault injection armed: SIGKILL %s of batch %s", point, batch)
    return point, int(batch)


def _ack_topic(event_topic: str) -> str | None:
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
