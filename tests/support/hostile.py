"""Malformed and hostile messages a broken or stolen unit might send, each with what should become of it.

:func:`hostile_messages` cycles through the kinds below. Each message goes to a topic and carries
the reason the hub's dead-letter table should give it, ``KEPT`` + the reason when it is a
well-formed check-in the hub refuses and keeps whole for a person, or ``BROKER`` when the broker's
ACL must keep it from the hub altogether (a unit writing where it may not).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass

from tests.support.messages import checkin
from wire import Ack, Status, Topic, TopicKind, Verdict, encode
from wire.ids import new_event_id

BROKER = "refused by the broker"
KEPT = "kept:"  # prefix: a refused check-in kept in refused_events with the reason after it


@dataclass(frozen=True)
class Hostile:
    topic: str
    payload: bytes
    reason: str  # the dead letter's reason at the hub, or BROKER


def hostile_messages(unit: str, location: str, other_unit: str, count: int) -> list[Hostile]:
    """``count`` bad messages from ``unit``'s account; ``other_unit`` is another unit of the location."""
    own = str(Topic(location, unit, TopicKind.EVENT))
    status = str(Topic(location, unit, TopicKind.STATUS))

    def event(**change) -> bytes:
        body = checkin(unit=unit, location=location).to_dict() | {"id": new_event_id()} | change
        return json.dumps(body).encode()

    def replace_raw(field: str, raw: str) -> bytes:  # a value json.dumps would not write
        body = checkin(unit=unit, location=location).to_dict() | {"id": new_event_id(), field: "@"}
        return json.dumps(body).encode().replace(b'"@"', raw.encode())

    other_status = encode(
        Status(unit=other_unit, location=location, online=True, version="x", backlog=0,
               sent_at="2026-11-23T07:00:00+00:00")
    )  # fmt: skip
    kinds: list[tuple[Callable[[], bytes], str, str]] = [
        (lambda: b"{not json", own, "bad_json"),
        (lambda: b"\xff\xfe\x00\x01", own, "bad_json"),
        (lambda: b"", own, "bad_json"),
        (lambda: b"[" * 2000 + b"]" * 2000, own, "bad_json"),  # deeper than the parser goes
        (lambda: b"[1, 2, 3]", own, "not_an_object"),
        (lambda: b"null", own, "not_an_object"),
        (lambda: event(v=0), own, "unsupported_version"),  # an old protocol version
        (lambda: event(v=2), own, "unsupported_version"),
        (lambda: event(v="1"), own, "unsupported_version"),
        (lambda: event(type="launch"), own, "unknown_type"),
        (
            lambda: json.dumps({"v": 1, "type": "checkin", "id": new_event_id()}).encode(),
            own,
            "missing_field",
        ),
        (lambda: event(code="12ab"), own, "bad_field"),
        (lambda: event(seq="7"), own, "bad_field"),
        (lambda: event(seq=True), own, "bad_field"),
        (lambda: event(seq=10**30), own, "bad_field"),
        (lambda: event(direction="sideways"), own, "bad_field"),
        (lambda: event(clock_synced="yes"), own, "bad_field"),
        (lambda: event(wall_time="2026-03-29T08:12:03"), own, "bad_field"),
        (lambda: event(wall_time="9999-12-31T23:59:59-05:00"), own, "bad_field"),
        (lambda: replace_raw("monotonic", "Infinity"), own, "bad_field"),
        (lambda: replace_raw("monotonic", "NaN"), own, "bad_field"),
        (lambda: event(code="123\u00004567890"), own, "bad_field"),
        (lambda: event(pad="x" * 5000), own, "too_large"),
        (lambda: event(pad="x" * 256_000), own, "too_large"),  # a huge payload
        (lambda: event(unit=other_unit), own, KEPT + "not_a_predecessor"),  # another unit's id
        (lambda: event(location="elders"), own, KEPT + "wrong_location"),
        (lambda: encode(Ack(id=new_event_id(), verdict=Verdict.STORED)), own, "unexpected_type"),
        (lambda: b"{not json", status, "bad_json"),
        (lambda: other_status, status, "topic_mismatch"),
        (lambda: event(), str(Topic(location, other_unit, TopicKind.EVENT)), BROKER),  # another unit's topic
        (lambda: event(), str(Topic(location, unit, TopicKind.ACK)), BROKER),  # a topic it may only read
        (lambda: event(), "aanwezig/v1/loc/elders/unit/x/event", BROKER),
        (lambda: event(), "aanwezig/v2/anything", BROKER),
    ]
    messages = []
    for n in range(count):
        make, topic, reason = kinds[n % len(kinds)]
        messages.append(Hostile(topic, make(), reason))
    return messages
