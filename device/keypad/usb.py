"""A USB numeric keypad, read through evdev (imported only when this driver is chosen).

A numeric keypad has no A-D, * means something else on it, and Enter is where # would be, so
its keys are mapped onto the unit's sixteen by what they do:

    0-9 (keypad or top row)   digits
    Enter                     #  confirm
    . (Del), Backspace, Esc   *  clear / back
    /                         A  arrival
    * (multiply)              B  departure
    -                         C
    +                         D  staff menu

The device is grabbed, so its key presses do not also reach a login console.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterable, Iterator
from typing import Protocol

from device.keypad import NoKeypad, OnKey

EV_KEY, KEY_DOWN = 1, 1
# Linux input event codes (linux/input-event-codes.h); stable kernel ABI.
KEYMAP: dict[int, str] = {
    82: "0", 79: "1", 80: "2", 81: "3", 75: "4", 76: "5", 77: "6", 71: "7", 72: "8", 73: "9",  # KEY_KP0..9
    11: "0", 2: "1", 3: "2", 4: "3", 5: "4", 6: "5", 7: "6", 8: "7", 9: "8", 10: "9",  # KEY_0..9
    96: "#", 28: "#",  # KEY_KPENTER, KEY_ENTER
    83: "*", 14: "*", 1: "*",  # KEY_KPDOT, KEY_BACKSPACE, KEY_ESC
    98: "A",  # KEY_KPSLASH
    55: "B",  # KEY_KPASTERISK
    74: "C",  # KEY_KPMINUS
    78: "D",  # KEY_KPPLUS
}  # fmt: skip
_KEYPAD_PROBE = 76  # KEY_KP5: a device that has it is a numeric keypad (or a full keyboard)


class InputEvent(Protocol):
    type: int
    code: int
    value: int


def keys_from_events(events: Iterable[InputEvent]) -> Iterator[str]:
    """The unit's keys for a stream of input events: key-down only (no repeats, no releases)."""
    for event in events:
        if event.type == EV_KEY and event.value == KEY_DOWN and event.code in KEYMAP:
            yield KEYMAP[event.code]


class UsbKeypad:
    name = "usb"

    def __init__(self, device) -> None:
        self._device = device  # an evdev.InputDevice
        self._thread: threading.Thread | None = None

    def start(self, on_key: OnKey) -> None:
        def run() -> None:
            try:
                for key in keys_from_events(self._device.read_loop()):
                    on_key(key)
            except OSError:
                pass  # unplugged or closed: the service carries on without keys

        self._thread = threading.Thread(target=run, name="keypad-usb", daemon=True)
        self._thread.start()

    def close(self) -> None:
        with contextlib.suppress(OSError):
            self._device.ungrab()
        self._device.close()


def open_usb_keypad(path: str | None = None) -> UsbKeypad:
    try:
        import evdev
    except ImportError as exc:
        raise NoKeypad("usb: evdev is not installed") from exc
    paths = [path] if path else evdev.list_devices()
    for candidate in paths:
        try:
            device = evdev.InputDevice(candidate)
        except OSError as exc:
            if path:
                raise NoKeypad(f"usb: {candidate}: {exc}") from exc
            continue
        if _KEYPAD_PROBE in device.capabilities().get(EV_KEY, []):
            device.grab()
            return UsbKeypad(device)
        device.close()
    raise NoKeypad("usb: no input device with keypad keys")
