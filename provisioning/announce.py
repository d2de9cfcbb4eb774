"""Telling units about a change at once, as the hub would: publish (or clear) a unit's retained config.

The hub publishes every unit's config when it connects to the broker; a unit enrolled while the
hub runs would otherwise wait for the hub's next restart for its roster. The provisioning tool
runs on the hub machine and uses the hub's own broker account (from the hub's settings) with a
client id of its own, so the hub's session is untouched.
"""

from __future__ import annotations

import os
import ssl
import time

import paho.mqtt.client as mqtt

from wire import mqtt_close
from wire.broker_url import BrokerAddress


class AnnounceError(RuntimeError):
    pass


def publish_retained(broker: BrokerAddress, topic: str, payload: bytes, timeout_s: float = 10.0) -> None:
    """Publish one retained QoS 1 message (an empty payload removes the retained one)."""
    client = mqtt.Client(
        mqtt.CallbackAPIVersion.VERSION2, client_id=f"aanwezig-provision-{os.getpid()}", clean_session=True
    )
    if broker.username:
        client.username_pw_set(broker.username, broker.password)
    if broker.tls:
        client.tls_set(ca_certs=broker.ca_file, cert_reqs=ssl.CERT_REQUIRED)
    try:
        client.connect(broker.host, broker.port, keepalive=15)
    except (OSError, ssl.SSLError) as exc:
        raise AnnounceError(f"broker {broker} unreachable: {exc}") from None
    client.loop_start()
    try:
        deadline = time.monotonic() + timeout_s
        while not client.is_connected() and time.monotonic() < deadline:
            time.sleep(0.02)
        if not client.is_connected():
            raise AnnounceError(f"broker {broker} refused or did not answer the hub's account")
        info = client.publish(topic, payload, qos=1, retain=True)
        try:
            info.wait_for_publish(max(0.1, deadline - time.monotonic()))
        except (RuntimeError, ValueError) as exc:
            raise AnnounceError(f"broker {broker}: {exc}") from None
        if not info.is_published():
            raise AnnounceError(f"broker {broker} did not confirm the message on {topic}")
    finally:
        mqtt_close.close(client)
