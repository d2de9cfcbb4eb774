"""MQTT topic layout, per location and per unit.

    aanwezig/v1/loc/{location}/unit/{unit}/event    unit -> hub    check-ins and card reads, QoS 1
    aanwezig/v1/loc/{location}/unit/{unit}/ack      hub  -> unit   verdict after commit, QoS 0 (lost: resent)
    aanwezig/v1/loc/{location}/unit/{unit}/status   unit -> all    retained, last will = offline
    aanwezig/v1/loc/{location}/unit/{unit}/config   hub  -> unit   retained: roster and settings
    aanwezig/v1/loc/{location}/unit/{unit}/command  hub  -> unit   one-off requests (link a card), QoS 1;
                                                                   retained: the software update to run
    aanwezig/v1/loc/{location}/unit/{unit}/presence hub  -> unit   retained: the children present today

Location and unit ids are restricted to letters, digits, ``-`` and ``_`` so that they can never
smuggle a ``/``, ``+`` or ``#`` into a topic or an ACL line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

ROOT = "aanwezig/v1"
ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$"
_ID = re.compile(ID_PATTERN)


class TopicKind(StrEnum):
    EVENT = "event"
    ACK = "ack"
    STATUS = "status"
    CONFIG = "config"
    COMMAND = "command"
    PRESENCE = "presence"


def is_valid_id(value: object) -> bool:
    """True for a location or unit id that is safe inside a topic."""
    return isinstance(value, str) and _ID.fullmatch(value) is not None


@dataclass(frozen=True)
class Topic:
    """One concrete topic: which location, which unit, which kind of message."""

    location: str
    unit: str
    kind: TopicKind

    def __post_init__(self) -> None:
        if not (is_valid_id(self.location) and is_valid_id(self.unit)):
            raise ValueError(f"invalid location or unit id: {self.location!r}, {self.unit!r}")

    def __str__(self) -> str:
        return f"{ROOT}/loc/{self.location}/unit/{self.unit}/{self.kind}"

    @classmethod
    def parse(cls, topic: str) -> Topic:
        """Parse a concrete topic; raises ValueError when it is not one of ours."""
        parts = topic.split("/")
        if len(parts) != 7 or "/".join(parts[:2]) != ROOT or parts[2] != "loc" or parts[4] != "unit":
            raise ValueError(f"not an aanwezig topic: {topic!r}")
        try:
            kind = TopicKind(parts[6])
        except ValueError:
            raise ValueError(f"unknown topic kind: {topic!r}") from None
        return cls(parts[3], parts[5], kind)

    @staticmethod
    def all_units(kind: TopicKind) -> str:
        """Subscription filter for one kind of message from every unit of every location."""
        return f"{ROOT}/loc/+/unit/+/{kind}"
