"""A plain MQTT client for tests that play the hub's side of the wire on a real broker."""

from __future__ import annotations

import threading
import uuid

import paho.mqtt.client as mqtt

from tests.support.waiting import wait_for
from wire import mqtt_close
from wire.broker_url import BrokerAddress


class MqttClient:
    def __init__(self, url: str, subscribe: list[str]) -> None:
        broker = BrokerAddress.parse(url)
        self.messages: list[tuple[str, bytes]] = []
        self._lock = threading.Lock()
        self._client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=f"test-{uuid.uuid4().hex[:8]}")
        self._client.username_pw_set(broker.username, broker.password)
        self._subscribed = threading.Event()
        self._client.on_connect = lambda c, *_: c.subscribe([(t, 1) for t in subscribe])
        self._client.on_subscribe = lambda *_: self._subscribed.set()
        self._client.on_message = self._message
        self._client.connect(broker.host, broker.port, keepalive=15)
        self._client.loop_start()
        wait_for(self._subscribed.is_set, timeout=10, what="the test client's subscription")

    def _message(self, _client, _userdata, message: mqtt.MQTTMessage) -> None:
        with self._lock:
            self.messages.append((message.topic, message.payload))

    def received(self, topic: str) -> list[bytes]:
        with self._lock:
            return [payload for t, payload in self.messages if t == topic]

    def publish(self, topic: str, payload: bytes, retain: bool = False) -> None:
        self._client.publish(topic, payload, qos=1, retain=retain).wait_for_publish(5)

    def close(self) -> None:
        mqtt_close.close(self._client)
