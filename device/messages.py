"""Hub-to-unit messages: one table from message type to handler, like the hub's event dispatch.

Each subscribed topic kind takes the message types registered for it; a payload is checked
against the wire contract once, then goes to its type's handler. A new hub-to-unit message is
one :meth:`Dispatch.on` call (and a wire type); nothing else changes. A message the contract
refuses, or a type the topic does not take, is logged and dropped: a unit cannot dead-letter to
the hub, and a retained bad message must not stop the unit.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from wire import ContractError, TopicKind, decode
from wire.contract import MAX_CONFIG_BYTES, MAX_PAYLOAD_BYTES, Message

log = logging.getLogger(__name__)

Handler = Callable[[Any], None]

# Payload limits per topic kind: the config carries the whole roster, the presence many cards.
LIMITS = {TopicKind.CONFIG: MAX_CONFIG_BYTES, TopicKind.PRESENCE: MAX_CONFIG_BYTES}


class Dispatch:
    """Routes each incoming (topic kind, payload) to the handler of the message's type."""

    def __init__(self) -> None:
        self._handlers: dict[TopicKind, dict[type[Message], Handler]] = {}

    def on(self, kind: TopicKind, message_type: type[Message], handler: Handler) -> None:
        """Handle ``message_type`` arriving on the unit's ``kind`` topic."""
        self._handlers.setdefault(kind, {})[message_type] = handler

    def handles(self, kind: TopicKind) -> dict[type[Message], Handler]:
        return dict(self._handlers.get(kind, {}))

    def __call__(self, kind: TopicKind, payload: bytes) -> bool:
        """Handle one message; False when it was dropped (empty, refused by the contract, not
        a type this topic takes)."""
        if not payload:  # a retained message being cleared
            return False
        handlers = self._handlers.get(kind, {})
        try:
            message = decode(payload, limit=LIMITS.get(kind, MAX_PAYLOAD_BYTES))
            handler = handlers.get(type(message))
            if handler is None:
                expected = ", ".join(t.TYPE for t in handlers) or "nothing"
                raise ContractError("unexpected_type", f"{message.TYPE}, expected {expected}")
            handler(message)
        except ContractError as exc:  # also from a handler that finds a value it cannot use
            log.warning("ignoring a bad %s message from the hub: %s", kind, exc)
            return False
        return True
