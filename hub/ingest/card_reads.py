"""The ingest's handler for a unit's ``card_read`` answer ("scan aan de deur").

The rule (is the request still open, is the card free) is :func:`hub.cards.links.answer`; this
module only plugs it into the ingest's dispatch, so cards need not know the ingest.
"""

from __future__ import annotations

from collections.abc import Callable

from hub.cards.links import answer
from hub.core.localtime import parse_utc
from hub.ingest.pipeline import Batch, EventHandler, Outcome
from wire import CardRead


def card_read_handler(on_linked: Callable[[str], None]) -> EventHandler:
    """The handler for card_read messages; ``on_linked(location_id)`` runs after the commit."""

    def handle(batch: Batch, read: CardRead, _ack_topic: str) -> Outcome:
        request = answer(batch.db, read, parse_utc(batch.received_at))
        if request is not None and request.state == "linked":
            batch.after_commit.append(lambda: on_linked(request.location_id))
        return Outcome()

    return handle
