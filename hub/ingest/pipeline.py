"""MQTT ingest: validate each message, store each event once, commit, then ack.

Messages arrive on paho's thread and wait in a :class:`~hub.ingest.intake.DeliveryQueue`; one
writer thread takes whatever has queued up (one message when traffic is light, hundreds under
load), handles them in one :class:`~hub.ingest.transaction.Transaction`, commits, and only then
publishes the acks to the units and settles the deliveries with the broker.

Where each part lives: routing by topic and type, and the admission of check-ins, in
:mod:`hub.ingest.dispatch` and :mod:`hub.ingest.admission`; storing check-ins (clock repair
included) in :mod:`hub.ingest.checkins`; junk in :mod:`hub.ingest.deadletters` (bounded, rolled up,
pruned); refused well-formed check-ins, kept whole for a person, in :mod:`hub.ingest.refused`; the
fault suite's kill switch in :mod:`hub.ingest.faults`.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import sqlite_utils

from hub.attendance.clock_queries import ClockRepair
from hub.core.db import connect, write_transaction
from hub.core.localtime import now_utc_iso, utc_iso
from hub.ingest import deadletters, refused
from hub.ingest.checkins import store_checkins
from hub.ingest.collections import PENDING_COLLECTION, store_collections
from hub.ingest.dispatch import Dispatch, EventHandler
from hub.ingest.faults import FAULT_ENV, FaultHook
from hub.ingest.intake import DeliveryQueue
from hub.ingest.link import Delivery
from hub.ingest.outcome import PENDING, Outcome
from hub.ingest.transaction import Transaction, ack_topic_of
from hub.units import registry as units
from wire import CheckIn, Topic, TopicKind, Verdict, decode, encode
from wire.contract import Message

__all__ = ["FAULT_ENV", "SUBSCRIPTIONS", "Batch", "EventHandler", "Ingest", "Outcome", "Transaction"]

log = logging.getLogger(__name__)

SUBSCRIPTIONS = [Topic.all_units(TopicKind.EVENT), Topic.all_units(TopicKind.STATUS)]
Batch = Transaction  # the name handlers knew it by
PRUNE_EVERY_S = 3600.0


class Ingest:
    def __init__(
        self,
        database: str | Path,
        publish: Callable[[str, bytes], bool],
        settle: Callable[[Delivery], None],
        max_batch: int = 1000,
        dead_letter_days: int = 30,
        refused_per_unit_day: int = refused.DEFAULT_PER_UNIT_DAY,
        worker: int | None = None,
    ) -> None:
        """``worker``: the index of this ingest worker when the hub runs several (its check-ins
        are counted under ``ingest-<index>`` in ``ingest_workers``); None for the hub's own ingest."""
        self._database = database
        self.worker = worker
        self._publish = publish
        self._settle = settle
        self._max_batch = max_batch
        self._dead_letter_days = dead_letter_days
        self._refused_per_unit_day = refused_per_unit_day
        self._queue = DeliveryQueue()
        # a check-in's time the hub cannot accept (ahead of its clock, too old, a closed month) is refused
        self._dispatch = Dispatch(
            time_refusal=lambda tx, event: self.clock.refusal(tx.db, event, tx.received_at)
        )
        self._fault = FaultHook(worker=worker)
        # the writer thread and direct callers (the browser scanner's HTTP post) take turns: one
        # transaction at a time, one clock repair state
        self._turn = threading.Lock()
        self.stored = 0
        self.batches = 0
        # called after each commit (e.g. the notifier's wake-up); must be quick and never raise
        self.on_committed: list[Callable[[], None]] = []
        self.clock = ClockRepair()

    def submit(self, delivery: Delivery) -> None:
        """Called on the MQTT thread for every message."""
        self._queue.put(delivery)

    def run(self, stop: threading.Event) -> None:
        db = connect(self._database)
        pruned_at = None
        try:
            while not stop.is_set():
                if pruned_at is None or time.monotonic() - pruned_at > PRUNE_EVERY_S:
                    self.prune(db)
                    pruned_at = time.monotonic()
                deliveries = self._queue.take(self._max_batch)
                if deliveries:
                    self._process(db, deliveries, stop)
        finally:
            db.close()

    def prune(self, db: sqlite_utils.Database) -> int:
        """Forget dead letters not seen for ``dead_letter_days``; refused check-ins wait for a person."""
        cutoff = utc_iso(datetime.now(UTC) - timedelta(days=self._dead_letter_days))
        try:
            with write_transaction(db):
                gone = deadletters.prune(db, cutoff)
        except sqlite3.OperationalError as exc:
            log.warning("dead letters not pruned now: %s", exc)
            return 0
        if gone:
            log.info("pruned %d dead-letter roll-up(s) not seen since %s", gone, cutoff)
        return gone

    def on_event(self, message_type: type[Message], handler: EventHandler) -> None:
        """Handle another message type on the event topic (e.g. the card read that links a card).

        The handler runs inside the transaction and gets only messages that passed the contract and
        came from an active unit of the location in the topic; what must wait for the commit
        (publishing) it appends to ``transaction.after_commit``.
        """
        self._dispatch.event_handlers[message_type] = handler

    def _process(self, db: sqlite_utils.Database, deliveries: list[Delivery], stop: threading.Event) -> None:
        while True:
            try:
                with self._turn:
                    outcomes = self._handle_or_isolate(db, deliveries)
                break
            except sqlite3.OperationalError as exc:  # disk full, I/O error, locked: they wait
                log.error("could not commit %d message(s), retrying: %s", len(deliveries), exc)
                if stop.wait(1.0):
                    return  # not settled: the broker delivers them again after restart
        self._fault.reached("after_commit", len(deliveries))
        self._committed()
        for outcome in outcomes:
            if outcome.ack is not None:
                self._publish(outcome.ack_topic, encode(outcome.ack))
        for delivery in deliveries:
            self._settle(delivery)

    def handle_direct(self, db: sqlite_utils.Database, delivery: Delivery) -> Outcome:
        """Handle one check-in that came another way than MQTT (a browser scanner's HTTP post).

        The same dispatch, admission, transaction and fault hook as a unit's message, on the
        caller's connection; the caller answers the outcome's ack itself, after this commit. A
        database that cannot commit now raises ``sqlite3.OperationalError``: the caller answers no
        verdict and the device sends again.
        """
        with self._turn:
            (outcome,) = self._handle_or_isolate(db, [delivery])
            self._fault.reached("after_commit", 1)
        self._committed()
        return outcome

    def _committed(self) -> None:
        for hook in self.on_committed:
            hook()

    def _handle_or_isolate(self, db: sqlite_utils.Database, deliveries: list[Delivery]) -> list[Outcome]:
        """Handle deliveries together; if one trips a bug, handle the others alone and keep that one aside.

        The ingest must outlive its own mistakes: a message that makes the code fail is kept
        (a check-in whole among the refused, answered "refused" and kept; anything else as junk) and
        can be replayed once the bug is fixed; the rest is stored as usual.
        """
        try:
            return self.handle_batch(db, deliveries)
        except sqlite3.OperationalError:
            raise
        except Exception:
            log.exception("%d message(s) failed together; handling them one by one", len(deliveries))
        outcomes = []
        for delivery in deliveries:
            try:
                outcomes += self.handle_batch(db, [delivery])
            except sqlite3.OperationalError:
                raise
            except Exception as exc:
                log.exception("message on %.80s could not be handled; kept aside", delivery.topic)
                with write_transaction(db):
                    outcomes.append(self._keep_aside(db, delivery, repr(exc)[:500]))
        return outcomes

    def _keep_aside(self, db: sqlite_utils.Database, d: Delivery, detail: str) -> Outcome:
        tx = Transaction(db, now_utc_iso(), self._refused_per_unit_day)
        try:
            event, topic = decode(d.payload, CheckIn), Topic.parse(d.topic)
        except ValueError:  # ContractError too: not a check-in, so junk
            return tx.dead(d, "internal_error", detail, ack_topic_of(d.topic))
        return tx.refuse(d, event, topic, "internal_error", detail)

    def handle_batch(self, db: sqlite_utils.Database, deliveries: list[Delivery]) -> list[Outcome]:
        """Handle deliveries in one transaction; returns per delivery what to answer. Commits."""
        tx = Transaction(db, now_utc_iso(), self._refused_per_unit_day)
        self.clock.begin()
        try:
            with write_transaction(db):
                outcomes = [self._dispatch(tx, d) for d in deliveries]
                checkins = iter(store_checkins(tx, self.clock))
                outcomes = [next(checkins) if o is PENDING else o for o in outcomes]
                collections = iter(store_collections(tx))
                outcomes = [next(collections) if o is PENDING_COLLECTION else o for o in outcomes]
                units.record_seen(db, tx.seen, tx.received_at)
                stored = sum(
                    1 for o in outcomes if o.ack and o.ack.verdict in (Verdict.STORED, Verdict.UNKNOWN_CARD)
                )
                if self.worker is not None:
                    _count_for_worker(db, f"ingest-{self.worker}", stored, tx.received_at)
                if tx.checkins:
                    self._fault.checkin_transactions += 1
                self._fault.reached("before_commit", len(deliveries))
        except BaseException:
            self.clock.begin()  # forget what the rolled-back transaction taught
            raise
        self.clock.committed()
        for task in tx.after_commit:
            try:
                task()
            except Exception:
                log.exception("a task after the commit failed; the transaction is stored")
        self.batches += 1
        self.stored += stored
        return outcomes


def _count_for_worker(db: sqlite_utils.Database, name: str, stored: int, at: str) -> None:
    """What this worker stored, in the transaction that stored it (plain SQL, any database)."""
    db.execute(
        """
        INSERT INTO ingest_workers (name, stored, batches, last_batch_at) VALUES (?, ?, 1, ?)
        ON CONFLICT (name) DO UPDATE SET
            stored = ingest_workers.stored + excluded.stored,
            batches = ingest_workers.batches + 1,
            last_batch_at = excluded.last_batch_at
        """,
        (name, stored, at),
    )
