"""Storing collections: a collector's card scanned just after a child's card (``Collection``).

The child's scan went out as an ordinary check-in (arrival or departure by presence); the
collection names that event. Allowed (the holder of the card is a contact of the child who "mag
ophalen"): the event becomes a collector departure (``collector_departures``: read as a departure
and never re-derived, see :func:`hub.attendance.days.collected_direction`) and the day says
"opgehaald door". Not allowed: kept among the refused check-ins with reason
``collector_not_allowed``, so it shows at once on the location's overview; the detail says when the
child was scanned, for staff to find out who took the child.

Handled after the transaction's check-ins are stored, so a collection delivered in the same batch
as its check-in finds it. A collection whose check-in is not stored yet is recorded all the same
(the event id links them when the check-in comes). Once per collection id.
"""

from __future__ import annotations

from hub.attendance import pickups, presence
from hub.cards import codes, collectors
from hub.core.localtime import fmt_time, local
from hub.ingest.link import Delivery
from hub.ingest.outcome import Outcome
from hub.ingest.transaction import Transaction
from wire import COLLECTOR_NOT_ALLOWED, Ack, Collection, Topic, Verdict

PENDING_COLLECTION = Outcome(ack_topic="")  # told apart by identity: resolved by store_collections


def store_collections(tx: Transaction) -> list[Outcome]:
    """The outcomes of the transaction's collections, in order."""
    return [_store(tx, collection, d, topic) for collection, d, topic in tx.collections]


def _store(tx: Transaction, c: Collection, d: Delivery, topic: Topic) -> Outcome:
    ack_topic = tx.ack_topic(topic)
    db = tx.db
    if db.execute("SELECT 1 FROM collector_departures WHERE collection_id = ?", (c.id,)).fetchone():
        return Outcome(ack_topic, Ack(id=c.id, verdict=Verdict.DUPLICATE))
    if db.execute("SELECT 1 FROM refused_events WHERE event_id = ?", (c.id,)).fetchone():
        return Outcome(
            ack_topic, Ack(id=c.id, verdict=Verdict.REFUSED, reason=COLLECTOR_NOT_ALLOWED, kept=True)
        )
    owner = codes.card_owner(db, c.code)
    if owner is None:  # not a child's card (any more): nothing to collect, nothing to keep
        return Outcome(ack_topic, Ack(id=c.id, verdict=Verdict.UNKNOWN_CARD))
    child_id, first_name = owner
    scanned = _scanned(tx, c.event)
    verdict = collectors.judge(db, c.collector, child_id)
    if not verdict.allowed:
        return tx.refuse(
            d, c, topic, COLLECTOR_NOT_ALLOWED, refusal_detail(verdict.reason, first_name, scanned)
        )
    record(tx, c, child_id, verdict, scanned)
    return Outcome(ack_topic, Ack(id=c.id, verdict=Verdict.STORED, child=first_name))


def record(
    tx: Transaction,
    c: Collection,
    child_id: int,
    verdict: collectors.Judgement,
    scanned: tuple[str | None, str] | None,
) -> None:
    """The collection as a collector departure of its event, and "opgehaald door" on the day."""
    collectors.record_departure(
        tx.db, c.event, c.location, child_id, c.collector, verdict, tx.received_at, collection_id=c.id
    )
    occurred_at = scanned[0] if scanned else c.wall_time
    if occurred_at is not None:  # a time the hub is unsure of: a person places it, and who collected
        pickups.record_collected(
            tx.db,
            c.location,
            child_id,
            local(occurred_at).date(),
            verdict.contact_id,
            verdict.name,
            tx.received_at,
        )
    presence.bump(tx.db, [(c.location, child_id)])  # the units hear the child has left


def _scanned(tx: Transaction, event_id: str) -> tuple[str | None, str] | None:
    """(occurred_at, direction) of the check-in a collection names: None for a time the hub is
    unsure of; the whole answer None when the check-in is not stored (yet)."""
    row = tx.db.execute("SELECT occurred_at, direction FROM events WHERE id = ?", (event_id,)).fetchone()
    if row is None:
        row = tx.db.execute(
            "SELECT NULL, direction FROM uncertain_checkins WHERE id = ?", (event_id,)
        ).fetchone()
    return (row[0], row[1]) if row else None


def refusal_detail(reason: str, first_name: str, scanned: tuple[str | None, str] | None) -> str:
    """For the overview: why, and what staff should check (the child's card was scanned before)."""
    detail = f"{reason} (kind: {first_name})"
    if scanned is None or scanned[0] is None:
        return f"{detail}; het kind was net voordien gescand: nagaan wie het kind meenam"
    at = fmt_time(local(scanned[0]))
    if scanned[1] == "departure":
        return f"{detail}; het kind was al uitgescand om {at}; nagaan wie het kind meenam"
    return f"{detail}; het kind werd om {at} gescand (aankomst); nagaan of het kind nog binnen is"
