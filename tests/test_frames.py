"""Frame sources: one place chooses, with the probe order as data; generated door scenes."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from device.config import CameraConfig
from device.frames import CAMERAS, NoCamera, open_frame_source
from device.frames.synthetic import FRAME_SIZES, SCENE_KINDS, scene_set
from wire import cardcode


def test_auto_tries_the_pi_camera_then_a_usb_camera_then_the_configured_folder(tmp_path: Path) -> None:
    assert CAMERAS.order == ["picamera2", "opencv", "files or generated"]
    # this machine has neither camera, so "auto" ends at the folder
    source = open_frame_source(CameraConfig(folder=str(tmp_path / "frames")))
    assert source.name == "files"
    source.close()


def test_auto_without_a_folder_shows_generated_cards() -> None:
    source = open_frame_source(CameraConfig(every_s=0.0, start_s=0.0, fps=1000), codes=lambda: ["0000000000"])
    assert source.name == "generated"
    frame = source.read()
    assert frame is not None and frame.ndim == 2


def test_a_camera_that_is_asked_for_and_absent_fails_loudly() -> None:
    with pytest.raises(NoCamera, match="picamera2 is not installed"):
        open_frame_source(CameraConfig(source="picamera2"))
    with pytest.raises(NoCamera, match="no video device 7"):
        open_frame_source(CameraConfig(source="opencv", device=7))
    with pytest.raises(NoCamera, match="known: picamera2, opencv, files, generated"):
        open_frame_source(CameraConfig(source="webcam"))


def test_the_benchmark_scenes_cover_every_kind_at_both_sizes_and_repeat_with_the_seed() -> None:
    codes = [cardcode.new_code() for _ in range(5)]
    first = list(scene_set(codes, seed=7, per_kind=1))
    again = list(scene_set(codes, seed=7, per_kind=1))
    assert {(s.kind, s.frame.shape) for s in first} == {
        (kind, (h, w)) for kind in SCENE_KINDS for w, h in FRAME_SIZES
    }
    assert all(np.array_equal(a.frame, b.frame) for a, b in zip(first, again, strict=True))
    assert all((s.code is None) == (s.kind == "empty") for s in first)
