"""Keypads: where key presses come from.

Every driver reports the same sixteen keys, ``0``-``9``, ``A``-``D``, ``*`` and ``#``, one call of
``on_key`` per press, from its own thread; :mod:`device.keyentry` decides what they mean.

- ``matrix``: a 4x4 membrane keypad on eight GPIO lines, scanned through gpiozero (``matrix.py``);
- ``usb``: a USB numeric keypad read through evdev (``usb.py``; its keys are mapped onto the
  sixteen above);
- ``none``: no keypad (a unit that only scans cards).

:func:`open_keypad` chooses, with the probe order as data (:data:`AUTO_ORDER`).
"""

from __future__ import annotations

import logging
import warnings
from collections.abc import Callable
from typing import Protocol

from device.config import KeypadConfig

log = logging.getLogger(__name__)

KEYS = frozenset("0123456789ABCD*#")
OnKey = Callable[[str], None]


class Keypad(Protocol):
    name: str

    def start(self, on_key: OnKey) -> None:
        """Begin reporting key presses to ``on_key`` (from the driver's own thread)."""

    def close(self) -> None: ...


class NoKeypad(RuntimeError):
    """The keypad asked for cannot be opened."""


class Absent:
    """No keypad at all."""

    name = "none"

    def start(self, on_key: OnKey) -> None:
        pass

    def close(self) -> None:
        pass


def _usb(config: KeypadConfig) -> Keypad:
    from device.keypad.usb import open_usb_keypad

    return open_usb_keypad(config.usb_device or None)


def _matrix(config: KeypadConfig) -> Keypad:
    from device.keypad.matrix import MatrixKeypad

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # gpiozero warns for every pin factory it skips
        try:
            return MatrixKeypad(config.rows, config.columns, drive=config.drive)
        except Exception as exc:  # no GPIO on this machine (BadPinFactory), pins busy, ...
            raise NoKeypad(f"matrix: {exc}") from exc


DRIVERS: dict[str, Callable[[KeypadConfig], Keypad]] = {
    "usb": _usb,
    "matrix": _matrix,
    "none": lambda _config: Absent(),
}
# A USB keypad is plugged in or not, so it can be detected; a matrix keypad cannot (no key
# pressed looks like no keypad), so it comes after, wherever GPIO works.
AUTO_ORDER = ["usb", "matrix", "none"]


def open_keypad(config: KeypadConfig) -> Keypad:
    """The configured keypad; ``auto`` tries :data:`AUTO_ORDER` in turn."""
    if config.source != "auto":
        if config.source not in DRIVERS:
            raise NoKeypad(f"unknown keypad {config.source!r}; known: {', '.join(DRIVERS)}")
        return DRIVERS[config.source](config)
    tried = []
    for name in AUTO_ORDER:
        try:
            keypad = DRIVERS[name](config)
        except NoKeypad as exc:
            tried.append(str(exc))
            continue
        log.info("keypad: %s%s", keypad.name, f" (not available: {'; '.join(tried)})" if tried else "")
        return keypad
    raise NoKeypad("; ".join(tried))
