"""The unit's MQTT link against a real Mosquitto: a failing message handler does not cut the unit off."""

from __future__ import annotations

from provisioning.mosquitto import UnitAccount
from tests.support.mqtt import MqttClient
from tests.support.waiting import wait_for
from wire import Status, Topic, TopicKind
from wire.broker_url import BrokerAddress

UNIT, LOCATION = "unit-door", "kdv-zonnebloem"


def test_a_message_handler_that_fails_leaves_the_link_receiving_the_next_messages(start_mosquitto) -> None:
    from device.link import UnitLink

    mosquitto = start_mosquitto(UnitAccount(UNIT, LOCATION, "unit-secret"))
    received: list[bytes] = []

    def handle(_kind: TopicKind, payload: bytes) -> None:
        received.append(payload)
        if payload == b"first":
            raise OSError("database or disk is full")  # what a full disk did to the roster update

    will = Status(
        unit=UNIT,
        location=LOCATION,
        online=False,
        version="t",
        backlog=0,
        sent_at="2026-11-23T07:00:00+00:00",
    )
    link = UnitLink(
        BrokerAddress.parse(mosquitto.unit_url(UNIT)), UNIT, LOCATION, will, handle, on_connected=lambda: None
    )
    hub = MqttClient(mosquitto.hub_url, [str(Topic(LOCATION, UNIT, TopicKind.STATUS))])
    link.start()
    try:
        wait_for(lambda: link.connected, what="the unit connected")
        ack_topic = str(Topic(LOCATION, UNIT, TopicKind.ACK))
        wait_for(lambda: hub.publish(ack_topic, b"first") or received, what="the first message")
        hub.publish(ack_topic, b"second")
        wait_for(lambda: b"second" in received, timeout=10, what="the message after the failure")
    finally:
        link.stop()
        hub.close()
