"""Fake feedback for tests and benches, beside the real drivers."""

from __future__ import annotations

from device.feedback.signals import Signal


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
