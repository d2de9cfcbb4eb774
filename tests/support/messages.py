"""Sample wire messages and MQTT deliveries for tests: a valid check-in with any field changed,
and a delivery as the hub's link hands it to the ingest."""

from __future__ import annotations

from datetime import UTC, datetime

from hub.ingest.link import Delivery
from wire import CheckIn, Direction, Source, Topic, TopicKind
from wire.ids import new_event_id


def checkin(**changes) -> CheckIn:
    """A valid check-in (unit-1 at loc-1, a QR scan made now), with ``changes`` applied."""
    fields = dict(
        id=new_event_id(),
        unit="unit-1",
        location="loc-1",
        seq=1,
        direction=Direction.ARRIVAL,
        code="1234567894",  # a valid check digit: the hub refuses a wrong one
        source=Source.QR,
        # now: the hub refuses times it cannot accept (ahead of its clock, older than may be corrected)
        wall_time=datetime.now(UTC).isoformat(timespec="milliseconds"),
        clock_synced=True,
        boot_id="0f4c2a6e-5a7d-4e4b-9d2e-7a0b6c1d2e3f",
        monotonic=1234.5,
    )
    fields.update(changes)
    return CheckIn(**fields)


def delivery(
    payload: bytes, location: str, unit: str, kind: TopicKind = TopicKind.EVENT, mid: int = 1
) -> Delivery:
    """A message on a unit's topic as the hub's link delivers it."""
    return Delivery(str(Topic(location, unit, kind)), payload, mid, 1, 0.0)
