"""Frames rendered in memory: a card shown every few seconds, empty frames in between.

The demo's simulated scanner: it "holds" the next card of the roster to the camera every
``every_s`` seconds, and the real decoder reads it from the rendered pixels.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Callable

import numpy as np

from device.frames.synthetic import card_frame, empty_frame


class GeneratedFrames:
    name = "generated"

    def __init__(
        self,
        codes: Callable[[], list[str]],
        every_s: float = 4.0,
        start_s: float = 2.0,
        hold_s: float = 0.8,
        fps: float = 10.0,
    ) -> None:
        self._codes = codes
        self._every_s = every_s
        self._hold_s = hold_s
        self._interval = 1.0 / fps
        self._turn = itertools.count()
        self._next_card_at = time.monotonic() + start_s
        self._showing: np.ndarray | None = None
        self._until = 0.0
        self._empty = empty_frame()

    def read(self) -> np.ndarray | None:
        time.sleep(self._interval)
        now = time.monotonic()
        if self._showing is not None and now < self._until:
            return self._showing
        self._showing = None
        if now >= self._next_card_at:
            self._next_card_at = now + self._every_s
            codes = sorted(self._codes())
            if codes:
                self._showing = card_frame(codes[next(self._turn) % len(codes)])
                self._until = now + self._hold_s
                return self._showing
        return self._empty

    def close(self) -> None:
        pass
