"""The Raspberry Pi camera through picamera2 (libcamera); imported only when it is chosen.

Frames are taken as YUV420 and only the Y (luminance) plane is used: that is the grayscale
image the decoder wants, with no colour conversion. The focus, exposure and crop come from the
unit's ``[camera]`` table (:func:`camera_controls`, a pure function, tested without a camera;
the picamera2 calls themselves can only run on a Pi).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from device.config import CameraConfig

# libcamera's enum values (libcamera.controls.AfModeEnum, AfRangeEnum, AeExposureModeEnum);
# picamera2 takes the integers, so this mapping needs no libcamera to be tested.
AF_MODES = {"manual": 0, "auto": 1, "continuous": 2}
AF_RANGES = {"normal": 0, "macro": 1, "full": 2}
EXPOSURE_MODES = {"normal": 0, "short": 1}


def camera_controls(
    camera: CameraConfig, available: dict[str, Any], crop_maximum: tuple[int, int, int, int] | None
) -> dict[str, Any]:
    """The libcamera controls for the configuration, only those the camera has (``available``:
    picamera2's ``camera_controls``); ``crop_maximum`` is the sensor's full ScalerCrop."""
    frame_us = int(1_000_000 / camera.fps)
    wanted: dict[str, Any] = {"FrameDurationLimits": (frame_us, frame_us)}
    wanted["AfMode"] = AF_MODES[camera.af_mode]
    if camera.af_mode == "manual":
        wanted["LensPosition"] = float(camera.lens_position)
    else:
        wanted["AfRange"] = AF_RANGES[camera.af_range]
    if camera.exposure_mode == "manual":
        wanted |= {
            "AeEnable": False,
            "ExposureTime": int(camera.exposure_us),
            "AnalogueGain": float(camera.gain),
        }
    else:
        # libcamera has no control for an exposure ceiling under auto exposure: the "short" mode of
        # the sensor's tuning file is the one that keeps exposures short (and raises gain instead)
        wanted |= {"AeEnable": True, "AeExposureMode": EXPOSURE_MODES[camera.exposure_mode]}
    if crop_maximum is not None and tuple(camera.crop) != (0.0, 0.0, 1.0, 1.0):
        x0, y0, width, height = crop_maximum
        x, y, w, h = camera.crop
        wanted["ScalerCrop"] = (x0 + int(x * width), y0 + int(y * height), int(w * width), int(h * height))
    return {k: v for k, v in wanted.items() if k in available}


class PiCamera:
    name = "picamera2"

    def __init__(self, camera: CameraConfig) -> None:
        from picamera2 import Picamera2

        self._height = camera.height
        device = Picamera2()
        config = device.create_video_configuration(
            main={"size": (camera.width, camera.height), "format": "YUV420"}, buffer_count=4
        )
        device.configure(config)
        crop_maximum = device.camera_properties.get("ScalerCropMaximum")
        device.set_controls(camera_controls(camera, device.camera_controls, crop_maximum))
        device.start()
        if camera.af_mode == "auto" and "AfMode" in device.camera_controls:
            device.autofocus_cycle()  # focus once, then hold: cards come at about the same distance
        self._camera = device

    def read(self) -> np.ndarray | None:
        yuv = self._camera.capture_array("main")  # waits for the next frame
        return yuv[: self._height]

    def describe(self) -> dict[str, Any]:
        """What the camera reports about the last frame: focus and exposure."""
        metadata = self._camera.capture_metadata()
        keys = ("LensPosition", "AfState", "ExposureTime", "AnalogueGain", "DigitalGain", "Lux", "FocusFoM")
        return {k: metadata[k] for k in keys if k in metadata}

    def close(self) -> None:
        self._camera.stop()
        self._camera.close()
