"""A USB (UVC) camera through OpenCV's ``VideoCapture``.

Opening the device is not enough to count as a camera: :func:`open_usb_camera` also waits for a
first real frame, so "auto" moves on when a ``/dev/video*`` node exists but delivers nothing
(a Pi's codec nodes do exactly that).
"""

from __future__ import annotations

import time

import numpy as np

from device.exc import NoCamera


class UsbCamera:
    name = "opencv"

    def __init__(self, capture) -> None:
        self._capture = capture

    def read(self) -> np.ndarray | None:
        ok, frame = self._capture.read()  # blocks until the camera's next frame
        if not ok:
            time.sleep(0.1)  # unplugged or stalled: do not spin; the watchdog sees a stuck camera
            return None
        return frame

    def close(self) -> None:
        self._capture.release()


def open_usb_camera(device: int = 0, width: int = 1280, height: int = 720, fps: float = 10.0) -> UsbCamera:
    import cv2

    capture = cv2.VideoCapture(device, cv2.CAP_V4L2)
    if not capture.isOpened():
        capture.release()
        raise NoCamera(f"no video device {device}")
    capture.set(cv2.CAP_PROP_FRAME_WIDTH, width)
    capture.set(cv2.CAP_PROP_FRAME_HEIGHT, height)
    capture.set(cv2.CAP_PROP_FPS, fps)
    capture.set(cv2.CAP_PROP_BUFFERSIZE, 1)  # the newest frame, not a queue of old ones
    deadline = time.monotonic() + 3.0
    while time.monotonic() < deadline:
        ok, frame = capture.read()
        if ok and frame is not None and frame.size:
            return UsbCamera(capture)
        time.sleep(0.1)
    capture.release()
    raise NoCamera(f"video device {device} delivers no frames")
