"""What the parent sees and hears: a signal (LEDs, buzzer) and a line of text (display).

One small interface with interchangeable drivers, chosen in one place (gpiozero's pin factories
are the model): the console for the demo, a recorder for tests, and on a Pi the LEDs, buzzer
and character display (``device.feedback`` drivers added beside this one).
"""

from __future__ import annotations

import sys
import threading
from enum import StrEnum
from typing import Protocol, TextIO


class Signal(StrEnum):
    OK = "ok"  # registered, the hub is reachable
    SAVED_OFFLINE = "saved_offline"  # registered and on disk; the hub will get it later
    ALREADY = "already"  # same card again within the repeat window: nothing sent
    UNKNOWN = "unknown"  # card not on the roster: stored, staff must look
    REFUSED = "refused"  # not registered: wrong code, outbox full, ...
    WARNING = "warning"  # a condition staff must act on (outbox filling up)


class Feedback(Protocol):
    def signal(self, kind: Signal, message: str) -> None:
        """Tell the person at the door what happened to their scan."""

    def show_mode(self, text: str) -> None:
        """Show the standing text between scans (the mode: arrival or departure)."""


class ConsoleFeedback:
    """Feedback as lines on a terminal; the demo's display."""

    def __init__(self, stream: TextIO = sys.stdout) -> None:
        self._stream = stream
        self._lock = threading.Lock()

    def signal(self, kind: Signal, message: str) -> None:
        self._write(f"[{kind}] {message}")

    def show_mode(self, text: str) -> None:
        self._write(f"[mode] {text}")

    def _write(self, line: str) -> None:
        with self._lock:
            print(line, file=self._stream, flush=True)


class RecordingFeedback:
    """A fake display and LEDs that remember what they were told; for tests."""

    def __init__(self) -> None:
        self.signals: list[tuple[Signal, str]] = []
        self.mode_text = ""

    def signal(self, kind: Signal, message: str) -> None:
        self.signals.append((kind, message))

    def show_mode(self, text: str) -> None:
        self.mode_text = text
