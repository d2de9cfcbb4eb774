"""The hard scan set: the real card, through a camera model, under the conditions a wall scanner meets.

Every frame starts from the card as it is printed: the card sheet PDF (``provisioning.cardsheet``,
layout ``card``) rendered with pdfium, QR (error correction H), digits and text included. A
pinhole camera (1280x720, the unit's configured size, focal length of a Camera Module 3 at that
size) looks at it, posed in 3D: turned in its plane, tilted out of it, near or far. The optics
blur it, the scene lights it, the sensor adds shot and read noise and quantises it.

The grid of conditions and their severities (:data:`CONDITIONS`) and the seeds are fixed here,
before any decoder was tuned on them: :data:`TUNING_SEEDS` may be looked at while working on the
decoder, :data:`HELD_OUT_SEED` only ever measured (``make bench-scan`` reports it on its own).
:data:`TEST_SEED` is for the short set in the tests. Nothing is stored: every frame is made again
from its seed.

Each condition is one thing going wrong on top of a mild baseline (any in-plane turn, up to 15°
tilt, 3-6 px per module, a hall's light, the sensor's noise):

- ``clean``: only the baseline;
- ``tilt``: the card tilted 30-50° away from the camera;
- ``far``: 1.5-2.0 px per module (the card at arm's length from a wide lens);
- ``near``: 10-16 px per module, the card filling the view;
- ``motion``: motion blur of 4-12 px in any direction;
- ``defocus``: a disk blur of radius 1.5-3.5 px (closer than the focus);
- ``glare``: a saturated specular spot on the laminate over 10-25 % of the code's area;
- ``low_light``: 10-20 % of the light, the gain turned up (amplified noise, coarse levels);
- ``jpeg``: JPEG quality 10-35;
- ``phone``: the code on a phone screen: over-bright (clipped, blooming), moiré and banding,
  one in three in dark mode (light modules on dark);
- ``finger_corner``: a fingertip over the corner without a finder pattern;
- ``finger_finder``: a fingertip over the outer half of one finder pattern;
- ``bent``: the card bent into a cylinder, 60-120° of arc across its width, shaded;
- ``scratched``: one to three hairline scratches (0.15-0.3 module wide, a third to two thirds of
  the code long) over the code, most white (toner gone), some dark (EC H must carry it);
- ``misprint``: a damaged code: the QR holds ten digits whose check digit fails; reading it
  as any valid code is a wrong code, the unit must drop it;
- ``empty``: the hall with nobody at the door (the most common frame).
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np

from wire import cardcode

WIDTH, HEIGHT = 1280, 720
FOCAL_PX = 985.0  # Camera Module 3: about 66° horizontal field of view at 1280 px
MODULE_MM = 1.3  # as printed (provisioning.cardsheet.MODULE_MM)
QR_MODULES = 21
CARD_W_MM, CARD_H_MM = 85.6, 54.0
QR_X_MM, QR_Y_MM = 6.0, 5.5  # the QR's top-left corner on the card (provisioning.cardsheet._front)
ORGANISATOR = "Kinderdagverblijf De Zonnebloem"

READ_CONDITIONS = (
    "clean",
    "tilt",
    "far",
    "near",
    "motion",
    "defocus",
    "glare",
    "low_light",
    "jpeg",
    "phone",
    "finger_corner",
    "finger_finder",
    "bent",
    "scratched",
)
NOTHING_CONDITIONS = ("misprint", "empty")  # nothing valid may be read here
CONDITIONS = READ_CONDITIONS + NOTHING_CONDITIONS

TUNING_SEEDS = (101, 102, 103)
HELD_OUT_SEED = 104  # measured, never tuned on
TEST_SEED = 7
PER_CONDITION = 12  # frames per condition and seed in the benchmark


@dataclass(frozen=True)
class Sample:
    """One frame: its condition, the card it shows (None: none), and the code it holds in its QR
    (a misprint's differs from every valid code)."""

    name: str
    condition: str
    frame: np.ndarray
    code: str | None


def hard_set(seed: int, per_condition: int = PER_CONDITION, conditions=CONDITIONS) -> Iterator[Sample]:
    """``per_condition`` frames of each condition, the same for the same seed."""
    for c, condition in enumerate(CONDITIONS):
        if condition not in conditions:
            continue
        for i in range(per_condition):
            rng = np.random.default_rng([seed, c, i])
            code = _code(rng)
            frame = make_frame(condition, code, rng)
            yield Sample(
                f"{seed}/{condition}/{i}", condition, frame, None if condition in NOTHING_CONDITIONS else code
            )


def _code(rng: np.random.Generator) -> str:
    body = "".join(str(d) for d in rng.integers(0, 10, cardcode.CODE_LENGTH - 1))
    return body + cardcode.check_digit(body)


def misprinted(code: str) -> str:
    """The code with its last digit changed: every single wrong digit fails the Damm check."""
    for d in "0123456789":
        bad = code[:-1] + d
        if bad != code and not cardcode.is_valid(bad):
            return bad
    raise AssertionError("unreachable: nine of ten last digits fail")


# ---------------------------------------------------------------------------------------------
# The card


@functools.lru_cache(maxsize=64)
def card_face(code: str, px_per_mm: float) -> np.ndarray:
    """The card's front as printed, rendered from the card sheet PDF, gray 0-255 (float32)."""
    import pypdfium2 as pdfium

    from provisioning.cardsheet import card_sheet_pdf

    pdf = pdfium.PdfDocument(card_sheet_pdf([code], ORGANISATOR, layout="card"))
    image = np.array(pdf[0].render(scale=px_per_mm * 25.4 / 72).to_pil().convert("L"), dtype=np.float32)
    pdf.close()
    return image


def _paste_qr(face: np.ndarray, text: str, px_per_mm: float) -> None:
    """Print another QR over the card's (the same version and place): a misprinted card."""
    import segno

    matrix = np.array(
        [list(r) for r in segno.make_qr(text, error="h", boost_error=False).matrix], dtype=np.float32
    )
    side = round(QR_MODULES * MODULE_MM * px_per_mm)
    import cv2

    modules = cv2.resize(1 - matrix, (side, side), interpolation=cv2.INTER_NEAREST) * 255
    top, left = round(QR_Y_MM * px_per_mm), round(QR_X_MM * px_per_mm)
    face[top : top + side, left : left + side] = modules


def _qr_box(px_per_mm: float) -> tuple[float, float, float]:
    """(left, top, side) of the QR on the card face, in face pixels."""
    return QR_X_MM * px_per_mm, QR_Y_MM * px_per_mm, QR_MODULES * MODULE_MM * px_per_mm


# ---------------------------------------------------------------------------------------------
# The scene


@dataclass
class Pose:
    ppm: float = 4.0  # camera pixels per module, face-on
    tilt_deg: float = 0.0
    roll_deg: float = 0.0
    tilt_axis_deg: float = 0.0


def make_frame(condition: str, code: str, rng: np.random.Generator) -> np.ndarray:
    """One grayscale 1280x720 frame of ``condition`` showing the card of ``code``."""
    import cv2

    background = _hall(rng)
    light = rng.uniform(0.75, 1.0)
    gain = 1.0
    if condition == "empty":
        return _sensor(background * light, rng, gain)
    pose = Pose(
        ppm=rng.uniform(3.0, 6.0),
        tilt_deg=rng.uniform(0, 15),
        roll_deg=rng.uniform(-180, 180),
        tilt_axis_deg=rng.uniform(0, 360),
    )
    if condition == "tilt":
        pose.tilt_deg, pose.ppm = rng.uniform(30, 50), rng.uniform(2.5, 5.0)
    elif condition == "far":
        pose.ppm, pose.tilt_deg = rng.uniform(1.5, 2.0), rng.uniform(0, 10)
    elif condition == "near":
        pose.ppm, pose.tilt_deg = rng.uniform(10, 16), rng.uniform(0, 10)
    elif condition == "jpeg":
        pose.ppm = rng.uniform(2.5, 5.0)

    if condition == "phone":
        face, mask, box = _phone(code, pose.ppm, rng)
    else:
        px_per_mm = float(np.clip(2.5 * pose.ppm / MODULE_MM, 5, 16))
        face = card_face(code, round(px_per_mm, 1)).copy()
        px_per_mm = round(px_per_mm, 1)
        if condition == "misprint":
            _paste_qr(face, misprinted(code), px_per_mm)
        face = face * 0.88 + 4  # paper reflects ~88 %, toner ~2 %
        if condition == "glare":
            _glare(face, px_per_mm, rng)
        elif condition in ("finger_corner", "finger_finder"):
            _finger(face, px_per_mm, rng, on_finder=condition == "finger_finder")
        elif condition == "scratched":
            _scratches(face, px_per_mm, rng)
        mask = np.ones_like(face)
        if condition == "bent":
            face, mask = _bend(face, rng)
        box = _qr_box(px_per_mm)

    frame = _place(background, face, mask, box, pose, rng)
    frame = cv2.GaussianBlur(frame, (0, 0), rng.uniform(0.5, 0.8))  # the lens, at its best
    if condition == "motion":
        frame = _motion_blur(frame, int(rng.integers(4, 13)), rng.uniform(0, 180))
    elif condition == "defocus":
        frame = _disk_blur(frame, rng.uniform(1.5, 3.5))
    if condition == "low_light":
        light = rng.uniform(0.10, 0.20)
        gain = 0.8 / light
    frame = _sensor(frame * light, rng, gain)
    if condition == "jpeg":
        _ok, data = cv2.imencode(".jpg", frame, [cv2.IMWRITE_JPEG_QUALITY, int(rng.integers(10, 36))])
        frame = cv2.imdecode(data, cv2.IMREAD_GRAYSCALE)
    return frame


def _hall(rng: np.random.Generator) -> np.ndarray:
    """A wall, a door frame, a poster, coats: an uneven, mostly dim background."""
    import cv2

    y, x = np.mgrid[0:HEIGHT, 0:WIDTH].astype(np.float32)
    frame = rng.uniform(70, 140) + rng.uniform(-40, 40) * (x / WIDTH) + rng.uniform(-30, 30) * (y / HEIGHT)
    for _ in range(int(rng.integers(3, 8))):
        x0, y0 = int(rng.integers(-100, WIDTH)), int(rng.integers(-100, HEIGHT))
        x1, y1 = x0 + int(rng.integers(30, WIDTH // 2)), y0 + int(rng.integers(30, HEIGHT // 2))
        cv2.rectangle(frame, (x0, y0), (x1, y1), float(rng.uniform(20, 230)), -1)
    if rng.random() < 0.5:  # a poster with lines of text
        x0, y0 = int(rng.integers(0, WIDTH - 300)), int(rng.integers(0, HEIGHT - 300))
        poster = np.full((300, 260), 215, dtype=np.uint8)
        for line in range(8):
            cv2.putText(
                poster,
                f"Welkom! Ouderavond {line}",
                (10, 30 + 34 * line),
                cv2.FONT_HERSHEY_SIMPLEX,
                0.55,
                40,
                1,
                cv2.LINE_AA,
            )
        frame[y0 : y0 + 300, x0 : x0 + 260] = poster
    return frame


def _place(
    background: np.ndarray,
    face: np.ndarray,
    mask: np.ndarray,
    box: tuple[float, float, float],
    pose: Pose,
    rng: np.random.Generator,
) -> np.ndarray:
    """Project the face (a plane in 3D) through the pinhole camera onto the background."""
    import cv2

    left, top, side = box
    face_px_per_mm = side / (QR_MODULES * MODULE_MM)
    # anti-alias: the face is sampled at ~2.5x the camera's resolution, a sensor pixel integrates it
    shrink = face_px_per_mm * MODULE_MM / pose.ppm
    face = cv2.GaussianBlur(face, (0, 0), max(0.3, 0.45 * shrink))
    mask = cv2.GaussianBlur(mask, (0, 0), max(0.3, 0.45 * shrink))
    distance = FOCAL_PX * MODULE_MM / pose.ppm  # mm
    roll, tilt, axis = np.radians([pose.roll_deg, pose.tilt_deg, pose.tilt_axis_deg])
    rotation = _axis_rotation((np.cos(axis), np.sin(axis), 0.0), tilt) @ _axis_rotation((0, 0, 1.0), roll)
    h, w = face.shape
    centre = np.array([left + side / 2, top + side / 2])
    corners = np.float32([[0, 0], [w, 0], [w, h], [0, h]])
    qr_corners = np.float32([[left, top], [left + side, top], [left + side, top + side], [left, top + side]])

    def project(points: np.ndarray, at: np.ndarray) -> np.ndarray:
        mm = np.c_[(points - centre) / face_px_per_mm, np.zeros(len(points))]
        world = mm @ rotation.T + at
        return np.float32(FOCAL_PX * world[:, :2] / world[:, 2:3] + [WIDTH / 2, HEIGHT / 2])

    for _ in range(50):  # somewhere the whole code is in view
        u, v = rng.uniform(0.1, 0.9) * WIDTH, rng.uniform(0.12, 0.88) * HEIGHT
        at = np.array(
            [(u - WIDTH / 2) * distance / FOCAL_PX, (v - HEIGHT / 2) * distance / FOCAL_PX, distance]
        )
        quad = project(qr_corners, at)
        if (
            quad[:, 0].min() > 8
            and quad[:, 0].max() < WIDTH - 8
            and quad[:, 1].min() > 8
            and quad[:, 1].max() < HEIGHT - 8
        ):
            break
    else:
        at = np.array([0.0, 0.0, distance])
    matrix = cv2.getPerspectiveTransform(corners, project(corners, at))
    warped = cv2.warpPerspective(face, matrix, (WIDTH, HEIGHT), flags=cv2.INTER_LINEAR)
    coverage = cv2.warpPerspective(mask, matrix, (WIDTH, HEIGHT), flags=cv2.INTER_LINEAR)
    return background * (1 - coverage) + warped * coverage


def _axis_rotation(axis, angle: float) -> np.ndarray:
    x, y, z = np.asarray(axis, dtype=float) / np.linalg.norm(axis)
    c, s = np.cos(angle), np.sin(angle)
    return np.array(
        [
            [c + x * x * (1 - c), x * y * (1 - c) - z * s, x * z * (1 - c) + y * s],
            [y * x * (1 - c) + z * s, c + y * y * (1 - c), y * z * (1 - c) - x * s],
            [z * x * (1 - c) - y * s, z * y * (1 - c) + x * s, c + z * z * (1 - c)],
        ]
    )


def _glare(face: np.ndarray, px_per_mm: float, rng: np.random.Generator) -> None:
    """A lamp's reflection on the laminate: saturated, with a soft rim, over part of the code."""
    left, top, side = _qr_box(px_per_mm)
    area = side * side * rng.uniform(0.10, 0.25)
    ratio = rng.uniform(0.5, 2.0)
    rx, ry = np.sqrt(area * ratio / np.pi), np.sqrt(area / ratio / np.pi)
    cx, cy = left + side * rng.uniform(0.2, 0.8), top + side * rng.uniform(0.2, 0.8)
    y, x = np.mgrid[0 : face.shape[0], 0 : face.shape[1]].astype(np.float32)
    d = np.sqrt(((x - cx) / rx) ** 2 + ((y - cy) / ry) ** 2)
    # saturated inside the ellipse (its area is the one drawn above), a soft rim just outside
    face += rng.uniform(250, 450) * np.clip((1.15 - d) / 0.3, 0, 1)


def _finger(face: np.ndarray, px_per_mm: float, rng: np.random.Generator, on_finder: bool) -> None:
    """A fingertip from outside the card over one corner of the code: skin, with a soft shadow."""
    import cv2

    left, top, side = _qr_box(px_per_mm)
    module = side / QR_MODULES
    corners = {"tl": (left, top, -1, -1), "tr": (left + side, top, 1, -1), "bl": (left, top + side, -1, 1)}
    if on_finder:
        x0, y0, sx, sy = corners[["tl", "tr", "bl"][int(rng.integers(0, 3))]]
        reach = module * rng.uniform(2.0, 3.0)  # the outer half of the 7-module finder, not its core
    else:
        x0, y0, sx, sy = left + side, top + side, 1, 1
        reach = module * rng.uniform(3.5, 5.0)
    # a capsule from far outside the card to a round tip that reaches ``reach`` into the code
    # along the corner's diagonal
    radius = module * rng.uniform(5.0, 7.0)
    inward = np.array([-sx, -sy], dtype=float) / np.sqrt(2)
    tip = np.array([x0, y0]) + inward * (reach - radius)
    turn = np.radians(rng.uniform(-25, 25))
    outward = -np.array(
        [
            inward[0] * np.cos(turn) - inward[1] * np.sin(turn),
            inward[0] * np.sin(turn) + inward[1] * np.cos(turn),
        ]
    )
    base = tip + outward * radius * 8

    def capsule(offset: np.ndarray) -> np.ndarray:
        shape = np.zeros_like(face)
        a, b = tuple(int(v) for v in tip + offset), tuple(int(v) for v in base + offset)
        cv2.line(shape, a, b, 1.0, int(2 * radius), cv2.LINE_AA)
        cv2.circle(shape, a, int(radius), 1.0, -1, cv2.LINE_AA)
        return shape

    shadow = cv2.GaussianBlur(capsule(np.array([module, module])), (0, 0), module)
    face *= 1 - 0.35 * shadow
    finger = cv2.GaussianBlur(capsule(np.zeros(2)), (0, 0), module * 0.3)
    skin = rng.uniform(120, 175) * (0.85 + 0.15 * finger)  # rounder, brighter towards the middle
    face[:] = face * (1 - finger) + skin * finger


def _scratches(face: np.ndarray, px_per_mm: float, rng: np.random.Generator) -> None:
    """One to three hairline scratches (0.2-0.4 mm wide, a third to two thirds of the code long)
    over the code: most take the toner off, some are dark."""
    import cv2

    left, top, side = _qr_box(px_per_mm)
    module = side / QR_MODULES
    for _ in range(int(rng.integers(1, 4))):
        centre = np.array([left, top]) + rng.uniform(0.1, 0.9, 2) * side
        angle, length = rng.uniform(0, np.pi), rng.uniform(0.3, 0.6) * side
        half = np.array([np.cos(angle), np.sin(angle)]) * length / 2
        width = max(1, round(module * rng.uniform(0.15, 0.3)))
        shade = 230.0 if rng.random() < 0.7 else 40.0
        ends = [tuple(int(v) for v in centre - half), tuple(int(v) for v in centre + half)]
        cv2.line(face, ends[0], ends[1], shade, width, cv2.LINE_AA)


def _bend(face: np.ndarray, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """The card bent around a vertical axis: foreshortened towards its edges, shaded as it turns."""
    import cv2

    h, w = face.shape
    arc = np.radians(rng.uniform(60, 120))
    radius = w / arc
    half = radius * np.sin(arc / 2)
    out_w = int(2 * half)
    xs = np.arange(out_w, dtype=np.float32) - half
    source_x = (radius * np.arcsin(np.clip(xs / radius, -1, 1)) + w / 2).astype(np.float32)
    map_x = np.tile(source_x, (h, 1))
    map_y = np.tile(np.arange(h, dtype=np.float32)[:, None], (1, out_w))
    bent = cv2.remap(face, map_x, map_y, cv2.INTER_LINEAR)
    light_side = rng.choice([-1, 1])
    shade = 0.75 + 0.25 * np.cos(np.arcsin(np.clip(xs / radius, -1, 1)) - light_side * 0.4)
    bent *= shade[None, :].astype(np.float32)
    # keep the face the same size so the QR box stays where it was, centred
    pad = (w - out_w) // 2
    canvas = np.zeros_like(face)
    mask = np.zeros_like(face)
    canvas[:, pad : pad + out_w] = bent
    mask[:, pad : pad + out_w] = 1
    return canvas, mask


def _phone(code: str, ppm: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray, tuple]:
    """A phone showing the code (a photo of the card or the app's QR): an over-bright screen with
    the pixel grid's moiré and the refresh's banding; one in three in dark mode."""
    import cv2
    import segno

    px_per_mm = float(np.clip(2.5 * ppm / MODULE_MM, 5, 16))
    matrix = np.array(
        [list(r) for r in segno.make_qr(code, error="h", boost_error=False).matrix], dtype=np.float32
    )
    side = QR_MODULES * MODULE_MM * px_per_mm
    body_w, body_h = int(side * 1.6), int(side * 3.0)
    face = np.full((body_h, body_w), 10.0, dtype=np.float32)
    sl, st = int(side * 0.08), int(side * 0.25)
    screen_w, screen_h = body_w - 2 * sl, int(side * 2.5)
    dark_mode = rng.random() < 1 / 3
    white = rng.uniform(330, 480)  # brighter than the paper around it: the exposure clips it
    screen = np.full((screen_h, screen_w), 30.0 if dark_mode else white, dtype=np.float32)
    qr = cv2.resize(matrix, (int(side), int(side)), interpolation=cv2.INTER_NEAREST)
    qr = (qr * white) if dark_mode else ((1 - qr) * white + qr * 8)
    qx, qy = (screen_w - int(side)) // 2, int(side * 0.6)
    quiet = int(side * 4 / QR_MODULES)
    screen[qy - quiet : qy + int(side) + quiet, qx - quiet : qx + int(side) + quiet] = (
        8 if dark_mode else white
    )
    screen[qy : qy + int(side), qx : qx + int(side)] = qr
    y, x = np.mgrid[0:screen_h, 0:screen_w].astype(np.float32)
    period = rng.uniform(3.0, 6.0) * px_per_mm * MODULE_MM / ppm  # a few camera pixels
    slant = rng.uniform(-0.6, 0.6)
    screen *= 1 + rng.uniform(0.08, 0.18) * np.sin(2 * np.pi * (x + slant * y) / period)
    screen *= 1 + rng.uniform(0.03, 0.1) * np.sin(2 * np.pi * y / (screen_h / rng.uniform(3, 7)))
    bloom = cv2.GaussianBlur(np.clip(screen - 255, 0, None), (0, 0), px_per_mm * MODULE_MM * 0.5)
    screen += rng.uniform(0.5, 1.0) * bloom
    face[st : st + screen_h, sl : sl + screen_w] = screen
    mask = np.ones_like(face)
    return face, mask, (sl + qx, st + qy, side)


def _motion_blur(frame: np.ndarray, length: int, angle: float) -> np.ndarray:
    import cv2

    kernel = np.zeros((length, length), dtype=np.float32)
    kernel[length // 2, :] = 1.0
    rotation = cv2.getRotationMatrix2D((length / 2 - 0.5, length / 2 - 0.5), angle, 1.0)
    kernel = cv2.warpAffine(kernel, rotation, (length, length))
    return cv2.filter2D(frame, -1, kernel / max(kernel.sum(), 1e-6))


def _disk_blur(frame: np.ndarray, radius: float) -> np.ndarray:
    import cv2

    size = int(np.ceil(radius)) * 2 + 1
    y, x = np.mgrid[0:size, 0:size].astype(np.float32) - size // 2
    kernel = np.clip(radius + 0.5 - np.sqrt(x * x + y * y), 0, 1)
    return cv2.filter2D(frame, -1, kernel / kernel.sum())


def _sensor(frame: np.ndarray, rng: np.random.Generator, gain: float) -> np.ndarray:
    """Shot noise and read noise at the sensor, 8-bit conversion, then the gain and clipping."""
    signal = np.clip(frame, 0, None)
    noisy = signal + rng.standard_normal(frame.shape).astype(np.float32) * np.sqrt(0.25 * signal + 4.0)
    levels = np.round(np.clip(noisy, 0, 255))  # the ADC: at high gain its steps show
    return np.clip(levels * gain, 0, 255).astype(np.uint8)
