"""A fake I2C bus with an HD44780 behind a PCF8574, decoding what the driver writes into the
characters the LCD would show."""

from __future__ import annotations

_RS, _ENABLE, _BACKLIGHT = 0x01, 0x04, 0x08


class FakeLcdBus:
    def __init__(self, address: int = 0x27, columns: int = 16, rows: int = 2) -> None:
        self.address, self.columns, self.rows = address, columns, rows
        self.ddram = bytearray(b" " * 0x80)
        self.cursor = 0
        self.four_bit = False
        self.backlight = False
        self.writes = 0
        self._last = 0
        self._high: int | None = None

    def write_byte(self, i2c_addr: int, value: int) -> None:
        assert i2c_addr == self.address, f"write to 0x{i2c_addr:02x}, the LCD is at 0x{self.address:02x}"
        self.writes += 1
        self.backlight = bool(value & _BACKLIGHT)
        if self._last & _ENABLE and not value & _ENABLE:  # the HD44780 latches on E falling
            self._latch(self._last & 0xF0, bool(self._last & _RS))
        self._last = value

    def _latch(self, nibble: int, data: bool) -> None:
        if not self.four_bit:  # 8-bit mode: each transfer is a whole instruction
            if nibble == 0x20:
                self.four_bit = True
            return
        if self._high is None:
            self._high = nibble
            return
        value, self._high = self._high | (nibble >> 4), None
        if data:
            self.ddram[self.cursor % 0x80] = value
            self.cursor += 1
        elif value & 0x80:
            self.cursor = value & 0x7F
        elif value == 0x01:
            self.ddram[:] = b" " * 0x80
            self.cursor = 0

    @property
    def lines(self) -> list[str]:
        starts = (0x00, 0x40, 0x14, 0x54)[: self.rows]
        return [self.ddram[s : s + self.columns].decode("ascii") for s in starts]
