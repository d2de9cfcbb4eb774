"""Storing a transaction's check-ins together: cards looked up in one query, one insert, times repaired.

A check-in is stored under the unit that made it (the one it names), also when a successor
delivered it; its verdict goes to the unit that delivered it.
"""

from __future__ import annotations

from hub.attendance import pickups, presence
from hub.attendance.clock_queries import ClockRepair
from hub.attendance.events import NewCheckIn, record_checkins
from hub.cards import codes as cards
from hub.cards import collectors
from hub.children import queries as children
from hub.core.localtime import local
from hub.ingest.outcome import Outcome
from hub.ingest.transaction import Transaction
from hub.staff import presence as staff_presence
from wire import NOT_ENROLLED, Ack, CheckIn, DirectionBy, Verdict


def store_checkins(tx: Transaction, clock: ClockRepair) -> list[Outcome]:
    """Store the transaction's check-ins; their outcomes in order.

    A staff card's scan is staff in/out (:mod:`hub.staff.presence`), never a child's check-in: it
    is stored apart and answered ``stored`` with the person's name, which any unit version shows.
    """
    if not tx.checkins:
        return []
    staff_cards = staff_presence.staff_owners(tx.db, {event.code for event, _ in tx.checkins})
    if staff_cards:
        staff_outcomes = _store_staff(tx, clock, staff_cards)
        children = [item for item in tx.checkins if item[0].code not in staff_cards]
        child_outcomes = iter(_store_children(tx, clock, children))
        return [
            staff_outcomes[event.id] if event.code in staff_cards else next(child_outcomes)
            for event, _ in tx.checkins
        ]
    return _store_children(tx, clock, tx.checkins)


def _store_children(
    tx: Transaction, clock: ClockRepair, checkins: list[tuple[CheckIn, str]]
) -> list[Outcome]:
    if not checkins:
        return []
    owners = cards.card_owners(tx.db, {event.code for event, _ in checkins})
    last_days = children.last_days(tx.db, {owner[0] for owner in owners.values()})
    records = []
    gone: set[str] = set()  # event ids of cards whose child's last day here has passed
    for event, _ in checkins:
        owner = owners.get(event.code)
        occurred_at, retimed_by = clock.timing(tx.db, event)
        if owner and _left(last_days.get((owner[0], event.location)), occurred_at):
            gone.add(event.id)  # kept as a scan of the location, not as the child's attendance
        child_id = owner[0] if owner and event.id not in gone else None
        records.append(NewCheckIn(event, child_id, occurred_at, retimed_by))
    outcomes = []
    for (event, ack_topic), record, new in zip(
        checkins, records, record_checkins(tx.db, records, tx.received_at), strict=True
    ):
        if new:
            clock.stored(tx.db, event)
        owner = owners.get(event.code)
        if new and owner and event.id not in gone and event.direction_by is DirectionBy.COLLECTOR:
            _collected(tx, event, owner[0], record.occurred_at)
        if event.id in gone:
            verdict = Verdict.DUPLICATE if not new else Verdict.UNKNOWN_CARD
            ack = Ack(id=event.id, verdict=verdict, child=owner[1] if owner else None, reason=NOT_ENROLLED)
            outcomes.append(Outcome(ack_topic, ack))
            continue
        verdict = Verdict.DUPLICATE if not new else Verdict.STORED if owner else Verdict.UNKNOWN_CARD
        ack = Ack(id=event.id, verdict=verdict, child=owner[1] if owner else None)
        outcomes.append(Outcome(ack_topic, ack))
    return outcomes


def _store_staff(
    tx: Transaction, clock: ClockRepair, staff_cards: dict[str, tuple[int, str]]
) -> dict[str, Outcome]:
    outcomes = {}
    received_at = tx.received_at
    for event, ack_topic in tx.checkins:
        if event.code not in staff_cards:
            continue
        staff_id, name = staff_cards[event.code]
        occurred_at, _ = clock.timing(tx.db, event)
        new = staff_presence.record_scan(tx.db, event, staff_id, occurred_at, received_at)
        if new:
            presence.bump(tx.db, [(event.location, None)])  # the units hear the person is in (or out)
        verdict = Verdict.STORED if new else Verdict.DUPLICATE
        outcomes[event.id] = Outcome(ack_topic, Ack(id=event.id, verdict=verdict, child=name))
    return outcomes


def _collected(tx: Transaction, event: CheckIn, child_id: int, occurred_at: str | None) -> None:
    """A departure with a collector card the dispatch allowed: who collected, beside the event, and
    "opgehaald door" on the day (not for a time the hub is unsure of: a person places it)."""
    verdict = collectors.judge(tx.db, event.collector or "", child_id)
    collectors.record_departure(
        tx.db, event.id, event.location, child_id, event.collector or "", verdict, tx.received_at
    )
    if occurred_at is not None:
        day = local(occurred_at).date()
        pickups.record_collected(
            tx.db, event.location, child_id, day, verdict.contact_id, verdict.name, tx.received_at
        )


def _left(last_day: str | None, occurred_at: str) -> bool:
    """Whether a check-in falls after the child's last day of childcare at the location (local days)."""
    return last_day is not None and local(occurred_at).date().isoformat() > last_day
