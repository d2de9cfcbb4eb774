"""The wire contract between scanner units and the hub.

Standard library only: both the unit (``device``) and the hub import it, and anyone building
another unit can read it (or the JSON Schema generated from it in ``docs/``) as the spec.
"""

from wire.contract import (
    COLLECTOR_NOT_ALLOWED,
    MAX_PAYLOAD_BYTES,
    NOT_ENROLLED,
    PROTOCOL_VERSION,
    Ack,
    CardRead,
    CheckIn,
    Collection,
    ContractError,
    Direction,
    DirectionBy,
    LinkCard,
    Presence,
    Source,
    Status,
    UnitConfig,
    UpdateAction,
    UpdateCommand,
    UpdateOutcome,
    Verdict,
    decode,
    encode,
)
from wire.topics import Topic, TopicKind

__all__ = [
    "COLLECTOR_NOT_ALLOWED",
    "MAX_PAYLOAD_BYTES",
    "NOT_ENROLLED",
    "PROTOCOL_VERSION",
    "Ack",
    "CardRead",
    "CheckIn",
    "Collection",
    "ContractError",
    "Direction",
    "DirectionBy",
    "LinkCard",
    "Presence",
    "Source",
    "Status",
    "Topic",
    "TopicKind",
    "UnitConfig",
    "UpdateAction",
    "UpdateCommand",
    "UpdateOutcome",
    "Verdict",
    "decode",
    "encode",
]
