"""Storing a transaction's check-ins together: cards looked up in one query, one insert, times repaired.

A check-in is stored under the unit that made it (the one it names), also when a successor
delivered it; its verdict goes to the unit that delivered it.
"""

from __future__ import annotations

from hub.attendance.clock_repair import ClockRepair
from hub.attendance.events import NewCheckIn, record_checkins
from hub.cards import codes as cards
from hub.ingest.outcome import Outcome
from hub.ingest.transaction import Transaction
from wire import Ack, Verdict


def store_checkins(tx: Transaction, clock: ClockRepair) -> list[Outcome]:
    """Store the transaction's check-ins; their outcomes in order."""
    if not tx.checkins:
        return []
    owners = cards.card_owners(tx.db, {event.code for event, _ in tx.checkins})
    records = []
    for event, _ in tx.checkins:
        owner = owners.get(event.code)
        occurred_at, retimed_by = clock.timing(tx.db, event)
        records.append(NewCheckIn(event, owner[0] if owner else None, occurred_at, retimed_by))
    outcomes = []
    for (event, ack_topic), new in zip(
        tx.checkins, record_checkins(tx.db, records, tx.received_at), strict=True
    ):
        if new:
            clock.stored(tx.db, event)
        owner = owners.get(event.code)
        verdict = Verdict.DUPLICATE if not new else Verdict.STORED if owner else Verdict.UNKNOWN_CARD
        ack = Ack(id=event.id, verdict=verdict, child=owner[1] if owner else None)
        outcomes.append(Outcome(ack_topic, ack))
    return outcomes
