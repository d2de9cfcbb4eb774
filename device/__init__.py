"""The scanner unit: camera frames -> QR decoder -> check-in -> outbox -> MQTT -> hub ack.

Runs on a Raspberry Pi with few dependencies. Hardware sits behind small interfaces with a real
driver and a fake (``device.frames``, ``device.feedback``); the delivery guarantee lives in
``device.outbox`` and ``device.publisher``.
"""

from importlib.metadata import PackageNotFoundError, version

try:  # the version pip installed (an update's wheel says it), which the unit reports to the hub
    __version__ = version("aanwezig")
except PackageNotFoundError:  # running from a source folder that was never installed
    __version__ = "0.1.0"
