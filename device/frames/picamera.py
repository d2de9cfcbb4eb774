"""The Raspberry Pi camera through picamera2 (libcamera); imported only when it is chosen.

Frames are taken as YUV420 and only the Y (luminance) plane is used: that is the grayscale
image the decoder wants, with no colour conversion. Camera Module 3 focuses continuously.
"""

from __future__ import annotations

import numpy as np


class PiCamera:
    name = "picamera2"

    def __init__(self, width: int = 1280, height: int = 720, fps: float = 10.0) -> None:
        from picamera2 import Picamera2

        self._height = height
        camera = Picamera2()
        frame_us = int(1_000_000 / fps)
        config = camera.create_video_configuration(
            main={"size": (width, height), "format": "YUV420"},
            controls={"FrameDurationLimits": (frame_us, frame_us)},
            buffer_count=4,
        )
        camera.configure(config)
        if "AfMode" in camera.camera_controls:
            from libcamera import controls

            camera.set_controls({"AfMode": controls.AfModeEnum.Continuous})
        camera.start()
        self._camera = camera

    def read(self) -> np.ndarray | None:
        yuv = self._camera.capture_array("main")  # waits for the next frame
        return yuv[: self._height]

    def close(self) -> None:
        self._camera.stop()
        self._camera.close()
