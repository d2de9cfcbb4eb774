"""Linking a card at the door: the hub asks (LinkCard), the next card presented answers (CardRead).

While a request is pending, the next card held to the camera or typed on the keypad is not a
check-in: its code goes back to the hub, which links it to the child. A request lapses after
its ``valid_s`` seconds; a newer request replaces an older one.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

from wire import LinkCard


@dataclass(frozen=True)
class PendingLink:
    request: LinkCard
    until: float  # monotonic

    def remaining(self, now: float) -> float:
        return max(0.0, self.until - now)


class LinkRequests:
    def __init__(self) -> None:
        self._pending: PendingLink | None = None
        self._lock = threading.Lock()

    def offer(self, request: LinkCard, now: float) -> PendingLink:
        with self._lock:
            self._pending = PendingLink(request, now + request.valid_s)
            return self._pending

    def pending(self, now: float) -> PendingLink | None:
        with self._lock:
            if self._pending is not None and now >= self._pending.until:
                self._pending = None
            return self._pending

    def take(self, now: float) -> LinkCard | None:
        """The pending request, if any, which the card now presented answers; it is then done."""
        with self._lock:
            pending = self._pending
            self._pending = None
            return pending.request if pending is not None and now < pending.until else None
