"""Card images made in memory: a QR on a card, on a background, as a camera would see it.

:func:`card_frame` and :func:`empty_frame` are the simple frames the demo and the tests use.
:func:`scene` renders what a camera at a door really gets: a card tilted in a hand, blurred by
movement, in a dim hallway or under a lamp's glare, small and far or filling the view, or the
code on a phone screen (bright, with moiré stripes, sometimes light-on-dark). :func:`scene_set`
makes a fixed, seeded set of those at 640x480 and 1280x720 for the decoder benchmark; nothing
is stored as binaries, every frame is generated again from the seed.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np

DARK, LIGHT = 20, 235

# Scene kinds in the benchmark set; "empty" frames have no code at all.
SCENE_KINDS = (
    "plain",
    "small",
    "large",
    "rotated",
    "perspective",
    "blur",
    "motion_blur",
    "noise",
    "low_contrast",
    "glare",
    "phone",
    "phone_inverted",
    "empty",
)
FRAME_SIZES = ((640, 480), (1280, 720))


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
    qr = np.where(np.kron(modules, np.ones((module_px, module_px), dtype=np.uint8)) == 1, DARK, LIGHT)
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


@dataclass(frozen=True)
class Sample:
    """One benchmark frame: what it shows, and the code a decoder should read (None: nothing)."""

    name: str
    kind: str
    frame: np.ndarray
    code: str | None


def scene_set(codes: list[str], seed: int = 2026, per_kind: int = 3) -> Iterator[Sample]:
    """``per_kind`` frames of every scene kind at every frame size, reproducibly from ``seed``."""
    rng = np.random.default_rng(seed)
    turn = 0
    for width, height in FRAME_SIZES:
        for kind in SCENE_KINDS:
            for i in range(per_kind):
                code = None if kind == "empty" else codes[turn % len(codes)]
                turn += 1
                frame = scene(kind, code, width, height, rng)
                yield Sample(f"{width}x{height}/{kind}/{i}", kind, frame, code)


def scene(kind: str, code: str | None, width: int, height: int, rng: np.random.Generator) -> np.ndarray:
    """One grayscale camera frame of the given kind (see :data:`SCENE_KINDS`)."""
    import cv2

    frame = _hallway(width, height, rng)
    if kind == "empty":
        return _sensor(frame, rng, noise=rng.uniform(3, 8))
    assert code is not None
    short = min(width, height)
    spec = _SceneSpec()
    if kind == "small":
        spec.size = short * rng.uniform(0.12, 0.18)
    elif kind == "large":
        spec.size = short * rng.uniform(0.6, 0.7)
    elif kind == "rotated":
        spec.angle = rng.uniform(20, 340)
    elif kind == "perspective":
        spec.tilt = rng.uniform(0.18, 0.3)
    elif kind == "low_contrast":
        spec.dark, spec.light = 105, 150
    elif kind in ("phone", "phone_inverted"):
        spec.phone, spec.inverted = True, kind == "phone_inverted"
        spec.size = short * rng.uniform(0.3, 0.45)
    card, mask = _card(code, spec, rng)
    frame = _place(frame, card, mask, spec, rng)
    if kind == "blur":
        sigma = rng.uniform(1.4, 2.2) * short / 480
        frame = cv2.GaussianBlur(frame, (0, 0), sigma)
    elif kind == "motion_blur":
        frame = _motion_blur(frame, int(rng.integers(7, 12) * short / 480), rng.uniform(0, 180))
    elif kind == "glare":
        frame = _glare(frame, rng)
    noise = rng.uniform(18, 26) if kind == "noise" else rng.uniform(3, 7)
    return _sensor(frame, rng, noise)


@dataclass
class _SceneSpec:
    size: float | None = None  # side of the QR (quiet zone included) in pixels
    angle: float | None = None
    tilt: float = 0.08
    dark: int = DARK
    light: int = LIGHT
    phone: bool = False
    inverted: bool = False


def _hallway(width: int, height: int, rng: np.random.Generator) -> np.ndarray:
    """A dim, uneven background with a few shapes, like a wall and a door frame."""
    import cv2

    y, x = np.mgrid[0:height, 0:width].astype(np.float32)
    slope_x, slope_y = rng.uniform(-40, 40), rng.uniform(-30, 30)
    frame = rng.uniform(60, 110) + slope_x * (x / width) + slope_y * (y / height)
    for _ in range(int(rng.integers(2, 6))):
        x0, y0 = int(rng.integers(0, width)), int(rng.integers(0, height))
        x1, y1 = x0 + int(rng.integers(20, width // 3)), y0 + int(rng.integers(20, height // 3))
        cv2.rectangle(frame, (x0, y0), (x1, y1), float(rng.uniform(30, 200)), -1)
    return frame.astype(np.float32)


def _card(code: str, spec: _SceneSpec, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """The card (or phone) face at 8 px per module, and its mask; QR in the upper part."""
    module = 8
    modules = qr_modules(code)
    dark, light = (spec.light, spec.dark) if spec.inverted else (spec.dark, spec.light)
    qr = np.where(np.kron(modules, np.ones((module, module), dtype=np.uint8)) == 1, dark, light)
    side = qr.shape[0]
    if spec.phone:
        # a phone: black body, a bright screen with the code, moiré from the screen's pixel grid
        body = np.full((int(side * 2.1), int(side * 1.15)), 12, dtype=np.float32)
        screen_top, screen_left = int(side * 0.25), int(side * 0.05)
        screen = np.full((int(side * 1.6), body.shape[1] - 2 * screen_left), 255 if not spec.inverted else 30)
        body[screen_top : screen_top + screen.shape[0], screen_left : screen_left + screen.shape[1]] = screen
        top = screen_top + int(side * 0.3)
        body[top : top + side, screen_left : screen_left + side] = np.minimum(qr * 1.08, 255)
        y, x = np.mgrid[0 : body.shape[0], 0 : body.shape[1]].astype(np.float32)
        period, slant = rng.uniform(5, 9), rng.uniform(-0.5, 0.5)
        moire = 1 + 0.1 * np.sin(2 * np.pi * (x + slant * y) / period)
        return body * moire, np.ones_like(body, dtype=np.uint8)
    card = np.full((int(side * 1.55), int(side * 1.2)), light, dtype=np.float32)
    left, top = (card.shape[1] - side) // 2, int(side * 0.08)
    card[top : top + side, left : left + side] = qr
    # the printed digits and the child's name under the code, as grey bars
    for row in range(2):
        y0 = top + side + int(side * (0.08 + 0.16 * row))
        card[y0 : y0 + int(side * 0.08), left + side // 8 : left + side - side // 8] = rng.uniform(60, 120)
    return card, np.ones_like(card, dtype=np.uint8)


def _place(
    frame: np.ndarray, card: np.ndarray, mask: np.ndarray, spec: _SceneSpec, rng: np.random.Generator
) -> np.ndarray:
    """Warp the card into the frame: scaled, rotated, tilted, somewhere near the middle."""
    import cv2

    height, width = frame.shape
    qr_side = card.shape[1] / (1.15 if spec.phone else 1.2)
    size = spec.size or min(width, height) * rng.uniform(0.3, 0.5)
    scale = size / qr_side
    ch, cw = card.shape
    corners = np.float32([[0, 0], [cw, 0], [cw, ch], [0, ch]])
    target = (corners - [cw / 2, ch / 2]) * scale
    angle = np.radians(spec.angle if spec.angle is not None else rng.uniform(-8, 8))
    rotation = np.array([[np.cos(angle), -np.sin(angle)], [np.sin(angle), np.cos(angle)]], dtype=np.float32)
    target = target @ rotation.T
    jitter = rng.uniform(-spec.tilt, spec.tilt, target.shape) * size
    target = target + jitter
    span = target.max(axis=0) - target.min(axis=0)
    room = np.maximum([width, height] - span, 0)
    centre = np.array([width, height]) / 2 + rng.uniform(-0.3, 0.3, 2) * room
    target = np.float32(target + centre)
    matrix = cv2.getPerspectiveTransform(corners, target)
    warped = cv2.warpPerspective(card, matrix, (width, height), flags=cv2.INTER_LINEAR)
    coverage = cv2.warpPerspective(mask.astype(np.float32), matrix, (width, height), flags=cv2.INTER_LINEAR)
    return frame * (1 - coverage) + warped * coverage


def _motion_blur(frame: np.ndarray, length: int, angle: float) -> np.ndarray:
    import cv2

    kernel = np.zeros((length, length), dtype=np.float32)
    kernel[length // 2, :] = 1.0 / length
    rotation = cv2.getRotationMatrix2D((length / 2 - 0.5, length / 2 - 0.5), angle, 1.0)
    kernel = cv2.warpAffine(kernel, rotation, (length, length))
    return cv2.filter2D(frame, -1, kernel / max(kernel.sum(), 1e-6))


def _glare(frame: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """A lamp's reflection: a bright, soft ellipse over part of the frame."""
    height, width = frame.shape
    y, x = np.mgrid[0:height, 0:width].astype(np.float32)
    cx, cy = width * rng.uniform(0.35, 0.65), height * rng.uniform(0.35, 0.65)
    rx, ry = width * rng.uniform(0.06, 0.12), height * rng.uniform(0.06, 0.12)
    spot = np.exp(-(((x - cx) / rx) ** 2 + ((y - cy) / ry) ** 2))
    return frame + spot * rng.uniform(140, 220)


def _sensor(frame: np.ndarray, rng: np.random.Generator, noise: float) -> np.ndarray:
    """Sensor noise and 8-bit clipping."""
    frame = frame + rng.normal(0, noise, frame.shape)
    return np.clip(frame, 0, 255).astype(np.uint8)
