"""An embedded MQTT broker (amqtt) for a first try on one machine with nothing installed.

Production uses Mosquitto with per-unit credentials and ACLs (see ``provisioning``); this
broker listens on loopback only and allows anonymous clients. The delivery guarantee does not
depend on the broker keeping messages: units publish again until the hub acks.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading

from hub.core.ports import free_port
from wire.broker_url import BrokerAddress

log = logging.getLogger(__name__)


class EmbeddedBroker:
    def __init__(self, port: int = 1883, host: str = "127.0.0.1") -> None:
        self.host = host
        self.port = free_port(host, preferred=port)
        if port and self.port != port:
            log.info("port %d is taken, the embedded broker uses %d", port, self.port)
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="embedded-broker", daemon=True)
        self._broker = None

    @property
    def address(self) -> BrokerAddress:
        return BrokerAddress(self.host, self.port)

    def start(self) -> BrokerAddress:
        from amqtt.broker import Broker

        for noisy in ("amqtt", "transitions"):
            logging.getLogger(noisy).setLevel(logging.WARNING)
        config = {
            "listeners": {"default": {"type": "tcp", "bind": f"{self.host}:{self.port}"}},
            "plugins": {"amqtt.plugins.authentication.AnonymousAuthPlugin": {"allow_anonymous": True}},
        }
        self._thread.start()
        self._broker = Broker(config, loop=self._loop)
        asyncio.run_coroutine_threadsafe(self._broker.start(), self._loop).result(timeout=10)
        log.info("embedded MQTT broker listening on %s", self.address)
        return self.address

    def stop(self) -> None:
        if self._broker is not None:
            # amqtt's shutdown can wait seconds for its broadcast loop and then logs the
            # cancellation as an error; nothing is lost by not waiting (units publish again).
            logging.getLogger("amqtt").setLevel(logging.CRITICAL)
            shutdown = asyncio.run_coroutine_threadsafe(self._broker.shutdown(), self._loop)
            with contextlib.suppress(Exception):
                shutdown.result(timeout=1)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=5)
