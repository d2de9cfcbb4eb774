"""Which children are present today, as this unit knows it: the hub's view plus its own scans.

The hub publishes the presence of the location's children on the unit's own topic with a
sequence number from its database (:class:`wire.Presence`); the unit keeps the highest one it has
seen and ignores older ones. Its own scans count on top of it until the hub has caught up with
them, so a unit offline still answers "Tot ziens" to a child it let in itself. Another door's
scan that the unit has not heard of may make it choose wrong; the hub re-derives directions
chosen by presence from the child's ordered registrations, so that never becomes an error.

A presence is of one local day: at midnight nobody is present any more.
"""

from __future__ import annotations

import json
import logging
import threading
from dataclasses import dataclass, field
from datetime import date

from wire import Presence

log = logging.getLogger(__name__)

_STATE_KEY = "presence"


@dataclass
class _Own:
    """This unit's own scan of one card: its effect until the hub's presence includes it."""

    day: str
    present: bool
    event_id: str
    acked_at_seq: int | None = None  # the hub's seq when the hub acknowledged the event


@dataclass
class PresenceBook:
    """The hub's last presence and this unit's own scans since; saved in the outbox's state table."""

    store: object | None = None  # the outbox (get_state / set_state), or None in pure tests
    seq: int = -1
    day: str = ""
    present: set[str] = field(default_factory=set)
    own: dict[str, _Own] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._lock = threading.Lock()
        saved = self.store.get_state(_STATE_KEY) if self.store is not None else None
        if saved:
            try:
                body = json.loads(saved)
                self.seq, self.day, self.present = body["seq"], body["day"], set(body["present"])
                self.own = {code: _Own(**own) for code, own in body["own"].items()}
            except (ValueError, KeyError, TypeError) as exc:
                log.warning("ignoring the saved presence: %s", exc)

    @property
    def known(self) -> bool:
        """Whether the hub ever told this unit a presence (a hub of before presence never does)."""
        return self.seq >= 0

    def is_present(self, code: str, today: date) -> bool:
        with self._lock:
            day = today.isoformat()
            own = self.own.get(code)
            if own is not None and own.day == day:
                return own.present
            return self.day == day and code in self.present

    def present_codes(self, today: date) -> list[str]:
        """The cards present today as this unit knows it: the hub's last presence with its own scans
        on top (the evacuation list of the staff menu, also while the hub cannot be reached)."""
        with self._lock:
            day = today.isoformat()
            codes = set(self.present) if self.day == day else set()
            for code, own in self.own.items():
                if own.day == day:
                    (codes.add if own.present else codes.discard)(code)
            return sorted(codes)

    def scanned(self, code: str, today: date, present: bool, event_id: str) -> None:
        """This unit registered ``code`` as arrived (``present``) or left."""
        with self._lock:
            self.own[code] = _Own(today.isoformat(), present, event_id)
            self._save()

    def acknowledged(self, event_id: str) -> None:
        """The hub stored one of our events: the next presence from the hub includes it."""
        with self._lock:
            for own in self.own.values():
                if own.event_id == event_id and own.acked_at_seq is None:
                    own.acked_at_seq = self.seq
            self._save()

    def update(self, presence: Presence) -> bool:
        """Take the hub's presence unless it is older than the one we have; True when taken."""
        with self._lock:
            if presence.seq < self.seq or (presence.seq == self.seq and presence.day == self.day):
                return False
            self.seq, self.day, self.present = presence.seq, presence.day, set(presence.present)
            # our own scans count until a presence newer than their acknowledgement came
            self.own = {
                code: own
                for code, own in self.own.items()
                if own.day == presence.day and (own.acked_at_seq is None or own.acked_at_seq >= presence.seq)
            }
            self._save()
            return True

    def _save(self) -> None:
        if self.store is None:
            return
        body = {
            "seq": self.seq,
            "day": self.day,
            "present": sorted(self.present),
            "own": {code: own.__dict__ for code, own in self.own.items()},
        }
        try:
            self.store.set_state(_STATE_KEY, json.dumps(body))
        except Exception as exc:  # a full disk: the presence in memory still works
            log.warning("presence not saved: %s", exc)
