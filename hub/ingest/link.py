"""The hub's MQTT connection: the only module of the hub that imports paho.

A persistent session (fixed client id, clean_session=False) so the broker keeps QoS 1 events
while the hub restarts, and manual acknowledgement: the broker's PUBACK for an event goes out
only after the hub committed it (:meth:`HubLink.settle`), so a crash before the commit makes
the broker deliver it again.

An ingest worker of a hub with several (``ingest_workers``) speaks MQTT v5 instead: the same
persistent session (clean start off, a session expiry interval) under its own client id, and
shared subscriptions (``$share/aanwezig-hub/...``), so the broker hands each event to one worker.
Mosquitto 2 hands them out in turn to every session in the group, connected or not: a worker that
dies keeps its unacknowledged events and its turn's new ones in its session until it comes back
(they are not given to another worker), so a dead worker must be restarted (the hub does it, or
systemd's Restart=always); units resend what stays unacknowledged meanwhile.
"""

from __future__ import annotations

import contextlib
import logging
import socket
import ssl
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import paho.mqtt.client as mqtt
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties

from wire import mqtt_close
from wire.broker_url import BrokerAddress

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Delivery:
    """One message as it arrived from the broker."""

    topic: str
    payload: bytes
    mid: int
    qos: int
    received: float  # monotonic


class HubLink:
    def __init__(
        self,
        broker: BrokerAddress,
        subscriptions: Iterable[str],
        on_delivery: Callable[[Delivery], None],
        on_connected: Callable[[], None] = lambda: None,
        client_id: str = "aanwezig-hub",
        session_expiry_s: int | None = None,
        unsubscribe: Iterable[str] = (),
    ) -> None:
        """``session_expiry_s`` set: MQTT v5, a session kept that long after a disconnect (an
        ingest worker's); None: MQTT 3.1.1 with a session kept for good (the single hub's, as before).
        ``unsubscribe``: filters this session subscribed to before and must no longer receive."""
        self.broker = broker
        self.client_id = client_id
        self._subscriptions = [(topic, 1) for topic in subscriptions]
        self._unsubscribe = list(unsubscribe)
        self._on_delivery = on_delivery
        self._on_connected = on_connected
        self.connected = False
        self.subscribed = False
        self._v5 = session_expiry_s is not None
        self._connect_properties = None
        if self._v5:
            client = mqtt.Client(
                mqtt.CallbackAPIVersion.VERSION2, client_id=client_id, protocol=mqtt.MQTTv5, manual_ack=True
            )
            self._connect_properties = Properties(PacketTypes.CONNECT)
            self._connect_properties.SessionExpiryInterval = session_expiry_s
        else:
            client = mqtt.Client(
                mqtt.CallbackAPIVersion.VERSION2, client_id=client_id, clean_session=False, manual_ack=True
            )
        if broker.username:
            client.username_pw_set(broker.username, broker.password)
        if broker.tls:
            client.tls_set(ca_certs=broker.ca_file, cert_reqs=ssl.CERT_REQUIRED)
        client.reconnect_delay_set(min_delay=1, max_delay=10)
        # no limit on QoS 1 messages in flight (configs, commands): with a limit, paho scans every
        # outgoing message on each PUBACK
        client.max_inflight_messages_set(0)
        client.max_queued_messages_set(0)
        client.on_socket_open = _no_delay
        client.on_connect = self._connected
        client.on_disconnect = self._disconnected
        client.on_message = self._message
        client.on_subscribe = self._subscribed
        self._client = client

    def start(self) -> None:
        if self._v5:  # clean start off on every connect: a restarted worker resumes its session
            self._client.connect_async(
                self.broker.host, self.broker.port, keepalive=15, clean_start=False,
                properties=self._connect_properties,
            )  # fmt: skip
        else:
            self._client.connect_async(self.broker.host, self.broker.port, keepalive=15)
        self._client.loop_start()

    def stop(self) -> None:
        mqtt_close.close(self._client)

    def publish(self, topic: str, payload: bytes, retain: bool = False) -> bool:
        return self._client.publish(topic, payload, qos=1, retain=retain).rc == mqtt.MQTT_ERR_SUCCESS

    def send_ack(self, topic: str, payload: bytes) -> bool:
        """Publish an ack at QoS 0.

        The unit keeps an event until its ack arrives and sends it again when none comes, and the
        hub answers a repeat with "duplicate": an ack lost on the way costs one resend, nothing
        else. At QoS 1 the broker's PUBACK for every ack would cost the hub a quarter of its work.
        """
        return self._client.publish(topic, payload, qos=0).rc == mqtt.MQTT_ERR_SUCCESS

    def settle(self, delivery: Delivery) -> None:
        """Tell the broker this delivery is safe with us (send the PUBACK)."""
        if delivery.qos > 0:
            self._client.ack(delivery.mid, delivery.qos)

    def _connected(self, client, _userdata, flags, reason_code, _properties) -> None:
        if reason_code.is_failure:
            log.error("broker %s refused the hub: %s", self.broker, reason_code)
            return
        if self._unsubscribe:
            client.unsubscribe(self._unsubscribe)
        if self._subscriptions:
            client.subscribe(self._subscriptions)
        self.connected = True
        log.info("hub connected to %s (session present: %s)", self.broker, flags.session_present)
        self._on_connected()

    def _subscribed(self, _client, _userdata, _mid, reason_codes, _properties) -> None:
        if any(code.is_failure for code in reason_codes):
            log.error("broker %s refused the hub's subscription: %s", self.broker, reason_codes)
            return
        self.subscribed = True
        log.info("%s subscribed at %s", self.client_id, self.broker)  # the worker tests wait for this

    def _disconnected(self, _client, _userdata, _flags, reason_code, _properties) -> None:
        if self.connected:
            log.warning("hub disconnected from %s: %s", self.broker, reason_code)
        self.connected = False
        self.subscribed = False

    def _message(self, _client, _userdata, message: mqtt.MQTTMessage) -> None:
        self._on_delivery(
            Delivery(message.topic, message.payload, message.mid, message.qos, time.monotonic())
        )


def _no_delay(_client, _userdata, sock) -> None:
    """Send small packets (acks, PUBACKs) at once instead of holding them for Nagle's algorithm,
    which together with the peer's delayed ACK adds 40 ms to a round trip."""
    with contextlib.suppress(OSError, AttributeError):  # not a TCP socket: nothing to tune
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
