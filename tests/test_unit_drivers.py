"""One chooser shape for every driver kind: a name, a probe order kept as data, an environment
override; each kind fails with its own named error; fakes live beside the real drivers."""

from __future__ import annotations

from pathlib import Path

import pytest

from device import exc
from device.config import CameraConfig, FeedbackConfig, KeypadConfig
from device.drivers import Chooser
from device.feedback import DISPLAYS, LIGHTS, open_feedback
from device.frames import CAMERAS, open_frame_source
from device.keypad import KEYPADS, open_keypad
from device.keypad.fake import ScriptedKeypad


class Thing:
    def __init__(self, name: str) -> None:
        self.name = name


def absent(_config):
    raise exc.NoKeypad("absent: not plugged in")


def test_every_driver_kind_is_chosen_by_the_same_chooser_with_its_own_error_and_variable() -> None:
    kinds = {CAMERAS: exc.NoCamera, KEYPADS: exc.NoKeypad, DISPLAYS: exc.NoFeedback, LIGHTS: exc.NoFeedback}
    for chooser, error in kinds.items():
        assert isinstance(chooser, Chooser)
        assert chooser.error is error and issubclass(error, exc.DriverUnavailable)
        assert chooser.env == "AANWEZIG_" + chooser.kind.upper()
    assert [c.env for c in kinds] == [
        "AANWEZIG_CAMERA",
        "AANWEZIG_KEYPAD",
        "AANWEZIG_DISPLAY",
        "AANWEZIG_LIGHTS",
    ]


def test_auto_takes_the_first_driver_of_the_order_that_opens() -> None:
    chooser = Chooser(
        "keypad",
        {"absent": absent, "there": lambda _c: Thing("there"), "also": lambda _c: Thing("also")},
        order=["absent", "there", "also"],
        error=exc.NoKeypad,
    )
    assert chooser.open("auto", None).name == "there"
    assert chooser.open("also", None).name == "also"


def test_a_driver_named_explicitly_that_is_absent_fails_with_its_own_message() -> None:
    chooser = Chooser("keypad", {"absent": absent}, order=["absent"], error=exc.NoKeypad)
    with pytest.raises(exc.NoKeypad, match="not plugged in"):
        chooser.open("absent", None)
    with pytest.raises(exc.NoKeypad, match=r"no keypad: absent: not plugged in"):
        chooser.open("auto", None)
    with pytest.raises(exc.NoKeypad, match=r"unknown keypad 'usbb'; known: absent"):
        chooser.open("usbb", None)


def test_a_probe_order_naming_an_unknown_driver_is_refused_when_written() -> None:
    with pytest.raises(ValueError, match="unknown drivers"):
        Chooser("keypad", {"usb": absent}, order=["usb", "matrx"], error=exc.NoKeypad)


def test_the_environment_overrides_the_configuration_for_every_kind(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("AANWEZIG_CAMERA", "files")
    source = open_frame_source(CameraConfig(source="generated", folder=str(tmp_path / "frames")))
    assert source.name == "files"
    source.close()
    monkeypatch.setenv("AANWEZIG_KEYPAD", "none")
    assert open_keypad(KeypadConfig(source="matrix")).name == "none"
    monkeypatch.setenv("AANWEZIG_DISPLAY", "lcd")
    with pytest.raises(exc.NoFeedback, match="lcd"):
        open_feedback(FeedbackConfig(display="console"))


def test_an_empty_environment_variable_leaves_the_configuration_in_force(monkeypatch) -> None:
    monkeypatch.setenv("AANWEZIG_KEYPAD", "")
    assert KEYPADS.wanted("matrix") == "matrix"


def test_the_scripted_fake_keypad_hands_each_key_to_the_listener_in_order() -> None:
    keypad = ScriptedKeypad()
    seen: list[str] = []
    keypad.start(seen.append)
    keypad.type("12A#")
    assert seen == list("12A#")
    with pytest.raises(ValueError, match="no key 'X'"):
        keypad.type("X")
    keypad.close()
    assert keypad.closed


def test_the_decoders_and_images_errors_keep_their_old_families() -> None:
    from device.decoder import DecoderUnavailable

    assert DecoderUnavailable is exc.NoDecoder and issubclass(exc.NoDecoder, RuntimeError)
    assert issubclass(exc.NotAnImage, ValueError), "callers catching ValueError still catch it"
