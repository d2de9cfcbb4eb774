"""Fake keypads, beside the real drivers (as gpiozero keeps its mock pins beside the real ones).

- :class:`ScriptedKeypad`: a keypad whose keys a test or bench presses in code.
- :class:`MatrixBoard`: a 4x4 matrix keypad wired to gpiozero mock pins, so the real matrix-scan
  code (``matrix.py``) sees key presses.

Pressing a key connects its row to its column, as the membrane does: while the scan drives a
line low, every sensed line with a pressed key on that crossing reads low; otherwise the
pull-up keeps it high.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence

from gpiozero.pins.mock import MockFactory, MockPin

from device.keypad import KEYS, OnKey
from device.keypad.matrix import LAYOUT, MatrixKeypad


class ScriptedKeypad:
    """A keypad pressed from code: :meth:`type` hands each key to the listener, in order."""

    name = "fake"

    def __init__(self) -> None:
        self._on_key: OnKey | None = None
        self.closed = False

    def start(self, on_key: OnKey) -> None:
        self._on_key = on_key

    def type(self, keys: str) -> None:
        if self._on_key is None:
            raise RuntimeError("the keypad was not started")
        for key in keys:
            if key not in KEYS:
                raise ValueError(f"a keypad has no key {key!r}")
            self._on_key(key)

    def close(self) -> None:
        self.closed = True


def _wait(condition: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError(f"waited {timeout} s for {what}")
        time.sleep(0.002)


class DrivenPin(MockPin):
    """A mock output pin that tells the keypad board whenever the scan changes it."""

    def __init__(self, factory, info, board: MatrixBoard | None = None) -> None:
        super().__init__(factory, info)
        self.board = board

    def _change_state(self, value):
        changed = super()._change_state(value)
        if getattr(self, "board", None) is not None and self._function == "output":
            self.board.settle()
        return changed


class MatrixBoard:
    def __init__(
        self,
        factory: MockFactory,
        rows: Sequence[int],
        columns: Sequence[int],
        drive: str = "rows",
        layout: Sequence[str] = LAYOUT,
    ) -> None:
        driven, sensed = (rows, columns) if drive == "rows" else (columns, rows)
        self.driven = [factory.pin(p, pin_class=DrivenPin, board=self) for p in driven]
        self.sensed = [factory.pin(p) for p in sensed]
        self.crossing = {
            layout[r][c]: ((r, c) if drive == "rows" else (c, r))
            for r in range(len(rows))
            for c in range(len(columns))
        }
        self.down: set[str] = set()
        self._lock = threading.RLock()  # the scan thread and the test both settle the lines

    def settle(self) -> None:
        """Set every sensed line from the driven lines and the keys held down."""
        with self._lock:
            selected = {
                d for d, line in enumerate(self.driven) if line.function == "output" and not line.state
            }
            low = {self.crossing[key][1] for key in self.down if self.crossing[key][0] in selected}
            for s, sense in enumerate(self.sensed):
                if sense.function == "input":
                    if s in low:
                        sense.drive_low()
                    else:
                        sense.drive_high()

    def press(self, key: str) -> None:
        with self._lock:
            self.down.add(key)
            self.settle()

    def release(self, key: str) -> None:
        with self._lock:
            self.down.discard(key)
            self.settle()

    def tap(self, keypad: MatrixKeypad, key: str, seen: list[str]) -> None:
        """Press and release one key, each held until the keypad's scan has noticed."""
        before = len(seen)
        self.press(key)
        _wait(lambda: len(seen) > before, 10, f"the keypad to report key {key}")
        self.release(key)
        _wait(lambda: key not in keypad.pressed, 10, f"the keypad to see key {key} released")

    def type(self, keypad: MatrixKeypad, keys: str, seen: list[str]) -> None:
        for key in keys:
            self.tap(keypad, key, seen)
