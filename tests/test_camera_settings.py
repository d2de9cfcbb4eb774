"""Camera settings for cards at 10-40 cm (the unit's [camera] table -> libcamera controls) and the
camera check a technician runs at the door. The picamera2 calls themselves need a Pi: here the
controls are checked as data, and the check runs on the folder camera."""

from __future__ import annotations

from pathlib import Path

import pytest

from device.cli import main
from device.config import CameraConfig, ConfigError, from_dict
from device.frames.picamera import camera_controls
from tests.conftest import write_card_image
from wire import cardcode

CAMERA_MODULE_3 = dict.fromkeys(
    (
        *("FrameDurationLimits", "AfMode", "AfRange", "LensPosition", "AeEnable", "AeExposureMode"),
        *("ExposureTime", "AnalogueGain", "ScalerCrop"),
    )
)
SENSOR = (16, 0, 4608, 2592)  # imx708's ScalerCropMaximum


def test_by_default_the_camera_focuses_continuously_on_close_cards_with_short_exposures() -> None:
    controls = camera_controls(CameraConfig(), CAMERA_MODULE_3, SENSOR)
    assert controls == {
        "FrameDurationLimits": (100_000, 100_000),
        "AfMode": 2,  # continuous
        "AfRange": 1,  # macro
        "AeEnable": True,
        "AeExposureMode": 1,  # short
    }


def test_a_fixed_lens_position_and_fixed_exposure_and_gain_can_be_set() -> None:
    camera = CameraConfig(
        af_mode="manual", lens_position=3.0, exposure_mode="manual", exposure_us=6000, gain=4.0
    )
    controls = camera_controls(camera, CAMERA_MODULE_3, SENSOR)
    assert controls["AfMode"] == 0 and controls["LensPosition"] == 3.0 and "AfRange" not in controls
    assert (
        controls["AeEnable"] is False and controls["ExposureTime"] == 6000 and controls["AnalogueGain"] == 4.0
    )


def test_a_crop_reads_only_the_region_where_cards_are_shown() -> None:
    controls = camera_controls(CameraConfig(crop=(0.25, 0.0, 0.5, 1.0)), CAMERA_MODULE_3, SENSOR)
    assert controls["ScalerCrop"] == (16 + 1152, 0, 2304, 2592)


def test_a_camera_without_focus_control_gets_no_focus_settings() -> None:
    module_2 = {k: None for k in CAMERA_MODULE_3 if not k.startswith(("Af", "Lens"))}
    controls = camera_controls(CameraConfig(), module_2, SENSOR)
    assert not any(k.startswith(("Af", "Lens")) for k in controls)


def unit(camera: dict) -> dict:
    return {"unit": "u1", "location": "l1", "broker": "mqtt://u1:x@127.0.0.1:1883", "camera": camera}


def test_camera_settings_are_read_from_the_units_toml_and_wrong_values_refused() -> None:
    settings = from_dict(unit({"af_mode": "manual", "lens_position": 5.0, "crop": [0.1, 0.1, 0.8, 0.8]}))
    assert settings.camera.af_mode == "manual" and settings.camera.crop == (0.1, 0.1, 0.8, 0.8)
    with pytest.raises(ConfigError, match=r"camera\.af_mode must be one of continuous, auto, manual"):
        from_dict(unit({"af_mode": "macro"}))
    with pytest.raises(ConfigError, match=r"camera\.crop"):
        from_dict(unit({"crop": [0.5, 0.0, 0.8, 1.0]}))


def test_the_camera_check_reports_frames_exposure_focus_and_the_cards_it_read(tmp_path: Path, capsys) -> None:
    folder = tmp_path / "camera"
    codes = [cardcode.new_code(), cardcode.new_code()]
    for i, code in enumerate(codes):
        write_card_image(folder, code, f"card{i}.png")
    config = tmp_path / "unit.toml"
    config.write_text(
        'unit = "u1"\nlocation = "l1"\nbroker = "mqtt://u1:x@127.0.0.1:1883"\n'
        f'[camera]\nsource = "files"\nfolder = "{folder}"\nfps = 25.0\nhold_s = 0.4\n'
    )
    assert main(["camera-check", "--config", str(config), "--seconds", "1.5"]) == 0
    out = capsys.readouterr().out
    assert "camera: files," in out
    assert "exposure: brightness" in out and "focus: sharpness" in out
    assert "camera reports: none" in out
    assert "decoded: 2 card presentation(s), 2 different card(s)" in out
    assert "0 misread(s) dropped" in out and "0 decoder error(s)" in out


def test_the_camera_check_says_clearly_when_there_is_no_camera(tmp_path: Path, capsys) -> None:
    config = tmp_path / "unit.toml"
    config.write_text(
        'unit = "u1"\nlocation = "l1"\nbroker = "mqtt://u1:x@127.0.0.1:1883"\n'
        '[camera]\nsource = "picamera2"\n'
    )
    assert main(["camera-check", "--config", str(config), "--seconds", "1"]) == 2
    assert "picamera2 is not installed" in capsys.readouterr().err
