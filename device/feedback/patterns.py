"""What the lights and the buzzer do for each signal: a short timeline per signal, as data.

Each pattern is distinct by sight and by ear, so a parent who does not read the display
still knows what happened: one beep and green is fine; green with two beeps is fine but the
hub will get it later; green blinking is "already registered"; green and red together is a
card the opvang does not know; red with a long beep is refused; red blinking with three beeps
asks staff to look (the outbox is filling up).
"""

from __future__ import annotations

from dataclasses import dataclass

from device.feedback.signals import Signal


@dataclass(frozen=True)
class Step:
    """For ``seconds``: which of green LED, red LED and buzzer are on."""

    seconds: float
    green: bool = False
    red: bool = False
    buzzer: bool = False


_BEEP = 0.1

PATTERNS: dict[Signal, tuple[Step, ...]] = {
    Signal.OK: (Step(_BEEP, green=True, buzzer=True), Step(1.2, green=True)),
    Signal.SAVED_OFFLINE: (
        Step(_BEEP, green=True, buzzer=True),
        Step(_BEEP, green=True),
        Step(_BEEP, green=True, buzzer=True),
        Step(1.0, green=True),
    ),
    Signal.ALREADY: (
        Step(0.15, green=True, buzzer=True),
        Step(0.15),
        Step(0.15, green=True),
        Step(0.15),
        Step(0.15, green=True),
    ),
    Signal.UNKNOWN: (
        Step(0.3, green=True, red=True, buzzer=True),
        Step(_BEEP, green=True, red=True),
        Step(_BEEP, green=True, red=True, buzzer=True),
        Step(1.2, green=True, red=True),
    ),
    Signal.REFUSED: (Step(0.6, red=True, buzzer=True), Step(1.0, red=True)),
    Signal.WARNING: (
        Step(_BEEP, red=True, buzzer=True),
        Step(_BEEP),
        Step(_BEEP, red=True, buzzer=True),
        Step(_BEEP),
        Step(_BEEP, red=True, buzzer=True),
        Step(0.5, red=True),
    ),
}
