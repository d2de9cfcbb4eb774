"""A 4x4 matrix keypad on GPIO, scanned through gpiozero.

The keypad's eight wires are four rows and four columns; a key connects its row to its column.
The scan drives one line of one side low at a time (the others float high) and reads the other
side's lines, pulled up: a line that reads low has a pressed key at the crossing. ``drive``
says which side is driven, rows (the usual) or columns (for a keypad wired the other way round).
A key counts as pressed after two scans in a row see it, and as released after two scans
without it (debounce); it is reported once per press.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence

from device.keypad import OnKey

LAYOUT = ("123A", "456B", "789C", "*0#D")  # as printed on the common membrane keypads


class MatrixKeypad:
    name = "matrix"

    def __init__(
        self,
        rows: Sequence[int | str],
        columns: Sequence[int | str],
        layout: Sequence[str] = LAYOUT,
        drive: str = "rows",
        scan_hz: float = 100.0,
    ) -> None:
        from gpiozero import DigitalInputDevice, DigitalOutputDevice

        if len(rows) != len(layout) or any(len(row) != len(columns) for row in layout):
            raise ValueError(f"a {len(rows)}x{len(columns)} keypad does not match its layout {layout}")
        driven, sensed = (rows, columns) if drive == "rows" else (columns, rows)
        # active_high=False: "on" pulls the line low, "off" leaves it high
        self._outputs = [DigitalOutputDevice(pin, active_high=False, initial_value=False) for pin in driven]
        try:
            self._inputs = [DigitalInputDevice(pin, pull_up=True) for pin in sensed]
        except Exception:
            self._close_all()
            raise
        self._key_at = {
            (d, s): layout[d if drive == "rows" else s][s if drive == "rows" else d]
            for d in range(len(driven))
            for s in range(len(sensed))
        }
        self._interval = 1.0 / scan_hz
        self._seen_once: set[str] = set()
        self.pressed: frozenset[str] = frozenset()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def scan(self) -> set[str]:
        """The keys down right now (one pass over the driven lines)."""
        down = set()
        for d, line in enumerate(self._outputs):
            line.on()
            for s, sense in enumerate(self._inputs):
                if sense.is_active:
                    down.add(self._key_at[d, s])
            line.off()
        return down

    def step(self, on_key: OnKey) -> None:
        """One scan with debouncing; reports keys that have just become pressed."""
        down = self.scan()
        steady = down & self._seen_once
        for key in sorted(steady - self.pressed):
            on_key(key)
        # released only after two scans without it, so a bouncing contact is one press
        self.pressed = frozenset(steady | (self.pressed & (down | self._seen_once)))
        self._seen_once = down

    def start(self, on_key: OnKey) -> None:
        def run() -> None:
            while not self._stop.wait(self._interval):
                self.step(on_key)

        self._thread = threading.Thread(target=run, name="keypad-matrix", daemon=True)
        self._thread.start()

    def close(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(2.0)
        self._close_all()

    def _close_all(self) -> None:
        for device in [*self._outputs, *getattr(self, "_inputs", [])]:
            device.close()
