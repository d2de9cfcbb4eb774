"""Messages that cross the wire, their validation and their JSON encoding.

Every message is a JSON object with ``v`` (the protocol version) and ``type``. Each message
class declares its fields once, with a description and constraints in the field metadata;
:func:`decode` validates against those declarations and :mod:`wire.schema` turns the same
declarations into the JSON Schema in ``docs/``. Nothing else crosses the wire.
"""

from __future__ import annotations

import dataclasses
import functools
import json
import math
import re
import types
import typing
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any, ClassVar

from wire.topics import ID_PATTERN

PROTOCOL_VERSION = 1
# What the hub decodes: this version and the one before it, because units in the field still run
# the previous release. A newer version only adds optional fields, so an older message still fits.
ACCEPTED_VERSIONS = frozenset(v for v in (PROTOCOL_VERSION - 1, PROTOCOL_VERSION) if v >= 1)
MAX_PAYLOAD_BYTES = 4096  # a unit -> hub message; a check-in is about 350 bytes
MAX_CONFIG_BYTES = 512 * 1024  # hub -> unit config, roster included

EVENT_ID_PATTERN = r"^[0-9A-HJKMNP-TV-Z]{26}$"  # ULID, Crockford base32
CARD_CODE_PATTERN = r"^[0-9]{4,20}$"
BOOT_ID_PATTERN = r"^[0-9a-f-]{8,64}$"
DAY_PATTERN = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"
MAX_INTEGER = 2**63 - 1  # what a database integer holds
MAX_MONOTONIC_S = 1e9  # about 31 years since boot: beyond it a reading is garbage


class ContractError(ValueError):
    """A message that does not follow the contract; ``reason`` is short and machine-readable."""

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason
        self.detail = detail


class Direction(StrEnum):
    ARRIVAL = "arrival"
    DEPARTURE = "departure"


class Source(StrEnum):
    QR = "qr"
    KEYPAD = "keypad"


NOT_ENROLLED = "not_enrolled"  # Ack.reason with UNKNOWN_CARD: the child's last day here has passed


class DirectionBy(StrEnum):
    """How a unit chose an event's direction."""

    PRESENCE = "presence"  # the child's presence: not present -> arrival, present -> departure
    KEY = "key"  # a mode key (A/B) at the door, or staff's mode in the unit's menu
    FIXED = "fixed"  # a unit configured as entrance-only or exit-only
    CLOCK = "clock"  # no presence known yet: before departure_from an arrival, after it a departure
    COLLECTOR = "collector"  # a collector's card ("ophaalkaart") just before or after: a departure


class Verdict(StrEnum):
    STORED = "stored"  # new event, committed
    DUPLICATE = "duplicate"  # this event id was committed before
    UNKNOWN_CARD = "unknown_card"  # committed, but no child has this card (reason NOT_ENROLLED: the
    # card's child no longer comes to this location; its scan is kept, not counted as attendance)
    REFUSED = "refused"  # not taken by the hub; with kept=true it is kept for a person (see Ack.kept)


class UpdateAction(StrEnum):
    INSTALL = "install"
    ROLLBACK = "rollback"


class UpdateOutcome(StrEnum):
    INSTALLED = "installed"  # running the version asked (also: already was)
    REFUSED = "refused"  # the wheel did not verify (signature, hash, name): nothing was installed
    FAILED = "failed"  # verified, but installing or starting failed; the previous version is back
    ROLLED_BACK = "rolled_back"  # went back to the previous version on the hub's command


def spec(doc: str, **constraints: Any) -> Any:
    """Declare a message field: a description plus JSON-Schema-like constraints.

    Recognised constraints: ``pattern``, ``enum`` (a StrEnum class), ``minimum``, ``maximum``,
    ``format`` (``date-time`` = ISO 8601 with a UTC offset), ``default``.
    """
    default = constraints.pop("default", dataclasses.MISSING)
    return dataclasses.field(default=default, metadata={"doc": doc, **constraints})


@dataclass(frozen=True)
class Message:
    """Base of every message; subclasses set ``TYPE`` and declare fields with :func:`spec`."""

    TYPE: ClassVar[str] = ""
    DOC: ClassVar[str] = ""

    def to_dict(self) -> dict[str, Any]:
        body = {"v": PROTOCOL_VERSION, "type": self.TYPE}
        for f in dataclasses.fields(self):
            value = getattr(self, f.name)
            body[f.name] = value.value if isinstance(value, StrEnum) else value
        return body


@dataclass(frozen=True)
class CheckIn(Message):
    TYPE: ClassVar[str] = "checkin"
    DOC: ClassVar[str] = "A card presented at a unit: one arrival or departure of one child."

    id: str = spec("Event id: a ULID, unique and sortable, made by the unit.", pattern=EVENT_ID_PATTERN)
    unit: str = spec("Id of the unit that registered the event.", pattern=ID_PATTERN)
    location: str = spec("Id of the location the unit is enrolled for.", pattern=ID_PATTERN)
    seq: int = spec("Per-unit sequence number, starting at 1, never reused.", minimum=1, maximum=MAX_INTEGER)
    direction: Direction = spec("Arrival or departure, from the unit's mode.", enum=Direction)
    code: str = spec("Card code, read from the QR or typed on the keypad.", pattern=CARD_CODE_PATTERN)
    source: Source = spec("How the code was read.", enum=Source)
    wall_time: str = spec("Unit's wall clock at the scan, ISO 8601 with UTC offset.", format="date-time")
    clock_synced: bool = spec("Whether the unit's clock was NTP-synchronised at the scan.")
    boot_id: str = spec("Kernel boot id of the unit at the scan.", pattern=BOOT_ID_PATTERN)
    monotonic: float = spec(
        "Seconds on the unit's monotonic clock at the scan (since boot).", minimum=0, maximum=MAX_MONOTONIC_S
    )
    direction_by: DirectionBy | None = spec(
        "How the unit chose the direction; absent from older units (the direction is then taken as sent). "
        "For 'presence' the hub re-derives the direction from the child's registrations of the day.",
        enum=DirectionBy,
        default=None,
    )
    collector: str | None = spec(
        "With direction_by 'collector': the code of the collector's card (an 'ophaalkaart', see "
        "UnitConfig.collectors) scanned within the pairing window; the hub judges whether that person "
        "may collect this child (added later: absent from older units).",
        pattern=CARD_CODE_PATTERN,
        default=None,
    )


COLLECTOR_NOT_ALLOWED = "collector_not_allowed"  # Ack.reason with REFUSED, kept: may not collect the child


@dataclass(frozen=True)
class Collection(Message):
    TYPE: ClassVar[str] = "collection"
    DOC: ClassVar[str] = (
        "A collector's card ('ophaalkaart') scanned just after a child's card: it names the child's "
        "check-in, which had gone out as an ordinary event (arrival or departure by presence). The hub "
        "records who collected; an arrival becomes a departure (direction source 'collector'). Answered "
        "with an ack of this message's id: stored, duplicate, or refused and kept (reason "
        "collector_not_allowed) for a person. Added later: units before it never send it."
    )

    id: str = spec("Id of this collection: a ULID made by the unit.", pattern=EVENT_ID_PATTERN)
    unit: str = spec("Id of the unit that registered it.", pattern=ID_PATTERN)
    location: str = spec("Id of the location the unit is enrolled for.", pattern=ID_PATTERN)
    seq: int = spec(
        "Per-unit sequence number, shared with the unit's check-ins.", minimum=1, maximum=MAX_INTEGER
    )
    event: str = spec("Id of the child's check-in this collection names.", pattern=EVENT_ID_PATTERN)
    code: str = spec("The child's card code, as in that check-in.", pattern=CARD_CODE_PATTERN)
    collector: str = spec(
        "Code of the collector's card (see UnitConfig.collectors).", pattern=CARD_CODE_PATTERN
    )
    wall_time: str = spec(
        "Unit's wall clock at the collector's scan, ISO 8601 with UTC offset.", format="date-time"
    )


@dataclass(frozen=True)
class Ack(Message):
    TYPE: ClassVar[str] = "ack"
    DOC: ClassVar[str] = "The hub's answer for one event, sent only after its database commit."
    NOTES: ClassVar[str] = """\
When may a unit delete an event? Only when the verdict says the hub has it: `stored`, `duplicate`,
`unknown_card` (all committed), or `refused` with `kept: true` (kept whole at the hub until a person
accepts or dismisses it on the "Geweigerde registraties" screen).

What each answer does, on a unit of this version and on one of the previous version (which has
no `kept` field and deletes on any `refused`):

- `stored`, `duplicate`, `unknown_card`: both delete.
- `refused` with `kept: true` (a well-formed check-in the hub does not take: unknown or revoked
  unit, another location, not a predecessor, made after the revocation): both delete. Safe for
  the old unit, which ignores the unknown field: the hub kept the event before answering.
- `refused` without `kept` (junk: not a well-formed check-in, but with an event id): the new unit
  holds the event and offers it again after an hour; the old one deletes it, as it always did
  (the hub counts it in a rolled-up dead letter).
- no answer (the unit's daily quota of kept refusals is used up): both offer it again after the
  ack time-out; the next day's quota takes it.
- a verdict value the unit does not know: both ignore the ack and offer the event again every
  few seconds, for ever. The hub therefore never sends a new verdict value.

Why no new verdict value such as `kept`: a unit of the previous version refuses an ack with an
unknown verdict as a bad message, never deletes the event and sends it again every few seconds,
for ever. An optional field is ignored by old units and read by new ones; sending `refused` only
after the event is kept makes the old units' behaviour (delete on `refused`) safe.
"""

    id: str = spec("Id of the acknowledged event.", pattern=EVENT_ID_PATTERN)
    verdict: Verdict = spec("What the hub did with the event.", enum=Verdict)
    child: str | None = spec("Display name of the child, when the card is known.", default=None)
    reason: str | None = spec("Why the event was refused, for the unit's log.", default=None)
    kept: bool | None = spec(
        "With verdict refused: true when the hub kept the event whole for a person to accept or dismiss, "
        "so the unit may delete it. Absent or false: the unit holds the event and offers it again later. "
        "Units before this field delete on any refused, which is why the hub sends refused for a "
        "well-formed check-in only after keeping it.",
        default=None,
    )


@dataclass(frozen=True)
class Status(Message):
    TYPE: ClassVar[str] = "status"
    DOC: ClassVar[str] = "A unit's state, retained; the last will publishes online=false."

    unit: str = spec("Unit id.", pattern=ID_PATTERN)
    location: str = spec("Location id.", pattern=ID_PATTERN)
    online: bool = spec("False when the unit disconnected or died (last will).")
    version: str = spec("Software version of the unit.")
    backlog: int = spec("Events in the outbox not yet acknowledged by the hub.", minimum=0)
    sent_at: str = spec("Unit's wall clock when the status was made.", format="date-time")
    last_scan: str | None = spec("Wall time of the last scan.", format="date-time", default=None)
    update_rollout: str | None = spec(
        "Id of the last software update (update command's rollout) this unit acted on; absent from "
        "units before updates over the wire.",
        pattern=EVENT_ID_PATTERN,
        default=None,
    )
    update_outcome: UpdateOutcome | None = spec(
        "What became of that update: installed, refused (not verified: nothing installed), failed "
        "(installing failed: the previous version was put back), rolled_back (on the hub's command).",
        enum=UpdateOutcome,
        default=None,
    )
    update_detail: str | None = spec("Why an update was refused or failed, for the hub's log.", default=None)


@dataclass(frozen=True)
class UnitConfig(Message):
    TYPE: ClassVar[str] = "config"
    DOC: ClassVar[str] = "The hub's retained configuration for one unit, roster included."

    unit: str = spec("Unit id.", pattern=ID_PATTERN)
    location: str = spec("Location id.", pattern=ID_PATTERN)
    location_name: str = spec("Name of the location, for the display.")
    roster: dict[str, str] = spec("Card code -> child's display name, so names show while offline.")
    issued_at: str = spec("Hub time when this config was made.", format="date-time")
    settings: dict[str, Any] | None = spec(
        "Unit settings (repeat_window_s, departure_from 'HH:MM', ...); unknown keys are ignored.",
        default=None,
    )
    pin_hash: str | None = spec(
        "Legacy, for units without a staff key: argon2id hash of the location's scanner code (not of "
        "the portal PIN). Units with a key get staff_code_hash instead.",
        default=None,
    )
    departed: dict[str, str] | None = spec(
        "Card code -> display name of children whose last day of childcare here has passed; the unit "
        "answers their cards 'niet meer ingeschreven' (added later: absent from older hubs).",
        default=None,
    )
    staff_code_hash: str | None = spec(
        "argon2id hash of HMAC-SHA256(unit's staff key, scanner code), see wire/staffcode.py; the "
        "unit checks the typed code with the key from its bundle.",
        default=None,
    )
    collectors: dict[str, str] | None = spec(
        "Collector card code ('ophaalkaart' of a contact) -> the person's name. A child's card scanned "
        "within collector_window_s after it (the unit's [scan] setting, or settings.collector_window_s) "
        "makes a departure with direction_by 'collector' (added later: older units ignore the field).",
        default=None,
    )
    collector_children: dict[str, str] | None = spec(
        "Collector card code -> the card codes (space-separated) of the children that person may "
        "collect, so the unit answers a refusal at once, also offline; the hub judges again.",
        default=None,
    )
    collector_refused: dict[str, str] | None = spec(
        "Collector card code -> the card codes (space-separated) of the children whose contact that "
        "person is but who may NOT collect them ('mag niet ophalen'): with the child's card scanned "
        "first, the collector card is then refused too (added later: older units ignore the field).",
        default=None,
    )


@dataclass(frozen=True)
class LinkCard(Message):
    TYPE: ClassVar[str] = "link_card"
    DOC: ClassVar[str] = (
        "The hub asks a unit to read the next card presented and send its code back as card_read "
        "(for linking the card to a child); that presentation is not a check-in."
    )

    request: str = spec("Id of the link request (a ULID).", pattern=EVENT_ID_PATTERN)
    child: str = spec("Display name of the child the card is for, to show on the unit.")
    valid_s: int = spec("Seconds from receipt during which the unit waits for the card.", minimum=1)


@dataclass(frozen=True)
class CardRead(Message):
    TYPE: ClassVar[str] = "card_read"
    DOC: ClassVar[str] = "A unit's answer to link_card, published on its event topic."

    request: str = spec("Id of the link request answered.", pattern=EVENT_ID_PATTERN)
    unit: str = spec("Unit id.", pattern=ID_PATTERN)
    location: str = spec("Location id.", pattern=ID_PATTERN)
    code: str = spec("Code of the card presented.", pattern=CARD_CODE_PATTERN)
    source: Source = spec("How the code was read.", enum=Source)
    wall_time: str = spec("Unit's wall clock when the card was read.", format="date-time")


@dataclass(frozen=True)
class Presence(Message):
    TYPE: ClassVar[str] = "presence"
    DOC: ClassVar[str] = (
        "The hub's retained view of which children of the location are present today, on each unit's "
        "presence topic: the cards of the children present. A unit ignores a presence older (lower seq) "
        "than the one it has, and one of another day."
    )

    location: str = spec("Location id.", pattern=ID_PATTERN)
    day: str = spec("The local day (Europe/Brussels) this presence is of, YYYY-MM-DD.", pattern=DAY_PATTERN)
    seq: int = spec(
        "The location's presence version, from the hub's database; rises with every stored "
        "check-in or correction.",
        minimum=0,
        maximum=MAX_INTEGER,
    )
    present: list[str] = spec("Card codes of the children present now.")
    issued_at: str = spec("Hub time when this presence was made.", format="date-time")


@dataclass(frozen=True)
class UpdateCommand(Message):
    TYPE: ClassVar[str] = "update"
    DOC: ClassVar[str] = (
        "The hub tells one unit which software to run: install a signed wheel, or go back to the "
        "version before it. Retained on the unit's command topic, so a unit that is offline gets it "
        "when it connects; idempotent: a unit that already runs the version asked does nothing but "
        "report. The unit fetches the wheel over HTTP(S) from the hub and verifies the signature with "
        "its organisation's key before installing; it reports on its status (update_* fields)."
    )

    rollout: str = spec("Id of the rollout (a ULID); the unit reports it back.", pattern=EVENT_ID_PATTERN)
    action: UpdateAction = spec(
        "install: the wheel below; rollback: the version before it.", enum=UpdateAction
    )
    file: str = spec("The wheel's file name, as signed.")
    name: str = spec("Distribution name, as signed.")
    version: str = spec("Version of the wheel, as signed.")
    sha256: str = spec("SHA-256 of the wheel, hex, as signed.", pattern=r"^[0-9a-f]{64}$")
    signed_at: str = spec("When the wheel was signed, as signed.")
    signature: str = spec("Ed25519 signature (base64) of the manifest, by the organisation's update key.")
    url: str = spec(
        "Where to fetch the wheel: the hub's HTTP(S) address; the unit authenticates with its unit id "
        "and a token made with its staff key (see device/updater.py).",
        pattern=r"^https?://.+",
    )


MESSAGE_TYPES: dict[str, type[Message]] = {
    m.TYPE: m
    for m in (CheckIn, Ack, Status, UnitConfig, LinkCard, CardRead, Presence, UpdateCommand, Collection)
}


def encode(message: Message) -> bytes:
    """Serialise a message to compact UTF-8 JSON."""
    return json.dumps(message.to_dict(), separators=(",", ":"), ensure_ascii=False).encode()


def decode(
    payload: bytes | str, expect: type[Message] | None = None, *, limit: int = MAX_PAYLOAD_BYTES
) -> Any:
    """Parse and validate one message; raises :class:`ContractError` with a short reason."""
    if len(payload) > limit:
        raise ContractError("too_large", f"{len(payload)} bytes > {limit}")
    try:
        body = json.loads(payload)
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as exc:
        raise ContractError("bad_json", str(exc)[:200]) from None
    if not isinstance(body, dict):
        raise ContractError("not_an_object")
    version = body.get("v")
    if isinstance(version, bool) or version not in ACCEPTED_VERSIONS:
        raise ContractError("unsupported_version", repr(version)[:40])
    cls = MESSAGE_TYPES.get(body.get("type")) if isinstance(body.get("type"), str) else None
    if cls is None:
        raise ContractError("unknown_type", repr(body.get("type"))[:40])
    if expect is not None and cls is not expect:
        raise ContractError("unexpected_type", f"{cls.TYPE}, expected {expect.TYPE}")
    return cls(**_validated_fields(cls, body))


def _validated_fields(cls: type[Message], body: dict[str, Any]) -> dict[str, Any]:
    values = {}
    for name, default, base, meta in _field_plan(cls):
        if name not in body or body[name] is None:
            if default is dataclasses.MISSING:
                raise ContractError("missing_field", name)
            values[name] = default
            continue
        values[name] = _check(name, body[name], base, meta)
    return values


@functools.cache
def _field_plan(cls: type[Message]) -> tuple[tuple[str, Any, Any, typing.Mapping[str, Any]], ...]:
    """(name, default, type, constraints) of each field, worked out once per class: resolving
    the type hints costs more than validating a whole check-in."""
    hints = typing.get_type_hints(cls)
    return tuple(
        (f.name, f.default, optional_base(hints[f.name]), f.metadata) for f in dataclasses.fields(cls)
    )


def _check(name: str, value: Any, base: Any, meta: typing.Mapping[str, Any]) -> Any:
    enum = meta.get("enum")
    if enum is not None:
        try:
            return enum(value)
        except ValueError:
            raise ContractError("bad_field", f"{name}: not one of {[e.value for e in enum]}") from None
    if not _is_instance(value, base):
        raise ContractError("bad_field", f"{name}: expected {_type_name(base)}")
    if "pattern" in meta and not re.fullmatch(meta["pattern"], value):
        raise ContractError("bad_field", f"{name}: does not match {meta['pattern']}")
    if "minimum" in meta and value < meta["minimum"]:
        raise ContractError("bad_field", f"{name}: below {meta['minimum']}")
    if "maximum" in meta and value > meta["maximum"]:
        raise ContractError("bad_field", f"{name}: above {meta['maximum']}")
    if isinstance(value, float) and not math.isfinite(value):
        raise ContractError("bad_field", f"{name}: not a finite number")
    if isinstance(value, int) and not -MAX_INTEGER - 1 <= value <= MAX_INTEGER:
        raise ContractError("bad_field", f"{name}: too large")
    if meta.get("format") == "date-time" and not is_aware_iso_datetime(value):
        raise ContractError("bad_field", f"{name}: not an ISO 8601 time with UTC offset")
    if (
        isinstance(value, dict)
        and _is_string_map(base)
        and not all(isinstance(k, str) and isinstance(v, str) for k, v in value.items())
    ):
        raise ContractError("bad_field", f"{name}: expected an object of strings")
    if (
        isinstance(value, list)
        and typing.get_origin(base) is list
        and not all(isinstance(item, str) for item in value)
    ):
        raise ContractError("bad_field", f"{name}: expected a list of strings")
    return value


def _is_string_map(base: Any) -> bool:
    return typing.get_origin(base) is dict and typing.get_args(base)[1] is str


def optional_base(hint: Any) -> Any:
    """The type inside ``X | None``; other hints unchanged."""
    if typing.get_origin(hint) in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(hint) if a is not type(None)]
        return args[0]
    return hint


def _is_instance(value: Any, base: Any) -> bool:
    origin = typing.get_origin(base) or base
    if origin is bool:
        return isinstance(value, bool)
    if origin is int:
        return isinstance(value, int) and not isinstance(value, bool)
    if origin is float:
        return isinstance(value, int | float) and not isinstance(value, bool) and value == value
    return isinstance(value, origin)


def _type_name(base: Any) -> str:
    origin = typing.get_origin(base) or base
    names = {str: "string", int: "integer", float: "number", bool: "boolean", dict: "object", list: "array"}
    return names.get(origin, "value")


def is_aware_iso_datetime(value: str) -> bool:
    """True for an ISO 8601 date-time string that carries a UTC offset, from 1970 to 9998 in UTC
    (a clock without battery starts at 1970; the hub must be able to shift it by hours and days)."""
    try:
        moment = datetime.fromisoformat(value)
        return moment.tzinfo is not None and 1970 <= moment.astimezone(UTC).year <= 9998
    except (ValueError, OverflowError):
        return False
