"""Green and red LEDs and an (active) buzzer on GPIO through gpiozero; plays :data:`PATTERNS`.

gpiozero chooses its pin factory itself (lgpio on a Pi, ``MockFactory`` in tests); a pattern
plays on its own thread so the scanner never waits for a beep, and a new signal cuts the
previous pattern short.
"""

from __future__ import annotations

import threading

from device.feedback.patterns import PATTERNS, Step
from device.feedback.signals import Signal


class GpioLights:
    name = "gpio"

    def __init__(self, green: int | str, red: int | str, buzzer: int | str, speed: float = 1.0) -> None:
        from gpiozero import LED, Buzzer

        self.green, self.red, self.buzzer = LED(green), LED(red), Buzzer(buzzer)
        self._speed = speed  # tests play patterns faster; what the pins do stays the same
        self._cancel = threading.Event()
        self._player: threading.Thread | None = None
        self._lock = threading.Lock()

    def play(self, signal: Signal) -> None:
        """Start the signal's pattern, cutting short whatever pattern is playing."""
        with self._lock:
            self._stop_player()
            self._cancel = threading.Event()
            self._player = threading.Thread(
                target=self._run, args=(PATTERNS[signal], self._cancel), name="lights", daemon=True
            )
            self._player.start()

    def wait(self, timeout: float = 10.0) -> None:
        """Wait until the current pattern has played out (for tests and for a clean stop)."""
        player = self._player
        if player is not None:
            player.join(timeout)

    def close(self) -> None:
        with self._lock:
            self._stop_player()
        for device in (self.green, self.red, self.buzzer):
            device.close()

    def _stop_player(self) -> None:
        self._cancel.set()
        if self._player is not None and self._player is not threading.current_thread():
            self._player.join(2.0)

    def _run(self, steps: tuple[Step, ...], cancel: threading.Event) -> None:
        try:
            for step in steps:
                self._set(step.green, step.red, step.buzzer)
                if cancel.wait(step.seconds / self._speed):
                    return
        finally:
            self._set(False, False, False)

    def _set(self, green: bool, red: bool, buzzer: bool) -> None:
        for device, on in ((self.green, green), (self.red, red), (self.buzzer, buzzer)):
            if on:
                device.on()
            else:
                device.off()
