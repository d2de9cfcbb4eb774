"""Keypads: where key presses come from.

Every driver reports the same sixteen keys, ``0``-``9``, ``A``-``D``, ``*`` and ``#``, one call of
``on_key`` per press, from its own thread; :mod:`device.keyentry` decides what they mean.

- ``matrix``: a 4x4 membrane keypad on eight GPIO lines, scanned through gpiozero (``matrix.py``);
- ``usb``: a USB numeric keypad read through evdev (``usb.py``; its keys are mapped onto the
  sixteen above);
- ``none``: no keypad (a unit that only scans cards).

:func:`open_keypad` chooses through :data:`KEYPADS` (a :class:`device.drivers.Chooser`, the shape
every driver kind shares), with the probe order as data; ``AANWEZIG_KEYPAD`` overrides
``keypad.source``. The fakes for tests and benches are beside the drivers, in ``fake.py``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from device.config import KeypadConfig
from device.drivers import Chooser
from device.exc import NoKeypad

__all__ = ["KEYPADS", "KEYS", "Absent", "Keypad", "NoKeypad", "OnKey", "open_keypad"]

KEYS = frozenset("0123456789ABCD*#")
OnKey = Callable[[str], None]


class Keypad(Protocol):
    name: str

    def start(self, on_key: OnKey) -> None:
        """Begin reporting key presses to ``on_key`` (from the driver's own thread)."""

    def close(self) -> None: ...


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

    try:
        return MatrixKeypad(config.rows, config.columns, drive=config.drive)
    except Exception as exc:  # no GPIO on this machine (BadPinFactory), pins busy, ...
        raise NoKeypad(f"matrix: {exc}") from exc


# A USB keypad is plugged in or not, so it can be detected; a matrix keypad cannot (no key
# pressed looks like no keypad), so it comes after, wherever GPIO works.
KEYPADS: Chooser[Keypad] = Chooser(
    "keypad",
    {"usb": _usb, "matrix": _matrix, "none": lambda _config: Absent()},
    order=["usb", "matrix", "none"],
    error=NoKeypad,
)


def open_keypad(config: KeypadConfig) -> Keypad:
    """The configured keypad; ``auto`` tries :data:`KEYPADS`' order in turn."""
    return KEYPADS.open(config.source, config)
