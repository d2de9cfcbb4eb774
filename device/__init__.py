"""The scanner unit: camera frames -> QR decoder -> check-in -> outbox -> MQTT -> hub ack.

Runs on a Raspberry Pi with few dependencies. Hardware sits behind small interfaces with a real
driver and a fake (``device.frames``, ``device.feedback``); the delivery guarantee lives in
``device.outbox`` and ``device.publisher``.
"""

__version__ = "0.1.0"
