"""A bare MQTT client with one unit's broker account: publishes whatever bytes it is given and
collects the hub's acks. For ingest tests and the ingest benchmark, where the real unit software
(outbox, camera) would be in the way of sending exactly these messages.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

import paho.mqtt.client as mqtt

from provisioning.mosquitto import UnitAccount
from tests.support.mosquitto import Mosquitto
from tests.support.waiting import wait_for
from wire import Ack, Topic, TopicKind, decode, mqtt_close


class RawUnit:
    def __init__(
        self, port: int, account: UnitAccount, on_ack: Callable[[Ack, float], None] | None = None
    ) -> None:
        unit, location = account.unit, account.location
        self.unit, self.location = unit, location
        self.event_topic = str(Topic(location, unit, TopicKind.EVENT))
        self.ack_topic = str(Topic(location, unit, TopicKind.ACK))
        self.acks: list[Ack] = []
        self._on_ack = on_ack
        self._lock = threading.Lock()
        self._subscribed = threading.Event()
        client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=f"raw-{unit}", clean_session=True)
        client.username_pw_set(unit, account.password)
        client.max_inflight_messages_set(0)  # no limit: the load is bounded by the caller
        client.max_queued_messages_set(0)
        client.on_connect = lambda c, *_: c.subscribe(self.ack_topic, qos=1)
        client.on_subscribe = lambda *_: self._subscribed.set()
        client.on_message = self._message
        self.client = client
        self.port = port

    @classmethod
    def of(cls, broker: Mosquitto, unit: str, on_ack: Callable[[Ack, float], None] | None = None) -> RawUnit:
        """The client of one of the units that have an account on ``broker``."""
        return cls(broker.port, next(u for u in broker.units if u.unit == unit), on_ack)

    def start(self) -> RawUnit:
        self.client.connect("127.0.0.1", self.port, keepalive=30)
        self.client.loop_start()
        wait_for(self._subscribed.is_set, timeout=10, what=f"{self.unit} subscribed to its acks")
        return self

    def publish(self, payload: bytes, topic: str | None = None) -> mqtt.MQTTMessageInfo:
        return self.client.publish(topic or self.event_topic, payload, qos=1)

    def acks_for(self, event_id: str) -> list[Ack]:
        with self._lock:
            return [ack for ack in self.acks if ack.id == event_id]

    def stop(self) -> None:
        mqtt_close.close(self.client)

    def _message(self, _client, _userdata, message: mqtt.MQTTMessage) -> None:
        arrived = time.perf_counter()
        ack = decode(message.payload, Ack)
        with self._lock:
            self.acks.append(ack)
        if self._on_ack is not None:
            self._on_ack(ack, arrived)
