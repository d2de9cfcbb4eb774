"""Drains the outbox to the hub; the delivery guarantee's second half.

Publishes pending events oldest first (QoS 1), at most ``window`` unacknowledged at a time,
and publishes an event again when its ack has not come within ``ack_timeout_s`` or the
connection was lost meanwhile. An event leaves the outbox only on a verdict that says the hub
stored it or kept it (:func:`hub_has_it`), sent after the hub's commit; the broker's PUBACK alone
counts for nothing. Duplicates that this may cause are harmless: the hub stores each event id once
and acks it again.

A "refused" verdict without ``kept`` (the hub took the message for junk, so it did not keep it)
leaves the event in the outbox, held back for ``hold_s`` before it is offered again: nothing is
lost, and the unit does not loop. Units before this version deleted an event on any "refused";
the hub therefore sends "refused" for a well-formed check-in only after keeping it.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from device.link import UnitLink
from device.outbox import Outbox, OutboxFull
from wire import Ack, Verdict

log = logging.getLogger(__name__)

HOLD_S = 3600.0  # an event the hub refused without keeping it is offered again after this long


def hub_has_it(ack: Ack) -> bool:
    """Whether the verdict says the hub stored the event or kept it for a person: only then may it go."""
    if ack.verdict is Verdict.REFUSED:
        return bool(ack.kept)
    return True  # stored, duplicate, unknown_card: committed at the hub


class Publisher:
    def __init__(
        self,
        outbox: Outbox,
        link: UnitLink,
        window: int = 100,
        ack_timeout_s: float = 5.0,
        on_ack: Callable[[Ack], None] | None = None,
        monotonic: Callable[[], float] = time.monotonic,
        hold_s: float = HOLD_S,
    ) -> None:
        self.outbox = outbox
        self.link = link
        self.window = window
        self.ack_timeout_s = ack_timeout_s
        self._on_ack = on_ack
        self._monotonic = monotonic  # a test's clock decides when an ack is overdue
        self._sent: dict[str, float] = {}  # event id -> monotonic time of last publish
        self._held: dict[str, float] = {}  # event id -> monotonic time before which it is not offered
        self.hold_s = hold_s
        self._wake = threading.Event()
        self._lock = threading.Lock()

    def wake(self) -> None:
        """Something changed (new event, ack, reconnect): look at the outbox now."""
        self._wake.set()

    def connection_restored(self) -> None:
        with self._lock:
            self._sent.clear()  # whatever was in flight on the old connection goes again
        self.wake()

    def acknowledged(self, ack: Ack) -> None:
        if not hub_has_it(ack):
            log.warning("hub refused event %s without keeping it (%s); holding it", ack.id, ack.reason)
            with self._lock:
                self._held[ack.id] = self._monotonic() + self.hold_s
            self.wake()
            return
        try:
            removed = self.outbox.remove(ack.id)
        except OutboxFull as exc:  # the disk is full: the event goes again after the ack time-out
            log.warning("event %s stays in the outbox: %s", ack.id, exc)
            return
        with self._lock:
            self._sent.pop(ack.id, None)
            self._held.pop(ack.id, None)
        if removed and self._on_ack:
            self._on_ack(ack)
        self.wake()

    def run(self, stop: threading.Event) -> None:
        while not stop.is_set():
            self._wake.wait(timeout=min(0.5, self.ack_timeout_s))
            self._wake.clear()
            if self.link.connected:
                self.pump()

    def pump(self) -> int:
        """Publish what is due now; returns the number of messages published."""
        now = self._monotonic()
        with self._lock:
            for released in [i for i, until in self._held.items() if until <= now]:
                del self._held[released]
            held = set(self._held)
        # held events take no place in the window: look past them
        pending = [p for p in self.outbox.pending(self.window + len(held)) if p.id not in held][: self.window]
        published = 0
        with self._lock:
            live = {p.id for p in pending}
            for stale in [i for i in self._sent if i not in live]:
                del self._sent[stale]
            for item in pending:
                sent_at = self._sent.get(item.id)
                if sent_at is not None and now - sent_at < self.ack_timeout_s:
                    continue
                if not self.link.publish_event(item.payload):
                    break  # connection gone; everything goes again on reconnect
                if sent_at is not None:
                    log.info("no ack for event %s (seq %d) yet, publishing again", item.id, item.seq)
                self._sent[item.id] = now
                published += 1
        return published
