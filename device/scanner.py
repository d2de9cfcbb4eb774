"""From frames to card presentations: one check-in per card held to the camera.

A card held in view for seconds is decoded in many frames; :class:`PresenceTracker` turns that
into one presentation, and a new one only after the card was out of view for ``gap_s``.
QR texts that are not valid card codes (a poster, a phone showing a web address) are ignored.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from device.decoder import QrDecoder, to_gray
from device.frames import FrameSource
from wire import cardcode

if TYPE_CHECKING:
    from device.camera_check import LiveCheck

log = logging.getLogger(__name__)


class PresenceTracker:
    """Remembers which codes are in view; says when a code newly appears."""

    def __init__(self, gap_s: float = 1.5) -> None:
        self._gap_s = gap_s
        self._last_seen: dict[str, float] = {}

    def appeared(self, codes: list[str], now: float) -> list[str]:
        new = [c for c in dict.fromkeys(codes) if now - self._last_seen.get(c, float("-inf")) > self._gap_s]
        for code in codes:
            self._last_seen[code] = now
        if len(self._last_seen) > 256:  # forget codes long gone
            self._last_seen = {c: t for c, t in self._last_seen.items() if now - t <= self._gap_s}
        return new


class Scanner:
    """Reads frames, decodes them and hands each new card presentation to ``on_card``."""

    def __init__(
        self,
        frames: FrameSource,
        decoder: QrDecoder,
        on_card: Callable[[str, float], None],
        gap_s: float = 1.5,
        camera_check: LiveCheck | None = None,
    ) -> None:
        self.frames = frames
        self.decoder = decoder
        self.camera_check = camera_check
        self._on_card = on_card
        self._tracker = PresenceTracker(gap_s)
        self._ignored: set[str] = set()

    def step(self) -> int:
        """Process one frame; returns the number of new card presentations."""
        frame = self.frames.read()
        if frame is None:
            return 0
        arrived = time.monotonic()  # the frame's arrival, for scan -> feedback latency
        codes = [c for c in self.decoder.decode(frame) if self._is_card(c)]
        if self.camera_check is not None and self.camera_check.running:
            self.camera_check.add(to_gray(frame), codes)  # a camera test: counted, not registered
            return 0
        fresh = self._tracker.appeared(codes, arrived)
        for code in fresh:
            self._on_card(code, arrived)
        return len(fresh)

    def _is_card(self, text: str) -> bool:
        if cardcode.is_valid(text):
            return True
        if text not in self._ignored:
            self._ignored.add(text)
            log.info("ignoring a QR code that is not an Aanwezig card: %.40r", text)
        return False
