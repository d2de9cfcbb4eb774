"""Collector cards at the door: the pairing rule, without I/O.

A contact's own card ("ophaalkaart", in the config's ``collectors``) opens a short window; a
child's card within it is a departure "opgehaald door" that person, whatever the child's presence
says (sent with ``direction_by: "collector"``). The unit answers a child the config does not list
for that person red at once ("niet toegestaan"), also offline; the hub judges again when it stores
the departure. Another collector card replaces the open window; a child's card or the window's end
closes it. Only the order collector card, then child's card, pairs: a child's card scanned first is
a check-in at once (the event is on disk before the signal), so a collector card after it cannot
turn it into something else without a second event for the same leaving.
"""

from __future__ import annotations

from dataclasses import dataclass

DEFAULT_WINDOW_S = 20.0


@dataclass(frozen=True)
class Collector:
    """An open window: who scanned their collector card, and until when (monotonic seconds)."""

    code: str
    name: str
    children: frozenset[str]  # the card codes of the children this person may collect
    until: float


@dataclass(frozen=True)
class Pairing:
    """A child's card within a collector's window: who collects, and whether the unit allows it."""

    collector: Collector
    allowed: bool


class CollectorWindow:
    """The open collector window of one unit (at most one: the last collector card scanned)."""

    def __init__(self, window_s: float = DEFAULT_WINDOW_S) -> None:
        self.window_s = window_s
        self._open: Collector | None = None

    def collector_scanned(self, code: str, name: str, children: frozenset[str], now: float) -> Collector:
        """A collector card: opens (or re-opens) the window for that person."""
        self._open = Collector(code, name, children, now + self.window_s)
        return self._open

    def child_scanned(self, code: str, now: float) -> Pairing | None:
        """A child's card: the pairing when a collector's window is open (and closes it), else None."""
        open_, self._open = self._open, None
        if open_ is None or now > open_.until:
            return None
        return Pairing(open_, code in open_.children)

    def pending(self, now: float) -> Collector | None:
        """The collector whose window is open now, if any."""
        return self._open if self._open is not None and now <= self._open.until else None


def children_of(field: str | None) -> frozenset[str]:
    """The space-separated card codes of ``collector_children`` as a set."""
    return frozenset((field or "").split())
