"""Collector cards at the door: the pairing rule, without I/O, shared by the unit and the hub.

A contact's own card ("ophaalkaart", in the config's ``collectors``) and a child's card within a
short window, in either order, make a departure "opgehaald door" that person, whatever the child's
presence says. The browser scanner implements the same rule in ``hub/browserscan/static/
collecting.js``; ``tests/support/collecting_cases.json`` is the table of cases both pass.

Collector card first: the window opens; a child's card within it is a departure sent with
``direction_by: "collector"``. The first child's card pairs whoever's it is (a child the person may
not collect is answered red: "niet toegestaan"); the window then stays open for the person's other
listed children (siblings), while an unrelated child's card is an ordinary scan. Another collector
card replaces the window.

Child's card first: its scan already went out as an ordinary event (the event is on disk before the
signal). A collector card within the window after it names that event (a ``Collection`` message):
the hub attaches "opgehaald door", or turns an arrival into a departure. Only children the person is
listed for (may collect, or is a contact who may not) are named, so an unrelated family scanning
just before does not get a collector's departure; a listed child the person may not collect is
refused, in this order too.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

DEFAULT_WINDOW_S = 20.0


@dataclass(frozen=True)
class Collector:
    """An open window: who scanned their collector card, and until when (monotonic seconds)."""

    code: str
    name: str
    children: frozenset[str]  # the card codes of the children this person may collect
    until: float
    refused: frozenset[str] = frozenset()  # card codes of children whose contact may NOT collect them
    paired: bool = False  # a child's card paired already: only listed children pair from now on

    def lists(self, code: str) -> bool:
        return code in self.children or code in self.refused


@dataclass(frozen=True)
class Pairing:
    """A child's card within a collector's window: who collects, and whether the unit allows it."""

    collector: Collector
    allowed: bool


@dataclass(frozen=True)
class ChildScan:
    """An ordinary scan of a child's card (sent as its own event) that a collector card may follow."""

    code: str
    event_id: str
    at: float


@dataclass(frozen=True)
class LateCollection:
    """A collector card just after a child's ordinary scan: the collection names that scan's event."""

    collector: Collector
    scan: ChildScan
    allowed: bool


@dataclass
class CollectorWindow:
    """The collector window of one unit (at most one open: the last collector card scanned) and the
    children's ordinary scans of the last window, for the other order."""

    window_s: float = DEFAULT_WINDOW_S
    _open: Collector | None = None
    _recent: list[ChildScan] = field(default_factory=list)

    def collector_scanned(
        self,
        code: str,
        name: str,
        children: frozenset[str],
        now: float,
        refused: frozenset[str] = frozenset(),
    ) -> list[LateCollection]:
        """A collector card: opens (or re-opens) the window for that person; returns the collections
        of the listed children's ordinary scans within the window before it, oldest first (each
        scan is named once)."""
        self._open = Collector(code, name, frozenset(children), now + self.window_s, frozenset(refused))
        late, kept = [], []
        for scan in self._recent:
            if now - scan.at > self.window_s:
                continue
            if self._open.lists(scan.code):
                late.append(LateCollection(self._open, scan, scan.code in self._open.children))
            else:
                kept.append(scan)
        self._recent = kept
        if late:  # the person's children are being collected: someone else's child scans as usual
            self._open = replace(self._open, paired=True)
            late = [replace(item, collector=self._open) for item in late]
        return late

    def child_scanned(self, code: str, now: float) -> Pairing | None:
        """A child's card: the pairing when a collector's window is open for it, else None (an
        ordinary scan: note it with :meth:`child_recorded`)."""
        open_ = self.pending(now)
        if open_ is None:
            self._open = None
            return None
        if open_.paired and not open_.lists(code):
            return None  # someone else's child after the siblings: an ordinary scan
        self._open = replace(open_, paired=True)
        return Pairing(self._open, code in open_.children)

    def child_recorded(self, code: str, event_id: str, now: float) -> None:
        """An ordinary scan of a child's card went out as ``event_id``: a collector card within the
        window after it may still name it."""
        self._recent = [s for s in self._recent if now - s.at <= self.window_s and s.code != code]
        self._recent.append(ChildScan(code, event_id, now))

    def pending(self, now: float) -> Collector | None:
        """The collector whose window is open now, if any."""
        return self._open if self._open is not None and now <= self._open.until else None


def children_of(field_: str | None) -> frozenset[str]:
    """The space-separated card codes of ``collector_children`` as a set."""
    return frozenset((field_ or "").split())
