"""Our own read of a card's QR (version 1, error correction H) from its module grid, with
Reed–Solomon erasure decoding: for a code partly under glare or a finger.

zxing-cpp and ZBar treat a saturated module like any other: a wrong bit, an error, two of the 17
check codewords' worth each. Here the modules under glare are known to be unknown: *erasures*,
one check codeword each. So a version 1-H code survives up to 17 erased codewords (of 26), where
an ordinary decoder stops at 8 wrong ones.

The pieces: :func:`rs_correct` (Reed–Solomon over GF(256), QR's field and generator, errors and
erasures), :func:`read_grid` (the codewords of a sampled 21x21 grid, format and mask included),
:func:`card_text` (the ten digits, only when the data is exactly what a card's QR holds), and
:func:`locate_and_read` (finder patterns found in a crop, the grid sampled, the code decoded).

Never a wrong code: a grid is only accepted when the corrected codewords decode to exactly the
layout a card's QR has (numeric mode, ten digits, terminator and pad codewords), with room left
in the check codewords (``2·errors + erasures`` at most :data:`MAX_SPENT`); the caller still
drops a failing check digit.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from typing import NamedTuple

import numpy as np

__all__ = ["ReedSolomonError", "card_text", "locate_and_read", "read_grid", "rs_correct"]

SIZE = 21  # version 1
TOTAL_CODEWORDS = 26
DATA_CODEWORDS = 9  # error correction H
CHECK_CODEWORDS = 17
# Spend at most this much of the 17 check codewords (2 per error, 1 per erasure): one is kept
# back, so a decoded word is always at distance >= 2 of a miscorrection (the standard's own
# margin for version 1-H is one codeword too)
MAX_SPENT = 16


class ReedSolomonError(ValueError):
    """The codewords are beyond what the check codewords can correct."""


# --- GF(256) with QR's primitive polynomial x^8 + x^4 + x^3 + x^2 + 1 -----------------------------

_EXP = [0] * 512
_LOG = [0] * 256
_x = 1
for _i in range(255):
    _EXP[_i] = _x
    _LOG[_x] = _i
    _x <<= 1
    if _x & 0x100:
        _x ^= 0x11D
for _i in range(255, 512):
    _EXP[_i] = _EXP[_i - 255]


# the whole multiplication table (64 KiB): one index per product in the decoder's inner loops
_TABLE = bytes(0 if a == 0 or b == 0 else _EXP[_LOG[a] + _LOG[b]] for a in range(256) for b in range(256))


def _mul(a: int, b: int) -> int:
    return _TABLE[a << 8 | b]


def _div(a: int, b: int) -> int:
    if b == 0:
        raise ZeroDivisionError("GF(256) division by zero")
    return 0 if a == 0 else _EXP[(_LOG[a] + 255 - _LOG[b]) % 255]


def _pow(a: int, n: int) -> int:
    return _EXP[(_LOG[a] * n) % 255]


def _inverse(a: int) -> int:
    return _EXP[255 - _LOG[a]]


def _poly_scale(p: list[int], x: int) -> list[int]:
    row = _TABLE[x << 8 : (x + 1) << 8]
    return [row[c] for c in p]


def _poly_add(p: list[int], q: list[int]) -> list[int]:
    r = [0] * max(len(p), len(q))
    for i, c in enumerate(p):
        r[i + len(r) - len(p)] = c
    for i, c in enumerate(q):
        r[i + len(r) - len(q)] ^= c
    return r


def _poly_mul(p: list[int], q: list[int]) -> list[int]:
    r = [0] * (len(p) + len(q) - 1)
    for j, b in enumerate(q):
        for i, a in enumerate(p):
            r[i + j] ^= _mul(a, b)
    return r


def _poly_eval(p: Sequence[int], x: int) -> int:
    row = _TABLE[x << 8 : (x + 1) << 8]  # times x
    y = p[0]
    for c in p[1:]:
        y = row[y] ^ c
    return y


def _poly_div(dividend: list[int], divisor: list[int]) -> tuple[list[int], list[int]]:
    out = list(dividend)
    for i in range(len(dividend) - len(divisor) + 1):
        coef = out[i]
        if coef:
            for j in range(1, len(divisor)):
                if divisor[j]:
                    out[i + j] ^= _mul(divisor[j], coef)
    cut = -(len(divisor) - 1)
    return out[:cut], out[cut:]


def _syndromes(word: list[int], nsym: int) -> list[int]:
    # a leading 0 keeps the indices of the textbook formulas (first consecutive root alpha^0)
    return [0] + [_poly_eval(word, _pow(2, i)) for i in range(nsym)]


def _errata_locator(coef_pos: list[int]) -> list[int]:
    loc = [1]
    for p in coef_pos:
        loc = _poly_mul(loc, _poly_add([1], [_pow(2, p), 0]))
    return loc


def _correct_errata(word: list[int], synd: list[int], positions: list[int]) -> list[int]:
    """Forney: the values at the known wrong ``positions``."""
    n = len(word)
    coef_pos = [n - 1 - p for p in positions]
    loc = _errata_locator(coef_pos)
    _q, evaluator = _poly_div(_poly_mul(synd[::-1], loc), [1] + [0] * len(loc))
    evaluator = evaluator[::-1]
    xs = [_pow(2, -(255 - c)) for c in coef_pos]
    fix = [0] * n
    for i, xi in enumerate(xs):
        xi_inv = _inverse(xi)
        denominator = 1
        for j, xj in enumerate(xs):
            if j != i:
                denominator = _mul(denominator, 1 ^ _mul(xi_inv, xj))
        if denominator == 0:
            raise ReedSolomonError("could not find the error magnitude")
        y = _mul(xi, _poly_eval(evaluator[::-1], xi_inv))
        fix[positions[i]] = _div(y, denominator)
    return [a ^ b for a, b in zip(word, fix, strict=True)]


def _error_locator(fsynd: list[int], nsym: int, erasures: int) -> list[int]:
    """Berlekamp–Massey on the Forney syndromes (the erasures taken out)."""
    loc, old = [1], [1]
    shift = len(fsynd) - nsym if len(fsynd) > nsym else 0
    for i in range(nsym - erasures):
        k = i + shift
        delta = fsynd[k]
        for j in range(1, len(loc)):
            delta ^= _mul(loc[-(j + 1)], fsynd[k - j])
        old = [*old, 0]
        if delta:
            if len(old) > len(loc):
                new = _poly_scale(old, delta)
                old = _poly_scale(loc, _inverse(delta))
                loc = new
            loc = _poly_add(loc, _poly_scale(old, delta))
    while loc and loc[0] == 0:
        del loc[0]
    if (len(loc) - 1) * 2 + erasures > nsym:
        raise ReedSolomonError("too many errors to correct")
    return loc


def _forney_syndromes(synd: list[int], erasures: list[int], n: int) -> list[int]:
    fsynd = list(synd[1:])
    for p in erasures:
        x = _pow(2, n - 1 - p)
        for j in range(len(fsynd) - 1):
            fsynd[j] = _mul(fsynd[j], x) ^ fsynd[j + 1]
    return fsynd


def rs_correct(
    word: Sequence[int], nsym: int, erasures: Sequence[int] = (), max_spent: int | None = None
) -> tuple[list[int], int]:
    """The corrected codeword (data then check codewords, QR's order) and the number of errors
    found besides the ``erasures`` (indices into ``word`` whose values are unknown).

    Raises :class:`ReedSolomonError` when ``2·errors + erasures`` exceeds ``max_spent`` (default
    ``nsym``) or the word cannot be corrected."""
    limit = nsym if max_spent is None else max_spent
    erased = sorted(set(erasures))
    if len(erased) > limit:
        raise ReedSolomonError(f"{len(erased)} erasures, at most {limit}")
    out = list(word)
    for p in erased:
        out[p] = 0
    n = len(out)
    synd = _syndromes(out, nsym)
    if not any(synd):
        return out, 0
    fsynd = _forney_syndromes(synd, erased, n)
    loc = _error_locator(fsynd, nsym, len(erased))
    errors = []
    reversed_loc = loc[::-1]
    for i in range(n):
        if _poly_eval(reversed_loc, _pow(2, i)) == 0:
            errors.append(n - 1 - i)
    if len(errors) != len(loc) - 1:
        raise ReedSolomonError("the error locator's roots are not in the word")
    if 2 * len(errors) + len(erased) > limit:
        raise ReedSolomonError(f"{len(errors)} errors and {len(erased)} erasures: too many to trust")
    out = _correct_errata(out, synd, erased + errors)
    if any(_syndromes(out, nsym)):
        raise ReedSolomonError("still wrong after correction")
    return out, len(errors)


# --- the grid: function patterns, format, mask, codeword order --------------------------------------


def _function_modules() -> np.ndarray:
    f = np.zeros((SIZE, SIZE), dtype=bool)
    f[:9, :9] = True
    f[:9, SIZE - 8 :] = True
    f[SIZE - 8 :, :9] = True
    f[6, :] = True
    f[:, 6] = True
    return f


FUNCTION = _function_modules()


def _codeword_order() -> list[list[tuple[int, int]]]:
    """(row, column) of the 8 modules of each of the 26 codewords, most significant bit first."""
    modules: list[tuple[int, int]] = []
    upward = True
    col = SIZE - 1
    while col > 0:
        if col == 6:
            col -= 1
        for count in range(SIZE):
            row = SIZE - 1 - count if upward else count
            for c in (col, col - 1):
                if not FUNCTION[row, c]:
                    modules.append((row, c))
        upward = not upward
        col -= 2
    return [modules[i : i + 8] for i in range(0, len(modules), 8)]


CODEWORDS = _codeword_order()
_ROWS = np.array([[r for r, _c in cw] for cw in CODEWORDS])
_COLS = np.array([[c for _r, c in cw] for cw in CODEWORDS])
_WEIGHTS = np.array([128, 64, 32, 16, 8, 4, 2, 1])

_r, _c = np.mgrid[0:SIZE, 0:SIZE]
MASKS = [
    (_r + _c) % 2 == 0,
    _r % 2 == 0,
    _c % 3 == 0,
    (_r + _c) % 3 == 0,
    (_r // 2 + _c // 3) % 2 == 0,
    (_r * _c) % 2 + (_r * _c) % 3 == 0,
    ((_r * _c) % 2 + (_r * _c) % 3) % 2 == 0,
    ((_r + _c) % 2 + (_r * _c) % 3) % 2 == 0,
]


def _format_word(mask: int, level_bits: int = 0b10) -> int:
    """The 15 format bits (BCH(15,5), XOR 0x5412) for error correction H and ``mask``."""
    data = (level_bits << 3) | mask
    rem = data << 10
    for i in range(14, 9, -1):
        if rem & (1 << i):
            rem ^= 0x537 << (i - 10)
    return ((data << 10) | rem) ^ 0x5412


FORMAT_WORDS = [_format_word(m) for m in range(8)]
# the format bits' modules, most significant bit first: around the top-left finder, and split
# between the bottom-left and the top-right one
_FORMAT_1 = [(8, c) for c in (0, 1, 2, 3, 4, 5, 7)] + [(8, 8), (7, 8)] + [(r, 8) for r in (5, 4, 3, 2, 1, 0)]
_FORMAT_2 = [(r, 8) for r in range(SIZE - 1, SIZE - 8, -1)] + [(8, c) for c in range(SIZE - 8, SIZE)]


def _masks_to_try(dark: np.ndarray, known: np.ndarray) -> list[int]:
    """The masks in order of agreement with the two copies of the format bits (unknown modules
    not counted): the best first, then the others (glare may hide both copies)."""
    scores = []
    for m, word in enumerate(FORMAT_WORDS):
        disagree = 0
        for cells in (_FORMAT_1, _FORMAT_2):
            for k, (r, c) in enumerate(cells):
                if known[r, c] and bool(dark[r, c]) != bool((word >> (14 - k)) & 1):
                    disagree += 1
        scores.append((disagree, m))
    scores.sort()
    # a wrong mask's format bits differ in at least 7 of each copy's 15: far behind the right one
    return [m for d, m in scores if d <= scores[0][0] + 4]


# Data codewords every card's QR has (numeric mode and the count's first bits; the terminator
# byte and the two pad codewords): under glare they are filled in, not erased. They still
# count as checked where they were seen (card_text), and the margin of MAX_SPENT is unchanged.
KNOWN_CODEWORDS = {0: 0x10, 6: 0x00, 7: 0xEC, 8: 0x11}


def read_grid(dark: np.ndarray, known: np.ndarray, masks: int = 8) -> str | None:
    """The card code in a sampled grid: ``dark`` (21x21 bools) and ``known`` (False where a module
    could not be seen, e.g. under glare). Tries the masks the format bits point to first.
    None when no mask gives a card's data within :data:`MAX_SPENT`."""
    erased_modules = ~known[_ROWS, _COLS]
    unseen = [i for i in range(TOTAL_CODEWORDS) if erased_modules[i].any()]
    erasures = [i for i in unseen if i not in KNOWN_CODEWORDS]
    if len(erasures) > MAX_SPENT:
        return None
    for m in _masks_to_try(dark, known)[:masks]:
        bits = (dark ^ MASKS[m])[_ROWS, _COLS]
        word = [int(v) for v in bits @ _WEIGHTS]
        for i in unseen:
            word[i] = KNOWN_CODEWORDS.get(i, word[i])
        try:
            corrected, _errors = rs_correct(word, CHECK_CODEWORDS, erasures, MAX_SPENT)
        except ReedSolomonError:
            continue
        text = card_text(corrected[:DATA_CODEWORDS])
        if text is not None:
            return text
    return None


def card_text(data: Sequence[int]) -> str | None:
    """The ten digits of a card's QR data codewords, or None unless the data is exactly a card's:
    numeric mode, a count of 10, three groups of three digits and one, the terminator and
    zero bits, the pad codewords 0xEC 0x11."""
    if len(data) != DATA_CODEWORDS or list(data[6:]) != [0x00, 0xEC, 0x11]:
        return None
    bits = "".join(f"{b:08b}" for b in data[:6])
    if bits[:4] != "0001" or int(bits[4:14], 2) != 10:
        return None
    digits = ""
    for start in (14, 24, 34):
        group = int(bits[start : start + 10], 2)
        if group > 999:
            return None
        digits += f"{group:03d}"
    last = int(bits[44:48], 2)
    if last > 9:
        return None
    return digits + str(last)


# --- sampling a grid from an image ------------------------------------------------------------------


_CENTRES = np.stack(np.mgrid[0:SIZE, 0:SIZE][::-1], axis=-1).reshape(-1, 2).astype(np.float32) + 0.5
# each module is read at 5 points: its centre and four around it, a quarter module off
_POINTS = np.concatenate(
    [_CENTRES + np.float32(o) for o in ((0, 0), (0.22, 0.22), (-0.22, 0.22), (0.22, -0.22), (-0.22, -0.22))]
).reshape(-1, 1, 2)


def sample_grid(gray: np.ndarray, homography: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per module of the grid whose module coordinates (0..21 across) ``homography`` maps into
    ``gray``: the mean level, the brightest of its sample points, and whether it is in the image."""
    import cv2

    points = cv2.perspectiveTransform(_POINTS, homography).reshape(1, -1, 2)
    values = cv2.remap(
        gray, points[..., 0], points[..., 1], cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE
    ).reshape(5, SIZE * SIZE)
    values = values.astype(np.float32)
    centres = points.reshape(5, SIZE * SIZE, 2)[0]
    inside = (centres[:, 0] >= 0) & (centres[:, 0] < gray.shape[1])
    inside &= (centres[:, 1] >= 0) & (centres[:, 1] < gray.shape[0])
    shape = (SIZE, SIZE)
    return values.mean(axis=0).reshape(shape), values.max(axis=0).reshape(shape), inside.reshape(shape)


# --- reading at a place: thresholds, glare, finder patterns -----------------------------------------

# the modules of the function patterns, known dark (True) or light (False): the three finders with
# their separators and the two timing patterns; they set the levels of dark and light
_KNOWN_DARK = np.zeros((SIZE, SIZE), dtype=bool)
_KNOWN_LIGHT = np.zeros((SIZE, SIZE), dtype=bool)
for _top, _left in ((0, 0), (0, SIZE - 7), (SIZE - 7, 0)):
    _KNOWN_DARK[_top : _top + 7, _left : _left + 7] = True
    _KNOWN_DARK[_top + 1 : _top + 6, _left + 1 : _left + 6] = False
    _KNOWN_LIGHT[_top + 1 : _top + 6, _left + 1 : _left + 6] = True
    _KNOWN_DARK[_top + 2 : _top + 5, _left + 2 : _left + 5] = True
    _KNOWN_LIGHT[_top + 2 : _top + 5, _left + 2 : _left + 5] = False
for _k in range(8, SIZE - 8):
    (_KNOWN_DARK if _k % 2 == 0 else _KNOWN_LIGHT)[6, _k] = True
    (_KNOWN_DARK if _k % 2 == 0 else _KNOWN_LIGHT)[_k, 6] = True
SATURATED = 250


class Placed(NamedTuple):
    """A grid sampled at one place: how well its function patterns fit, and its modules."""

    misfit: float  # share of the seen finder and timing modules that disagree
    dark: np.ndarray
    glare: np.ndarray  # saturated or outside the image, or brighter than the paper
    clarity: float  # how far the seen modules are from the threshold, in (light - dark) units


def place(gray: np.ndarray, homography: np.ndarray) -> Placed | None:
    """The grid that ``homography`` (module coordinates -> pixels) places in ``gray``, or None
    where there is no contrast to read."""
    mean, brightest, inside = sample_grid(gray, homography)
    glare = (brightest >= SATURATED) | ~inside
    dark_level = np.sort(mean[_KNOWN_DARK & ~glare])
    light_level = np.sort(mean[_KNOWN_LIGHT & ~glare])
    if len(dark_level) < 8 or len(light_level) < 8:
        return None
    dark_v, light_v = float(dark_level[len(dark_level) // 2]), float(light_level[len(light_level) // 2])
    if light_v - dark_v < 20:
        return None  # no contrast there: not a code
    glare |= mean > light_v + 0.35 * (light_v - dark_v)  # the rim: brighter than paper
    dark = mean < (dark_v + light_v) / 2
    seen = ~glare & (_KNOWN_DARK | _KNOWN_LIGHT)
    misfit = np.count_nonzero(dark[seen] != _KNOWN_DARK[seen]) / max(1, np.count_nonzero(seen))
    clear = ~glare
    clarity = (
        float(np.mean(np.abs(mean[clear] - (dark_v + light_v) / 2))) / (light_v - dark_v)
        if clear.any()
        else 0.0
    )
    return Placed(misfit, dark, glare, clarity)


# a grid whose finder and timing modules disagree more than this is in the wrong place (the
# codes read on the tuning seeds are at most 0.12 off)
MAX_MISFIT = 0.125


def read_placed(placed: Placed) -> str | None:
    """The card code of a placed grid, with its glare as erasures, then with the glare's rim
    (one module around it) as erasures too, then with none (a sharpened image's overshoot
    looks like glare)."""
    import cv2

    if placed.misfit > MAX_MISFIT:
        return None
    rim = cv2.dilate(placed.glare.astype(np.uint8), np.ones((3, 3), np.uint8)).astype(bool)
    tries = (placed.glare, rim, np.zeros_like(rim)) if placed.glare.any() else (placed.glare,)
    for unknown in tries:
        text = read_grid(placed.dark, ~unknown)
        if text is not None:
            return text
    return None


def read_at(gray: np.ndarray, homography: np.ndarray) -> str | None:
    """The card code of the grid that ``homography`` (module coordinates -> pixels) places in
    ``gray``, with saturated modules (and the ones around them: the glare's rim) as erasures."""
    placed = place(gray, homography)
    return None if placed is None else read_placed(placed)


def _affine(tl, tr, bl) -> np.ndarray:
    """Module coordinates -> pixels, from the centres of the three finder patterns."""
    import cv2

    source = np.float32([[3.5, 3.5], [SIZE - 3.5, 3.5], [3.5, SIZE - 3.5]])
    matrix = cv2.getAffineTransform(source, np.float32([tl, tr, bl]))
    return np.vstack([matrix, [0, 0, 1]])


class Finder(NamedTuple):
    x: float
    y: float
    module: float
    corners: np.ndarray | None  # the outer square's four corners, when they are clear


def finder_patterns(gray: np.ndarray, offset: int = 8) -> list[Finder]:
    """The finder patterns in ``gray``: a dark square ring around a
    dark core, nested contours in a local threshold (dark: ``offset`` levels below the mean
    around it)."""
    import cv2

    block = max(15, (min(gray.shape[:2]) // 8) | 1)
    # the median takes out the sensor's speckle, which would otherwise make thousands of contours
    binary = cv2.adaptiveThreshold(
        cv2.medianBlur(gray, 3), 255, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY_INV, block, offset
    )
    contours, hierarchy = cv2.findContours(binary, cv2.RETR_TREE, cv2.CHAIN_APPROX_SIMPLE)
    if hierarchy is None:
        return []
    tree = hierarchy[0]
    found = []
    for i, contour in enumerate(contours):
        hole = tree[i][2]
        if hole < 0:
            continue
        core = tree[hole][2]
        if core < 0 or (tree[core][0] >= 0 and cv2.contourArea(contours[tree[core][0]]) > 4):
            continue  # the hole holds more than one core
        outer, inner = cv2.contourArea(contour), cv2.contourArea(contours[core])
        if outer < 36 or inner < 4 or not 2.5 < outer / inner < 12:
            continue
        (_cx, _cy), (w, h), _angle = cv2.minAreaRect(contour)
        if w * h <= 0 or outer / (w * h) < 0.6 or not 0.5 < w / h < 2:
            continue
        moments = cv2.moments(contours[core])
        if moments["m00"] <= 0:
            continue
        corners = cv2.approxPolyDP(contour, 0.1 * np.sqrt(outer), True).reshape(-1, 2)
        found.append(
            Finder(
                moments["m10"] / moments["m00"],
                moments["m01"] / moments["m00"],
                np.sqrt(outer) / 7,
                np.float32(corners) if len(corners) == 4 else None,
            )
        )
    return found


def _triangles(finders: list[Finder]):
    """(top-left, top-right, bottom-left) of three finders that make a code's right angle."""
    for k, corner in enumerate(finders):
        c = np.array(corner[:2])
        others = [f for i, f in enumerate(finders) if i != k]
        for i in range(len(others)):
            for j in range(i + 1, len(others)):
                a, b = np.array(others[i][:2]) - c, np.array(others[j][:2]) - c
                la, lb = float(np.linalg.norm(a)), float(np.linalg.norm(b))
                module = corner.module
                if not (10 < la / module < 18 and 10 < lb / module < 18 and 0.7 < la / lb < 1.43):
                    continue
                if abs(float(a @ b)) > 0.35 * la * lb:  # not near a right angle
                    continue
                cross = a[0] * b[1] - a[1] * b[0]
                yield ((c, c + a, c + b) if cross > 0 else (c, c + b, c + a)), True


def _hypotheses(finders: list[Finder]):
    """(top-left, top-right, bottom-left) centres a code could have, and whether three finders
    were seen there: the right angles of three finders first, then from each pair."""
    yield from _triangles(finders)
    yield from _pairs(finders)


def _pairs(finders: list[Finder]):
    """(top-left, top-right, bottom-left) centres a code could have, from two of its finders."""
    for i in range(len(finders)):
        for j in range(i + 1, len(finders)):
            p, q = np.array(finders[i][:2]), np.array(finders[j][:2])
            module = (finders[i][2] + finders[j][2]) / 2
            if not 0.6 < finders[i][2] / finders[j][2] < 1.67:
                continue
            span = float(np.linalg.norm(q - p)) / module
            thirds = []
            if 10 < span < 17:  # neighbours: the third is beside either, on either side
                for a, b in ((p, q), (q, p)):
                    turn = np.array([-(b - a)[1], (b - a)[0]])
                    thirds += [(a, b, a + turn), (a, b, a - turn)]
            if 15 < span < 24:  # across the diagonal: the top-left is off its middle
                middle, half = (p + q) / 2, (q - p) / 2
                turn = np.array([-half[1], half[0]])
                thirds += [(middle + turn, p, q), (middle - turn, p, q)]
            for tl, b, c in thirds:
                # a code is not mirrored: (tr - tl) x (bl - tl) > 0 with y down
                cross = (b - tl)[0] * (c - tl)[1] - (b - tl)[1] * (c - tl)[0]
                yield ((tl, b, c) if cross > 0 else (tl, c, b)), False


def merged_finders(gray: np.ndarray, offsets: Sequence[int]) -> list[Finder]:
    """The finder patterns of local thresholds at each of ``offsets``, one per place (a blurred,
    small code loses a different finder at each threshold)."""
    found: list[Finder] = []
    for offset in offsets:
        for finder in finder_patterns(gray, offset):
            if all(np.hypot(finder.x - f.x, finder.y - f.y) > 2 * f.module for f in found):
                found.append(finder)
    return found


def locate_and_read(
    gray: np.ndarray,
    corners: list[np.ndarray] | None = None,
    limit: int = 12,
    decodes: int = 4,
    offsets: Sequence[int] = (8,),
    polish: bool = False,
) -> str | None:
    """The card code in ``gray`` (a crop around a code): at each quad in ``corners`` (the
    symbol's four outer corners, e.g. where zxing located a code it could not read), then at
    the places two or three finder patterns found here point to (at most ``limit`` guesses, the
    first ``decodes`` that fit decoded; with ``polish``, three finders' clear grid that does not
    decode is moved to where its modules are clearest, and decoded again)."""
    import cv2

    edge = np.float32([[0, 0], [SIZE, 0], [SIZE, SIZE], [0, SIZE]])
    for quad in corners or []:
        text = read_at(gray, cv2.getPerspectiveTransform(edge, np.float32(quad)))
        if text is not None:
            return text
    finders = merged_finders(gray, offsets)
    if len(finders) < 2 or len(finders) > 8:
        return None
    decoded = 0
    pair_placed = None  # the first grid two finders placed well that did not decode
    for (tl, tr, bl), triangle in itertools.islice(_hypotheses(finders), limit):
        rough = _affine(tl, tr, bl)
        refined = _refined(rough, finders)
        grids = [(place(gray, h), h) for h in (refined, rough) if h is not None]
        grids = sorted(
            ((g, h) for g, h in grids if g is not None and g.misfit <= MAX_MISFIT),
            key=lambda gh: gh[0].misfit,
        )
        for grid, homography in grids:
            text = read_placed(grid)
            if text is not None:
                return text
            if not triangle and pair_placed is None:
                pair_placed = homography
            decoded += 1
            if decoded >= decodes:
                return None
        if triangle and grids and grids[0][0].misfit < CLEAR_FIT:
            # three finders fit a grid well, and neither placement (by the finders' corners, by
            # their centres) decodes: the code is here, the grid a little off (a bent card, a
            # blurred finder's edge), or it cannot be read
            return read_placed(_polished(gray, grids[0][1], grids[0][0])) if polish else None
    if pair_placed is not None:
        return _read_around(gray, pair_placed, finders)
    return None


def _read_around(
    gray: np.ndarray, homography: np.ndarray, finders: list[Finder], tries: int = 3
) -> str | None:
    """Two finders leave the far side of the grid to extrapolation: move the corner of the
    finder that was not seen and the bottom-right corner together, up to 1.5 modules each way,
    and decode the placements whose modules are the most clearly dark or light."""
    import cv2

    edge = np.float32([[0, 0], [SIZE, 0], [SIZE, SIZE], [0, SIZE]])
    inverse = np.linalg.inv(homography)
    seen = set()
    for finder in finders:
        at = cv2.perspectiveTransform(np.float32([[[finder.x, finder.y]]]), inverse)[0, 0]
        seen |= {k for k, (x, y) in enumerate(_FINDER_CENTRES) if np.hypot(at[0] - x, at[1] - y) < 1.5}
    missing = [k for k in range(3) if k not in seen]
    if len(missing) != 1:
        return None
    movable = [(0, 1, 3)[missing[0]], 2]  # the missing finder's outer corner, and bottom-right
    quad = cv2.perspectiveTransform(edge.reshape(-1, 1, 2), homography).reshape(-1, 2)
    across, down = (quad[1] - quad[0]) / SIZE, (quad[3] - quad[0]) / SIZE
    scored = []
    for dx in np.arange(-1.5, 1.51, 0.5):
        for dy in np.arange(-1.5, 1.51, 0.5):
            moved = quad.copy()
            moved[movable] += dx * across + dy * down
            candidate = cv2.getPerspectiveTransform(edge, np.float32(moved))
            grid = place(gray, candidate)
            if grid is not None and grid.misfit <= MAX_MISFIT:
                scored.append((grid.clarity, grid))
    scored.sort(key=lambda sg: -sg[0])
    for _clarity, grid in scored[:tries]:
        text = read_placed(grid)
        if text is not None:
            return text
    return None


# a grid placed by three finders that fits this well and does not decode is the code, unreadable
# (or, with ``polish``, a little off)
CLEAR_FIT = 0.05

# Polishing a placement: each corner of the grid moved by these steps (in modules) while the
# modules get clearer (further from the threshold), a few rounds per step
POLISH_STEPS = (0.5, 0.25)
POLISH_ROUNDS = 4
_MOVES = np.float32([(1, 0), (-1, 0), (0, 1), (0, -1), (1, 1), (1, -1), (-1, 1), (-1, -1)])


def _polished(gray: np.ndarray, homography: np.ndarray, placed: Placed) -> Placed:
    """The placement near ``homography`` whose modules are the clearest: a bent card's or a
    blurred code's grid is a little off its finders' fit, and off-module samples are grey."""
    import cv2

    edge = np.float32([[0, 0], [SIZE, 0], [SIZE, SIZE], [0, SIZE]])
    quad = cv2.perspectiveTransform(edge.reshape(-1, 1, 2), homography).reshape(-1, 2)
    module = float(np.linalg.norm(quad[1] - quad[0])) / SIZE
    best = placed
    for step in POLISH_STEPS:
        for _round in range(POLISH_ROUNDS):
            improved = False
            for corner in range(4):
                for move in _MOVES:
                    moved = quad.copy()
                    moved[corner] += move * step * module
                    grid = place(gray, cv2.getPerspectiveTransform(edge, moved))
                    if grid is not None and grid.misfit <= MAX_MISFIT and _score(grid) > _score(best):
                        best, quad, improved = grid, moved, True
            if not improved:
                break
    return best


_FINDER_CENTRES = ((3.5, 3.5), (SIZE - 3.5, 3.5), (3.5, SIZE - 3.5))


def _refined(rough: np.ndarray, finders: list[Finder]) -> np.ndarray | None:
    """A homography fitted to the corners of the finders seen (each matched to the corner the
    rough placement predicts), which follows the card's tilt where the centres alone cannot."""
    import cv2

    inverse = np.linalg.inv(rough)
    source, target = [], []
    for finder in finders:
        if finder.corners is None:
            continue
        at = cv2.perspectiveTransform(np.float32([[[finder.x, finder.y]]]), inverse)[0, 0]
        if min(np.hypot(at[0] - x, at[1] - y) for x, y in _FINDER_CENTRES) > 1.5:
            continue  # not one of this code's finders
        top, left = (0 if at[1] < SIZE / 2 else SIZE - 7), (0 if at[0] < SIZE / 2 else SIZE - 7)
        square = np.float32([[left, top], [left + 7, top], [left + 7, top + 7], [left, top + 7]])
        predicted = cv2.perspectiveTransform(square.reshape(-1, 1, 2), rough).reshape(-1, 2)
        for corner, seen in zip(square, predicted, strict=True):
            distances = np.linalg.norm(finder.corners - seen, axis=1)
            if distances.min() < 2.5 * finder.module:
                source.append(corner)
                target.append(finder.corners[int(distances.argmin())])
    if len(source) < 8:
        return None
    homography, _mask = cv2.findHomography(np.float32(source), np.float32(target), 0)
    return homography


def _score(grid: Placed) -> float:
    """How well a grid sits on its modules: clear modules, few of them unseen (a placement
    half off the code sees "glare" there), its finders and timing where they belong."""
    return grid.clarity * (1 - float(grid.glare.mean())) - 2 * grid.misfit
