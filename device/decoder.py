"""QR decoding: one small interface, several engines, one probe order.

The live scanner and ``aanwezig-unit decode`` both go through :func:`open_decoder`, so a
technician checking a camera snapshot runs exactly the code path a parent meets at the door.
Engines are tried in the order of :data:`ENGINES` (data, not an if/elif ladder); the first one
that imports wins unless the configuration names one.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Callable
from pathlib import Path
from typing import Protocol

import numpy as np


class DecoderUnavailable(RuntimeError):
    """The requested decoding engine is not installed on this machine."""


class QrDecoder(Protocol):
    name: str

    def decode(self, frame: np.ndarray) -> list[str]:
        """Texts of the QR codes in a grayscale or BGR frame; empty when there are none."""


def to_gray(frame: np.ndarray) -> np.ndarray:
    if frame.ndim == 2:
        return frame
    import cv2

    return cv2.cvtColor(frame, cv2.COLOR_BGR2GRAY if frame.shape[2] == 3 else cv2.COLOR_BGRA2GRAY)


class ZxingDecoder:
    """zxing-cpp: fast and tolerant of perspective, rotation and low contrast."""

    name = "zxing"

    def __init__(self) -> None:
        import zxingcpp

        self._zx = zxingcpp
        self._formats = zxingcpp.BarcodeFormat.QRCode

    def decode(self, frame: np.ndarray) -> list[str]:
        results = self._zx.read_barcodes(to_gray(frame), formats=self._formats)
        return [r.text for r in results if r.valid and r.text]


class PyzbarDecoder:
    """ZBar through pyzbar (needs the system library ``libzbar0``)."""

    name = "pyzbar"

    def __init__(self) -> None:
        from pyzbar import pyzbar

        self._pyzbar = pyzbar
        self._symbols = [pyzbar.ZBarSymbol.QRCODE]

    def decode(self, frame: np.ndarray) -> list[str]:
        results = self._pyzbar.decode(to_gray(frame), symbols=self._symbols)
        return [r.data.decode("utf-8", "replace") for r in results if r.data]


class OpenCvDecoder:
    """OpenCV's own QR detector; always present where OpenCV is."""

    name = "opencv"

    def __init__(self) -> None:
        import cv2

        self._detector = cv2.QRCodeDetector()

    def decode(self, frame: np.ndarray) -> list[str]:
        ok, texts, _points, _ = self._detector.detectAndDecodeMulti(to_gray(frame))
        return [t for t in texts if t] if ok else []


ENGINES: list[tuple[str, str, Callable[[], QrDecoder]]] = [
    # (name, module that must import, factory) in order of preference
    ("zxing", "zxingcpp", ZxingDecoder),
    ("pyzbar", "pyzbar", PyzbarDecoder),
    ("opencv", "cv2", OpenCvDecoder),
]


def open_decoder(name: str = "auto") -> QrDecoder:
    """The named engine, or for ``auto`` the first engine in :data:`ENGINES` that loads."""
    errors = []
    for engine, module, factory in ENGINES:
        if name not in ("auto", engine):
            continue
        if importlib.util.find_spec(module) is None:
            errors.append(f"{engine}: module {module} not installed")
            continue
        try:
            return factory()
        except (ImportError, OSError) as exc:  # e.g. pyzbar without libzbar0
            errors.append(f"{engine}: {exc}")
    if not errors:
        raise DecoderUnavailable(f"unknown decoder {name!r}; known: {[e[0] for e in ENGINES]}")
    raise DecoderUnavailable("no QR decoder available (" + "; ".join(errors) + ")")


def decode_file(decoder: QrDecoder, path: str | Path) -> list[str]:
    """Decode one image file; raises ValueError when the file is not a readable image."""
    import cv2

    image = cv2.imread(str(path), cv2.IMREAD_GRAYSCALE)
    if image is None:
        raise ValueError(f"not a readable image: {path}")
    return decoder.decode(image)
