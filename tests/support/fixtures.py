"""Shared fixtures: real brokers, real databases, card images."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import cv2
import pytest
from gpiozero import Device
from gpiozero.pins.mock import MockFactory

from device.frames.synthetic import card_frame
from hub.core.db import open_database
from hub.demo import DemoData, seed
from provisioning.mosquitto import UnitAccount
from tests.support.mosquitto import Mosquitto


@pytest.fixture
def start_mosquitto(tmp_path: Path) -> Iterator[Callable[..., Mosquitto]]:
    """Start a real Mosquitto with accounts for the hub and the given units."""
    brokers: list[Mosquitto] = []

    def start(*units: UnitAccount) -> Mosquitto:
        broker = Mosquitto(tmp_path / f"mosquitto{len(brokers)}", list(units)).start()
        brokers.append(broker)
        return broker

    yield start
    for broker in brokers:
        broker.stop()


@pytest.fixture
def mock_factory() -> Iterator[MockFactory]:
    """gpiozero's mock pins for one test, reset afterwards."""
    previous = Device.pin_factory
    Device.pin_factory = MockFactory()
    try:
        yield Device.pin_factory
    finally:
        Device.pin_factory.reset()
        Device.pin_factory = previous


@pytest.fixture
def hub_dir(tmp_path: Path) -> Path:
    return tmp_path / "hub"


@pytest.fixture
def demo(hub_target: Path | str) -> DemoData:
    """A hub database with the demo organisator, location, children, cards and unit.

    ``hub_target``: ``hub_dir / "hub.sqlite3"``, or in a test on both databases also PostgreSQL.
    """
    db = open_database(hub_target)
    data = seed(db)
    db.close()
    return data


def write_card_image(folder: Path, code: str, name: str = "card.png", **frame_options) -> Path:
    """Put a photo of a card in a folder the unit's camera watches (written aside, then renamed)."""
    folder.mkdir(parents=True, exist_ok=True)
    tmp = folder / f".{name}"
    cv2.imwrite(str(tmp), card_frame(code, **frame_options))
    path = folder / name
    tmp.rename(path)
    return path
