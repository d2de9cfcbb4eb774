"""The kinds of answer the unit gives a person at the door."""

from __future__ import annotations

from enum import StrEnum


class Signal(StrEnum):
    OK = "ok"  # registered, the hub is reachable
    SAVED_OFFLINE = "saved_offline"  # registered and on disk; the hub will get it later
    ALREADY = "already"  # same card again within the repeat window: nothing sent
    UNKNOWN = "unknown"  # card not on the roster: stored, staff must look
    REFUSED = "refused"  # not registered: wrong code, outbox full, wrong PIN, ...
    WARNING = "warning"  # a condition staff must act on (outbox filling up)
