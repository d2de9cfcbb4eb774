"""Storing a transaction's check-ins together: cards looked up in one query, one insert, times repaired.

A check-in is stored under the unit that made it (the one it names), also when a successor
delivered it; its verdict goes to the unit that delivered it.
"""

from __future__ import annotations

from hub.attendance.clock_queries import ClockRepair
from hub.attendance.events import NewCheckIn, record_checkins
from hub.cards import codes as cards
from hub.children import queries as children
from hub.core.localtime import local
from hub.ingest.outcome import Outcome
from hub.ingest.transaction import Transaction
from wire import NOT_ENROLLED, Ack, Verdict


def store_checkins(tx: Transaction, clock: ClockRepair) -> list[Outcome]:
    """Store the transaction's check-ins; their outcomes in order."""
    if not tx.checkins:
        return []
    owners = cards.card_owners(tx.db, {event.code for event, _ in tx.checkins})
    last_days = children.last_days(tx.db, {owner[0] for owner in owners.values()})
    records = []
    gone: set[str] = set()  # event ids of cards whose child's last day here has passed
    for event, _ in tx.checkins:
        owner = owners.get(event.code)
        occurred_at, retimed_by = clock.timing(tx.db, event)
        if owner and _left(last_days.get((owner[0], event.location)), occurred_at):
            gone.add(event.id)  # kept as a scan of the location, not as the child's attendance
        child_id = owner[0] if owner and event.id not in gone else None
        records.append(NewCheckIn(event, child_id, occurred_at, retimed_by))
    outcomes = []
    for (event, ack_topic), new in zip(
        tx.checkins, record_checkins(tx.db, records, tx.received_at), strict=True
    ):
        if new:
            clock.stored(tx.db, event)
        owner = owners.get(event.code)
        if event.id in gone:
            verdict = Verdict.DUPLICATE if not new else Verdict.UNKNOWN_CARD
            ack = Ack(id=event.id, verdict=verdict, child=owner[1] if owner else None, reason=NOT_ENROLLED)
            outcomes.append(Outcome(ack_topic, ack))
            continue
        verdict = Verdict.DUPLICATE if not new else Verdict.STORED if owner else Verdict.UNKNOWN_CARD
        ack = Ack(id=event.id, verdict=verdict, child=owner[1] if owner else None)
        outcomes.append(Outcome(ack_topic, ack))
    return outcomes


def _left(last_day: str | None, occurred_at: str) -> bool:
    """Whether a check-in falls after the child's last day of childcare at the location (local days)."""
    return last_day is not None and local(occurred_at).date().isoformat() > last_day
