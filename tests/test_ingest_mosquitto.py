"""The hub's ingest through a real Mosquitto: a hub process, a unit's broker account, real MQTT."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import httpx
import pytest

from hub.demo import DemoData
from provisioning.mosquitto import UnitAccount
from tests.support.processes import start_hub
from tests.support.raw_unit import RawUnit
from tests.support.waiting import wait_for
from tests.test_wire_contract import checkin
from wire import Ack, Verdict, encode
from wire.ids import new_event_id


def hub_rows(hub_dir: Path, sql: str, *params) -> list[tuple]:
    with sqlite3.connect(hub_dir / "hub.sqlite3") as db:
        return db.execute(sql, params).fetchall()


@pytest.fixture
def hub_and_unit(tmp_path: Path, hub_dir: Path, demo: DemoData, start_mosquitto):
    mosquitto = start_mosquitto(UnitAccount(demo.unit_id, demo.location_id, "unit-secret"))
    hub, portal = start_hub(hub_dir, broker_url=mosquitto.hub_url)
    unit = RawUnit.of(mosquitto, demo.unit_id).start()
    yield hub, portal, unit
    unit.stop()
    hub.stop()
    assert "Traceback" not in hub.log(), hub.log()[-3000:]


def test_the_same_event_published_three_times_is_stored_once_and_acked_each_time(
    hub_and_unit, hub_dir: Path, demo: DemoData
) -> None:
    _hub, _portal, unit = hub_and_unit
    event = checkin(unit=demo.unit_id, location=demo.location_id, code=demo.cards["Jules"])
    for _ in range(3):
        unit.publish(encode(event)).wait_for_publish(timeout=5)
    acks = wait_for(lambda: len(unit.acks_for(event.id)) == 3 and unit.acks_for(event.id), what="three acks")
    assert [ack.verdict for ack in acks] == [Verdict.STORED, Verdict.DUPLICATE, Verdict.DUPLICATE]
    assert {ack.child for ack in acks} == {"Jules"}
    assert hub_rows(hub_dir, "SELECT count(*) FROM events WHERE id = ?", event.id) == [(1,)]


def malformed_messages(demo: DemoData, count: int) -> list[tuple[bytes, str]]:
    """``count`` messages a broken or hostile unit might send, each with the reason the hub should give."""
    good = checkin(unit=demo.unit_id, location=demo.location_id).to_dict()
    kinds = [
        (lambda: b"{not json", "bad_json"),
        (lambda: b"\xff\xfe\x00\x01", "bad_json"),
        (lambda: b"", "bad_json"),
        (lambda: b"[1, 2, 3]", "not_an_object"),
        (lambda: json.dumps(good | {"v": 2, "id": new_event_id()}).encode(), "unsupported_version"),
        (lambda: json.dumps(good | {"v": 0, "id": new_event_id()}).encode(), "unsupported_version"),
        (lambda: json.dumps(good | {"type": "launch", "id": new_event_id()}).encode(), "unknown_type"),
        (lambda: json.dumps({"v": 1, "type": "checkin", "id": new_event_id()}).encode(), "missing_field"),
        (lambda: json.dumps(good | {"code": "12ab", "id": new_event_id()}).encode(), "bad_field"),
        (lambda: json.dumps(good | {"seq": "7", "id": new_event_id()}).encode(), "bad_field"),
        (lambda: json.dumps(good | {"id": new_event_id(), "pad": "x" * 5000}).encode(), "too_large"),
        (lambda: json.dumps(good | {"unit": "unit-other", "id": new_event_id()}).encode(), "topic_mismatch"),
        (lambda: encode(Ack(id=new_event_id(), verdict=Verdict.STORED)), "unexpected_type"),
    ]
    return [(make(), reason) for make, reason in (kinds[n % len(kinds)] for n in range(count))]


def test_a_thousand_malformed_messages_leave_the_hub_alive_with_a_thousand_dead_letters(
    hub_and_unit, hub_dir: Path, demo: DemoData
) -> None:
    _hub, portal, unit = hub_and_unit
    messages = malformed_messages(demo, 1000)
    for payload, _reason in messages:
        unit.publish(payload)
    good = checkin(unit=demo.unit_id, location=demo.location_id, code=demo.cards["Mila"])
    unit.publish(encode(good))

    [ack] = wait_for(lambda: unit.acks_for(good.id), timeout=60, what="the ack of the good event after them")
    assert ack.verdict is Verdict.STORED
    assert wait_for(
        lambda: hub_rows(hub_dir, "SELECT count(*) FROM dead_letters") == [(1000,)],
        timeout=30,
        what="dead letters",
    )
    expected: dict[str, int] = {}
    for _payload, reason in messages:
        expected[reason] = expected.get(reason, 0) + 1
    assert dict(hub_rows(hub_dir, "SELECT reason, count(*) FROM dead_letters GROUP BY reason")) == expected
    assert hub_rows(hub_dir, "SELECT count(*) FROM events") == [(1,)]
    assert httpx.get(portal + "/health").json() == {"status": "ok"}
    refused = [a for a in unit.acks if a.verdict is Verdict.REFUSED]
    assert refused and all(isinstance(a, Ack) and a.reason for a in refused), "a refusal says why"
