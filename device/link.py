"""The unit's MQTT connection: the only module of the unit that imports paho.

Connects (and reconnects on its own) to the broker with the unit's credentials, sets the last
will (status offline, retained), subscribes to the unit's ack, config, command and presence topics and hands
incoming messages to the callbacks it was given. Publishing while disconnected returns False:
the outbox, not paho's memory, keeps what still has to go.
"""

from __future__ import annotations

import logging
import ssl
from collections.abc import Callable

import paho.mqtt.client as mqtt

from wire import Status, Topic, TopicKind, encode, mqtt_close
from wire.broker_url import BrokerAddress

log = logging.getLogger(__name__)


class UnitLink:
    def __init__(
        self,
        broker: BrokerAddress,
        unit: str,
        location: str,
        last_will: Status,
        on_message: Callable[[TopicKind, bytes], None],
        on_connected: Callable[[], None],
        keepalive_s: int = 15,
    ) -> None:
        self.broker = broker
        self._topics = {kind: str(Topic(location, unit, kind)) for kind in TopicKind}
        self._on_message = on_message
        self._on_connected = on_connected
        self.connected = False
        client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=unit, clean_session=True)
        if broker.username:
            client.username_pw_set(broker.username, broker.password)
        if broker.tls:
            client.tls_set(ca_certs=broker.ca_file, cert_reqs=ssl.CERT_REQUIRED)
        client.will_set(self._topics[TopicKind.STATUS], encode(last_will), qos=1, retain=True)
        client.reconnect_delay_set(min_delay=1, max_delay=15)
        client.max_inflight_messages_set(100)
        client.on_connect = self._connected
        client.on_disconnect = self._disconnected
        client.on_message = self._message
        self._client = client
        self._keepalive_s = keepalive_s

    def start(self) -> None:
        self._client.connect_async(self.broker.host, self.broker.port, keepalive=self._keepalive_s)
        self._client.loop_start()

    def stop(self, final_status: Status | None = None) -> None:
        if final_status is not None and self.connected:
            self.publish(TopicKind.STATUS, encode(final_status), retain=True).wait_for_publish(2)
        mqtt_close.close(self._client)

    def publish(self, kind: TopicKind, payload: bytes, retain: bool = False) -> mqtt.MQTTMessageInfo:
        return self._client.publish(self._topics[kind], payload, qos=1, retain=retain)

    def publish_event(self, payload: bytes) -> bool:
        """Publish one check-in; False when not connected (it stays in the outbox)."""
        if not self.connected:
            return False
        return self.publish(TopicKind.EVENT, payload).rc == mqtt.MQTT_ERR_SUCCESS

    def _connected(self, client, _userdata, _flags, reason_code, _properties) -> None:
        if reason_code.is_failure:
            log.warning("broker %s refused the connection: %s", self.broker, reason_code)
            return
        kinds = (TopicKind.ACK, TopicKind.CONFIG, TopicKind.COMMAND, TopicKind.PRESENCE)
        client.subscribe([(self._topics[kind], 1) for kind in kinds])
        self.connected = True
        log.info("connected to %s", self.broker)
        self._on_connected()

    def _disconnected(self, _client, _userdata, _flags, reason_code, _properties) -> None:
        if self.connected:
            log.warning("disconnected from %s: %s", self.broker, reason_code)
        self.connected = False

    def _message(self, _client, _userdata, message: mqtt.MQTTMessage) -> None:
        for kind, topic in self._topics.items():
            if message.topic == topic:
                # an exception raised here would end paho's network thread for good: the unit would
                # look connected and never deliver again
                try:
                    self._on_message(kind, message.payload)
                except Exception:
                    log.exception("handling a %s message failed", kind)
                return
