"""The queue between paho's thread and the ingest's writer thread, and how deliveries are taken from it.

The writer takes whatever has queued up: one delivery when traffic is light, up to ``most`` under
load. Taking costs no waiting: a lone delivery is handled at once.
"""

from __future__ import annotations

import queue

from hub.ingest.link import Delivery


class DeliveryQueue:
    def __init__(self) -> None:
        self._queue: queue.Queue[Delivery] = queue.Queue()

    def put(self, delivery: Delivery) -> None:
        """Called on the MQTT thread for every message."""
        self._queue.put(delivery)

    def take(self, most: int, wait_s: float = 0.2) -> list[Delivery]:
        """The deliveries waiting now (at most ``most``), after waiting up to ``wait_s`` for the first."""
        try:
            taken = [self._queue.get(timeout=wait_s)]
        except queue.Empty:
            return []
        while len(taken) < most:
            try:
                taken.append(self._queue.get_nowait())
            except queue.Empty:
                break
        return taken
