"""What the person at the door sees and hears: a signal (LEDs, buzzer) and text (display).

One small interface, :class:`Feedback`, with interchangeable implementations chosen in one place
(:func:`open_feedback`; gpiozero's pin factories are the model):

- :class:`Panel`: real hardware, a :class:`Display` (the 16x2 I2C LCD in ``lcd.py``, or the
  console) plus :class:`Lights` (LEDs and buzzer on GPIO in ``gpio.py``). A message stays on the
  display for ``message_s`` seconds, then the standing text returns: the prompt being typed, or
  else the mode ("Welkom in de opvang"), so the mode shows at all times between scans.
- :class:`ConsoleFeedback`: one line per signal on the terminal; the demo's scanner.
- :class:`RecordingFeedback`: remembers everything; for tests.
"""

from __future__ import annotations

import logging
import sys
import threading
import warnings
from collections.abc import Callable
from typing import TYPE_CHECKING, Protocol, TextIO

from device.feedback.signals import Signal

if TYPE_CHECKING:
    from device.config import FeedbackConfig

__all__ = ["ConsoleFeedback", "Feedback", "Panel", "RecordingFeedback", "Signal", "open_feedback"]

log = logging.getLogger(__name__)

OUT_OF_SERVICE = "Scanner uit — verwittig opvang"


class Feedback(Protocol):
    def signal(self, kind: Signal, message: str) -> None:
        """Tell the person at the door what happened to their scan or key press."""

    def show_mode(self, text: str) -> None:
        """The standing text between scans: the mode (arrival or departure)."""

    def prompt(self, text: str | None) -> None:
        """A standing text over the mode (a code being typed, the staff menu, a link request);
        None takes it away."""

    def close(self) -> None: ...


class Display(Protocol):
    name: str

    def show(self, text: str) -> None:
        """Replace what the display shows."""

    def close(self) -> None: ...


class Lights(Protocol):
    name: str

    def play(self, signal: Signal) -> None:
        """Start the signal's light and sound pattern without waiting for it."""

    def close(self) -> None: ...


class Panel:
    """Feedback on real hardware: lights play the signal, the display shows the text."""

    def __init__(self, display: Display, lights: Lights, message_s: float = 4.0) -> None:
        self.display, self.lights = display, lights
        self._message_s = message_s
        self._mode = ""
        self._prompt: str | None = None
        self._message_timer: threading.Timer | None = None
        self._lock = threading.Lock()

    def signal(self, kind: Signal, message: str) -> None:
        self.lights.play(kind)
        with self._lock:
            if self._message_timer is not None:
                self._message_timer.cancel()
            self._message_timer = threading.Timer(self._message_s, self._message_over)
            self._message_timer.daemon = True
            self._message_timer.start()
            self.display.show(message)

    def show_mode(self, text: str) -> None:
        with self._lock:
            self._mode = text
            self._refresh()

    def prompt(self, text: str | None) -> None:
        with self._lock:
            self._prompt = text
            self._refresh()

    def close(self) -> None:
        """On a clean stop the display says so: an LCD keeps its last text with nobody behind it."""
        with self._lock:
            if self._message_timer is not None:
                self._message_timer.cancel()
            self.display.show(OUT_OF_SERVICE)
        self.lights.close()
        self.display.close()

    def _message_over(self) -> None:
        with self._lock:
            self._message_timer = None
            self._refresh()

    def _refresh(self) -> None:
        if self._message_timer is None:  # a message is showing: it comes back after it
            self.display.show(self._prompt or self._mode)


class ConsoleDisplay:
    """The display as lines on a terminal (a unit with lights but no LCD, or a bench)."""

    name = "console"

    def __init__(self, stream: TextIO = sys.stdout) -> None:
        self._stream = stream

    def show(self, text: str) -> None:
        print(f"[scherm] {text}", file=self._stream, flush=True)

    def close(self) -> None:
        pass


class NoLights:
    name = "none"

    def play(self, signal: Signal) -> None:
        pass

    def close(self) -> None:
        pass


class ConsoleFeedback:
    """Feedback as lines on a terminal; the demo's display."""

    def __init__(self, stream: TextIO = sys.stdout) -> None:
        self._stream = stream
        self._lock = threading.Lock()
        self._prompt: str | None = None

    def signal(self, kind: Signal, message: str) -> None:
        self._write(f"[{kind}] {message}")

    def show_mode(self, text: str) -> None:
        self._write(f"[mode] {text}")

    def prompt(self, text: str | None) -> None:
        if text != self._prompt:
            self._prompt = text
            if text:
                self._write(f"[scherm] {text}")

    def close(self) -> None:
        pass

    def _write(self, line: str) -> None:
        with self._lock:
            print(line, file=self._stream, flush=True)


class RecordingFeedback:
    """A fake display and LEDs that remember what they were told; for tests."""

    def __init__(self) -> None:
        self.signals: list[tuple[Signal, str]] = []
        self.mode_text = ""
        self.prompt_text: str | None = None

    def signal(self, kind: Signal, message: str) -> None:
        self.signals.append((kind, message))

    def show_mode(self, text: str) -> None:
        self.mode_text = text

    def prompt(self, text: str | None) -> None:
        self.prompt_text = text

    def close(self) -> None:
        pass


def _open_lcd(config: FeedbackConfig) -> Display:
    from device.feedback.lcd import open_lcd

    return open_lcd(config.lcd_bus, config.lcd_address)


def _open_gpio(config: FeedbackConfig) -> Lights:
    from device.feedback.gpio import GpioLights

    return GpioLights(config.green, config.red, config.buzzer)


# Probe orders for "auto": the first driver that opens wins. The console and "none" always open.
DISPLAYS: list[tuple[str, Callable[[FeedbackConfig], Display]]] = [
    ("lcd", _open_lcd),
    ("console", lambda _config: ConsoleDisplay()),
]
LIGHTS: list[tuple[str, Callable[[FeedbackConfig], Lights]]] = [
    ("gpio", _open_gpio),
    ("none", lambda _config: NoLights()),
]


def open_feedback(config: FeedbackConfig) -> Feedback:
    """The configured display and lights (``auto``: the first in :data:`DISPLAYS` / :data:`LIGHTS`
    that opens); with neither an LCD nor GPIO lights, the console."""
    display = _first(DISPLAYS, config.display, config)
    lights = _first(LIGHTS, config.lights, config)
    if display.name == "console" and lights.name == "none":
        return ConsoleFeedback()
    log.info("feedback: display %s, lights %s", display.name, lights.name)
    return Panel(display, lights, message_s=config.message_s)


def _first(drivers: list, wanted: str, config: FeedbackConfig):
    errors = []
    for name, opener in drivers:
        if wanted not in ("auto", name):
            continue
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # gpiozero warns for every pin factory it skips
                return opener(config)
        except Exception as exc:  # any failure to open means: try the next driver
            if wanted != "auto":
                raise
            errors.append(f"{name}: {exc}")
    raise ValueError(f"no feedback driver {wanted!r} ({'; '.join(errors) or 'unknown name'})")
