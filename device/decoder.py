"""QR decoding: one small interface, several engines, one probe order.

The live scanner and ``aanwezig-unit decode`` both go through :func:`open_decoder`, so a
technician checking a camera snapshot runs exactly the code path a parent meets at the door.
Engines are tried in the order of :data:`ENGINES` (data, not an if/elif ladder); the first one
that imports wins unless the configuration names one.
"""

from __future__ import annotations

import importlib.util
import logging
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Protocol

import numpy as np

from device import deblur, qrgrid
from device.exc import DecoderUnavailable, NotAnImage
from wire import cardcode

__all__ = ["ENGINES", "DecoderUnavailable", "Guarded", "QrDecoder", "decode_file", "open_decoder"]

log = logging.getLogger(__name__)


class QrDecoder(Protocol):
    name: str

    def decode(self, frame: np.ndarray) -> list[str]:
        """Texts of the QR codes in a grayscale or BGR frame; empty when there are none."""


def to_gray(frame: np.ndarray) -> np.ndarray:
    if frame.ndim == 2:
        return frame
    import cv2

    return cv2.cvtColor(frame, cv2.COLOR_BGR2GRAY if frame.shape[2] == 3 else cv2.COLOR_BGRA2GRAY)


def shrink(gray: np.ndarray, max_width: int) -> np.ndarray:
    """The frame scaled down (area averaging) to at most ``max_width`` pixels wide."""
    height, width = gray.shape[:2]
    if width <= max_width:
        return gray
    import cv2

    return cv2.resize(gray, (max_width, height * max_width // width), interpolation=cv2.INTER_AREA)


class ZxingDecoder:
    """The unit's stack: a quick pass, and a cascade of fallbacks only where a code may be.

    1. Quick path: zxing-cpp on the frame scaled down to at most ``max_width`` pixels wide, one
       scale, inverted codes included. Most frames end here: an empty hall in well under 1 ms.
    2. Where to look harder: the regions where that pass located a QR it could not read, and
       the regions with dense texture in both
       directions (:func:`textured_regions`: a small, far, blurred or shaken code; where there
       is none, texture in three of four directions: a smeared code). A frame with
       neither (the empty hall) costs the quick path and that texture check only.
    3. Fallbacks on each region, cropped from the full-resolution frame, cheapest first, until a
       valid card code is read or the budget (``budget_s`` of the thread's CPU time) is spent:
       the full resolution, our own grid read (:mod:`device.qrgrid`: the module grid placed by
       zxing's quad or by two or three finder patterns, glare as Reed–Solomon erasures), the
       full resolution with zxing-cpp's other binarisers, sharpened, a local threshold, twice
       the resolution, our grid read at twice the resolution (sharpened, then plain: a far
       code's finders need the pixels), twice the resolution sharpened harder, deblurred
       (:mod:`device.deblur`: Wiener deconvolution along the smear), local contrast (CLAHE),
       three and four times the resolution, refocused (Wiener deconvolution of a defocus
       disk), ZBar (which survives a damaged finder pattern better than zxing-cpp), and last
       our grid read at twice the resolution sharpened harder with the finders of three local
       thresholds (a code at 1.5-2 pixels per module), and our grid read with the grid of three
       finders polished onto its modules (a bent card). Inverted codes are tried in the quick
       path and at full resolution; zxing-cpp finds a QR at any in-plane rotation by itself.

    Never a wrong code: a read whose text is ten digits with a failing check digit is dropped
    and counted in :attr:`counts` (``check_digit``, once per frame), and the frame ends there
    (the QR's own error correction passed: read again, it says the same). An engine that
    raises counts as nothing read (logged once per kind) and the next step runs.
    """

    name = "zxing"

    def __init__(self, max_width: int = 640, budget_s: float = 0.08) -> None:
        import zxingcpp

        self._zx = zxingcpp
        self._formats = zxingcpp.BarcodeFormat.QRCode
        self.max_width = max_width
        self.budget_s = budget_s
        self.counts: Counter[str] = Counter()
        self._errors = EngineErrors(self.name, self.counts)  # "step: ErrorKind" -> times
        self._steps = self._fallbacks()
        self._deadline = 0.0  # of the frame in the cascade (thread CPU time)

    def decode(self, frame: np.ndarray) -> list[str]:
        gray = to_gray(frame)
        small = shrink(gray, self.max_width)
        scale = gray.shape[1] / small.shape[1]
        found = self._errors.call("zxing", self._read, small, [], invert=True, errors=True)
        texts, misprinted = self._cards(r.text for r in found if r.valid and r.text)
        if texts or misprinted:
            # a QR read cleanly (its own error correction passed) to ten digits failing the check
            # digit is a misprinted or foreign card: reading it again gives the same
            return texts
        located = [_box(r.position, scale, gray.shape) for r in found]
        regions = located + textured_regions(small, scale, gray.shape)
        if not regions:
            return []
        self.counts["located" if located else "textured"] += 1
        return self._cascade(gray, regions)

    def _cascade(self, gray: np.ndarray, regions: list[tuple[int, int, int, int]]) -> list[str]:
        """Each fallback on every region (cheapest fallbacks first), until a card is read or the
        time budget is spent."""
        # CPU time of this thread, not the wall clock: the same frames get the same work on a
        # busy machine (and the scanner's thread is what a frame costs)
        deadline = self._deadline = time.thread_time() + self.budget_s
        crops = [np.ascontiguousarray(gray[top:bottom, left:right]) for top, bottom, left, right in regions]
        for step, run in self._steps:
            for crop in crops:
                if time.thread_time() > deadline:
                    self.counts["over_budget"] += 1
                    return []
                texts, misprinted = self._cards(self._errors.call(step, run, crop, []))
                if texts:
                    self.counts[f"read_by_{step}"] += 1
                    return texts
                if misprinted:
                    return []
        return []

    def _read(self, image: np.ndarray, invert: bool = False, errors: bool = False, **options) -> list:
        return self._zx.read_barcodes(
            image,
            formats=self._formats,
            try_rotate=False,
            try_downscale=False,
            try_invert=invert,
            return_errors=errors,
            **options,
        )

    def _texts(self, image: np.ndarray, **options) -> list[str]:
        return [r.text for r in self._read(image, **options) if r.valid and r.text]

    def _grid(self, crop: np.ndarray) -> list[str]:
        """Our own read of the module grid (:mod:`device.qrgrid`): where zxing located the code in
        the crop, else where two or three finder patterns point; saturated modules (glare) are
        Reed–Solomon erasures."""
        quads = [
            [
                (p.x, p.y)
                for p in (
                    r.position.top_left,
                    r.position.top_right,
                    r.position.bottom_right,
                    r.position.bottom_left,
                )
            ]
            for r in self._read(crop, errors=True)
            if not r.valid
        ]
        text = qrgrid.locate_and_read(crop, quads)
        return [text] if text else []

    def _deblurred(self, crop: np.ndarray) -> list[str]:
        """A smeared code (the card moved): Wiener deconvolution with a line along the smear
        (:mod:`device.deblur`), a few lengths, each read by zxing-cpp and by our grid read;
        only where the crop's gradients are clearly one-sided."""
        _angle, anisotropy = deblur.blur_direction(crop)
        if anisotropy < MIN_SMEAR:
            return []
        for image in deblur.deblurred(crop):
            if time.thread_time() > self._deadline:
                return []  # the cascade counts it over budget
            texts = self._texts(image) or [t for t in [qrgrid.locate_and_read(image)] if t]
            if texts:
                return texts
        return []

    def _fallbacks(self) -> list[tuple[str, Callable[[np.ndarray], list[str]]]]:
        import cv2

        binarizer = self._zx.Binarizer
        clahe = cv2.createCLAHE(clipLimit=2.0, tileGridSize=(4, 4))

        def larger(crop: np.ndarray, factor: int) -> np.ndarray:
            return cv2.resize(crop, None, fx=factor, fy=factor, interpolation=cv2.INTER_CUBIC)

        def local_threshold(crop: np.ndarray) -> np.ndarray:
            return cv2.adaptiveThreshold(crop, 255, cv2.ADAPTIVE_THRESH_GAUSSIAN_C, cv2.THRESH_BINARY, 31, 0)

        # cheapest first; the order and the set come from bench/scanset.py's tuning seeds
        steps: list[tuple[str, Callable[[np.ndarray], list[str]] | None]] = [
            ("full", lambda c: self._texts(c, invert=True)),
            ("grid", self._grid),
            ("fixed", lambda c: self._texts(c, binarizer=binarizer.FixedThreshold)),
            ("global", lambda c: self._texts(c, binarizer=binarizer.GlobalHistogram)),
            ("sharpened", lambda c: self._texts(_sharpen(c))),
            ("local_threshold", lambda c: self._texts(local_threshold(c))),
            ("twice", lambda c: self._texts(larger(c, 2))),
            ("twice_fixed", lambda c: self._texts(larger(c, 2), binarizer=binarizer.FixedThreshold)),
            ("grid_twice_sharpened", lambda c: _grid_only(_sharpen(larger(c, 2)))),
            ("grid_twice", lambda c: _grid_only(larger(c, 2))),
            ("twice_sharpened_more", lambda c: self._texts(_sharpen(larger(c, 2), amount=2.0))),
            ("deblurred", self._deblurred),
            ("clahe", lambda c: self._texts(clahe.apply(c))),
            ("thrice", lambda c: self._texts(larger(c, 3))),
            ("twice_sharpened", lambda c: self._texts(_sharpen(larger(c, 2), amount=1.5))),
            ("four_times", lambda c: self._texts(larger(c, 4))),
            ("refocused", lambda c: self._texts(_refocus(c, 2.5)) or self._texts(_refocus(c, 3.5))),
            ("zbar", _zbar_reader()),
            # a far code's finders, each kept by another threshold
            ("grid_twice_sharpened_more", lambda c: _grid_only(_sharpen(larger(c, 2), 2.0), (4, 8, 12))),
            # a bent card: three finders place a grid that is a little off
            ("grid_polished", lambda c: _grid_only(c, (4, 8, 12), polish=True)),
        ]
        return [(name, run) for name, run in steps if run is not None]

    def _cards(self, texts) -> tuple[list[str], bool]:
        """The texts less those that are card-shaped with a failing check digit, and whether there
        was one (counted once per frame in ``counts["check_digit"]``)."""
        kept = []
        dropped = False
        for text in texts:
            if _card_shaped(text) and not cardcode.is_valid(text):
                dropped = True
                continue
            kept.append(text)
        if dropped:
            self.counts["check_digit"] += 1
        return kept, dropped


def _grid_only(image: np.ndarray, offsets: tuple[int, ...] = (8,), polish: bool = False) -> list[str]:
    """Our own grid read where two or three finder patterns point (:func:`qrgrid.locate_and_read`;
    the finders of local thresholds ``offsets`` levels below the mean)."""
    text = qrgrid.locate_and_read(image, offsets=offsets, polish=polish)
    return [text] if text else []


def _card_shaped(text: str) -> bool:
    return len(text) == cardcode.CODE_LENGTH and text.isascii() and text.isdigit()


def _sharpen(gray: np.ndarray, amount: float = 1.0) -> np.ndarray:
    """Unsharp masking: the image plus ``amount`` times its detail above a 2 px blur."""
    import cv2

    blurred = cv2.GaussianBlur(gray, (0, 0), 2.0)
    return cv2.addWeighted(gray, 1.0 + amount, blurred, -amount, 0)


def _refocus(gray: np.ndarray, radius: float, noise_ratio: float = 0.02) -> np.ndarray:
    """Wiener deconvolution with a disk of ``radius`` pixels: a card closer than the focus."""
    size = int(np.ceil(radius)) * 2 + 1
    y, x = np.mgrid[0:size, 0:size].astype(np.float32) - size // 2
    disk = np.clip(radius + 0.5 - np.sqrt(x * x + y * y), 0, 1)
    kernel = np.zeros(gray.shape, dtype=np.float32)
    kernel[:size, :size] = disk / disk.sum()
    kernel = np.roll(kernel, (-(size // 2), -(size // 2)), (0, 1))
    spectrum = np.fft.rfft2(kernel)
    restored = np.fft.irfft2(
        np.fft.rfft2(gray.astype(np.float32)) * np.conj(spectrum) / (np.abs(spectrum) ** 2 + noise_ratio),
        s=gray.shape,
    )
    return np.clip(restored, 0, 255).astype(np.uint8)


def _zbar_reader() -> Callable[[np.ndarray], list[str]] | None:
    """ZBar on a crop, when pyzbar and libzbar0 are there; None otherwise (the step is skipped)."""
    if importlib.util.find_spec("pyzbar") is None:
        return None
    try:
        from pyzbar import pyzbar
    except (ImportError, OSError):  # pyzbar without libzbar0
        return None
    symbols = [pyzbar.ZBarSymbol.QRCODE]
    return lambda crop: [
        r.data.decode("utf-8", "replace") for r in pyzbar.decode(crop, symbols=symbols) if r.data
    ]


# Deblurring only where gradients across the crop outweigh those along it this much (1 - weakest /
# strongest): the smeared codes of the tuning seeds that a deconvolution reads are at 0.6-0.8
MIN_SMEAR = 0.5

# Texture check: gradient energy in both directions per 8x8 block of the quick path's image. A QR
# (or a card's digits) is dense in x and in y; a wall, a door frame, a shadow's edge is not.
# Threshold and sizes set on the tuning seeds of bench/scanset.py (the empty hall with posters <= 21).
TEXTURE_BLOCK = 8
TEXTURE_THRESHOLD = 21
MAX_REGIONS = 3


def textured_regions(
    small: np.ndarray, scale: float, full_shape: tuple[int, ...]
) -> list[tuple[int, int, int, int]]:
    """Boxes (top, bottom, left, right) in full-frame pixels around dense 2D texture in ``small``,
    the strongest first; empty for a plain scene. Where nothing is dense across and down, a
    smear is looked for (texture in three of four directions: a code moved sideways keeps its
    texture across the motion)."""
    import cv2

    across, down = _block_differences(small, (ACROSS, DOWN))
    boxes = _regions(cv2.blur(cv2.min(across, down), (2, 2)), TEXTURE_THRESHOLD, scale, full_shape)
    if boxes:
        return boxes
    # the second least of four differences is at most the greater of any two: only blocks where
    # across or down is above the threshold can pass, and the diagonals are only taken there
    candidates = cv2.blur(cv2.max(across, down), (2, 2)) > SMEAR_THRESHOLD
    if not candidates.any():
        return []
    rows, cols = np.flatnonzero(candidates.any(axis=1)), np.flatnonzero(candidates.any(axis=0))
    top, bottom = max(0, int(rows[0]) - 2), min(candidates.shape[0], int(rows[-1]) + 3)
    left, right = max(0, int(cols[0]) - 2), min(candidates.shape[1], int(cols[-1]) + 3)
    b = TEXTURE_BLOCK
    window = small[top * b : bottom * b + 1, left * b : right * b + 1]
    falling, rising = _block_differences(window, (FALLING, RISING))
    energy = np.zeros_like(across)
    energy[top:bottom, left:right] = _second_least(
        across[top:bottom, left:right], down[top:bottom, left:right], falling, rising
    )
    return _regions(energy, SMEAR_THRESHOLD, scale, full_shape)


def _regions(energy: np.ndarray, threshold: float, scale: float, full_shape: tuple[int, ...]):
    import cv2

    if float(energy.max()) <= threshold:
        return []
    # blocks of one code are joined even where blur or a finger leaves a gap in the texture
    mask = cv2.dilate((energy > threshold).astype(np.uint8), np.ones((3, 3), np.uint8))
    count, _labels, stats, _centroids = cv2.connectedComponentsWithStats(mask, connectivity=8)
    strongest = sorted(range(1, count), key=lambda i: -stats[i, cv2.CC_STAT_AREA])[:MAX_REGIONS]
    block = TEXTURE_BLOCK * scale
    boxes = []
    for i in strongest:
        x, y, w, h = (int(v) for v in stats[i, :4])
        boxes.append(_margin(y * block, (y + h) * block, x * block, (x + w) * block, full_shape))
    return boxes


# The smear check: the second weakest of the neighbour differences in four directions (across,
# down, both diagonals). A poster's text and a door frame stay <= 31 on the tuning seeds' empty
# hall; a smeared code that deblurring reads is above 32.
SMEAR_THRESHOLD = 32


def _second_least(a: np.ndarray, b: np.ndarray, c: np.ndarray, d: np.ndarray) -> np.ndarray:
    """Per block, the second smallest of four (blurred as the texture is)."""
    import cv2

    low_ab, high_ab, low_cd, high_cd = cv2.min(a, b), cv2.max(a, b), cv2.min(c, d), cv2.max(c, d)
    return cv2.blur(cv2.min(cv2.max(low_ab, low_cd), cv2.min(high_ab, high_cd)), (2, 2))


def texture(small: np.ndarray) -> np.ndarray:
    """Per block of ``TEXTURE_BLOCK`` pixels: the lesser of the mean differences between neighbours
    across and down."""
    import cv2

    across, down = _block_differences(small, (ACROSS, DOWN))
    return cv2.blur(cv2.min(across, down), (2, 2))


def _block_differences(small: np.ndarray, pairs) -> list[np.ndarray]:
    """Per block of ``TEXTURE_BLOCK`` pixels and pair of (down, across) offsets: the mean difference
    between the pixels at the two offsets (whole blocks only: an exact area resize is a fast
    path in OpenCV)."""
    import cv2

    b = TEXTURE_BLOCK
    height, width = (small.shape[0] - 1) // b * b, (small.shape[1] - 1) // b * b
    if height <= 0 or width <= 0:
        return [np.zeros((1, 1), dtype=np.uint8) for _ in pairs]
    size = (width // b, height // b)
    return [
        cv2.resize(
            cv2.absdiff(small[y0 : y0 + height, x0 : x0 + width], small[y1 : y1 + height, x1 : x1 + width]),
            size,
            interpolation=cv2.INTER_AREA,
        )
        for (y0, x0), (y1, x1) in pairs
    ]


# neighbours across, down, and on both diagonals (all within one pixel of the block's corner)
ACROSS, DOWN = ((0, 1), (0, 0)), ((1, 0), (0, 0))
FALLING, RISING = ((1, 1), (0, 0)), ((1, 0), (0, 1))


def _box(position, scale: float, full_shape: tuple[int, ...]) -> tuple[int, int, int, int]:
    """The full-frame box around a symbol zxing located in the quick path's image."""
    corners = [position.top_left, position.top_right, position.bottom_right, position.bottom_left]
    xs, ys = [c.x * scale for c in corners], [c.y * scale for c in corners]
    return _margin(min(ys), max(ys), min(xs), max(xs), full_shape)


def _margin(top: float, bottom: float, left: float, right: float, shape: tuple[int, ...]):
    """The box grown by a third of its size (the quiet zone and some), and to at least
    :data:`MIN_BOX` pixels each way, within the frame."""
    pad = max(bottom - top, right - left) / 3 + 8
    pad_y, pad_x = max(pad, (MIN_BOX - (bottom - top)) / 2), max(pad, (MIN_BOX - (right - left)) / 2)
    height, width = shape[:2]
    return (
        max(0, int(top - pad_y)),
        min(height, int(bottom + pad_y)),
        max(0, int(left - pad_x)),
        min(width, int(right + pad_x)),
    )


# A smeared code's texture may show in a few blocks only: its box is grown to at least this
# many pixels (a card's QR at 6 pixels per module with its quiet zone)
MIN_BOX = 160


class EngineErrors:
    """An engine that raises counts as nothing read: logged once per engine and kind, counted."""

    def __init__(self, owner: str, counts: Counter[str] | None = None) -> None:
        self.owner = owner
        self.counts: Counter[str] = Counter() if counts is None else counts

    def call(self, step: str, run: Callable, image: np.ndarray, nothing, **options):
        try:
            return run(image, **options)
        except Exception as exc:  # any engine's failure on one frame: the scanner goes on
            kind = f"{step}: {type(exc).__name__}"
            if kind not in self.counts:
                log.warning(
                    "%s decoder, %s raised on a frame (counted as nothing read): %s", self.owner, step, exc
                )
            self.counts[kind] += 1
            return nothing


class Guarded:
    """An engine whose exceptions count as nothing read (logged once per kind): what the scanner
    and ``aanwezig-unit decode`` get for every engine."""

    def __init__(self, engine: QrDecoder) -> None:
        self.engine = engine
        self.name = engine.name
        self.errors = EngineErrors(engine.name)

    def decode(self, frame: np.ndarray) -> list[str]:
        return self.errors.call("decode", self.engine.decode, frame, [])

    @property
    def counts(self) -> Counter[str]:
        return getattr(self.engine, "counts", Counter()) + self.errors.counts


class ZxingFullFrameDecoder:
    """zxing-cpp with its defaults on the whole frame; the baseline the unit's stack is measured against."""

    name = "zxing-full"

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
    ("zxing-full", "zxingcpp", ZxingFullFrameDecoder),
    ("pyzbar", "pyzbar", PyzbarDecoder),
    ("opencv", "cv2", OpenCvDecoder),
]


def open_decoder(name: str = "auto") -> QrDecoder:
    """The named engine, or for ``auto`` the first engine in :data:`ENGINES` that loads; wrapped
    in :class:`Guarded`, so no engine's exception ever reaches the scanner or the CLI."""
    errors = []
    for engine, module, factory in ENGINES:
        if name not in ("auto", engine):
            continue
        if importlib.util.find_spec(module) is None:
            errors.append(f"{engine}: module {module} not installed")
            continue
        try:
            return Guarded(factory())
        except (ImportError, OSError) as exc:  # e.g. pyzbar without libzbar0
            errors.append(f"{engine}: {exc}")
    if not errors:
        raise DecoderUnavailable(f"unknown decoder {name!r}; known: {[e[0] for e in ENGINES]}")
    raise DecoderUnavailable("no QR decoder available (" + "; ".join(errors) + ")")


def decode_file(decoder: QrDecoder, path: str | Path) -> list[str]:
    """Decode one image file; raises :class:`~device.exc.NotAnImage` (a ValueError) when the file
    is not a readable image."""
    import cv2

    image = cv2.imread(str(path), cv2.IMREAD_GRAYSCALE)
    if image is None:
        raise NotAnImage(f"not a readable image: {path}")
    return decoder.decode(image)
