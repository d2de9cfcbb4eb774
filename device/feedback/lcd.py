"""A 16x2 character LCD: an HD44780 behind a PCF8574 I2C backpack, written through smbus2.

The backpack's eight outputs drive the LCD in 4-bit mode: P0 = RS, P1 = RW, P2 = E,
P3 = backlight, P4..P7 = D4..D7 (the common wiring of the blue and green modules sold for
the Pi; address 0x27, or 0x3F for the PCF8574A). Text is transliterated to the LCD's own
character set and laid out on its grid (:mod:`device.feedback.text`); only changed text is sent.
"""

from __future__ import annotations

import threading
import time
from typing import Protocol

from device.feedback.text import fit

_RS, _ENABLE, _BACKLIGHT = 0x01, 0x04, 0x08
_CLEAR, _ENTRY_LEFT, _DISPLAY_ON, _FUNCTION_4BIT_2LINES, _SET_ADDRESS = 0x01, 0x06, 0x0C, 0x28, 0x80
_ROW_ADDRESS = (0x00, 0x40, 0x14, 0x54)


class I2cBus(Protocol):
    """The part of ``smbus2.SMBus`` the driver uses."""

    def write_byte(self, i2c_addr: int, value: int) -> None: ...


class CharacterLcd:
    name = "lcd"

    def __init__(self, bus: I2cBus, address: int = 0x27, columns: int = 16, rows: int = 2) -> None:
        self._bus, self._address = bus, address
        self.columns, self.rows = columns, rows
        self._shown: list[str] = []
        self._lock = threading.Lock()
        self._initialise()

    def show(self, text: str) -> None:
        lines = fit(text, self.columns, self.rows)
        with self._lock:
            if lines == self._shown:
                return
            for row, line in enumerate(lines):
                self._command(_SET_ADDRESS | _ROW_ADDRESS[row])
                for ch in line:
                    self._send(ord(ch), _RS)
            self._shown = lines

    def close(self) -> None:
        close = getattr(self._bus, "close", None)
        if close is not None:
            close()

    def _initialise(self) -> None:
        # HD44780 datasheet, "initializing by instruction": three times 8-bit mode, then 4-bit
        time.sleep(0.05)
        for pause in (0.0045, 0.0045, 0.00015):
            self._write_nibble(0x30)
            time.sleep(pause)
        self._write_nibble(0x20)
        for command in (_FUNCTION_4BIT_2LINES, _DISPLAY_ON, _CLEAR, _ENTRY_LEFT):
            self._command(command)
        time.sleep(0.002)  # clearing takes 1.5 ms

    def _command(self, value: int) -> None:
        self._send(value, 0)

    def _send(self, value: int, mode: int) -> None:
        self._write_nibble((value & 0xF0) | mode)
        self._write_nibble(((value << 4) & 0xF0) | mode)

    def _write_nibble(self, data: int) -> None:
        data |= _BACKLIGHT
        self._bus.write_byte(self._address, data | _ENABLE)  # the LCD latches on E falling
        self._bus.write_byte(self._address, data)


def open_lcd(bus_number: int = 1, address: int = 0x27) -> CharacterLcd:
    """The LCD on ``/dev/i2c-<bus_number>``; raises OSError when nothing answers at ``address``."""
    from smbus2 import SMBus

    bus = SMBus(bus_number)
    try:
        bus.read_byte(address)  # a PCF8574 answers with its port state; absent: OSError
    except OSError:
        bus.close()
        raise
    return CharacterLcd(bus, address)
