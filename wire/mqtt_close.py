"""Closing a paho-mqtt client, as the unit, the hub, the provisioning tool and the tests all do.

Standard library only, like the rest of ``wire``: it takes the client as it is. paho 2's
``loop_stop`` checks its network thread and then joins it, while that thread, ended by the
``disconnect`` just before, sets itself to ``None`` as it finishes: in between, ``loop_stop``
raises ``AttributeError: 'NoneType' object has no attribute 'join'`` (seen on a loaded machine
when a unit stopped). The thread is done by then, so there is nothing left to wait for.
"""

from __future__ import annotations

import contextlib


def close(client) -> None:
    """Disconnect ``client`` and stop its network thread (started with ``loop_start``)."""
    client.disconnect()
    with contextlib.suppress(AttributeError):  # the thread ended between loop_stop's check and its join
        client.loop_stop()
