"""The camera check: what the technician runs at the door after mounting or adjusting a unit.

For ``seconds`` it reads frames from the unit's configured camera through the unit's own decoder
and reports: the frame rate, the exposure (brightness, clipped highlights, and what picamera2
reports: exposure time, gain), the focus (a sharpness figure from the frames, and picamera2's
lens position and autofocus state), and how many cards it read. Cards shown during the check
are counted as presentations, as the scanner counts them; nothing is registered.
"""

from __future__ import annotations

import statistics
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from device.decoder import QrDecoder, to_gray
from device.frames import FrameSource
from device.scanner import PresenceTracker
from wire import cardcode


@dataclass
class CheckReport:
    camera: str
    seconds: float
    frames: int = 0
    brightness: list[float] = field(default_factory=list)
    clipped: list[float] = field(default_factory=list)
    sharpness: list[float] = field(default_factory=list)
    frames_with_card: int = 0
    presentations: int = 0
    cards: Counter[str] = field(default_factory=Counter)
    decoder_counts: Counter[str] = field(default_factory=Counter)
    camera_reports: dict[str, Any] = field(default_factory=dict)

    def lines(self) -> list[str]:
        fps = self.frames / self.seconds if self.seconds else 0.0
        median = statistics.median
        lines = [
            f"camera: {self.camera}, {self.frames} frames in {self.seconds:.1f} s ({fps:.1f} per second)",
        ]
        if self.frames:
            lines += [
                f"exposure: brightness {median(self.brightness):.0f} of 255 (aim for 90-170), "
                f"{median(self.clipped):.1f} % clipped (glare above 2 %)",
                f"focus: sharpness {median(self.sharpness):.0f} (variance of the Laplacian; compare "
                "with a card held at 10, 25 and 40 cm)",
            ]
        reports = self.camera_reports
        if reports:
            lines.append("camera reports: " + ", ".join(f"{k} {v}" for k, v in sorted(reports.items())))
        else:
            lines.append("camera reports: none (this camera has no focus or exposure controls)")
        dropped = self.decoder_counts.get("check_digit", 0)
        errors = sum(v for k, v in self.decoder_counts.items() if ":" in k)
        lines.append(
            f"decoded: {self.presentations} card presentation(s), {len(self.cards)} different card(s), "
            f"read in {self.frames_with_card} frame(s); {dropped} misread(s) dropped (check digit), "
            f"{errors} decoder error(s)"
        )
        return lines


def camera_check(
    frames: FrameSource,
    decoder: QrDecoder,
    seconds: float = 10.0,
    clock: Callable[[], float] = time.monotonic,
) -> CheckReport:
    """Read frames for ``seconds`` and report exposure, focus and decodes (see the module)."""
    import cv2

    report = CheckReport(camera=frames.name, seconds=seconds)
    tracker = PresenceTracker()
    start = clock()
    while (now := clock()) - start < seconds:
        frame = frames.read()
        if frame is None:
            continue
        gray = to_gray(frame)
        report.frames += 1
        if report.frames % 5 == 1:  # exposure and focus figures need not come from every frame
            report.brightness.append(float(gray.mean()))
            report.clipped.append(100.0 * float(np.count_nonzero(gray >= 250)) / gray.size)
            report.sharpness.append(float(cv2.Laplacian(gray, cv2.CV_64F).var()))
        codes = [c for c in decoder.decode(gray) if cardcode.is_valid(c)]
        if codes:
            report.frames_with_card += 1
            report.cards.update(set(codes))
        report.presentations += len(tracker.appeared(codes, now))
    describe = getattr(frames, "describe", None)
    if describe is not None:
        report.camera_reports = describe()
    report.decoder_counts = Counter(getattr(decoder, "counts", {}))
    return report


class LiveCheck:
    """The camera check from the staff menu (key 4): for ``seconds`` the scanner reports each
    frame here instead of registering cards; the display shows the result in Dutch.

    Cards held up during the check are counted, not registered: staff test the camera with any
    card without checking a child in or out.
    """

    def __init__(self, clock: Callable[[], float] = time.monotonic, seconds: float = 10.0) -> None:
        self._clock = clock
        self.seconds = seconds
        self._until = float("-inf")
        self._report: CheckReport | None = None
        self._tracker = PresenceTracker()

    def start(self) -> None:
        self._report = CheckReport(camera="", seconds=self.seconds)
        self._tracker = PresenceTracker()
        self._until = self._clock() + self.seconds

    @property
    def running(self) -> bool:
        return self._clock() < self._until

    def add(self, gray: np.ndarray, codes: list[str]) -> None:
        """One frame the scanner read during the check, and the card codes decoded in it."""
        import cv2

        report = self._report
        if report is None or not self.running:
            return
        report.frames += 1
        if report.frames % 5 == 1:
            report.brightness.append(float(gray.mean()))
            report.sharpness.append(float(cv2.Laplacian(gray, cv2.CV_64F).var()))
        if codes:
            report.frames_with_card += 1
            report.cards.update(set(codes))
        report.presentations += len(self._tracker.appeared(codes, self._clock()))

    def text(self) -> str:
        """The display's line: the countdown while running, then the figures."""
        report = self._report
        if report is None:
            return "Camera-test: 4=start *=terug"
        if self.running:
            left = max(1, round(self._until - self._clock()))
            return f"Camera-test: {left} s — {report.presentations} kaart(en)"
        if not report.frames:
            return "Camera: geen beeld! *=terug"
        light = statistics.median(report.brightness)
        sharp = statistics.median(report.sharpness)
        return f"Licht {light:.0f} scherp {sharp:.0f} — {report.presentations} kaart(en)"
