"""Camera settings for cards at 10-40 cm (the unit's [camera] table -> libcamera controls) and the
camera check a technician runs at the door. The picamera2 calls themselves need a Pi: here the
controls are checked as data, and the check runs on the folder camera."""

from __future__ import annotations

from pathlib import Path

import pytest

from device.cli import main
from device.config import CameraConfig, ConfigError, from_dict
from device.frames.picamera import camera_controls
from tests.support.fixtures import write_card_image
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


class ListFrames:
    name = "list"

    def __init__(self, frames) -> None:
        self._frames = iter(frames)

    def read(self):
        return next(self._frames, None)

    def close(self) -> None:
        pass


class Clock:
    def __init__(self) -> None:
        self.t = 100.0

    def __call__(self) -> float:
        return self.t


def test_the_staff_menus_camera_check_counts_cards_for_ten_seconds_without_registering_them(
    tmp_path: Path,
) -> None:
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from argon2 import PasswordHasher

    from device.camera_check import LiveCheck
    from device.checkin import CheckInDesk, Roster
    from device.decoder import open_decoder
    from device.feedback.fake import RecordingFeedback
    from device.frames.synthetic import card_frame, empty_frame
    from device.keyentry import KeyEntry
    from device.linking import LinkRequests
    from device.outbox import Outbox
    from device.scanner import Scanner
    from tests.support.clock import FakeClock
    from tests.support.roster import hub_config

    code = cardcode.new_code()
    outbox = Outbox(tmp_path / "outbox.sqlite3")
    roster = Roster(outbox)
    roster.update(hub_config({code: "Jules"}, pin_hash=PasswordHasher().hash("4826")))
    feedback = RecordingFeedback()
    desk = CheckInDesk(
        "u1",
        "l1",
        outbox,
        roster,
        feedback,
        FakeClock(datetime(2026, 11, 23, 8, 12, tzinfo=ZoneInfo("Europe/Brussels"))),
        is_online=lambda: True,
    )
    clock = Clock()
    check = LiveCheck(clock=clock, seconds=10)
    keys = KeyEntry(
        desk,
        feedback,
        present=desk.register,
        links=LinkRequests(),
        pin_hash=lambda: roster.pin_hash,
        backlog_and_connection=lambda: (0, True),
        camera_check=check,
    )
    registered: list[str] = []
    frames = [card_frame(code, module_px=6)] * 3 + [empty_frame()] * 2
    scanner = Scanner(
        ListFrames(frames + frames), open_decoder(), lambda c, _t: registered.append(c), camera_check=check
    )
    try:
        for key in "D4826#4":
            keys.press(key)
        assert feedback.prompt_text == "Camera-test: 10 s — 0 kaart(en)"
        for _ in frames:
            scanner.step()
        clock.t += 4
        keys.tick()
        assert feedback.prompt_text == "Camera-test: 6 s — 1 kaart(en)"
        assert registered == [] and len(outbox) == 0, "a card in the camera test is not a check-in"
        clock.t += 6.5
        keys.tick()
        assert feedback.prompt_text.startswith("Licht ") and " scherp " in feedback.prompt_text
        assert feedback.prompt_text.endswith("— 1 kaart(en)")
        for _ in frames:  # the check is over: cards are check-ins again
            scanner.step()
        assert registered == [code]
    finally:
        outbox.close()
