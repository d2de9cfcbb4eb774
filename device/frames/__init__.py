"""Frame sources: where the scanner's images come from.

One small interface, a driver per technology, and one place that chooses (:func:`open_frame_source`).
``files`` plays image files dropped into a folder (a card "held" for a moment each) and
``generated`` renders card images itself; both feed real pixels to the real decoder.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

import numpy as np

from device.config import CameraConfig


class FrameSource(Protocol):
    name: str

    def read(self) -> np.ndarray | None:
        """The next frame, waiting at most one frame interval; None when there is none yet."""

    def close(self) -> None: ...


class NoCamera(RuntimeError):
    """No frame source could be opened with the configuration given."""


def open_frame_source(camera: CameraConfig, codes: Callable[[], list[str]] | None = None) -> FrameSource:
    """Open the configured source; ``auto`` picks files, then generated frames, by what is configured.

    ``codes`` supplies card codes for the ``generated`` source when the config lists none
    (the demo shows the roster's cards).
    """
    source = camera.source
    if source == "auto":
        source = "files" if camera.folder else "generated"
    if source == "files":
        from device.frames.files import FolderFrames

        if not camera.folder:
            raise NoCamera("camera.source = 'files' needs camera.folder")
        return FolderFrames(camera.folder, fps=camera.fps)
    if source == "generated":
        from device.frames.generated import GeneratedFrames

        fixed = list(camera.codes)
        return GeneratedFrames(
            (lambda: fixed) if fixed else (codes or list),
            every_s=camera.every_s,
            start_s=camera.start_s,
            fps=camera.fps,
        )
    raise NoCamera(f"unknown camera source {source!r}")
