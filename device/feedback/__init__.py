"""What the person at the door sees and hears: a signal (LEDs, buzzer) and text (display).

One small interface, :class:`Feedback`, with interchangeable implementations chosen in one place
(:func:`open_feedback`; gpiozero's pin factories are the model):

- :class:`Panel`: real hardware, a :class:`Display` (the 16x2 I2C LCD in ``lcd.py``, or the
  console) plus :class:`Lights` (LEDs and buzzer on GPIO in ``gpio.py``). A message stays on the
  display for ``message_s`` seconds, then the standing text returns: the prompt being typed, or
  else the mode ("Welkom in de opvang"), so the mode shows at all times between scans.
- :class:`ConsoleFeedback`: one line per signal on the terminal; the demo's scanner (``console.py``).
- ``fake.py``: :class:`~device.feedback.fake.RecordingFeedback`, which remembers everything; for tests.

The display and the lights are chosen by :data:`DISPLAYS` and :data:`LIGHTS`, each a
:class:`device.drivers.Chooser` (the shape every driver kind shares); ``AANWEZIG_DISPLAY`` and
``AANWEZIG_LIGHTS`` override the configuration.
"""

from __future__ import annotations

import logging
import threading
from typing import TYPE_CHECKING, Protocol

from device.drivers import Chooser
from device.exc import NoFeedback
from device.feedback.console import ConsoleDisplay, ConsoleFeedback
from device.feedback.signals import Signal

if TYPE_CHECKING:
    from device.config import FeedbackConfig

__all__ = [
    "DISPLAYS",
    "LIGHTS",
    "ConsoleFeedback",
    "Feedback",
    "NoFeedback",
    "Panel",
    "Signal",
    "open_feedback",
]

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


class NoLights:
    name = "none"

    def play(self, signal: Signal) -> None:
        pass

    def close(self) -> None:
        pass


def _open_lcd(config: FeedbackConfig) -> Display:
    from device.feedback.lcd import open_lcd

    try:
        return open_lcd(config.lcd_bus, config.lcd_address)
    except Exception as exc:  # no I2C bus, no smbus2, nothing at the address, ...
        raise NoFeedback(f"lcd: {exc}") from exc


def _open_gpio(config: FeedbackConfig) -> Lights:
    from device.feedback.gpio import GpioLights

    try:
        return GpioLights(config.green, config.red, config.buzzer)
    except Exception as exc:  # no GPIO on this machine (BadPinFactory), pins busy, ...
        raise NoFeedback(f"gpio: {exc}") from exc


# Probe orders for "auto": the first driver that opens wins. The console and "none" always open.
DISPLAYS: Chooser[Display] = Chooser(
    "display",
    {"lcd": _open_lcd, "console": lambda _config: ConsoleDisplay()},
    order=["lcd", "console"],
    error=NoFeedback,
)
LIGHTS: Chooser[Lights] = Chooser(
    "lights",
    {"gpio": _open_gpio, "none": lambda _config: NoLights()},
    order=["gpio", "none"],
    error=NoFeedback,
)


def open_feedback(config: FeedbackConfig) -> Feedback:
    """The configured display and lights (``auto``: the first in :data:`DISPLAYS` / :data:`LIGHTS`
    that opens); with neither an LCD nor GPIO lights, the console."""
    display = DISPLAYS.open(config.display, config)
    lights = LIGHTS.open(config.lights, config)
    if display.name == "console" and lights.name == "none":
        return ConsoleFeedback()
    log.info("feedback: display %s, lights %s", display.name, lights.name)
    return Panel(display, lights, message_s=config.message_s)
