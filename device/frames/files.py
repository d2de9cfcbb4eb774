"""Frames from image files dropped into a folder; for tests, the demo and camera snapshots.

Each new image file in the folder is "held in front of the camera" for ``hold_s`` seconds
(returned as the frame for that long), then moved to ``shown/`` so it is seen once. Between
files the source returns None, as a camera would show an empty hallway.
"""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np

IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".bmp", ".pgm", ".ppm", ".tif", ".tiff", ".webp"}


class FolderFrames:
    name = "files"

    def __init__(self, folder: str | Path, fps: float = 10.0, hold_s: float = 0.6) -> None:
        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)
        self._shown = self.folder / "shown"
        self._shown.mkdir(exist_ok=True)
        self._interval = 1.0 / fps
        self._hold_s = hold_s
        self._current: np.ndarray | None = None
        self._until = 0.0

    def read(self) -> np.ndarray | None:
        time.sleep(self._interval)
        now = time.monotonic()
        if self._current is not None and now < self._until:
            return self._current
        self._current = self._next_image()
        self._until = now + self._hold_s
        return self._current

    def _next_image(self) -> np.ndarray | None:
        import cv2

        for path in sorted(self.folder.iterdir()):
            if path.suffix.lower() not in IMAGE_SUFFIXES or path.name.startswith("."):
                continue
            image = cv2.imread(str(path), cv2.IMREAD_COLOR)
            if image is None:
                continue  # still being written; try again next frame
            path.rename(self._shown / path.name)
            return image
        return None

    def close(self) -> None:
        pass
