"""Card images made in memory: a QR on a card, on a background, as a camera would see it."""

from __future__ import annotations

import numpy as np


def qr_modules(text: str) -> np.ndarray:
    """The QR symbol of ``text`` as a 0/1 matrix (1 = dark), with the quiet zone."""
    import segno

    qr = segno.make_qr(text, error="m")
    return np.array([list(row) for row in qr.matrix_iter(scale=1, border=4)], dtype=np.uint8)


def card_frame(
    text: str,
    width: int = 640,
    height: int = 480,
    module_px: int = 8,
    background: int = 90,
    noise: float = 6.0,
    seed: int | None = None,
) -> np.ndarray:
    """A grayscale frame with a white card carrying the QR of ``text`` near the centre."""
    rng = np.random.default_rng(seed)
    modules = qr_modules(text)
    qr = np.where(np.kron(modules, np.ones((module_px, module_px), dtype=np.uint8)) == 1, 20, 235)
    frame = np.full((height, width), background, dtype=np.float32)
    h, w = qr.shape
    if h > height or w > width:
        raise ValueError(f"QR of {w}x{h} px does not fit a {width}x{height} frame")
    top, left = (height - h) // 2, (width - w) // 2
    frame[top : top + h, left : left + w] = qr
    if noise:
        frame += rng.normal(0, noise, frame.shape)
    return np.clip(frame, 0, 255).astype(np.uint8)


def empty_frame(width: int = 640, height: int = 480, background: int = 90, noise: float = 6.0) -> np.ndarray:
    """A frame with nothing to decode: the hallway when nobody is at the door."""
    rng = np.random.default_rng()
    return np.clip(rng.normal(background, noise, (height, width)), 0, 255).astype(np.uint8)
