"""Frame sources: where the scanner's images come from.

One small interface, a driver per technology, and one chooser (:data:`CAMERAS`, a
:class:`device.drivers.Chooser` like every driver kind's) with the probe order as data;
``AANWEZIG_CAMERA`` overrides ``camera.source``:

- ``picamera2``: the Raspberry Pi camera (``picamera.py``; picamera2 is imported only here);
- ``opencv``: a USB camera through OpenCV ``VideoCapture`` that really delivers frames (``usbcam.py``);
- ``files``: image files dropped into a folder, each "held" to the camera for a moment (``files.py``);
- ``generated``: card images rendered in memory, the demo's camera (``generated.py``).

The last two feed real pixels to the real decoder, for tests and the demo.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Callable
from typing import Protocol

import numpy as np

from device.config import CameraConfig
from device.drivers import Chooser
from device.exc import NoCamera

__all__ = ["CAMERAS", "FrameSource", "NoCamera", "open_frame_source"]

Codes = Callable[[], list[str]]


class FrameSource(Protocol):
    name: str

    def read(self) -> np.ndarray | None:
        """The next frame, waiting at most about one frame interval; None when there is none."""

    def close(self) -> None: ...


def _picamera2(camera: CameraConfig, _codes: Codes | None) -> FrameSource:
    if importlib.util.find_spec("picamera2") is None:
        raise NoCamera("picamera2 is not installed (it is, on Raspberry Pi OS)")
    from device.frames.picamera import PiCamera

    try:
        return PiCamera(camera)
    except (RuntimeError, IndexError, OSError) as exc:  # no camera attached: picamera2 raises these
        raise NoCamera(f"picamera2: {exc}") from exc


def _opencv(camera: CameraConfig, _codes: Codes | None) -> FrameSource:
    from device.frames.usbcam import open_usb_camera

    return open_usb_camera(camera.device, camera.width, camera.height, camera.fps)


def _files(camera: CameraConfig, _codes: Codes | None) -> FrameSource:
    from device.frames.files import FolderFrames

    if not camera.folder:
        raise NoCamera("camera.source = 'files' needs camera.folder")
    return FolderFrames(camera.folder, fps=camera.fps, hold_s=camera.hold_s)


def _generated(camera: CameraConfig, codes: Codes | None) -> FrameSource:
    from device.frames.generated import GeneratedFrames

    fixed = list(camera.codes)
    return GeneratedFrames(
        (lambda: fixed) if fixed else (codes or list),
        every_s=camera.every_s,
        start_s=camera.start_s,
        fps=camera.fps,
    )


def _configured_fake(camera: CameraConfig, codes: Codes | None) -> FrameSource:
    """The stand-in when no camera is found: the folder when one is configured, else generated cards."""
    return (_files if camera.folder else _generated)(camera, codes)


CAMERAS: Chooser[FrameSource] = Chooser(
    "camera",
    {"picamera2": _picamera2, "opencv": _opencv, "files": _files, "generated": _generated},
    order=["picamera2", "opencv", "files or generated"],
    error=NoCamera,
    probes={"files or generated": _configured_fake},
)


def open_frame_source(camera: CameraConfig, codes: Codes | None = None) -> FrameSource:
    """Open the configured source; ``auto`` tries :data:`CAMERAS`' order in turn.

    ``codes`` supplies card codes for the ``generated`` source when the config lists none
    (the demo shows the roster's cards).
    """
    return CAMERAS.open(camera.source, camera, codes)
