"""The broker's packet limit sits above the largest legitimate message and well under 1 MB.

The largest legitimate message is a unit's retained config: the roster of its location. The worst
case assumed here: 300 children at one location (a large kinderdagverblijf), two active cards
each, every first name at the 100-character bound and written in 4-byte UTF-8 characters, all
children sharing that first name (so each gets the initial of the last name), the location's name
at 100 such characters too, and 20-digit card codes.
"""

from __future__ import annotations

from pathlib import Path

from hub.core.db import open_database
from hub.demo import DEMO_LOCATION, DemoData
from hub.units import registry as units
from hub.units.config import config_for
from provisioning.mosquitto import MAX_PACKET_BYTES, UnitAccount, broker_conf
from tests.support.mqtt import MqttClient
from tests.support.waiting import wait_for
from wire import Topic, TopicKind, UnitConfig, decode, encode
from wire.contract import MAX_CONFIG_BYTES

CHILDREN, CARDS_EACH, NAME_CHARS = 300, 2, 100
WIDE = "\U0001d11e"  # 𝄞: four bytes in UTF-8, the most a character takes


def worst_case_config(hub_dir: Path, unit_id: str) -> bytes:
    db = open_database(hub_dir / "hub.sqlite3")
    with db.atomic():
        db.execute("UPDATE locations SET name = ? WHERE id = ?", (WIDE * NAME_CHARS, DEMO_LOCATION))
        (org,) = db.execute("SELECT organisator_id FROM locations WHERE id = ?", (DEMO_LOCATION,)).fetchone()
        for n in range(CHILDREN):
            child = (
                db["children"]
                .insert({"first_name": WIDE * NAME_CHARS, "last_name": WIDE * NAME_CHARS})
                .last_pk
            )
            db["child_locations"].insert({"child_id": child, "location_id": DEMO_LOCATION})
            for card in range(CARDS_EACH):
                code = f"{n:010d}{card:010d}"  # 20 digits, the longest code the contract takes
                db["cards"].insert(
                    {"code": code, "organisator_id": org, "child_id": child, "state": "active"}
                )
    payload = encode(config_for(db, units.registered_unit(db, unit_id)))
    db.close()
    return payload


def test_the_worst_case_unit_config_fits_under_the_brokers_packet_limit_which_is_well_under_a_megabyte(
    hub_dir: Path, demo: DemoData
) -> None:
    payload = worst_case_config(hub_dir, demo.unit_id)
    topic = str(Topic(demo.location_id, demo.unit_id, TopicKind.CONFIG))
    packet = len(payload) + len(topic.encode()) + 16  # fixed header, length, topic length, packet id
    assert len(decode(payload, UnitConfig, limit=MAX_CONFIG_BYTES).roster) >= CHILDREN * CARDS_EACH
    assert len(payload) <= MAX_CONFIG_BYTES, f"{len(payload)} bytes: the unit would not take it"
    assert packet < MAX_PACKET_BYTES < 1_000_000
    conf = broker_conf(Path("/p"), Path("/a"), None)
    assert f"max_packet_size {MAX_PACKET_BYTES}" in conf.splitlines()


def test_mosquitto_with_the_packet_limit_carries_the_worst_case_config_and_drops_a_larger_packet(
    hub_dir: Path, demo: DemoData, start_mosquitto
) -> None:
    payload = worst_case_config(hub_dir, demo.unit_id)
    broker = start_mosquitto(UnitAccount(demo.unit_id, demo.location_id, "unit-secret"))
    config_topic = str(Topic(demo.location_id, demo.unit_id, TopicKind.CONFIG))
    event_topic = str(Topic(demo.location_id, demo.unit_id, TopicKind.EVENT))
    unit = MqttClient(broker.unit_url(demo.unit_id), [config_topic])
    hub = MqttClient(broker.hub_url, [event_topic])
    hub.publish(config_topic, payload, retain=True)
    wait_for(lambda: unit.received(config_topic) == [payload], timeout=10, what="the worst-case config")
    too_big = b"x" * (MAX_PACKET_BYTES + 1)
    unit._client.publish(event_topic, too_big, qos=0)
    unit._client.publish(event_topic, b"small", qos=0)  # on the same connection: gone with it
    wait_for(lambda: "max packet size" in broker_log(broker) or not unit._client.is_connected(), timeout=10,
             what="the broker dropping the oversized packet's sender")  # fmt: skip
    assert all(len(p) <= MAX_PACKET_BYTES for p in hub.received(event_topic))
    unit.close()
    hub.close()


def broker_log(broker) -> str:
    log = broker.workdir / "mosquitto.log"
    return log.read_text(errors="replace").lower() if log.exists() else ""
