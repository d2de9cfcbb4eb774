"""Feedback on a terminal: the display as lines (a unit with lights but no LCD, or a bench),
and the whole feedback as lines (the demo's scanner)."""

from __future__ import annotations

import sys
import threading
from typing import TextIO

from device.feedback.signals import Signal


class ConsoleDisplay:
    """The display as lines on a terminal (a unit with lights but no LCD, or a bench)."""

    name = "console"

    def __init__(self, stream: TextIO = sys.stdout) -> None:
        self._stream = stream

    def show(self, text: str) -> None:
        print(f"[scherm] {text}", file=self._stream, flush=True)

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
