"""A USB numeric keypad: evdev input events through the real driver thread, mapped onto the unit's keys."""

from __future__ import annotations

import threading

import evdev
from evdev import ecodes

from device.keypad.usb import KEYMAP, UsbKeypad, keys_from_events
from tests.support.waiting import wait_for


def events(*codes: int) -> list[evdev.InputEvent]:
    """Press and release each key, with the SYN reports a keyboard sends between them."""
    out = []
    for code in codes:
        for value in (1, 0):
            out.append(evdev.InputEvent(0, 0, ecodes.EV_KEY, code, value))
            out.append(evdev.InputEvent(0, 0, ecodes.EV_SYN, ecodes.SYN_REPORT, 0))
    return out


class FakeInputDevice:
    """Stands in for evdev.InputDevice: plays a list of events, then blocks until closed."""

    def __init__(self, stream: list[evdev.InputEvent]) -> None:
        self._stream = stream
        self._closed = threading.Event()
        self.grabbed = True

    def read_loop(self):
        yield from self._stream
        self._closed.wait(10)
        raise OSError("device closed")

    def ungrab(self) -> None:
        self.grabbed = False

    def close(self) -> None:
        self._closed.set()


def test_typing_a_code_on_a_numeric_keypad_gives_digits_and_enter_confirms() -> None:
    digits = [ecodes.KEY_KP1, ecodes.KEY_KP2, ecodes.KEY_KP3, ecodes.KEY_KP0, ecodes.KEY_KPENTER]
    device = FakeInputDevice(events(*digits))
    keypad = UsbKeypad(device)
    seen: list[str] = []
    keypad.start(seen.append)
    wait_for(lambda: len(seen) == 5, what="five keys from the USB keypad")
    assert seen == ["1", "2", "3", "0", "#"]
    keypad.close()
    assert not device.grabbed


def test_the_keypad_keys_without_a_digit_are_clear_mode_and_staff_keys() -> None:
    codes = [ecodes.KEY_KPDOT, ecodes.KEY_BACKSPACE, ecodes.KEY_KPSLASH, ecodes.KEY_KPASTERISK]
    codes += [ecodes.KEY_KPMINUS, ecodes.KEY_KPPLUS, ecodes.KEY_ENTER, ecodes.KEY_7]
    assert list(keys_from_events(events(*codes))) == ["*", "*", "A", "B", "C", "D", "#", "7"]


def test_held_keys_repeat_nothing_and_other_keys_are_ignored() -> None:
    stream = [
        evdev.InputEvent(0, 0, ecodes.EV_KEY, ecodes.KEY_KP5, 1),
        evdev.InputEvent(0, 0, ecodes.EV_KEY, ecodes.KEY_KP5, 2),  # autorepeat
        evdev.InputEvent(0, 0, ecodes.EV_KEY, ecodes.KEY_KP5, 0),
        evdev.InputEvent(0, 0, ecodes.EV_KEY, ecodes.KEY_NUMLOCK, 1),
        evdev.InputEvent(0, 0, ecodes.EV_MSC, ecodes.MSC_SCAN, 458845),
    ]
    assert list(keys_from_events(stream)) == ["5"]


def test_the_key_table_uses_the_kernels_own_key_codes() -> None:
    for name, key in [("KEY_KP0", "0"), ("KEY_KP9", "9"), ("KEY_KPENTER", "#"), ("KEY_KPPLUS", "D")]:
        assert KEYMAP[getattr(ecodes, name)] == key
