"""How the portal reaches the scanner units: through the hub's MQTT link, or nowhere in app-only tests.

The hub (hub/service.py) is the real implementation: it republishes a location's retained unit
configs (roster, PIN hash) and publishes one-off commands such as link_card.
"""

from __future__ import annotations

from typing import Protocol


class UnitChannel(Protocol):
    def configs_changed(self, location_id: str) -> None:
        """Children, cards or the PIN of a location changed: republish its units' configs."""

    def send_command(self, location_id: str, unit_id: str, payload: bytes) -> bool:
        """Publish a command to one unit (QoS 1, not retained); False when the hub has no broker link."""


class RecordingChannel:
    """A channel without units, for running the portal alone: it remembers what it was asked."""

    def __init__(self, connected: bool = True) -> None:
        self.connected = connected
        self.changed: list[str] = []
        self.commands: list[tuple[str, str, bytes]] = []

    def configs_changed(self, location_id: str) -> None:
        self.changed.append(location_id)

    def send_command(self, location_id: str, unit_id: str, payload: bytes) -> bool:
        self.commands.append((location_id, unit_id, payload))
        return self.connected
